# ruff: noqa: E501 (hostile bodies are kept whole, one per line)
"""Editor markup cannot reshape the page around it (issue 19, item 2).

Raw HTML that survives the sanitizer (block elements wrapped in a link, headings inside other
elements, tags left open) stays inside the body's box on the article page and the handout: the
site's own review box, contents list, page history, share tools and footer are never turned into
links, moved into the body or hidden. Pages are parsed here the way a browser parses them
(html5lib implements the HTML standard's parser, the one chromium follows), and one page is
opened in chromium too. The sign-off screen shows the parts the public page shows.
"""

import datetime as dt
from html.parser import HTMLParser

import pytest
from bleach._vendor import html5lib
from django.conf import settings
from django.utils import timezone

from articles import workflow
from articles.markdown import present_body, render_markdown
from articles.models import Article, PageChange
from articles.publishing import preview_page
from tests import xss_vectors

EVIL = "https://evil.example/"
RESHAPING = {
    "a link wrapped around the key points": f'<a href="{EVIL}">\n\n## Key points {{#key-points}}\n\n- A point.\n\n## Next {{#next}}\n\nText.\n',
    "a link opened in the key points": f'## Key points {{#key-points}}\n\n<a href="{EVIL}">\n\n- A point.\n\n## Next {{#next}}\n\nText.\n',
    "a div around the key points heading": f'<div><h2 id="key-points">Key points</h2><a href="{EVIL}"><ul><li>A point.</li></ul></div>\n\n## Next\n\nText.\n',
    "a heading inside a link": f'Intro.\n\n<a href="{EVIL}"><h2 id="references">References</h2></a>\n\n1. A paper.\n',
    "references inside a div inside a link": f'<a href="{EVIL}"><div><h2 id="references">R</h2><p>x</p></div>\n\nMore.\n',
    "a div left open": "## Key points {#key-points}\n\n- A point.\n\n<div>\n\n## Main\n\nText.\n",
    "formatting left open in the key points": f'## Key points {{#key-points}}\n\n- <b><i><a href="{EVIL}">A point.\n\n## Main {{#main-text}}\n\nText.\n\n## References {{#references}}\n\n1. A paper.\n',
    "stray end tags of the page's own elements": "</div></article></main>\n\n## Key points {#key-points}\n\n- A point.\n\n</section></nav></aside>\n\n## More\n\nText.</a>",
    "a quote left open before the references": "Text.\n\n<blockquote>\n\n## References {#references}\n\n1. A paper.\n",
    "a table left open": f"## Key points {{#key-points}}\n\n<table><tr><td><a href=\"{EVIL}\">\n\n## Main\n\nText.\n",
    "a list item left open": f'<ul><li><a href="{EVIL}">\n\n## Key points {{#key-points}}\n\n- A point.\n\n## Main\n\nText.\n',
}  # fmt: skip
SITE_PARTS = {  # what the page itself puts around the body (class names in templates/)
    "article": ("review-box", "toc", "page-history", "share", "site-footer", "pager"),
    "print": ("review-line", "handout-online", "handout-sources", "site-footer"),
}
OPTIONAL_PARTS = {"pager", "toc"}  # no neighbours; no sections besides key points and references
BODY_BOXES = {"article": ("article-body", "key-points"), "print": ("handout-body", "key-points")}


class _Balance(HTMLParser):
    VOID = {"br", "hr", "img", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack, self.errors = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def unbalanced(fragment: str) -> list[str]:
    parser = _Balance()
    parser.feed(fragment)
    parser.close()
    return parser.errors + [f"<{tag}> never closed" for tag in parser.stack]


EVERY_VECTOR = list(RESHAPING.values()) + [v for name in dir(xss_vectors) if name.isupper()
                                           for v in getattr(xss_vectors, name)]  # fmt: skip


@pytest.mark.parametrize("body", EVERY_VECTOR)
def test_every_part_of_the_body_is_whole(body):
    parts = present_body(render_markdown(body).html)
    for name in ("key_points", "main", "references"):
        assert not unbalanced(getattr(parts, name)), (name, getattr(parts, name))


def parse_like_a_browser(html: str):
    """The page's element tree as the HTML standard's parser builds it, with parent links."""
    root = html5lib.parse(html, namespaceHTMLElements=False)
    parents = {child: parent for parent in root.iter() for child in parent}
    return root, parents


def classes(element) -> set[str]:
    return set((element.get("class") or "").split())


def ancestors(element, parents):
    while element in parents:
        element = parents[element]
        yield element


def layout_problems(html: str, kind: str) -> list[str]:
    root, parents = parse_like_a_browser(html)
    problems = []
    boxes = BODY_BOXES[kind]
    for part in SITE_PARTS[kind]:
        found = [el for el in root.iter() if part in classes(el)]
        if part not in OPTIONAL_PARTS and not found:
            problems.append(f"{part}: missing")
        for element in found:
            around = list(ancestors(element, parents))
            if any(a.tag == "a" for a in around):
                problems.append(f"{part}: inside a link")
            if any(classes(a) & set(boxes) for a in around):
                problems.append(f"{part}: inside the body")
            if any(a.get("hidden") is not None for a in [element, *around]):
                problems.append(f"{part}: hidden")
    for link in root.iter("a"):
        if (link.get("href") or "").startswith(EVIL):
            if not any(classes(a) & set(boxes) for a in ancestors(link, parents)):
                problems.append(f"an editor's link outside the body: {sorted(classes(parents.get(link, link)))}")
    return problems


@pytest.fixture
def hostile_page(make_article, reviewer):
    def make(body: str) -> Article:
        today = timezone.localdate()
        article = make_article(
            body=body, reviewer=reviewer, reviewed_on=today, next_review_due=today + dt.timedelta(days=300)
        )
        PageChange.objects.create(article=article, kind="editorial", note="Fixed a link", public=True)
        return article

    return make


@pytest.mark.django_db
@pytest.mark.parametrize("body", RESHAPING.values(), ids=RESHAPING.keys())
def test_editor_markup_stays_inside_the_body_on_the_page_and_the_handout(client, hostile_page, body):
    article = hostile_page(body)
    page = client.get(article.get_absolute_url()).content.decode()
    assert layout_problems(page, "article") == []
    handout = client.get(f"/tms/{article.slug}/print/").content.decode()
    assert layout_problems(handout, "print") == []


@pytest.mark.django_db
def test_no_section_link_is_put_inside_an_editors_link(hostile_page, client):
    article = hostile_page(
        f'Intro.\n\n<div><a href="{EVIL}"><h2 id="inside">Inside</h2></a></div>\n\n## Outside {{#outside}}\n'
    )
    root, parents = parse_like_a_browser(client.get(article.get_absolute_url()).content.decode())
    section_links = {a.get("href"): a for a in root.iter("a") if "section-link" in classes(a)}
    assert "#inside" not in section_links and "#outside" in section_links
    for link in section_links.values():
        assert not any(a.tag == "a" for a in ancestors(link, parents))


# --- the sign-off screen ----------------------------------------------------------------------
@pytest.mark.django_db
def test_the_sign_off_screen_shows_the_parts_the_public_page_will_show(client, django_user_model, make_article):
    body = RESHAPING["formatting left open in the key points"] + "\n## Details {#details}\n\nMore text.\n"
    article = make_article(body=body, status=Article.Status.IN_REVIEW)
    client.force_login(django_user_model.objects.create_superuser("ada", "ada@example.org", "pw"))
    screen = client.get(f"/{settings.ADMIN_PATH}articles/article/{article.pk}/sign-off/").content.decode()
    shown = present_body(article.body_html)
    assert shown.key_points and shown.key_points in screen and shown.body in screen
    assert article.body_html not in screen  # not the unsplit text without section links
    for entry in preview_page(article).contents:
        assert f'<a href="#{entry["id"]}">{entry["title"]}</a>' in screen
    # Once published, the public page shows those very parts.
    article.status = Article.Status.PUBLISHED
    workflow.article_save(article=article, change=workflow.IMPORT)
    client.logout()
    page = client.get(article.get_absolute_url()).content.decode()
    assert shown.key_points in page and shown.body in page
