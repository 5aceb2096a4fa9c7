"""A person clicking an infobutton in a health record lands on the right page, in a real browser.

The address is built the way OpenEMR builds it for MedlinePlus Connect's web application
(interface/patient_file/education.php): ``/application?mainSearchCriteria.v.cs=<OID>&
mainSearchCriteria.v.c=<code>``, with only the base address changed to this site's /connect.
"""

from articles.models import Article, CodeMapEntry, CodeMapPage

from .conftest import axe_violations

ICD10CM, CPT = "2.16.840.1.113883.6.90", "2.16.840.1.113883.6.12"


def openemr_application(system: str, code: str) -> str:
    return f"/connect/application?mainSearchCriteria.v.cs={system}&mainSearchCriteria.v.c={code}"


def test_an_infobutton_click_lands_on_the_page_or_a_short_list_of_them(page, axe, live_content, live_server, settings):
    settings.SITE_URL = live_server.url  # canonical addresses on the server the browser talks to
    # Several pages: a short list with the site's header and footer; the first link is the best page.
    response = page.goto(openemr_application(ICD10CM, "F33.1"))
    assert response.status == 200
    assert page.locator("h1").count() == 1
    assert page.get_by_role("link", name="Get help now").first.is_visible()
    assert page.locator("main .search-results li").count() == 3
    assert axe_violations(axe, page) == []
    page.locator("main .search-results a").first.click()
    page.wait_for_url("**/tms/is-tms-right-for-me/")
    assert page.locator("h1").inner_text() == "Is TMS right for me?"

    # One page: the browser is taken straight to it.
    entry = CodeMapEntry.objects.create(system=CPT, code="0999T", name="A one-page code")
    CodeMapPage.objects.create(entry=entry, article=Article.objects.get(language="en", slug="what-to-expect"))
    response = page.goto(openemr_application(CPT, "0999T"))
    assert response.status == 200 and page.url == f"{live_server.url}/tms/what-to-expect/"
    assert page.locator("h1").inner_text() == Article.objects.get(language="en", slug="what-to-expect").title

    # No page: it says so, with the way home and to help.
    response = page.goto(openemr_application(ICD10CM, "F31.9"))
    assert response.status == 200
    main = page.locator("main")
    assert main.get_by_role("link", name="Browse all topics").is_visible()
    assert main.get_by_role("link", name="Crisis lines you can call or text").is_visible()
    assert axe_violations(axe, page) == []
    assert page.console_errors == []
