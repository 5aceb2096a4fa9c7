"""Page weight, measured for real: the largest shipped article as a browser on a phone gets it.

Targets: HTML and CSS together at most 20 KB compressed, JavaScript at most 3 KB compressed, no web
fonts, no request to another site. The HTML is the page cache's gzip (the Accept-Encoding a phone
sends); CSS and JS are whitenoise's precompressed .gz files from collectstatic (make test runs it).
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage

pytestmark = pytest.mark.django_db

HTML_AND_CSS_BUDGET = 20 * 1024
JS_BUDGET = 3 * 1024
FETCHED_RELS = ("icon", "preload", "prefetch", "preconnect", "manifest", "modulepreload")
FONT_RE = re.compile(r"@font-face|\.(woff2?|ttf|otf|eot)\b", re.IGNORECASE)


class Resources(HTMLParser):
    """Everything a page makes the browser fetch (not links a reader may follow)."""

    def __init__(self):
        super().__init__()
        self.styles, self.scripts, self.other = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("href"):
            rel = (attrs.get("rel") or "").lower()
            if "stylesheet" in rel:
                self.styles.append(attrs["href"])
            elif any(word in rel for word in FETCHED_RELS):
                self.other.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])
        elif tag in ("img", "source", "iframe", "embed", "video", "audio", "track", "object", "input"):
            for name in ("src", "data", "poster"):
                if attrs.get(name):
                    self.other.append(attrs[name])
            for name in ("srcset", "imagesrcset"):
                if attrs.get(name):
                    self.other += [part.strip().split(" ")[0] for part in attrs[name].split(",")]


def collected_file(url: str) -> Path:
    assert url.startswith(settings.STATIC_URL), f"{url} is not a static file"
    path = Path(settings.STATIC_ROOT) / url.removeprefix(settings.STATIC_URL)
    assert path.is_file(), f"{path} missing: run collectstatic (make test does)"
    return path


def compressed_size(url: str) -> int:
    gz = collected_file(url).with_name(collected_file(url).name + ".gz")
    assert gz.is_file(), f"whitenoise wrote no gzip file for {url}"
    return gz.stat().st_size


@pytest.fixture
def largest_article(client, site_content):
    """The largest page in either edition (Spanish text runs about a fifth longer than English)."""
    from articles.models import PublishedPage

    urls = [page.get_absolute_url() for page in PublishedPage.objects.all()]
    sizes = {url: len(client.get(url).content) for url in urls}
    return max(sizes, key=sizes.get)


def test_largest_article_html_and_css_transfer_at_most_20_kb_compressed(client, largest_article):
    response = client.get(largest_article, headers={"accept-encoding": "gzip, deflate"})
    assert response["Content-Encoding"] == "gzip"
    parsed = Resources()
    parsed.feed(client.get(largest_article).content.decode())
    assert parsed.styles, "no stylesheet found"
    html = len(response.content)
    css = sum(compressed_size(url) for url in parsed.styles)
    assert html + css <= HTML_AND_CSS_BUDGET, f"{largest_article}: HTML {html} B + CSS {css} B compressed"


def test_javascript_is_at_most_3_kb_compressed(client, largest_article):
    parsed = Resources()
    parsed.feed(client.get(largest_article).content.decode())
    js = sum(compressed_size(url) for url in parsed.scripts)
    assert js <= JS_BUDGET, f"{parsed.scripts}: {js} B compressed"


@pytest.mark.parametrize("url", ["/", "/help/", "LARGEST"])
def test_pages_load_no_web_fonts_and_nothing_from_another_site(client, largest_article, url):
    url = largest_article if url == "LARGEST" else url
    parsed = Resources()
    parsed.feed(client.get(url).content.decode())
    for resource in parsed.styles + parsed.scripts + parsed.other:
        assert resource.startswith("/") and not resource.startswith("//") or resource.startswith("data:"), resource
    for css_url in parsed.styles:
        css = collected_file(css_url).read_text()
        assert not FONT_RE.search(css), f"{css_url} loads a web font"
        for ref in re.findall(r"url\(\s*['\"]?([^'\")]+)", css):
            assert not re.match(r"^(https?:)?//", ref), f"{css_url} fetches {ref} from another site"
        assert "@import" not in css, f"{css_url} imports another stylesheet"


def test_static_files_are_hashed_and_compressed_with_gzip_and_brotli(client, largest_article):
    parsed = Resources()
    parsed.feed(client.get(largest_article).content.decode())
    for url in parsed.styles + parsed.scripts:
        path = collected_file(url)
        assert re.search(r"\.[0-9a-f]{12}\.", path.name), f"{url} has no content hash in its name"
        assert path.with_name(path.name + ".gz").is_file() and path.with_name(path.name + ".br").is_file(), url
    assert staticfiles_storage.url("css/site.css") in parsed.styles


def test_the_stylesheet_a_phone_gets_has_no_comments_and_every_rule():
    """Comments are for the people who keep static/css/site.css; the collected copy drops only them."""
    from tmsinfo.staticfiles import without_comments

    source = (Path(settings.BASE_DIR) / "static" / "css" / "site.css").read_text()
    shipped = collected_file(staticfiles_storage.url("css/site.css")).read_text()
    assert "/*" in source and "/*" not in shipped and "*/" not in shipped
    assert shipped.count("{") == source.count("{") and shipped.count("}") == source.count("}")
    assert len(shipped) == len(without_comments(source))  # url() rewriting aside, nothing else changed
