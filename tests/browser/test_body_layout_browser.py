"""In chromium, editor markup that survives the sanitizer stays inside the body (issue 19, item 2)."""

from tests.test_body_layout import EVIL, RESHAPING


def test_the_review_box_and_contents_are_never_part_of_an_editors_link(
    transactional_db, page, live_server, make_article
):
    body = RESHAPING["a link opened in the key points"] + "\n## Later {#later}\n\nMore.\n"
    article = make_article(body=body)
    page.goto(live_server.url + article.get_absolute_url())
    for selector in (".review-box", ".toc", ".site-footer", ".share"):
        assert page.locator(selector).evaluate("el => el.closest('a') === null"), selector
        assert page.locator(selector).is_visible(), selector
    editor_links = page.locator(f'a[href="{EVIL}"]')
    assert editor_links.count() > 0
    assert editor_links.evaluate_all("els => els.every(el => el.closest('.article-body, .key-points'))")


def test_every_link_chromium_sends_off_the_site_is_marked_external(transactional_db, page, live_server, make_article):
    from tests.test_small_holes import OFF_SITE

    body = "## Links {#links}\n\n" + " ".join(f"[x{n}](<{href}>)" for n, href in enumerate(OFF_SITE))
    article = make_article(body=body + " [home](/tms/what-is-tms/) [here](#links)\n")
    page.goto(live_server.url + article.get_absolute_url())
    found = page.locator(".article-body a:not(.section-link, .section-report)").evaluate_all(
        "els => els.map(el => [el.host === location.host, el.rel])"
    )
    assert len(found) == len(OFF_SITE) + 2
    for same_host, rel in found:
        assert rel == ("" if same_host else "noopener noreferrer"), found
    assert sum(not same_host for same_host, _ in found) == len(OFF_SITE)
