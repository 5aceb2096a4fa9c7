"""Machines and sharing: canonical links, descriptions, Open Graph, sitemap, robots.txt, the Atom
feed and schema.org JSON-LD. Every address is absolute and built on SITE_URL."""

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET

import pytest

from articles.models import Article
from articles.seo import json_ld_script

pytestmark = pytest.mark.django_db

SITE = "https://tmsinfo.example"
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
ATOM_NS = {"atom": "http://www.w3.org/2005/Atom"}
BODY = """## Key points {#key-points}

- A point.

## Section {#section}

Text.

## References {#references}

1. Barker AT, Jalinous R, Freeston IL. Non-invasive magnetic stimulation. *Lancet*. 1985.
2. Mayo Clinic. Transcranial magnetic stimulation. https://www.mayoclinic.org/tms & more
"""


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def json_ld(html: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    assert len(blocks) == 1
    return json.loads(blocks[0])


# --- Head of every page ------------------------------------------------------------------------
def test_article_has_canonical_link_description_and_open_graph(client, make_article):
    make_article(slug="page", title="What is TMS?", summary="A plain summary & more.")
    html = client.get("/tms/page/").content.decode()
    assert f'<link rel="canonical" href="{SITE}/tms/page/">' in html
    assert '<meta name="description" content="A plain summary &amp; more.">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:title" content="What is TMS?">' in html
    assert '<meta property="og:description" content="A plain summary &amp; more.">' in html
    assert f'<meta property="og:url" content="{SITE}/tms/page/">' in html


def test_about_page_points_search_engines_at_the_article_address(client, make_article):
    make_article(slug="about-this-site", topic="about")
    html = client.get("/about/", follow=True).content.decode()
    assert f'<link rel="canonical" href="{SITE}/tms/about-this-site/">' in html


@pytest.mark.parametrize("path", ["/", "/clinicians/"])
def test_main_pages_have_a_canonical_link(client, path):
    assert f'<link rel="canonical" href="{SITE}{path}">' in client.get(path).content.decode()


def test_every_page_announces_the_feed(client):
    assert '<link rel="alternate" type="application/atom+xml"' in client.get("/").content.decode()


# --- Sitemap and robots.txt ----------------------------------------------------------------------
def sitemap_entries(client) -> dict[str, str]:
    """Every address in the sitemap: /sitemap.xml is an index of sitemap files; read them all."""
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    files = [loc.text for loc in ET.fromstring(index.content).findall("sm:sitemap/sm:loc", SITEMAP_NS)]
    assert files and all(f.startswith(SITE + "/sitemap-") for f in files)
    entries = {}
    for file in files:
        root = ET.fromstring(client.get(file.removeprefix(SITE)).content)
        for url in root.findall("sm:url", SITEMAP_NS):
            entries[url.findtext("sm:loc", namespaces=SITEMAP_NS)] = url.findtext("sm:lastmod", namespaces=SITEMAP_NS)
    return entries


def test_sitemap_lists_published_pages_with_their_last_update(client, make_article):
    make_article(slug="page", updated_on=dt.date(2026, 10, 5))
    make_article(slug="draft", status=Article.Status.DRAFT)
    entries = sitemap_entries(client)
    assert entries[f"{SITE}/tms/page/"] == "2026-10-05"
    assert f"{SITE}/" in entries and f"{SITE}/help/" in entries and f"{SITE}/clinicians/" in entries
    assert not any("draft" in loc for loc in entries)
    assert all(loc.startswith(SITE + "/") for loc in entries)


def test_sitemap_is_split_into_files_of_at_most_the_page_size(client, make_article, monkeypatch):
    from articles.seo import ArticleSitemap

    monkeypatch.setattr(ArticleSitemap, "limit", 2)  # 1,000 on the site; 2 here, with 5 pages
    for n in range(5):
        make_article(slug=f"page-{n}")
    index = ET.fromstring(client.get("/sitemap.xml").content)
    files = [loc.text for loc in index.findall("sm:sitemap/sm:loc", SITEMAP_NS)]
    assert [f for f in files if "sitemap-articles" in f] == [
        f"{SITE}/sitemap-articles.xml", f"{SITE}/sitemap-articles.xml?p=2", f"{SITE}/sitemap-articles.xml?p=3"
    ]  # fmt: skip
    assert len([loc for loc in sitemap_entries(client) if "/tms/page-" in loc]) == 5


def test_robots_txt_names_the_sitemap(client):
    assert f"Sitemap: {SITE}/sitemap.xml" in client.get("/robots.txt").content.decode().splitlines()


# --- Atom feed -------------------------------------------------------------------------------------
def test_feed_lists_published_pages_most_recently_updated_first(client, make_article):
    make_article(slug="older", title="Older page", updated_on=dt.date(2026, 1, 1))
    make_article(slug="newer", title="Newer page", summary="What changed.", updated_on=dt.date(2026, 11, 1))
    make_article(slug="draft", title="Draft page", status=Article.Status.DRAFT)
    response = client.get("/feed/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    entries = root.findall("atom:entry", ATOM_NS)
    assert [e.findtext("atom:title", namespaces=ATOM_NS) for e in entries] == ["Newer page", "Older page"]
    newest = entries[0]
    assert newest.find("atom:link", ATOM_NS).get("href") == f"{SITE}/tms/newer/"
    assert newest.findtext("atom:id", namespaces=ATOM_NS) == f"{SITE}/tms/newer/"
    assert newest.findtext("atom:updated", namespaces=ATOM_NS).startswith("2026-11-01")
    assert newest.findtext("atom:summary", namespaces=ATOM_NS) == "What changed."
    assert root.find("atom:link[@rel='self']", ATOM_NS).get("href") == f"{SITE}/feed/"


# --- JSON-LD ---------------------------------------------------------------------------------------
def test_article_describes_itself_as_a_medical_web_page_for_patients(client, make_article):
    make_article(slug="page", title="What is TMS?", summary="A summary.", body=BODY, updated_on=dt.date(2026, 11, 2))
    data = json_ld(client.get("/tms/page/").content.decode())
    assert data["@context"] == "https://schema.org" and data["@type"] == "MedicalWebPage"
    assert data["name"] == "What is TMS?" and data["description"] == "A summary."
    assert data["url"] == f"{SITE}/tms/page/" and data["dateModified"] == "2026-11-02"
    assert data["medicalAudience"] == {"@type": "MedicalAudience", "audienceType": "Patient"}
    about = {item["@type"]: item["name"] for item in data["about"]}
    assert about == {
        "MedicalTherapy": "Transcranial magnetic stimulation",
        "MedicalCondition": "Major depressive disorder",
    }
    assert data["citation"][0].startswith("Barker AT, Jalinous R, Freeston IL.")
    assert data["citation"][1].endswith("https://www.mayoclinic.org/tms & more")


def test_unreviewed_page_names_no_reviewer_in_structured_data(client, make_article):
    make_article(slug="page", body=BODY)
    data = json_ld(client.get("/tms/page/").content.decode())
    assert "reviewedBy" not in data and "lastReviewed" not in data


def test_reviewed_page_names_its_reviewer_and_review_date(client, make_article, reviewer):
    make_article(slug="page", body=BODY, reviewer=reviewer, reviewed_on=dt.date(2026, 10, 1),
                 next_review_due=dt.date(2027, 10, 1))  # fmt: skip
    data = json_ld(client.get("/tms/page/").content.decode())
    assert data["reviewedBy"] == {"@type": "Person", "name": "Dr Test Person", "honorificSuffix": "MD, psychiatrist"}
    assert data["lastReviewed"] == "2026-10-01"


def test_json_ld_cannot_break_out_of_its_script_element(client, make_article):
    title = "</script><script>alert(1)</script> & <!--"
    make_article(slug="page", title=title, body=BODY)
    html = client.get("/tms/page/").content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL).group(1)
    assert "<" not in block and ">" not in block and "&" not in block
    assert json.loads(block)["name"] == title


def test_json_ld_script_escapes_markup_characters():
    html = json_ld_script({"a": "<b>&</b>"})
    assert html == '<script type="application/ld+json">{"a":"\\u003cb\\u003e\\u0026\\u003c/b\\u003e"}</script>'


def test_every_real_page_has_valid_structured_data(client, site_content):
    for article in site_content:
        data = json_ld(client.get(article.get_absolute_url()).content.decode())
        assert data["@type"] == "MedicalWebPage" and data["name"] == article.title
        assert data.get("citation"), f"{article.slug}: no citations from its references"
