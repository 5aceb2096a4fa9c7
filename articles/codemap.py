"""The code map as a file: ``content/code-map.yaml`` <-> CodeMapEntry rows (docs/connect.md).

The file lives with the pages and goes through the same import and export
(articles/content.py): ``load`` checks every entry before anything is written (one
``file: field: reason`` line per problem, nothing written when there is one), ``apply`` writes the
map inside the import's transaction, after the pages it names, and ``export`` writes the database
back in exactly the form ``load`` reads, so export then import changes nothing.

The file is the whole map: an import makes the database's map exactly the file's (entries the
file no longer has are removed, and history keeps them), except with ``only_new``, which adds
missing entries and leaves the others as edited in the admin. A folder without the file leaves the
map alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction

from . import codesystems
from .content import ContentError, Problem
from .models import Article, CodeMapEntry, CodeMapPage

MAP_FILE = "code-map.yaml"
KEYS = ("system", "code", "name", "pages", "note")
REQUIRED = ("system", "code", "name", "pages")
HEADER = """\
# The code map: which pages answer a health-record code at /connect/ (docs/connect.md).
# Kept in the admin ("Code map"); imported and exported with the pages (manage.py import_content,
# export_content), which rewrite this file. Each entry:
#   system  ICD-10-CM, SNOMED CT or CPT
#   code    as the code system writes it; an ICD-10-CM code without an entry falls back to its
#           parent (F33.19 -> F33.1 -> F33)
#   name    the code system's own name for the code
#   pages   page slugs, best first; readers get the first three that are published.
#           [] answers nothing on purpose, and stops the fallback to a parent code.
#   note    for editors (optional): why
"""


@dataclass(frozen=True)
class MapItem:
    """One entry as the file states it (code in canonical form)."""

    system: str  # OID
    code: str
    name: str
    pages: tuple[str, ...]
    note: str = ""


@dataclass
class MapReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # already in the database; left alone (only_new)

    def __str__(self) -> str:
        parts = [f"{len(self.created)} created", f"{len(self.updated)} updated", f"{len(self.unchanged)} unchanged"]
        parts += [f"{len(self.removed)} removed"] if self.removed else []
        parts += [f"{len(self.kept)} left as they are"] if self.kept else []
        return f"code map: {', '.join(parts)}"


def _label(system: str, code: str) -> str:
    system_name = codesystems.BY_OID[system].name if system in codesystems.BY_OID else system
    return f"{system_name} {code}"


# --- reading the file ----------------------------------------------------------------------------
def load(directory: Path, *, page_slugs: set[str]) -> list[MapItem] | None:
    """Read and check ``directory/code-map.yaml``; None when there is none. ``page_slugs``: the
    pages the import brings; a page named by the map must be one of them or already stored.
    Raises ContentError listing every problem."""
    path = Path(directory) / MAP_FILE
    if not path.exists():
        return None
    try:
        raw = path.read_bytes().decode("utf-8")
        data = yaml.safe_load(raw)
    except UnicodeDecodeError as exc:
        raise ContentError([Problem(MAP_FILE, "(file)", f"is not valid UTF-8 text (byte {exc.start})")]) from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where else ""
        reason = f"is not valid YAML{line}: {getattr(exc, 'problem', exc)}"
        raise ContentError([Problem(MAP_FILE, "(file)", reason)]) from None
    if data is None:
        return []
    if not isinstance(data, list):
        raise ContentError([Problem(MAP_FILE, "(file)", "must be a list of entries, each starting with '- system:'")])
    problems: list[Problem] = []
    items: list[MapItem] = []
    seen: dict[tuple[str, str], int] = {}
    for number, raw_item in enumerate(data, start=1):
        item = _parse_item(number, raw_item, problems)
        if item is None:
            continue
        key = (item.system, item.code)
        if key in seen:
            problems.append(Problem(MAP_FILE, f"entry {number} code", f"{_label(*key)} is already entry {seen[key]}"))
            continue
        seen[key] = number
        items.append(item)
    _check_pages(items, page_slugs, problems)
    if problems:
        raise ContentError(problems)
    return items


def _parse_item(number: int, value, problems: list[Problem]) -> MapItem | None:
    where = f"entry {number}"
    if not isinstance(value, dict):
        problems.append(Problem(MAP_FILE, where, "must be a list of 'key: value' lines (system, code, name, pages)"))
        return None
    found = len(problems)
    for key in value:
        if key not in KEYS:
            problems.append(Problem(MAP_FILE, f"{where} {key}", f"unknown key (allowed: {', '.join(KEYS)})"))
    for key in REQUIRED:
        if key not in value:
            problems.append(Problem(MAP_FILE, f"{where} {key}", "missing key"))
    if len(problems) > found:
        return None

    system = codesystems.BY_NAME.get(str(value["system"] or "").strip())
    if system is None:
        allowed = ", ".join(s.name for s in codesystems.CODE_SYSTEMS)
        problems.append(Problem(MAP_FILE, f"{where} system", f"'{value['system']}' is not one of: {allowed}"))
        return None
    code = system.canonical(str(value["code"] or ""))
    if code is None:
        reason = (
            f"'{value['code']}' is not written the way {system.name} writes its codes (for example {system.example})"
        )
        problems.append(Problem(MAP_FILE, f"{where} code", reason))
        return None
    where = f"{where} ({system.name} {code})"
    name = str(value["name"] or "").strip()
    if not name or len(name) > CodeMapEntry._meta.get_field("name").max_length:
        problems.append(
            Problem(MAP_FILE, f"{where} name", "give the code system's name for the code (at most 255 characters)")
        )
    note = str(value.get("note") or "").strip()
    if len(note) > CodeMapEntry._meta.get_field("note").max_length:
        problems.append(Problem(MAP_FILE, f"{where} note", "is longer than 300 characters"))
    pages = value["pages"]
    if not isinstance(pages, list) or not all(isinstance(slug, str) and slug.strip() for slug in pages):
        problems.append(Problem(MAP_FILE, f"{where} pages", "must be a list of page slugs, like [what-is-tms], or []"))
        return None
    slugs = tuple(slug.strip() for slug in pages)
    if len(set(slugs)) != len(slugs):
        problems.append(Problem(MAP_FILE, f"{where} pages", "names a page more than once"))
    if len(problems) > found:
        return None
    return MapItem(system=system.oid, code=code, name=name, pages=slugs, note=note)


def _check_pages(items: list[MapItem], page_slugs: set[str], problems: list[Problem]) -> None:
    named = {slug for item in items for slug in item.pages}
    unknown = named - set(page_slugs)
    if unknown:
        unknown -= set(Article.objects.filter(language="en", slug__in=unknown).values_list("slug", flat=True))
    for item in items:
        for slug in item.pages:
            if slug in unknown:
                where = f"({_label(item.system, item.code)}) pages"
                problems.append(Problem(MAP_FILE, where, f"'{slug}' is not a page in this folder or the database"))


# --- writing the database ------------------------------------------------------------------------
def apply(items: list[MapItem], *, only_new: bool = False) -> MapReport:
    """Make the stored map the file's (see the module docstring). Call inside the import's
    transaction, after the pages are written."""
    report = MapReport()
    named = {slug for item in items for slug in item.pages}
    articles = {a.slug: a for a in Article.objects.filter(language="en", slug__in=named)}
    stored = {(entry.system, entry.code): entry for entry in CodeMapEntry.objects.prefetch_related("pages__article")}
    with transaction.atomic():
        for item in items:
            label = _label(item.system, item.code)
            entry = stored.pop((item.system, item.code), None)
            if entry is not None and only_new:
                report.kept.append(label)
            elif entry is None:
                _save(CodeMapEntry(system=item.system, code=item.code), item, articles)
                report.created.append(label)
            elif _item_of(entry) != item:
                _save(entry, item, articles)
                report.updated.append(label)
            else:
                report.unchanged.append(label)
        if not only_new:
            for entry in stored.values():
                entry._change_reason = f"Not in {MAP_FILE} any more"
                entry.delete()
                report.removed.append(_label(entry.system, entry.code))
    return report


def _item_of(entry: CodeMapEntry) -> MapItem:
    pages = tuple(page.article.slug for page in entry.pages.all())  # prefetched, in position order
    return MapItem(system=entry.system, code=entry.code, name=entry.name, pages=pages, note=entry.note)


def _save(entry: CodeMapEntry, item: MapItem, articles: dict) -> None:
    entry.name, entry.note = item.name, item.note
    entry._change_reason = f"Imported from {MAP_FILE}"
    entry.full_clean(validate_unique=False)  # unique: checked across the file, and looked up above
    entry.save()
    wanted = [articles[slug].pk for slug in item.pages]
    current = {page.article_id: page for page in entry.pages.all()}
    for page in current.values():
        if page.article_id not in wanted:
            page.delete()
    for position, article_id in enumerate(wanted):
        page = current.get(article_id) or CodeMapPage(entry=entry, article_id=article_id)
        if page.pk is None or page.position != position:
            page.position = position
            page.save()


# --- writing the file ----------------------------------------------------------------------------
class _FlowList(list):
    """A list YAML writes on one line: pages: [what-is-tms, does-tms-work]."""


class _MapDumper(yaml.SafeDumper):
    pass


_MapDumper.add_representer(
    _FlowList, lambda dumper, value: dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)
)


def map_to_text(entries) -> str:
    """The map as ``load`` reads it, entries by code system (ICD-10-CM, SNOMED CT, CPT), then code."""
    order = {system.oid: n for n, system in enumerate(codesystems.CODE_SYSTEMS)}
    rows = []
    for entry in sorted(entries, key=lambda e: (order.get(e.system, 99), e.code)):
        row = {"system": codesystems.BY_OID[entry.system].name, "code": entry.code, "name": entry.name}
        row["pages"] = _FlowList(page.article.slug for page in entry.pages.all())
        if entry.note:
            row["note"] = entry.note
        rows.append(row)
    body = yaml.dump(rows, Dumper=_MapDumper, sort_keys=False, allow_unicode=True, width=1000) if rows else "[]\n"
    return f"{HEADER}{body}"


def export(directory: Path) -> Path | None:
    """Write ``directory/code-map.yaml``: when there are entries, or when the file is there
    already (then an emptied map is written as an empty one)."""
    path = Path(directory) / MAP_FILE
    entries = list(CodeMapEntry.objects.prefetch_related("pages__article"))
    if not entries and not path.exists():
        return None
    path.write_text(map_to_text(entries), encoding="utf-8")
    return path
