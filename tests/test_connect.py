"""The /connect/ responder: health-record codes in, published pages out, in MedlinePlus Connect's shape.

Requests are built the way OpenEMR builds them for MedlinePlus Connect (its
interface/patient_file/education.php): ``/application?mainSearchCriteria.v.cs=<OID>&
mainSearchCriteria.v.c=<code>`` plus ``&informationRecipient.languageCode.c=es`` for Spanish;
only the base address differs. The service requests add ``knowledgeResponseType`` as MedlinePlus
Connect's web service documentation does.
"""

import datetime as dt
import json
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.cache import cache

from articles import connect, workflow
from articles.content import import_content
from articles.models import Article, CodeMapEntry, CodeMapPage, Reviewer
from articles.sharing import article_url
from tests.conftest import CONTENT_DIR
from tests.test_site import assert_page_keeps_promises

pytestmark = pytest.mark.django_db

ICD10CM, SNOMEDCT, CPT = "2.16.840.1.113883.6.90", "2.16.840.1.113883.6.96", "2.16.840.1.113883.6.12"
ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
RECURRENT_PAGES = ["is-tms-right-for-me", "what-is-tms", "does-tms-work"]


def openemr_url(system: str, code: str, *, language: str = "", endpoint: str = "application") -> str:
    """The address OpenEMR's education.php builds, on this site's base address."""
    url = f"/connect/{endpoint}?mainSearchCriteria.v.cs={system}&mainSearchCriteria.v.c={code}"
    return url + ("&informationRecipient.languageCode.c=es" if language == "es" else "")


def service_url(system: str | None, code: str | None, **extra) -> str:
    params = {"mainSearchCriteria.v.cs": system, "mainSearchCriteria.v.c": code, **extra}
    return "/connect/service?" + urlencode({k: v for k, v in params.items() if v is not None})


def atom_entries(response) -> tuple[ET.Element, list[ET.Element]]:
    """Parse an answer as Atom; the feed and its entries."""
    assert response["Content-Type"].startswith("text/xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    return feed, feed.findall(f"{ATOM}entry")


def entry_links(entries) -> list[str]:
    return [entry.find(f"{ATOM}link").get("href") for entry in entries]


@pytest.fixture(scope="module")
def site_content(django_db_setup, django_db_blocker):
    """The real content/ folder and its code map, imported once for this file (each test still
    runs in its own transaction on top) and removed, history and all, when the file is done."""
    with django_db_blocker.unblock():
        import_content(CONTENT_DIR)
        yield list(Article.objects.published().filter(language="en"))
        CodeMapEntry.objects.all().delete()
        Article.objects.filter(source__isnull=False).delete()  # translations first: they protect their English page
        Article.objects.all().delete()
        Reviewer.objects.all().delete()
        for model in (Article, CodeMapEntry, CodeMapPage):
            model.history.all().delete()


def map_entry(system: str, code: str, pages, name: str = "A code") -> CodeMapEntry:
    entry = CodeMapEntry.objects.create(system=system, code=code, name=name)
    for position, article in enumerate(pages):
        CodeMapPage.objects.create(entry=entry, article=article, position=position)
    return entry


# --- what a clinician's record gets -------------------------------------------------------------
def test_an_openemr_request_for_recurrent_depression_lists_the_three_pages_that_help_most(client, site_content):
    response = client.get(openemr_url(ICD10CM, "F33.1"))
    assert response.status_code == 200
    html = response.content.decode()
    assert_page_keeps_promises(html, "connect application")
    listed = [slug for slug in RECURRENT_PAGES if f'href="/tms/{slug}/"' in html]
    assert listed == RECURRENT_PAGES
    assert html.index("/tms/is-tms-right-for-me/") < html.index("/tms/what-is-tms/") < html.index("/tms/does-tms-work/")
    assert "Awaiting medical review" in html or "Medically reviewed by" in html  # each page's review line
    assert "F33" not in html  # the page never shows the diagnosis code


def test_the_service_answers_atom_that_parses_as_atom_with_canonical_links(client, site_content):
    response = client.get(service_url(ICD10CM, "F33.1"))
    assert response.status_code == 200
    feed, entries = atom_entries(response)
    assert feed.get(XML_LANG) == "en"
    for child in ("title", "updated", "id", "author"):
        assert feed.find(f"{ATOM}{child}") is not None, child
    categories = {c.get("scheme"): c.get("term") for c in feed.findall(f"{ATOM}category")}
    assert categories["mainSearchCriteria.v.cs"] == ICD10CM
    published = {a.slug: a for a in site_content}
    assert entry_links(entries) == [article_url(published[slug]) for slug in RECURRENT_PAGES]
    for entry in entries:
        assert entry.find(f"{ATOM}title").text
        assert entry.find(f"{ATOM}summary").get("type") == "html" and entry.find(f"{ATOM}summary").text
        dt.datetime.fromisoformat(entry.find(f"{ATOM}updated").text)
        assert entry.find(f"{ATOM}link").get("href").startswith(settings.SITE_URL + "/tms/")


def test_the_json_answer_has_medlineplus_connects_structure(client, site_content):
    response = client.get(service_url(ICD10CM, "F33.1", knowledgeResponseType="application/json"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    feed = json.loads(response.content)["feed"]
    assert feed["lang"] == "en" and feed["title"]["_value"]
    assert {c["scheme"] for c in feed["category"]} >= {"mainSearchCriteria.v.c", "mainSearchCriteria.v.cs"}
    published = {a.slug: a for a in site_content}
    assert [e["title"]["_value"] for e in feed["entry"]] == [published[slug].title for slug in RECURRENT_PAGES]
    assert [e["link"][0]["href"] for e in feed["entry"]] == [article_url(published[s]) for s in RECURRENT_PAGES]
    assert all(
        published[slug].summary in e["summary"]["_value"]
        for slug, e in zip(RECURRENT_PAGES, feed["entry"], strict=True)
    )


def test_a_tms_procedure_code_answers_with_what_to_expect_and_risks(client, site_content):
    feed = json.loads(client.get(service_url(CPT, "90868", knowledgeResponseType="application/json")).content)
    links = [e["link"][0]["href"] for e in feed["feed"]["entry"]]
    assert links[:2] == [f"{settings.SITE_URL}/tms/what-to-expect/", f"{settings.SITE_URL}/tms/risks-and-side-effects/"]


def test_a_snomed_major_depression_concept_answers_like_its_icd10_code(client, site_content):
    _, snomed = atom_entries(client.get(service_url(SNOMEDCT, "370143000")))
    _, icd = atom_entries(client.get(service_url(ICD10CM, "F32.1")))
    assert entry_links(snomed) == entry_links(icd) and len(snomed) == 3


@pytest.mark.parametrize("written", ["F33.1", "f33.1", "F331", " F33.1 "])
def test_a_code_is_found_however_the_record_writes_it(client, site_content, written):
    _, entries = atom_entries(client.get(service_url(ICD10CM, written)))
    assert len(entries) == 3


def test_a_specific_code_falls_back_to_its_parent_then_grandparent(client, site_content, make_article):
    moderate = make_article(slug="moderate")
    map_entry(ICD10CM, "F33.1", [moderate])  # the shipped map has F33, and nothing under it with pages
    _, entries = atom_entries(client.get(service_url(ICD10CM, "F33.19")))
    assert entry_links(entries) == [article_url(moderate)]  # F33.19 -> F33.1
    _, entries = atom_entries(client.get(service_url(ICD10CM, "F33.27")))
    published = {a.slug: a for a in site_content}
    assert entry_links(entries) == [article_url(published[s]) for s in RECURRENT_PAGES]  # -> F33.2 (none) -> F33


def test_a_bipolar_disorder_code_gets_a_valid_empty_feed(client, site_content):
    response = client.get(service_url(ICD10CM, "F31.32"))
    assert response.status_code == 200
    feed, entries = atom_entries(response)
    assert entries == [] and feed.find(f"{ATOM}title").text
    again = json.loads(client.get(service_url(ICD10CM, "F31.32", knowledgeResponseType="application/json")).content)
    assert again["feed"]["entry"] == []


def test_an_entry_without_pages_stops_the_fallback_to_its_parent(client, site_content):
    """Depression with psychotic features (F33.3) gives nothing, though F33 has pages."""
    for code in ("F33.3", "F32.3"):
        _, entries = atom_entries(client.get(service_url(ICD10CM, code)))
        assert entries == [], code
    _, entries = atom_entries(client.get(service_url(ICD10CM, "F33.2")))
    assert len(entries) == 3


@pytest.mark.parametrize(
    "system, code", [(ICD10CM, "J45.909"), (SNOMEDCT, "195967001"), (CPT, "99213"), (ICD10CM, "?")]
)
def test_a_code_outside_the_map_gets_a_valid_empty_feed_not_an_error(client, site_content, system, code):
    response = client.get(service_url(system, code))
    assert response.status_code == 200
    assert atom_entries(response)[1] == []


def test_only_published_pages_appear_as_the_public_reads_them(client, make_article, reviewer):
    draft = make_article(slug="draft", title="Draft page", status=Article.Status.DRAFT)
    review = make_article(slug="in-review", title="In review page", status=Article.Status.IN_REVIEW)
    archived = make_article(slug="gone", title="Archived page", status=Article.Status.ARCHIVED)
    signed = make_article(slug="signed", title="Approved title", reviewer=reviewer, reviewed_on=dt.date(2026, 5, 1))
    signed.title = "Unreviewed new title"
    workflow.article_save(article=signed, change=workflow.CLINICAL)  # the public keeps the approved text
    map_entry(ICD10CM, "U99", [draft, review, archived, signed])
    feed = json.loads(client.get(service_url(ICD10CM, "U99", knowledgeResponseType="application/json")).content)
    titles = [e["title"]["_value"] for e in feed["feed"]["entry"]]
    assert titles == ["Approved title"]
    assert "Medically reviewed by Dr Test Person" in feed["feed"]["entry"][0]["summary"]["_value"]
    page = client.get(openemr_url(ICD10CM, "U99"))
    assert page.status_code == 302 and page["Location"] == article_url(signed)  # one page: straight to it


def test_an_answer_has_at_most_three_pages_best_first(client, make_article):
    pages = [make_article(slug=f"p{n}") for n in range(5)]
    map_entry(CPT, "0998T", pages)
    _, entries = atom_entries(client.get(service_url(CPT, "0998T")))
    assert entry_links(entries) == [article_url(page) for page in pages[:3]]


def test_a_spanish_request_gets_the_spanish_pages_and_says_they_are_spanish(client, site_content):
    spanish = client.get(service_url(ICD10CM, "F33.1", **{"informationRecipient.languageCode.c": "es"}))
    english = client.get(service_url(ICD10CM, "F33.1"))
    feed, entries = atom_entries(spanish)
    assert feed.get(XML_LANG) == "es" and {e.get(XML_LANG) for e in entries} == {"es"}
    english_links = entry_links(atom_entries(english)[1])
    assert entry_links(entries) == [link.replace("/tms/", "/es/tms/") for link in english_links]
    page = client.get(openemr_url(ICD10CM, "F33.1", language="es"))
    assert page.status_code == 200
    assert 'href="/es/tms/is-tms-right-for-me/"' in page.content.decode()


def test_a_spanish_request_for_pages_not_yet_translated_gets_english_and_says_so(client, make_article):
    pages = [make_article(slug=f"untranslated-{n}") for n in range(2)]
    map_entry(CPT, "0997T", pages)
    feed, entries = atom_entries(client.get(service_url(CPT, "0997T", **{"informationRecipient.languageCode.c": "es"})))
    assert feed.get(XML_LANG) == "en" and entry_links(entries) == [article_url(page) for page in pages]


# --- the web application ------------------------------------------------------------------------
def test_one_matching_page_redirects_the_person_straight_to_it(client, make_article):
    only = make_article(slug="only-page")
    map_entry(CPT, "0999T", [only])
    response = client.get(openemr_url(CPT, "0999T"))
    assert response.status_code == 302
    assert response["Location"] == article_url(only)


def test_no_matching_page_says_so_and_links_home_and_to_help(client, site_content):
    response = client.get(openemr_url(ICD10CM, "F31.9"))
    assert response.status_code == 200
    html = response.content.decode()
    assert_page_keeps_promises(html, "connect: no page")
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    assert 'href="/"' in main and 'href="/help/"' in main and "/tms/" not in main
    assert "F31" not in html


# --- bad requests --------------------------------------------------------------------------------
SECRET = "Q7ZEBRAFINCH"  # a value a bad request carries; no answer may repeat it


@pytest.mark.parametrize(
    "params, problem",
    [
        ({"mainSearchCriteria.v.c": SECRET}, "missing-code-system"),
        ({"mainSearchCriteria.v.cs": f"1.2.3.{SECRET}", "mainSearchCriteria.v.c": "F33.1"}, "unknown-code-system"),
        ({"mainSearchCriteria.v.cs": ICD10CM, "mainSearchCriteria.v.dn": SECRET}, "missing-code"),
    ],
)
@pytest.mark.parametrize("response_type", ["", "application/json"])
def test_a_bad_request_gets_400_with_a_plain_message_in_the_format_asked_for(client, params, problem, response_type):
    if response_type:
        params = {**params, "knowledgeResponseType": response_type}
    response = client.get("/connect/service?" + urlencode(params))
    assert response.status_code == 400
    assert SECRET not in response.content.decode()
    if response_type:
        error = json.loads(response.content)["error"]
    else:
        root = ET.fromstring(response.content)
        error = {"code": root.findtext("code"), "message": root.findtext("message")}
    assert error["code"] == problem and "mainSearchCriteria" in error["message"]


def test_an_unknown_response_type_gets_400_in_xml(client):
    response = client.get(service_url(ICD10CM, "F33.1", knowledgeResponseType=f"text/{SECRET}"))
    assert response.status_code == 400 and response["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    assert root.findtext("code") == "unknown-response-type" and SECRET not in response.content.decode()


def test_a_bad_application_request_gets_a_400_page_with_the_site_footer(client):
    response = client.get(f"/connect/application?mainSearchCriteria.v.cs=9.9.{SECRET}&mainSearchCriteria.v.c=F33")
    assert response.status_code == 400
    html = response.content.decode()
    assert_page_keeps_promises(html, "connect application 400")
    assert SECRET not in html


# --- fast, cacheable, and the cache holds answers, never requests --------------------------------
def test_answers_carry_the_public_cache_headers_and_a_repeat_gets_304(client, site_content):
    url = service_url(ICD10CM, "F33.1")
    first = client.get(url)
    assert (
        "public" in first["Cache-Control"] and f"s-maxage={settings.TMSINFO_CACHE_S_MAXAGE}" in first["Cache-Control"]
    )
    again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    listing = client.get(openemr_url(ICD10CM, "F33.1"))
    assert "public" in listing["Cache-Control"] and listing["ETag"]


def test_a_map_edit_or_an_unpublished_page_shows_in_the_next_answer(client, make_article):
    first, second = make_article(slug="first"), make_article(slug="second")
    entry = map_entry(ICD10CM, "U98", [first])
    url = service_url(ICD10CM, "U98.1")
    assert entry_links(atom_entries(client.get(url))[1]) == [article_url(first)]
    CodeMapPage.objects.create(entry=entry, article=second, position=1)
    assert entry_links(atom_entries(client.get(url))[1]) == [article_url(first), article_url(second)]
    first.status = Article.Status.ARCHIVED
    workflow.article_save(article=first, change=workflow.EDITORIAL)
    assert entry_links(atom_entries(client.get(url))[1]) == [article_url(second)]


def test_the_page_cache_keeps_the_answer_under_the_map_entry_never_under_the_request(client, site_content):
    """Two records asking about different codes that share an answer share one cached answer,
    and nothing cached holds the code that was asked for, or the patient details sent with it."""
    asked = {"age.v.v": "47", "patientPerson.administrativeGenderCode.c": "F", "mainSearchCriteria.v.dn": SECRET}
    first = client.get(service_url(ICD10CM, "F33.1X7Q", **asked))
    second = client.get(service_url(ICD10CM, "F33.2"))
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and first["ETag"] == second["ETag"]
    assert b"X7Q" not in first.content and SECRET.encode() not in first.content
    if hasattr(cache, "_cache"):  # the per-process memory cache: look at everything it holds
        held = b"".join(key.encode() + value for key, value in cache._cache.items())
        assert held and b"X7Q" not in held and SECRET.encode() not in held and b"age.v.v" not in held
        assert b"F33.1" not in held


def test_the_cache_key_names_the_answer_not_the_address_asked_for(site_content, rf):
    from articles.caching import cache_path

    asked = cache_path(rf.get(service_url(ICD10CM, "F33.1X7Q", **{"age.v.v": "47", "mainSearchCriteria.v.dn": SECRET})))
    other = cache_path(rf.get(service_url(ICD10CM, "F33.2")))
    assert asked == other and "X7Q" not in asked and "47" not in asked and SECRET not in asked
    outside = {cache_path(rf.get(service_url(ICD10CM, code))) for code in ("J45.909", "Z00.00", "not a code")}
    assert len(outside) == 1  # every code outside the map: one shared answer
    json_key = cache_path(rf.get(service_url(ICD10CM, "F33.2", knowledgeResponseType="application/json")))
    app_key = cache_path(rf.get(openemr_url(ICD10CM, "F33.2")))
    assert len({asked, json_key, app_key}) == 3


def test_a_cache_hit_costs_no_database_query(client, site_content, django_assert_num_queries, settings):
    settings.TMSINFO_GENERATION_CHECK_SECONDS = 60  # no once-a-second look at other processes' saves
    url = service_url(ICD10CM, "F33.1")
    client.get(url)
    with django_assert_num_queries(0):
        assert client.get(url).status_code == 200


def test_history_keeps_every_change_to_the_map(make_article):
    page = make_article(slug="kept")
    entry = map_entry(ICD10CM, "U97", [page], name="A code")
    entry.name = "Renamed"
    entry.save()
    entry.delete()
    assert [h.history_type for h in CodeMapEntry.history.filter(code="U97").order_by("history_id")] == ["+", "~", "-"]
    pages = CodeMapPage.history.filter(article_id=page.pk).order_by("history_id")
    assert [h.history_type for h in pages] == ["+", "-"]
    query = connect.query_parse({"mainSearchCriteria.v.cs": ICD10CM, "mainSearchCriteria.v.c": "U97"})
    assert connect.map_match(query) is None  # the deletion renewed the content generation: no stale copy
