"""Content files <-> articles: `content/<slug>.md` is YAML front matter plus a markdown body;
`content/es/<slug>.md` is the Spanish page translating it, with a `translation_of:` block naming
the English text it was made from (its "updated on" and fingerprint).

``import_content(directory)`` validates every file first and then writes them all in one
transaction, so one bad file leaves the database exactly as it was. ``export_content(directory)``
writes the database back in the same format; exporting and importing again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from . import publishing, workflow
from .derived import deriver
from .markdown import RenderLimitError, check_limits, render_markdown
from .models import Article, Reviewer, text_fingerprint
from .topics import TOPICS

FIELDS = (
    "title",
    "slug",
    "summary",
    "topic",
    "order",
    "status",
    "reviewer",
    "reviewer_credentials",
    "reviewed_on",
    "next_review_due",
    "updated_on",
)
# Written only when needed: the last approved text of a page whose clinical change awaits sign-off.
OPTIONAL = ("approved",)
APPROVED_KEYS = ("title", "summary", "updated_on", "body")
REQUIRED = ("title", "slug", "summary", "topic", "order", "status", "updated_on")
DATE_FIELDS = ("reviewed_on", "next_review_due", "updated_on")
TEXT_FIELDS = ("title", "slug", "summary", "topic", "status", "reviewer", "reviewer_credentials")

# Limits a hostile or broken file meets before anything else is read (docs/security.md). A
# page's body is at most MAX_BODY_CHARS (articles/markdown.py); a file holds at most two of them
# (its text and, while a change waits for sign-off, the approved text) and its front matter.
MAX_FILE_BYTES = 512 * 1024
MAX_ORDER = 2_147_483_647  # what PositiveIntegerField holds on every database Django supports
# A translation lives where its English page lives (no topic or order of its own) and says which
# English text it translates: translation_of: {updated_on: YYYY-MM-DD, fingerprint: <64 hex>}.
TRANSLATION_FIELDS = (*(name for name in FIELDS if name not in ("topic", "order")), "translation_of")
TRANSLATION_REQUIRED = tuple(name for name in REQUIRED if name not in ("topic", "order"))
TRANSLATION_KEYS = ("updated_on", "fingerprint")
TRANSLATIONS = ("es",)  # the folders of content/ that hold translations
_FINGERPRINT_RE = re.compile(r"\A[0-9a-f]{64}\Z")


def language_of_file(path: Path) -> str:
    """A content file's language: its folder's name under content/ ("es"), else English."""
    return path.parent.name if path.parent.name in TRANSLATIONS else "en"


def file_label(path: Path) -> str:
    """How problems name a file: `what-is-tms.md`, `es/what-is-tms.md`."""
    language = language_of_file(path)
    return path.name if language == "en" else f"{language}/{path.name}"


class _FrontMatterLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when present
    """YAML without implicit dates, so a bad date is reported by field, not as a crash."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*\n?(.*)\Z", re.DOTALL)


@dataclass(frozen=True)
class Problem:
    file: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.reason}"


class ContentError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class ContentFile:
    path: Path
    meta: dict
    body: str


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # already in the database; left alone (only_new)
    code_map: object = None  # articles.codemap.MapReport, when the folder has a code-map.yaml


def _normalise_body(body: str) -> str:
    return body.replace("\r\n", "\n").replace("\r", "\n").strip() + "\n"


def _parse_date(value, name: str, problems: list[Problem], filename: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(Problem(filename, name, f"'{value}' is not a date in the form YYYY-MM-DD"))
        return None


def _read_text(path: Path) -> tuple[str | None, Problem | None]:
    """The file's text, read only if it is within MAX_FILE_BYTES (so memory stays bounded)."""
    with path.open("rb") as file:
        data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        return None, Problem(path.name, "(file)", f"is larger than {MAX_FILE_BYTES // 1024} KB, the most a page may be")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return None, Problem(path.name, "(file)", f"is not valid UTF-8 text (byte {exc.start})")


MAX_FLOW_BRACKETS = 100  # "[" and "{" in front matter (outside block text such as approved.body)
_BLOCK_SCALAR_RE = re.compile(r":[ \t]+[|>][-+0-9]*[ \t]*(?:#.*)?$")


def _flow_brackets(text: str) -> int:
    """How many "[" and "{" the front matter has outside its block texts (``key: |`` and the
    lines indented below it). The YAML parser's time grows with the square of how deeply these
    nest; plain front matter has none, so a count bounds the nesting without parsing anything."""
    count, block_indent = 0, None
    for line in text.split("\n"):
        indent = len(line) - len(line.lstrip(" "))
        if block_indent is not None and (not line.strip() or indent > block_indent):
            continue
        block_indent = indent if _BLOCK_SCALAR_RE.search(line) else None
        count += line.count("[") + line.count("{")
    return count


def _load_front_matter(text: str, name: str) -> tuple[object, Problem | None]:
    """The front matter's YAML. Aliases (``*name``) are refused before anything is built: a few
    nested ones expand to billions of values ("billion laughs"); front matter never needs them.
    Deeply nested lists are refused before parsing (see _flow_brackets)."""
    if (brackets := _flow_brackets(text)) > MAX_FLOW_BRACKETS:
        return None, Problem(
            name,
            "(front matter)",
            f"has {brackets:,} “[” or “{{”; front matter needs none (at most {MAX_FLOW_BRACKETS})",
        )
    try:
        for event in yaml.parse(text, Loader=_FrontMatterLoader):
            if isinstance(event, yaml.AliasEvent):
                line = f" (line {event.start_mark.line + 2})" if event.start_mark else ""
                return None, Problem(name, "(front matter)", f"uses a YAML alias (*){line}; write each value out")
        return yaml.load(text, Loader=_FrontMatterLoader), None  # noqa: S506 (safe loader)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 2})" if where else ""
        return None, Problem(name, "(front matter)", f"is not valid YAML{line}: {getattr(exc, 'problem', exc)}")
    except RecursionError:
        return None, Problem(name, "(front matter)", "is nested too deeply to read")


def _is_plain(value) -> bool:
    """A value a text field may hold: text, a number written bare, or nothing."""
    return value is None or (isinstance(value, str | int | float) and not isinstance(value, bool))


def _slug_problem(slug: str) -> str | None:
    """Why the admin would refuse this slug (the Article.slug field's own rules), or None."""
    field = Article._meta.get_field("slug")
    try:
        field.run_validators(slug)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return None


def _body_problem(body: str) -> str | None:
    try:
        check_limits(body)
    except RenderLimitError as exc:
        return str(exc)
    return None


def parse_file(path: Path) -> tuple[ContentFile | None, list[Problem]]:
    """Read and validate one content file. Returns the parsed file or the problems found."""
    name = file_label(path)
    language = language_of_file(path)
    fields, required = (FIELDS, REQUIRED) if language == "en" else (TRANSLATION_FIELDS, TRANSLATION_REQUIRED)
    problems: list[Problem] = []
    raw, problem = _read_text(path)
    if problem:
        return None, [problem]
    raw = raw.removeprefix("\ufeff").replace("\r\n", "\n")
    match = FRONT_MATTER_RE.match(raw)
    if not match:
        return None, [Problem(name, "(front matter)", "the file must start with front matter between '---' lines")]
    meta, problem = _load_front_matter(match.group(1) or "", name)
    if problem:
        return None, [problem]
    if not isinstance(meta, dict):
        return None, [Problem(name, "(front matter)", "must be a list of 'key: value' lines")]
    body = match.group(2)

    for key in meta:
        if key not in fields and key not in OPTIONAL:
            problems.append(Problem(name, str(key), f"unknown key (allowed: {', '.join(fields + OPTIONAL)})"))
    for key in fields:
        if key not in meta:
            problems.append(Problem(name, key, "missing key"))
    for key in required:
        if key in meta and (meta[key] is None or meta[key] == ""):
            problems.append(Problem(name, key, "must not be empty"))

    for key in TEXT_FIELDS:
        if not _is_plain(meta.get(key)):
            problems.append(Problem(name, key, "must be plain text, not a list, a table or yes/no"))
            meta[key] = None

    def text(key: str) -> str:
        value = meta.get(key)
        return "" if value is None else str(value).strip()

    title, slug, summary = text("title"), text("slug"), text("summary")
    if len(title) > 200:
        problems.append(Problem(name, "title", f"is {len(title)} characters; at most 200"))
    if slug and (why := _slug_problem(slug)):
        problems.append(Problem(name, "slug", f"'{slug[:120]}' is not a page address the admin accepts: {why}"))
    elif slug and path.stem != slug:
        problems.append(Problem(name, "slug", f"'{slug}' does not match the file name '{path.stem}.md'"))
    if len(summary) > 160:
        problems.append(Problem(name, "summary", f"is {len(summary)} characters; at most 160"))
    topic = text("topic")
    if topic and topic not in dict(TOPICS):
        problems.append(Problem(name, "topic", f"'{topic}' is not one of: {', '.join(k for k, _ in TOPICS)}"))
    order = meta.get("order")
    if order not in (None, "") and (not isinstance(order, int) or isinstance(order, bool) or order < 0):
        problems.append(Problem(name, "order", f"'{str(order)[:40]}' must be a whole number, 0 or more"))
    elif isinstance(order, int) and order > MAX_ORDER:
        problems.append(Problem(name, "order", f"is {str(order)[:40]}; at most {MAX_ORDER:,}"))
    status = text("status")
    if status and status not in Article.Status.values:
        problems.append(Problem(name, "status", f"'{status}' is not one of: {', '.join(Article.Status.values)}"))

    dates = {key: _parse_date(meta.get(key), key, problems, name) for key in DATE_FIELDS}
    reviewer, credentials = text("reviewer"), text("reviewer_credentials")
    for key, value in (("reviewer", reviewer), ("reviewer_credentials", credentials)):
        if len(value) > 200:
            problems.append(Problem(name, key, f"is {len(value)} characters; at most 200"))
    if bool(reviewer) != bool(credentials):
        problems.append(Problem(name, "reviewer", "give both the reviewer's name and credentials, or neither"))
    if reviewer and not dates["reviewed_on"]:
        problems.append(Problem(name, "reviewed_on", "a reviewed page needs the date of the review"))
    if not reviewer and (dates["reviewed_on"] or dates["next_review_due"]):
        problems.append(Problem(name, "reviewer", "review dates are set but no reviewer is named"))
    if not body.strip():
        problems.append(Problem(name, "(body)", "the page has no text after the front matter"))
    elif why := _body_problem(body):
        problems.append(Problem(name, "body", why))
    approved = _parse_approved(meta.get("approved"), bool(reviewer), problems, name)
    translation_of = _parse_translation_of(meta.get("translation_of"), problems, name) if language != "en" else None

    if problems:
        return None, problems
    meta = {
        "title": title,
        "slug": slug,
        "summary": summary,
        "topic": topic,
        "order": order,
        "status": status,
        "reviewer": reviewer,
        "reviewer_credentials": credentials,
        **dates,
        "approved": approved,
        "language": language,
        "translation_of": translation_of,
    }
    return ContentFile(path=path, meta=meta, body=_normalise_body(body)), []


def _parse_translation_of(value, problems: list[Problem], filename: str) -> dict | None:
    """A translation's `translation_of:` block: the English text's "updated on" and fingerprint."""
    if value is None:
        return None  # reported as a missing key
    if not isinstance(value, dict) or set(value) != set(TRANSLATION_KEYS):
        problems.append(
            Problem(filename, "translation_of", f"must have exactly the keys: {', '.join(TRANSLATION_KEYS)}")
        )
        return None
    updated_on = _parse_date(value["updated_on"], "translation_of.updated_on", problems, filename)
    fingerprint = str(value["fingerprint"] or "").strip()
    if not _FINGERPRINT_RE.match(fingerprint):
        problems.append(
            Problem(filename, "translation_of.fingerprint", "must be the English text's fingerprint (64 hex digits)")
        )
    if updated_on is None and "translation_of.updated_on" not in {p.field for p in problems}:
        problems.append(Problem(filename, "translation_of.updated_on", "must not be empty"))
    return {"updated_on": updated_on, "fingerprint": fingerprint}


def _parse_approved(value, reviewed: bool, problems: list[Problem], filename: str) -> dict | None:
    """The optional `approved:` block: title, summary, updated_on and body of the approved text."""
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != set(APPROVED_KEYS):
        problems.append(Problem(filename, "approved", f"must have exactly the keys: {', '.join(APPROVED_KEYS)}"))
        return None
    if not reviewed:
        problems.append(Problem(filename, "approved", "an approved text needs the reviewer who approved it"))
    if not (_is_plain(value["title"]) and _is_plain(value["summary"])):
        problems.append(Problem(filename, "approved", "the approved title and summary must be plain text"))
        return None
    title, summary = str(value["title"] or "").strip(), str(value["summary"] or "").strip()
    body = value["body"] if isinstance(value["body"], str) else ""
    if not title or not body.strip():
        problems.append(Problem(filename, "approved", "the approved title and body must not be empty"))
    elif why := _body_problem(body):
        problems.append(Problem(filename, "approved.body", why))
    if len(title) > 200 or len(summary) > 160:
        problems.append(Problem(filename, "approved", "the approved title or summary is too long"))
    updated_on = _parse_date(value["updated_on"], "approved.updated_on", problems, filename)
    return {"title": title, "summary": summary, "updated_on": updated_on, "body": _normalise_body(body)}


def load_directory(directory: Path, *, keep: bool = True) -> list[ContentFile]:
    """Parse every `*.md` file in a directory, then every translation in its language folders
    (`es/*.md`); raise ContentError listing every problem. English files come first.

    With ``keep=False`` every file is still checked, but only its path is kept (the list holds
    paths), so checking 10,000 files does not hold 10,000 bodies in memory.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ContentError([Problem(str(directory), "(directory)", "does not exist")])
    files, problems = [], []
    english: dict[str, tuple[str, set[str]]] = {}  # slug -> (fingerprint, section ids)
    paths = sorted(directory.glob("*.md"))
    paths += [path for language in TRANSLATIONS for path in sorted((directory / language).glob("*.md"))]
    seen: dict[tuple[str, str], str] = {}
    for path in paths:
        parsed, found = parse_file(path)
        problems.extend(found)
        if not parsed:
            continue
        meta, name = parsed.meta, file_label(path)
        key = (meta["language"], meta["slug"])
        if key in seen:
            problems.append(Problem(name, "slug", f"'{meta['slug']}' is already used by {seen[key]}"))
        seen[key] = name
        if meta["language"] == "en":
            fingerprint = text_fingerprint(title=meta["title"], summary=meta["summary"], body=parsed.body)
            english[meta["slug"]] = (fingerprint, parsed.body, name)  # its sections are read if a translation asks
        else:
            problems.extend(_translation_file_problems(parsed, english, name))
        files.append(parsed if keep else path)
    if problems:
        raise ContentError(problems)
    return files


def refuse_redirected_addresses(paths: list[Path]) -> None:
    """Raise ContentError for a file that would create a page at an old address of another page
    (a redirect a rename left behind): its links, handouts and QR codes would open the new page.
    In the admin an editor may choose to take such an address; an import never does."""
    from django.contrib.redirects.models import Redirect
    from django.contrib.sites.models import Site

    from .workflow import article_path

    by_path = {article_path(path.stem): path for path in paths}  # a file's slug is its name (checked)
    site, problems = Site.objects.get_current(), []
    wanted = list(by_path)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        live = Article.objects.filter(language="en", slug__in=[by_path[p].stem for p in chunk])
        live = set(live.values_list("slug", flat=True))
        for old_path, new_path in Redirect.objects.filter(site=site, old_path__in=chunk).values_list(
            "old_path", "new_path"
        ):
            path = by_path[old_path]
            if path.stem not in live:
                problems.append(
                    Problem(
                        path.name,
                        "slug",
                        f"'{path.stem}' is an old address of another page ({old_path} forwards to {new_path}); "
                        "choose another slug, or delete that redirect in the admin first",
                    )
                )
    if problems:
        raise ContentError(sorted(problems, key=lambda problem: problem.file))


def _section_ids(body: str) -> set[str]:
    from .markdown import render_markdown

    return {entry["id"] for entry in render_markdown(body).toc}


def _translation_file_problems(parsed: ContentFile, english: dict, name: str) -> list[Problem]:
    """A translation must translate an English page (in this folder or already in the database)
    and, when it says it follows that page's current text, carry every one of its section ids."""
    slug = parsed.meta["slug"]
    if slug not in english:
        if Article.objects.filter(language="en", slug=slug).exists():
            return []
        return [Problem(name, "slug", f"there is no English page '{slug}' for this page to translate")]
    fingerprint, english_body, english_name = english[slug]
    source = parsed.meta["translation_of"] or {}
    if source.get("fingerprint") != fingerprint:
        return []  # it translates an earlier English text: the page will say so
    from .markdown import RenderLimitError

    try:
        ids = _section_ids(english_body)
    except RenderLimitError as error:
        return [Problem(english_name, "body", str(error))]
    try:
        missing = ids - _section_ids(parsed.body)
    except RenderLimitError as error:
        return [Problem(name, "body", str(error))]
    if missing:
        ids_text = ", ".join("{#" + i + "}" for i in sorted(missing))
        return [Problem(name, "(body)", f"the English page's sections are missing their ids here: {ids_text}")]
    return []


def _apply(article: Article, item: ContentFile, reviewers: dict) -> bool:
    """Copy a file's values onto an article; True when anything changed (its approved text
    included). ``reviewers`` caches the import's reviewers by (name, credentials)."""
    meta = item.meta
    reviewer = None
    translation = meta["translation_of"] or {}
    if meta["reviewer"]:
        key = (meta["reviewer"], meta["reviewer_credentials"])
        if key not in reviewers:
            reviewers[key], _ = Reviewer.objects.get_or_create(name=key[0], credentials=key[1])
        reviewer = reviewers[key]
    approved = meta["approved"]
    signed = approved or {"title": meta["title"], "summary": meta["summary"], "body": item.body}
    place = {"topic": meta["topic"], "order": meta["order"]} if meta["language"] == "en" else {}
    values = {
        "title": meta["title"],
        "summary": meta["summary"],
        **place,
        "status": meta["status"],
        "body": item.body,
        "reviewer_id": reviewer.pk if reviewer else None,
        "reviewed_on": meta["reviewed_on"],
        "next_review_due": meta["next_review_due"],
        "updated_on": meta["updated_on"],
        "reviewed_fingerprint": text_fingerprint(title=signed["title"], summary=signed["summary"], body=signed["body"])
        if reviewer
        else "",
        **(
            {"source_fingerprint": translation["fingerprint"], "source_updated_on": translation["updated_on"]}
            if translation
            else {}
        ),
    }
    changed = False
    for key, value in values.items():
        if getattr(article, key) != value:
            setattr(article, key, value)
            changed = True
    return changed or _approved_differs(article, approved)


def _approved_differs(article: Article, approved: dict | None) -> bool:
    """Whether a stored page's public text differs from a file's approved block."""
    if approved is None or article.pk is None:
        return False
    page = article.published_pages.only("title", "summary", "body", "updated_on").first()
    return page is None or any(getattr(page, key) != approved[key] for key in APPROVED_KEYS)


IMPORT_BATCH = 250


def import_content(directory: Path, *, only_new: bool = False) -> ImportReport:
    """Import every file, the English pages first and then their translations. With
    ``only_new``, pages already in the database are left as they are (their admin edits are
    never overwritten) and only missing pages are created."""
    # Check every file first; then read them again a batch at a time, so memory stays flat however
    # many files there are. Each batch's bodies are rendered in parallel (articles/derived.py).
    paths = load_directory(directory, keep=False)
    english = [path for path in paths if language_of_file(path) == "en"]
    refuse_redirected_addresses(english)  # a translation lives at its English page's address
    from . import codemap  # content/code-map.yaml: checked now too, written after the pages

    code_map = codemap.load(directory, page_slugs={path.stem for path in english})
    report = ImportReport()
    reviewers: dict = {}
    try:
        with transaction.atomic(), deriver(len(paths)) as submit:
            for language in ("en", *TRANSLATIONS):  # a translation needs its English page saved first
                _import_files([p for p in paths if language_of_file(p) == language], language, submit, only_new,
                              reviewers, report)  # fmt: skip
            if code_map is not None:
                report.code_map = codemap.apply(code_map, only_new=only_new)
    except RenderLimitError:
        # A body within every pre-check that still took too long to render (the transaction is
        # rolled back): name its file, as for any other problem.
        raise ContentError(_render_problems(paths) or [Problem("(import)", "body", "a body took too long")]) from None
    if report.created or report.updated:
        _refresh_statistics()
    return report


def _refresh_statistics() -> None:
    """On PostgreSQL, the planner's statistics of what an import wrote, refreshed now rather than
    when autovacuum next looks: search plans for the size the site has just grown to (a first
    import of thousands of pages is otherwise planned as the empty tables it started from)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE articles_article, articles_publishedpage, articles_publishedpage_search")


def _render_problems(paths: list[Path]) -> list[Problem]:
    """The files whose text (or approved text) the renderer refuses; only run after a refusal."""
    problems = []
    for path in paths:
        item = parse_file(path)[0]
        for field_name, body in (("body", item.body), ("approved.body", (item.meta["approved"] or {}).get("body"))):
            try:
                if body:
                    render_markdown(body)
            except RenderLimitError as exc:
                problems.append(Problem(file_label(path), field_name, str(exc)))
    return problems


def _import_files(paths: list, language: str, submit, only_new: bool, reviewers: dict, report: ImportReport) -> None:
    pending = None  # the batch being rendered while the one before it is written
    for start in range(0, len(paths), IMPORT_BATCH):
        batch = _prepare_batch(paths[start : start + IMPORT_BATCH], language, only_new, reviewers, report)
        started = (batch, submit([(article.body, article.language) for article, _, _ in batch]))
        if pending is not None:
            _save_batch(*pending, report)
        pending = started
    if pending is not None:
        _save_batch(*pending, report)


def _prepare_batch(paths, language: str, only_new: bool, reviewers: dict, report: ImportReport) -> list:
    """The files' articles that need saving, with the new values applied (not yet saved)."""
    items = [parse_file(path)[0] for path in paths]
    slugs = [item.meta["slug"] for item in items]
    stored = {a.slug: a for a in Article.objects.filter(language=language, slug__in=slugs)}
    sources = {}
    if language != "en":
        sources = {a.slug: a for a in Article.objects.filter(language="en", slug__in=slugs)}
    batch = []
    for item in items:
        slug = item.meta["slug"]
        article = stored.get(slug) or Article(slug=slug, language=language, source=sources.get(slug))
        if article.is_translation:
            workflow.follow_source(article)  # its English page's address, topic and order
        is_new = article.pk is None
        label = slug if language == "en" else f"{language}/{slug}"
        if only_new and not is_new:
            report.kept.append(label)
        elif _apply(article, item, reviewers) or is_new:
            batch.append((article, item, is_new))
        else:
            report.unchanged.append(label)
    return batch


def _save_batch(batch: list, derived, report: ImportReport) -> None:
    for (article, item, is_new), made in zip(batch, derived.get(), strict=True):
        # Slugs are unique: checked across the files by load_directory, and looked up above.
        article.full_clean(validate_unique=False)
        approved = item.meta["approved"]
        workflow.article_save(
            article=article,
            change=workflow.IMPORT,  # the file states its own review fields
            reason=f"Imported from {item.path.name}",
            approved=publishing.Text.rendered(**approved) if approved else None,
            derived=made,
        )
        label = article.slug if article.language == "en" else f"{article.language}/{article.slug}"
        (report.created if is_new else report.updated).append(label)


class _FrontMatterDumper(yaml.SafeDumper):
    pass


_FrontMatterDumper.add_representer(
    type(None), lambda dumper, _value: dumper.represent_scalar("tag:yaml.org,2002:null", "")
)
_FrontMatterDumper.add_representer(
    str,
    lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None),
)


def approved_text(article: Article):
    """The text a reviewer approved, where the working copy has moved on since: the published page
    for a public page, else the revision that had exactly that text. None otherwise."""
    if not article.is_reviewed or article.has_current_sign_off:
        return None
    if article.is_public:
        return article.published_pages.first()
    return article.history.filter(fingerprint=article.reviewed_fingerprint).order_by("-history_id").first()


def article_to_text(article: Article) -> str:
    place = {"topic": article.topic, "order": article.order} if not article.is_translation else {}
    meta = {
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        **place,
        "status": article.status,
        "reviewer": article.reviewer.name if article.reviewer else None,
        "reviewer_credentials": article.reviewer.credentials if article.reviewer else None,
        "reviewed_on": article.reviewed_on,
        "next_review_due": article.next_review_due,
        "updated_on": article.updated_on,
    }
    if article.is_translation:
        meta["translation_of"] = {"updated_on": article.source_updated_on, "fingerprint": article.source_fingerprint}
    approved = approved_text(article)
    if approved is not None:
        meta["approved"] = {
            "title": approved.title,
            "summary": approved.summary,
            "updated_on": approved.updated_on,
            "body": _normalise_body(approved.body),
        }
    front = yaml.dump(meta, Dumper=_FrontMatterDumper, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{front}---\n{_normalise_body(article.body)}"


def export_content(directory: Path) -> list[Path]:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for article in Article.objects.select_related("reviewer").order_by("language", "slug"):
        folder = directory if article.language == "en" else directory / article.language
        folder.mkdir(exist_ok=True)
        path = folder / f"{article.slug}.md"
        path.write_text(article_to_text(article), encoding="utf-8")
        written.append(path)
    from . import codemap

    return written + [path for path in [codemap.export(directory)] if path]
