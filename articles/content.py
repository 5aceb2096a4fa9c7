"""Content files <-> articles: `content/<slug>.md` is YAML front matter plus a markdown body.

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
from django.db import transaction
from django.utils.text import slugify

from .derived import deriver
from .models import Article, Reviewer, body_fingerprint
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


def parse_file(path: Path) -> tuple[ContentFile | None, list[Problem]]:
    """Read and validate one content file. Returns the parsed file or the problems found."""
    name = path.name
    problems: list[Problem] = []
    try:
        raw = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(name, "(file)", f"is not valid UTF-8 text (byte {exc.start})")]
    raw = raw.removeprefix("\ufeff").replace("\r\n", "\n")
    match = FRONT_MATTER_RE.match(raw)
    if not match:
        return None, [Problem(name, "(front matter)", "the file must start with front matter between '---' lines")]
    try:
        meta = yaml.load(match.group(1) or "", Loader=_FrontMatterLoader)  # noqa: S506 (safe loader)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 2})" if where else ""
        return None, [Problem(name, "(front matter)", f"is not valid YAML{line}: {getattr(exc, 'problem', exc)}")]
    if not isinstance(meta, dict):
        return None, [Problem(name, "(front matter)", "must be a list of 'key: value' lines")]
    body = match.group(2)

    for key in meta:
        if key not in FIELDS and key not in OPTIONAL:
            problems.append(Problem(name, str(key), f"unknown key (allowed: {', '.join(FIELDS + OPTIONAL)})"))
    for key in FIELDS:
        if key not in meta:
            problems.append(Problem(name, key, "missing key"))
    for key in REQUIRED:
        if key in meta and (meta[key] is None or meta[key] == ""):
            problems.append(Problem(name, key, "must not be empty"))

    def text(key: str) -> str:
        value = meta.get(key)
        return "" if value is None else str(value).strip()

    title, slug, summary = text("title"), text("slug"), text("summary")
    if len(title) > 200:
        problems.append(Problem(name, "title", f"is {len(title)} characters; at most 200"))
    if slug and slugify(slug) != slug:
        problems.append(Problem(name, "slug", f"'{slug}' must be lowercase letters, digits and hyphens"))
    elif slug and path.stem != slug:
        problems.append(Problem(name, "slug", f"'{slug}' does not match the file name '{path.stem}.md'"))
    if len(summary) > 160:
        problems.append(Problem(name, "summary", f"is {len(summary)} characters; at most 160"))
    topic = text("topic")
    if topic and topic not in dict(TOPICS):
        problems.append(Problem(name, "topic", f"'{topic}' is not one of: {', '.join(k for k, _ in TOPICS)}"))
    order = meta.get("order")
    if order not in (None, "") and (not isinstance(order, int) or isinstance(order, bool) or order < 0):
        problems.append(Problem(name, "order", f"'{order}' must be a whole number, 0 or more"))
    status = text("status")
    if status and status not in Article.Status.values:
        problems.append(Problem(name, "status", f"'{status}' is not one of: {', '.join(Article.Status.values)}"))

    dates = {key: _parse_date(meta.get(key), key, problems, name) for key in DATE_FIELDS}
    reviewer, credentials = text("reviewer"), text("reviewer_credentials")
    if bool(reviewer) != bool(credentials):
        problems.append(Problem(name, "reviewer", "give both the reviewer's name and credentials, or neither"))
    if reviewer and not dates["reviewed_on"]:
        problems.append(Problem(name, "reviewed_on", "a reviewed page needs the date of the review"))
    if not reviewer and (dates["reviewed_on"] or dates["next_review_due"]):
        problems.append(Problem(name, "reviewer", "review dates are set but no reviewer is named"))
    if not body.strip():
        problems.append(Problem(name, "(body)", "the page has no text after the front matter"))
    approved = _parse_approved(meta.get("approved"), bool(reviewer), problems, name)

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
    }
    return ContentFile(path=path, meta=meta, body=_normalise_body(body)), []


def _parse_approved(value, reviewed: bool, problems: list[Problem], filename: str) -> dict | None:
    """The optional `approved:` block: title, summary, updated_on and body of the approved text."""
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != set(APPROVED_KEYS):
        problems.append(Problem(filename, "approved", f"must have exactly the keys: {', '.join(APPROVED_KEYS)}"))
        return None
    if not reviewed:
        problems.append(Problem(filename, "approved", "an approved text needs the reviewer who approved it"))
    title, summary = str(value["title"] or "").strip(), str(value["summary"] or "").strip()
    body = str(value["body"] or "")
    if not title or not body.strip():
        problems.append(Problem(filename, "approved", "the approved title and body must not be empty"))
    if len(title) > 200 or len(summary) > 160:
        problems.append(Problem(filename, "approved", "the approved title or summary is too long"))
    updated_on = _parse_date(value["updated_on"], "approved.updated_on", problems, filename)
    return {"title": title, "summary": summary, "updated_on": updated_on, "body": _normalise_body(body)}


def load_directory(directory: Path, *, keep: bool = True) -> list[ContentFile]:
    """Parse every `*.md` file in a directory; raise ContentError listing every problem.

    With ``keep=False`` every file is still checked, but only its path is kept (the list holds
    paths), so checking 10,000 files does not hold 10,000 bodies in memory.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ContentError([Problem(str(directory), "(directory)", "does not exist")])
    files, problems = [], []
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.md")):
        parsed, found = parse_file(path)
        problems.extend(found)
        if parsed:
            slug = parsed.meta["slug"]
            if slug in seen:
                problems.append(Problem(path.name, "slug", f"'{slug}' is already used by {seen[slug]}"))
            seen[slug] = path.name
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
        live = set(Article.objects.filter(slug__in=[by_path[p].stem for p in chunk]).values_list("slug", flat=True))
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


def _apply(article: Article, item: ContentFile, reviewers: dict) -> bool:
    """Copy a file's values onto an article; True when anything changed. ``reviewers`` caches
    the import's reviewers by (name, credentials)."""
    meta = item.meta
    reviewer = None
    if meta["reviewer"]:
        key = (meta["reviewer"], meta["reviewer_credentials"])
        if key not in reviewers:
            reviewers[key], _ = Reviewer.objects.get_or_create(name=key[0], credentials=key[1])
        reviewer = reviewers[key]
    approved = meta["approved"] or {}
    values = {
        "title": meta["title"],
        "summary": meta["summary"],
        "topic": meta["topic"],
        "order": meta["order"],
        "status": meta["status"],
        "body": item.body,
        "reviewer_id": reviewer.pk if reviewer else None,
        "reviewed_on": meta["reviewed_on"],
        "next_review_due": meta["next_review_due"],
        "updated_on": meta["updated_on"],
        "reviewed_fingerprint": body_fingerprint(approved.get("body") or item.body) if reviewer else "",
        "approved_title": approved.get("title", ""),
        "approved_summary": approved.get("summary", ""),
        "approved_body": approved.get("body", ""),
        "approved_updated_on": approved.get("updated_on"),
    }
    changed = False
    for key, value in values.items():
        if getattr(article, key) != value:
            setattr(article, key, value)
            changed = True
    return changed


IMPORT_BATCH = 250


def import_content(directory: Path, *, only_new: bool = False) -> ImportReport:
    """Import every file. With ``only_new``, pages already in the database are left as they
    are (their admin edits are never overwritten) and only missing pages are created."""
    # Check every file first; then read them again a batch at a time, so memory stays flat however
    # many files there are. Each batch's bodies are rendered in parallel (articles/derived.py).
    paths = load_directory(directory, keep=False)
    refuse_redirected_addresses(paths)
    report = ImportReport()
    reviewers: dict = {}
    with transaction.atomic(), deriver(len(paths)) as submit:
        pending = None  # the batch being rendered while the one before it is written
        for start in range(0, len(paths), IMPORT_BATCH):
            batch = _prepare_batch(paths[start : start + IMPORT_BATCH], only_new, reviewers, report)
            started = (batch, submit([article.body for article, _, _ in batch]))
            if pending is not None:
                _save_batch(*pending, report)
            pending = started
        if pending is not None:
            _save_batch(*pending, report)
    return report


def _prepare_batch(paths, only_new: bool, reviewers: dict, report: ImportReport) -> list:
    """The files' articles that need saving, with the new values applied (not yet saved)."""
    items = [parse_file(path)[0] for path in paths]
    stored = Article.objects.in_bulk([item.meta["slug"] for item in items], field_name="slug")
    batch = []
    for item in items:
        slug = item.meta["slug"]
        article = stored.get(slug) or Article(slug=slug)
        is_new = article.pk is None
        if only_new and not is_new:
            report.kept.append(slug)
        elif _apply(article, item, reviewers) or is_new:
            batch.append((article, item, is_new))
        else:
            report.unchanged.append(slug)
    return batch


def _save_batch(batch: list, derived, report: ImportReport) -> None:
    for (article, item, is_new), made in zip(batch, derived.get(), strict=True):
        # Slugs are unique: checked across the files by load_directory, and looked up above.
        article.full_clean(validate_unique=False)
        article._change_kind = "import"  # the file states its own review fields
        article._change_reason = f"Imported from {item.path.name}"
        article.save(derived=made)
        (report.created if is_new else report.updated).append(article.slug)


class _FrontMatterDumper(yaml.SafeDumper):
    pass


_FrontMatterDumper.add_representer(
    type(None), lambda dumper, _value: dumper.represent_scalar("tag:yaml.org,2002:null", "")
)
_FrontMatterDumper.add_representer(
    str,
    lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None),
)


def article_to_text(article: Article) -> str:
    meta = {
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "topic": article.topic,
        "order": article.order,
        "status": article.status,
        "reviewer": article.reviewer.name if article.reviewer else None,
        "reviewer_credentials": article.reviewer.credentials if article.reviewer else None,
        "reviewed_on": article.reviewed_on,
        "next_review_due": article.next_review_due,
        "updated_on": article.updated_on,
    }
    if article.approved_body:
        meta["approved"] = {
            "title": article.approved_title,
            "summary": article.approved_summary,
            "updated_on": article.approved_updated_on,
            "body": _normalise_body(article.approved_body),
        }
    front = yaml.dump(meta, Dumper=_FrontMatterDumper, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{front}---\n{_normalise_body(article.body)}"


def export_content(directory: Path) -> list[Path]:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for article in Article.objects.select_related("reviewer").order_by("slug"):
        path = directory / f"{article.slug}.md"
        path.write_text(article_to_text(article), encoding="utf-8")
        written.append(path)
    return written
