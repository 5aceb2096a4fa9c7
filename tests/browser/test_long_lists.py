"""Long lists in a real browser: a topic with more pages than fit on one, and a share kit of
many pages, are split into pages a reader can step through by keyboard, and stay accessible."""

import pytest

from .conftest import axe_violations
from .test_crawl import page_promise_problems

PAGINATED = ["/topics/basics/?page=2", "/clinicians/?page=2"]


@pytest.fixture
def long_lists(live_content, many_articles):
    """The real pages plus 130 more in one topic: three topic pages, six share-kit pages."""
    many_articles(130, topic="basics")


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_later_pages_of_long_lists_pass_axe_and_keep_the_page_promises(new_page, axe, long_lists, color_scheme):
    page = new_page(color_scheme=color_scheme)
    for path in PAGINATED:
        response = page.goto(path)
        assert response.status == 200, path
        assert page_promise_problems(page.content()) == [], path
        assert axe_violations(axe, page) == [], f"{path} ({color_scheme})"
    assert page.console_errors == []


def test_a_reader_steps_through_a_topic_by_keyboard(new_page, long_lists):
    page = new_page(viewport={"width": 390, "height": 800})
    page.goto("/")
    page.get_by_role("link", name="See all").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/topics/basics/")
    pagination = page.get_by_role("navigation", name="Pages of this topic")
    assert pagination.locator("[aria-current=page]").inner_text().split()[-1] == "1"
    pagination.get_by_role("link", name="Next page").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/topics/basics/?page=2")
    current = page.get_by_role("navigation", name="Pages of this topic").locator("[aria-current=page]")
    assert current.inner_text().split()[-1] == "2"
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_the_topic_and_share_kit_pages_fit_a_320_pixel_screen(new_page, long_lists):
    page = new_page(viewport={"width": 320, "height": 640})
    for path in ["/topics/basics/", *PAGINATED]:
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), path
