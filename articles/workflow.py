"""The editorial workflow: the one way to save an article, status moves, clinical sign-off pinned
to the text, what the public reads, revisions and redirects.

``article_save`` is the only way an article is saved: the admin, sign-off, restore, recover and
the content import all call it with what the change is, who made it and its public note. It
applies the rules, saves the working copy (``Article.save()`` only derives fields and checks the
version) and writes the ``PublishedPage`` the public reads whenever the public text changes.
docs/editorial-workflow.md explains the rules in plain words; docs/published-record.md the record.
"""

from __future__ import annotations

import calendar
import dataclasses
import difflib
from dataclasses import dataclass, field
from datetime import date

from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.db import models, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import override

from . import publishing
from .models import Article, PageChange, PublishedPage, Reviewer, StaleArticle

Status = Article.Status

# --- kinds of change ----------------------------------------------------------------------
CLINICAL = PageChange.Kind.CLINICAL.value  # needs a fresh sign-off
EDITORIAL = PageChange.Kind.EDITORIAL.value  # typo, link, layout: the sign-off stays
SIGN_OFF = "sign_off"  # the sign-off itself (sign_off() sets the review fields first)
IMPORT = "import"  # content files: they state their own review fields
RESTORE = "restore"  # an earlier revision's text put back: counts as clinical
RECOVER = "recover"  # a deleted article brought back as it was
CHANGES = (CLINICAL, EDITORIAL, SIGN_OFF, IMPORT, RESTORE, RECOVER)

TEXT_FIELDS = ("title", "summary", "body")

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
    # The code map (/connect/) is editors' content: its entries and the pages in them.
    *(
        f"articles.{action}_{model}"
        for model in ("codemapentry", "codemappage")
        for action in ("view", "add", "change", "delete")
    ),
    # Reader feedback: read it and mark it handled (its text is the reader's: nobody edits it).
    "articles.view_feedback",
    "articles.change_feedback",
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


def create_missing_role_groups(using: str = "default", **_signal) -> None:
    """Make whichever of the two groups is missing, with ROLE_PERMISSIONS: after every ``migrate``
    and ``flush`` (a ``post_migrate`` handler, articles/apps.py), as Django makes its permissions,
    so a database emptied by ``flush`` still has them. A group that exists keeps the permissions
    it has (the data migrations keep them in step; an administrator may have changed them)."""
    from django.contrib.auth.models import Group, Permission

    for name, perms in ROLE_PERMISSIONS.items():
        group, created = Group.objects.using(using).get_or_create(name=name)
        if created:
            codenames = [perm.split(".", 1)[1] for perm in perms]
            permissions = Permission.objects.using(using).filter(
                content_type__app_label="articles", codename__in=codenames
            )
            group.permissions.set(permissions)


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


# --- the one way to save an article ------------------------------------------------------------
def article_save(
    *,
    article: Article,
    change: str,
    user=None,
    note: str = "",
    reason: str = "",
    approved: publishing.Text | None = None,
    derived=None,
) -> PublishedPage | None:
    """Save ``article`` as one kind of ``change`` (CHANGES) made by ``user``, with an optional
    public ``note``, and update what the public reads. Returns the page the public now reads,
    or None when the public reads nothing of it.

    * An editorial change to a page whose sign-off was current moves the sign-off to the new text;
      any other change to a signed-off text leaves it waiting for a fresh sign-off, and the public
      keeps reading the approved text.
    * ``approved`` (IMPORT only): the approved text of a page whose working copy has moved on.
    * ``derived``: the body's derived values, made ahead (a large import renders in parallel).
    """
    if change not in CHANGES:
        raise ValueError(f"Unknown kind of change: {change!r}")
    if approved is not None and change != IMPORT:
        raise ValueError("Only an import states an approved text of its own.")
    with transaction.atomic():
        stored = None
        if not article._state.adding:
            stored = Article.objects.filter(pk=article.pk).values("slug", "fingerprint", "toc").first()
        if article.is_translation:
            follow_source(article)
            problems = translation_problems(article, stored_toc=stored["toc"] if stored else None)
            if problems:
                raise TranslationError(problems)
        if (
            change == EDITORIAL
            and stored
            and article.is_reviewed
            and article.reviewed_fingerprint == stored["fingerprint"]
        ):
            article.reviewed_fingerprint = article.current_fingerprint()
        article._history_user = user if getattr(user, "pk", None) else None  # django-simple-history's own API
        article._change_reason = (reason or change.replace("_", "-").capitalize())[:100]
        article.save(derived=derived)
        if stored is None or stored["slug"] != article.slug:
            old_slug = stored["slug"] if stored else None
            for language in _editions_of(article):
                _update_redirects(old_slug=old_slug, new_slug=article.slug, language=language)
        was, page = _publish(article, change=change, approved=approved, user=user)
        _settle_notes(article, was=was, page=page)
        if note.strip():
            public = page is not None and page.fingerprint == article.current_fingerprint()
            _add_page_change(article, kind=EDITORIAL if change == EDITORIAL else CLINICAL, note=note, user=user,
                             public=public, version=page.version if public else None)  # fmt: skip
        _refresh_editions(article.source or article, user=user)
    return page


# --- translations ---------------------------------------------------------------------------------
class TranslationError(ValueError):
    """A translation that would break the links into its English page (lists each problem)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(" ".join(problems))


def follow_source(translation: Article) -> None:
    """A translation lives where its English page lives: same slug, topic and order."""
    source = translation.source
    translation.slug, translation.topic, translation.order = source.slug, source.topic, source.order


def english_section_ids(source: Article) -> set[str]:
    """The section ids of an English page as the public reads it (the working copy if it is not
    public): what section links and section QR codes point at."""
    page = PublishedPage.objects.filter(article=source, language="en").only("toc").first()
    return {entry["id"] for entry in (page.toc if page else source.toc)}


def translation_problems(translation: Article, *, stored_toc: list | None = None) -> list[str]:
    """Why a translation may not be saved as it stands, or []. It must keep every section id it
    had, and, while it says it follows the English page's current text, carry every one of that
    page's section ids, so a section link or QR code opens the same section in both languages."""
    from .markdown import render_markdown

    ids = {entry["id"] for entry in render_markdown(translation.body).toc}
    problems = []
    dropped = {entry["id"] for entry in stored_toc or []} - ids
    if dropped:
        problems.append(f"This change removes section ids that links may use: {', '.join(sorted(dropped))}.")
    english = PublishedPage.objects.filter(article=translation.source, language="en").first()
    follows = english is None or translation.source_fingerprint == english.fingerprint
    missing = english_section_ids(translation.source) - ids if follows else set()
    if missing:
        problems.append(
            "Every section of the English page needs its section id on the translation, written as on the "
            f"English page: missing {', '.join('{#' + i + '}' for i in sorted(missing))}."
        )
    return problems


def mark_translation_current(translation: Article) -> None:
    """Record that ``translation`` now follows its English page's public text (its fingerprint and
    "updated on"), so the Spanish page no longer says the English page has moved on."""
    english = PublishedPage.objects.filter(article=translation.source, language="en").first()
    source = english or translation.source
    translation.source_fingerprint = source.fingerprint
    translation.source_updated_on = source.updated_on


def _editions_of(article: Article) -> list[str]:
    """The languages an address change concerns: the page's own, and for an English page each of
    its translations' (their addresses follow it)."""
    if article.is_translation:
        return [article.language]
    return [article.language, *article.translations.values_list("language", flat=True)]


def _refresh_editions(english: Article, *, user=None) -> None:
    """Keep a page's editions in step after any of them changed: translations live where the
    English page lives, are public only while it is, say when it has moved on, and every edition
    lists the languages the page is published in (language links, hreflang)."""
    translations = list(english.translations.all())
    for translation in translations:
        if (translation.slug, translation.topic, translation.order) != (english.slug, english.topic, english.order):
            Article.objects.filter(pk=translation.pk).update(
                slug=english.slug, topic=english.topic, order=english.order, topic_rank=english.topic_rank
            )
    # By article ids, not a join with an OR (which reads every published page, on every save).
    pages = list(PublishedPage.objects.filter(article__in=[english.pk, *(t.pk for t in translations)]))
    original = next((page for page in pages if page.language == english.language), None)
    if original is None:
        for page in pages:
            page._history_user = user if getattr(user, "pk", None) else None
            page._change_reason = "The English page is no longer public"
            page.delete()
        return
    languages = sorted(page.language for page in pages)
    for page in pages:
        updates = {"languages": languages}
        if page is not original:
            updates |= publishing.place_values(english)
            updates["outdated"] = page.source_fingerprint != original.fingerprint
        if any(getattr(page, name) != value for name, value in updates.items()):
            PublishedPage.objects.filter(pk=page.pk).update(**updates)


def _publish(article: Article, *, change: str, approved, user) -> tuple[str | None, PublishedPage | None]:
    """Write (or remove) what the public reads of ``article``. Returns the fingerprint of the text
    the public read before (None if nothing) and the page it reads now (None if nothing)."""
    before = PublishedPage.objects.filter(article=article, language=article.language).first()
    was = before.fingerprint if before else None
    public = article.is_public
    if article.is_translation:  # public only while its English page is
        public = public and PublishedPage.objects.filter(article=article.source, language="en").exists()
    if not public:
        if before is not None:
            before._history_user = user if getattr(user, "pk", None) else None
            before.delete()
        return was, None
    if approved is not None:
        text = dataclasses.replace(approved, version=article.version)
    elif article.has_current_sign_off or not article.is_reviewed:
        text = publishing.Text.of_article(article)
    elif before is not None:
        text = None  # a change waits for sign-off: the public keeps the approved text
    else:
        raise ValueError(f"“{article.title}” has no signed-off text to publish: it needs a sign-off first.")
    named = None
    if before is not None and change not in (SIGN_OFF, IMPORT) and before.reviewer_name:
        named = {name: getattr(before, name) for name in ("reviewer_name", "reviewer_credentials", "reviewer_url")}
    values = {
        **(publishing.text_values(text, article.language) if text else {}),
        **publishing.place_values(article),
        **publishing.review_values(article, named=named),
        **publishing.source_values(article),
    }
    if before is not None and values.get("fingerprint", before.fingerprint) == before.fingerprint:
        values["version"] = before.version  # the same text: the version it was first published at
    if before is not None and all(getattr(before, name) == value for name, value in values.items()):
        return was, before
    page = before or PublishedPage(article=article, language=article.language)
    for name, value in values.items():
        setattr(page, name, value)
    page.published_at = timezone.now()
    page._history_user = user if getattr(user, "pk", None) else None
    page._change_reason = article._change_reason
    page.save()
    return was, page


def _settle_notes(article: Article, *, was: str | None, page) -> None:
    """Notes waiting for their change to go public: public when the public text changes; dropped
    when the working copy goes back to the public text (the change they describe is gone)."""
    if page is None:
        return
    waiting = article.page_changes.filter(public=False)
    if page.fingerprint != was:
        waiting.update(public=True, date=timezone.localdate(), version=page.version)
    elif article.current_fingerprint() == page.fingerprint:
        waiting.delete()


def _add_page_change(article: Article, *, kind: str, note: str, user, public: bool, version=None) -> PageChange:
    return PageChange.objects.create(
        article=article,
        kind=kind,
        note=note.strip(),
        created_by=user if getattr(user, "pk", None) else None,
        public=public,
        version=version,
    )


# --- sign-off pinned to the text ---------------------------------------------------------------
def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_next_review(day: date | None = None) -> date:
    return add_months(day or timezone.localdate(), 12)


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
    article.reviewed_fingerprint = article.current_fingerprint()
    if publish:
        article.status = Status.PUBLISHED
    article_save(
        article=article,
        change=SIGN_OFF,
        user=user,
        note=note,
        reason=f"Signed off by {reviewer}" + (" and published" if publish else ""),
    )


# --- slugs never break --------------------------------------------------------------------
def article_path(slug: str, *, language: str = "en") -> str:
    with override(language):
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


def _update_redirects(*, old_slug: str | None, new_slug: str, language: str = "en") -> None:
    site = Site.objects.get_current()
    new_path = article_path(new_slug, language=language)
    Redirect.objects.filter(site=site, old_path=new_path).delete()  # this address is live again
    if old_slug and old_slug != new_slug:
        old_path = article_path(old_slug, language=language)
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
# What the sign-off screen compares between the text the public reads and the working copy.
PUBLIC_TEXT_DIFF = tuple(
    (name, label) for name, label in DIFF_FIELDS if name in ("title", "summary", "updated_on", "body")
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
        if not getattr(obj, "reviewer_id", None):
            return "Not reviewed"
        if getattr(obj, "reviewed_fingerprint", "") != getattr(obj, "fingerprint", ""):
            return "Clinical changes awaiting sign-off"
        return "Signed off"
    value = getattr(obj, name, "")
    if name == "status":
        return dict(Status.choices).get(value, value)
    return "" if value is None else str(value)


def changes_between(old, new, *, fields=DIFF_FIELDS) -> list[FieldChange]:
    """What differs between two versions (revisions, articles or published pages), field by field."""
    changes = []
    for name, label in fields:
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
    saved = timezone.localtime(revision.history_date)
    article_save(
        article=article, change=RESTORE, user=user, reason=f"Restored the version saved {saved:%d %b %Y %H:%M}"
    )


def deleted_revisions():
    """The last revision of each deleted article (newest deletion first)."""
    history = Article.history.model.objects
    live = Article.objects.values("pk")
    return history.filter(history_type="-").exclude(id__in=live).order_by("-history_date")


def recover_deleted(revision, *, user) -> Article:
    """Bring back a deleted article as it was (as a draft unless `user` may publish its text)."""
    if Article.objects.filter(pk=revision.id).exists():
        raise ValueError("This article is not deleted.")
    if Article.objects.filter(language=revision.language, slug=revision.slug).exists():
        raise ValueError(f"Another article now uses the address /tms/{revision.slug}/; change its slug first.")
    article = revision.instance
    if article.status == Status.PUBLISHED and not (user.has_perm(PUBLISH_PERM) and article.has_current_sign_off):
        article.status = Status.DRAFT
    article_save(article=article, change=RECOVER, user=user, reason="Recovered after deletion")
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
    outdated = list(outdated_translations())
    if outdated:
        lines.append("Translations out of date (their English page has changed since they were made from it):")
    for translation in outdated:
        since = f"{translation.source_updated_on:%Y-%m-%d}" if translation.source_updated_on else "unknown"
        lines.append(f"  {translation.language}  /{translation.language}/tms/{translation.slug}/  {translation.title}  "
                     f"(from the English text of {since})")  # fmt: skip
    return ReviewReport(lines=lines, overdue=overdue)


def translation_is_outdated(translation: Article) -> bool:
    """The English page's public text has changed since this translation was made from it."""
    english = PublishedPage.objects.filter(article=translation.source, language="en").only("fingerprint").first()
    return english is not None and english.fingerprint != translation.source_fingerprint


def outdated_translations():
    """Translations whose English page's public text has changed since they were made from it."""
    from django.db.models import OuterRef, Subquery

    english = PublishedPage.objects.filter(article=OuterRef("source"), language="en").values("fingerprint")[:1]
    return (
        Article.objects.filter(source__isnull=False)
        .annotate(english_fingerprint=Subquery(english))
        .exclude(english_fingerprint__isnull=True)
        .exclude(english_fingerprint=models.F("source_fingerprint"))
        .select_related("source")
        .order_by("source_updated_on", "slug")
    )
