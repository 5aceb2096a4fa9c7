"""The editorial workflow: status moves, clinical sign-off pinned to the text, revisions, redirects.

Rules live here as plain functions; the admin (articles/admin.py) only calls them, and
``Article.save()`` calls ``apply_text_change`` and ``after_save`` so the rules hold for every way
an article is saved (admin, restore, shell). The content import bypasses them on purpose: a
content file states its own review fields. docs/editorial-workflow.md explains it in plain words.
"""

from __future__ import annotations

import calendar
import difflib
from dataclasses import dataclass, field
from datetime import date

from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from .models import Article, PageChange, Reviewer, StaleArticle, body_fingerprint

Status = Article.Status

# --- kinds of change ----------------------------------------------------------------------
CLINICAL = PageChange.Kind.CLINICAL.value  # needs a fresh sign-off
EDITORIAL = PageChange.Kind.EDITORIAL.value  # typo, link, layout: the sign-off stays
SIGN_OFF = "sign_off"  # the sign-off itself
IMPORT = "import"  # content files: they carry their own review fields

TEXT_FIELDS = ("title", "summary", "body")
# What save() remembers of the stored row (attribute names, as Model.from_db receives them).
TRACKED_FIELDS = ("title", "summary", "body", "slug", "status", "updated_on", "reviewer_id", "reviewed_on")

# --- roles --------------------------------------------------------------------------------
EDITORS = "Editors"
MEDICAL_REVIEWERS = "Medical reviewers"
SIGN_OFF_PERM = "articles.sign_off_article"
PUBLISH_PERM = "articles.publish_article"
_EDITOR_PERMS = [
    "articles.view_article",
    "articles.add_article",
    "articles.change_article",
    "articles.view_reviewer",
    "articles.view_pagechange",
    "articles.change_pagechange",
]
ROLE_PERMISSIONS = {
    EDITORS: _EDITOR_PERMS,
    MEDICAL_REVIEWERS: [
        *_EDITOR_PERMS,
        SIGN_OFF_PERM,
        PUBLISH_PERM,
        "articles.delete_pagechange",
    ],
}
# Reviewer profiles (the name and credentials a sign-off shows the public, and the account that
# may sign as them) are kept by administrators only: no group may add or change them.


def ensure_role_groups() -> None:
    """Create the two groups with exactly ROLE_PERMISSIONS (the data migration does the same)."""
    from django.contrib.auth.models import Group, Permission

    for name, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        codenames = [perm.split(".", 1)[1] for perm in perms]
        group.permissions.set(Permission.objects.filter(content_type__app_label="articles", codename__in=codenames))


# --- status moves -------------------------------------------------------------------------
MOVES: dict[str, set[str]] = {
    Status.DRAFT: {Status.IN_REVIEW},
    Status.IN_REVIEW: {Status.DRAFT, Status.PUBLISHED},
    Status.PUBLISHED: {Status.ARCHIVED},
    Status.ARCHIVED: {Status.DRAFT},
}
NEW_ARTICLE_STATUSES = (Status.DRAFT, Status.IN_REVIEW)


def move_problem(article: Article, new_status: str, user, *, old_status: str | None) -> str | None:
    """Why `user` may not move `article` from old_status to new_status, or None if allowed.
    `article` carries the text as it will be saved (publishing needs a sign-off of that text)."""
    label = dict(Status.choices)
    if old_status is None:
        if new_status not in NEW_ARTICLE_STATUSES:
            return "A new article starts as a draft or goes straight to review."
        return None
    if new_status == old_status:
        return None
    if new_status not in MOVES.get(old_status, set()):
        return f"An article cannot go from “{label[old_status]}” to “{label[new_status]}”."
    if new_status == Status.PUBLISHED:
        if not user.has_perm(PUBLISH_PERM):
            return "Only medical reviewers can publish. Submit the article for review instead."
        if not article.has_current_sign_off:
            return "Publishing needs a medical sign-off of this exact text: use “Approve and publish”."
    if old_status == Status.PUBLISHED and not user.has_perm(PUBLISH_PERM):
        return "Only medical reviewers can take a published page down."
    return None


def status_choices(article: Article, user, *, old_status: str | None) -> list[tuple[str, str]]:
    """The statuses offered to `user` in the admin form (the current one first)."""
    allowed = [s for s, _ in Status.choices if move_problem(article, s, user, old_status=old_status) is None]
    if old_status in allowed:
        allowed.remove(old_status)
        allowed.insert(0, old_status)
    return [(s, Status(s).label) for s in allowed]


# --- sign-off pinned to the text ---------------------------------------------------------------
def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_next_review(day: date | None = None) -> date:
    return add_months(day or timezone.localdate(), 12)


def loaded_state(article: Article) -> dict | None:
    """The stored values of TRACKED_FIELDS for an existing article (from when it was loaded)."""
    loaded = dict(getattr(article, "_loaded", None) or {})
    missing = [name for name in TRACKED_FIELDS if name not in loaded]
    if missing:
        row = type(article).objects.filter(pk=article.pk).values(*missing).first()
        if row is None:
            return None
        loaded.update(row)
    return {name: loaded[name] for name in TRACKED_FIELDS}


def _matches_approved(article: Article) -> bool:
    return (
        article.title == article.approved_title
        and article.summary == article.approved_summary
        and body_fingerprint(article.body) == body_fingerprint(article.approved_body)
    )


def _clear_approved(article: Article) -> None:
    article.approved_title = article.approved_summary = article.approved_body = ""
    article.approved_updated_on = None


def apply_text_change(article: Article, previous: dict, *, kind: str | None) -> None:
    """Called by Article.save() before writing. On a signed-off article, a clinical change keeps
    the approved text aside for the public (until the next sign-off); an editorial change moves
    the sign-off's fingerprint to the new text. Unmarked changes count as clinical."""
    if kind in (SIGN_OFF, IMPORT):
        return
    if not any(previous[name] != getattr(article, name) for name in TEXT_FIELDS):
        return
    if article.is_reviewed:
        if kind == EDITORIAL:
            if not article.has_pending_changes:
                article.reviewed_fingerprint = body_fingerprint(article.body)
        elif not article.has_pending_changes:
            article.approved_title = previous["title"]
            article.approved_summary = previous["summary"]
            article.approved_body = previous["body"]
            article.approved_updated_on = previous["updated_on"]
    if article.has_pending_changes and _matches_approved(article):
        _clear_approved(article)  # back to exactly the approved text


def after_save(article: Article, previous: dict | None) -> None:
    """Called by Article.save() after writing: redirects for a changed slug, and public notes
    for changes the public can now read."""
    if previous is None or previous["slug"] != article.slug:
        _update_redirects(old_slug=previous["slug"] if previous else None, new_slug=article.slug)
    if previous is not None and article.is_public and not article.has_pending_changes:
        article.page_changes.filter(public=False).update(public=True, date=timezone.localdate())


def sign_off(
    article: Article,
    *,
    reviewer: Reviewer,
    next_review_due: date,
    user,
    expected_version: int,
    publish: bool,
    note: str = "",
) -> None:
    """A reviewer approves exactly the current text: records who, when, the next review due and
    the text's fingerprint, and (if `publish`) makes it public."""
    if not user.has_perm(SIGN_OFF_PERM):
        raise PermissionError("Only medical reviewers can sign off.")
    if (publish or article.status == Status.PUBLISHED) and not user.has_perm(PUBLISH_PERM):
        raise PermissionError("You may sign off but not publish: a published page's new text would go public.")
    if article.status not in (Status.IN_REVIEW, Status.PUBLISHED):
        raise ValueError("Only an article in review (or already published) can be signed off.")
    if article.version != expected_version:
        raise StaleArticle("The text changed since you opened it; read the new text before signing off.")
    article.reviewer = reviewer
    article.reviewed_on = timezone.localdate()
    article.next_review_due = next_review_due
    article.reviewed_fingerprint = body_fingerprint(article.body)
    _clear_approved(article)
    if publish:
        article.status = Status.PUBLISHED
    article._change_kind = SIGN_OFF
    article._history_user = user
    article._change_reason = f"Signed off by {reviewer}" + (" and published" if publish else "")
    with transaction.atomic():
        article.save()
        if note.strip():
            add_page_change(article, kind=CLINICAL, note=note, user=user)


def add_page_change(article: Article, *, kind: str, note: str, user) -> PageChange:
    """A public note for a change; shown once the public reads the changed text."""
    return PageChange.objects.create(
        article=article,
        kind=kind,
        note=note.strip(),
        created_by=user if getattr(user, "pk", None) else None,
        public=article.is_public and not article.has_pending_changes,
    )


# --- slugs never break --------------------------------------------------------------------
def article_path(slug: str) -> str:
    return reverse("articles:detail", kwargs={"slug": slug})


def redirect_in_the_way(slug: str, *, article: Article | None = None) -> Redirect | None:
    """The redirect that still sends /tms/<slug>/ to another page (an old address of a renamed
    page), or None. A page may always take back an address that redirects to itself."""
    try:
        path = article_path(slug)
    except NoReverseMatch:  # not a slug at all: the form says so
        return None
    redirect = Redirect.objects.filter(site=Site.objects.get_current(), old_path=path).first()
    if redirect is None:
        return None
    if article is not None and article.pk:
        stored_slug = type(article).objects.filter(pk=article.pk).values_list("slug", flat=True).first()
        if stored_slug and redirect.new_path == article_path(stored_slug):
            return None
    return redirect


def _update_redirects(*, old_slug: str | None, new_slug: str) -> None:
    site = Site.objects.get_current()
    new_path = article_path(new_slug)
    Redirect.objects.filter(site=site, old_path=new_path).delete()  # this address is live again
    if old_slug and old_slug != new_slug:
        old_path = article_path(old_slug)
        Redirect.objects.filter(site=site, new_path=old_path).update(new_path=new_path)  # no chains
        Redirect.objects.update_or_create(site=site, old_path=old_path, defaults={"new_path": new_path})


# --- revisions: diff, restore, recover ------------------------------------------------------------
DIFF_FIELDS = (
    ("title", "Title"),
    ("slug", "Address"),
    ("summary", "Summary"),
    ("status", "Status"),
    ("topic", "Topic"),
    ("order", "Order"),
    ("updated_on", "Last updated"),
    ("reviewer", "Reviewer"),
    ("reviewed_on", "Reviewed on"),
    ("next_review_due", "Next review due"),
    ("sign_off_state", "Sign-off"),
    ("body", "Text"),
)
RESTORED_FIELDS = ("title", "summary", "body", "topic", "order")


@dataclass
class FieldChange:
    name: str
    label: str
    old: str
    new: str
    lines: list[tuple[str, str]] = field(default_factory=list)  # for the body: a line diff


def line_diff(old: str, new: str, *, context: int = 2) -> list[tuple[str, str]]:
    """A readable line diff: (kind, text) with kind "same", "del", "add" or "gap"."""
    a, b = (old or "").splitlines(), (new or "").splitlines()
    out: list[tuple[str, str]] = []
    for n, group in enumerate(difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context)):
        if n:
            out.append(("gap", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out.extend(("same", line) for line in a[i1:i2])
            else:
                out.extend(("del", line) for line in a[i1:i2])
                out.extend(("add", line) for line in b[j1:j2])
    return out


def _display(obj, name: str) -> str:
    if name == "reviewer":
        reviewer_id = getattr(obj, "reviewer_id", None)
        if not reviewer_id:
            return ""
        reviewer = Reviewer.objects.filter(pk=reviewer_id).first()
        return str(reviewer) if reviewer else f"(deleted reviewer {reviewer_id})"
    if name == "sign_off_state":
        if getattr(obj, "approved_body", ""):
            return "Clinical changes awaiting sign-off (the public reads the approved text)"
        return "Signed off" if getattr(obj, "reviewer_id", None) else "Not reviewed"
    value = getattr(obj, name, "")
    if name == "status":
        return dict(Status.choices).get(value, value)
    return "" if value is None else str(value)


def changes_between(old, new) -> list[FieldChange]:
    """What differs between two versions (revisions or articles), field by field."""
    changes = []
    for name, label in DIFF_FIELDS:
        before, after = _display(old, name), _display(new, name)
        if before != after:
            lines = line_diff(before, after) if name == "body" else []
            changes.append(FieldChange(name, label, before, after, lines))
    return changes


def restore_revision(article: Article, revision, *, user) -> None:
    """Put a revision's text back (a clinical change: it needs a sign-off if the page had one).
    The address, status and review fields stay as they are."""
    for name in RESTORED_FIELDS:
        setattr(article, name, getattr(revision, name))
    article._change_kind = CLINICAL
    article._history_user = user
    article._change_reason = f"Restored the version saved {timezone.localtime(revision.history_date):%d %b %Y %H:%M}"
    article.save()


def deleted_revisions():
    """The last revision of each deleted article (newest deletion first)."""
    history = Article.history.model.objects
    live = Article.objects.values("pk")
    return history.filter(history_type="-").exclude(id__in=live).order_by("-history_date")


def recover_deleted(revision, *, user) -> Article:
    """Bring back a deleted article as it was (as a draft unless `user` may publish its text)."""
    if Article.objects.filter(pk=revision.id).exists():
        raise ValueError("This article is not deleted.")
    if Article.objects.filter(slug=revision.slug).exists():
        raise ValueError(f"Another article now uses the address /tms/{revision.slug}/; change its slug first.")
    article = revision.instance
    if article.status == Status.PUBLISHED and not (user.has_perm(PUBLISH_PERM) and article.has_current_sign_off):
        article.status = Status.DRAFT
    article._history_user = user
    article._change_reason = "Recovered after deletion"
    article.save()
    return article


# --- reviews due ------------------------------------------------------------------------------
@dataclass
class ReviewReport:
    lines: list[str]
    overdue: int


def review_report(*, within_days: int = 30) -> ReviewReport:
    """The same list as the admin index: published pages due for review within `within_days`
    or overdue, soonest first; plus a count of published pages never reviewed."""
    today = timezone.localdate()
    due = list(Article.objects.review_due(within_days=within_days, today=today))
    overdue = sum(1 for article in due if article.next_review_due < today)
    lines = [f"Medical reviews due within {within_days} days or overdue ({today:%Y-%m-%d}):"]
    for article in due:
        state = "OVERDUE" if article.next_review_due < today else "due"
        due_on = f"{article.next_review_due:%Y-%m-%d}"
        lines.append(f"  {state:<8}{due_on}  /tms/{article.slug}/  {article.title}  ({article.reviewer})")
    if not due:
        lines.append("  none")
    never = Article.objects.published().filter(reviewer__isnull=True).count()
    if never:
        lines.append(f"{never} published page(s) have no medical review yet (shown as “Awaiting medical review”).")
    return ReviewReport(lines=lines, overdue=overdue)
