from .conftest import axe_violations


def test_home_and_article_load_without_script_errors_and_pass_axe(page, axe, live_content):
    for url in ["/", "/help/", "/tms/what-is-tms/"]:
        response = page.goto(url)
        assert response.status == 200, url
        assert page.locator("h1").count() == 1
        assert page.get_by_role("link", name="Get help now").first.is_visible()
        assert axe_violations(axe, page) == [], url
    assert page.console_errors == []


def test_skip_link_moves_focus_to_main_content(page, live_content):
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
