from __future__ import annotations

import hashlib
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField
from simple_history.models import HistoricalRecords

from . import codesystems
from .derived import Derived, derive
from .topics import TOPICS


def text_fingerprint(*, title: str, summary: str, body: str) -> str:
    """A fingerprint of the exact text a reviewer approves: title, summary and body (line endings
    and trailing spaces normalised)."""

    def normalised(text: str) -> str:
        lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
        return "\n".join(line.rstrip() for line in lines).strip()

    joined = "\x00".join(normalised(part) for part in (title, summary, body))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


class StaleArticle(Exception):
    """Raised when an article is saved from an out-of-date copy (someone else saved first)."""


class Reviewer(models.Model):
    name = models.CharField(max_length=200)
    credentials = models.CharField(max_length=200, help_text="For example: MD, board-certified psychiatrist")
    role = models.CharField(max_length=200, blank=True)
    profile_url = models.URLField(blank=True, help_text="Licence or profile page")
    conflicts_of_interest = models.TextField(blank=True, help_text="Declared conflicts, or leave empty for none")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviewer_profile",
        help_text="The admin account that signs off as this reviewer",
    )
    # Who the public is told approved a page: every change is kept, with who made it (the
    # administrators' history view of a reviewer; only administrators may change one).
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name", "credentials"], name="unique_reviewer")]

    def __str__(self) -> str:
        return f"{self.name}, {self.credentials}"


class ArticleQuerySet(models.QuerySet):
    """Editors' working copies. The public never reads these: see PublishedPage."""

    def published(self) -> ArticleQuerySet:
        """Articles whose status is published (each has a PublishedPage the public reads)."""
        return self.filter(status=Article.Status.PUBLISHED)

    def in_reading_order(self) -> ArticleQuerySet:
        return self.order_by("topic_rank", "order", "title")

    def review_due(self, *, within_days: int = 30, today: date | None = None) -> ArticleQuerySet:
        """Published, reviewed pages whose next review falls within `within_days` or has passed."""
        today = today or timezone.localdate()
        return (
            self.published()
            .filter(reviewer__isnull=False, next_review_due__lte=today + timedelta(days=within_days))
            .select_related("reviewer")
            .order_by("next_review_due", "title")
        )

    def awaiting_sign_off(self) -> ArticleQuerySet:
        """Pages a reviewer should look at: submitted for review, or published with a clinical
        change (a reviewed text that no longer matches the fingerprint the reviewer approved)."""
        return self.filter(
            models.Q(status=Article.Status.IN_REVIEW)
            | models.Q(status=Article.Status.PUBLISHED, reviewer__isnull=False, reviewed_on__isnull=False)
            & ~models.Q(reviewed_fingerprint=models.F("fingerprint"))
        ).order_by("updated_at")


class Article(models.Model):
    """An editor's working copy of a page. Saved only through ``workflow.article_save``, which
    also writes what the public reads (``PublishedPage``) when the public text changes."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    # English pages are the originals; a Spanish page is its own record, translating one of them.
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en", editable=False)
    source = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="translations", editable=False,
        help_text="The English page this translates",
    )  # fmt: skip
    # The English text this translation was made from: text_fingerprint() and its "updated on".
    source_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    source_updated_on = models.DateField(null=True, blank=True, editable=False)
    slug = models.SlugField(max_length=100, help_text="Part of the page address: /tms/<slug>/")
    title = models.CharField(max_length=200)
    summary = models.CharField(
        max_length=160, help_text="One plain sentence, at most 160 characters. Also the search-engine description."
    )
    body = MarkdownxField(help_text="Markdown. Start with '## Key points {#key-points}'; end with '## References'.")
    body_html = models.TextField(editable=False, default="")
    toc = models.JSONField(editable=False, default=list)
    plain_text = models.TextField(editable=False, default="")
    reading_grade = models.FloatField(editable=False, null=True)  # Flesch-Kincaid, English pages
    reading_ease = models.FloatField(editable=False, null=True)  # INFLESZ (Szigriszt-Pazos), Spanish pages
    word_count = models.PositiveIntegerField(editable=False, default=0)
    # text_fingerprint() of title, summary and body as saved (compared with reviewed_fingerprint).
    fingerprint = models.CharField(max_length=64, editable=False, default="")

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    topic = models.CharField(max_length=40, choices=TOPICS)
    topic_rank = models.PositiveSmallIntegerField(editable=False, default=0)
    order = models.PositiveIntegerField(default=0, help_text="Position within the topic")

    reviewer = models.ForeignKey(Reviewer, null=True, blank=True, on_delete=models.PROTECT, related_name="articles")
    reviewed_on = models.DateField(null=True, blank=True)
    next_review_due = models.DateField(null=True, blank=True)
    # text_fingerprint() of the text the reviewer approved. While it differs from `fingerprint`,
    # a clinical change waits for sign-off and the public reads the last approved text.
    reviewed_fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    updated_on = models.DateField(default=date.today, help_text="Shown to readers as 'Last updated'")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ArticleQuerySet.as_manager()
    # Revisions keep what editors wrote; what is derived from it is made again on restore.
    history = HistoricalRecords(excluded_fields=["body_html", "toc", "plain_text"])

    class Meta:
        ordering = ["language", "topic_rank", "order", "title"]
        indexes = [models.Index(fields=["status", "topic_rank", "order"])]
        constraints = [models.UniqueConstraint(fields=["language", "slug"], name="unique_slug_per_language")]
        permissions = [
            ("sign_off_article", "Can sign off an article's medical content"),
            ("publish_article", "Can publish and archive articles"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, derived: Derived | None = None, **kwargs):
        """Derive the stored fields and refuse a save from an out-of-date copy. Nothing else:
        the editorial rules and what the public reads are ``workflow.article_save``'s.
        ``derived``: the body's derived values, made ahead (see ``render``)."""
        self.render(derived)
        if not self._state.adding:
            # Optimistic locking: only the copy that was read at the current version may save.
            moved = type(self).objects.filter(pk=self.pk, version=self.version).update(version=self.version + 1)
            if not moved:
                raise StaleArticle(f"'{self.title}' was changed by someone else since it was opened.")
            self.version += 1
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        with translation.override(self.language):
            return reverse("articles:detail", kwargs={"slug": self.slug})

    @property
    def is_translation(self) -> bool:
        return self.source_id is not None

    # --- derived fields: computed here, once per save ---------------------------------------
    def render(self, derived: Derived | None = None) -> None:
        """Fill the fields derived from the text. ``derived`` may be made ahead (a large import
        makes them in parallel); it is used only if it was made from exactly this body."""
        if derived is None or derived.body != self.body or derived.language != self.language:
            derived = derive(self.body, language=self.language)
        self.body_html = derived.html
        self.toc = derived.toc
        self.plain_text = derived.text
        self.word_count = derived.word_count
        self.reading_grade = derived.reading_grade
        self.reading_ease = derived.reading_ease
        self.topic_rank = [key for key, _ in TOPICS].index(self.topic) if self.topic in dict(TOPICS) else 99
        self.fingerprint = self.current_fingerprint()

    def current_fingerprint(self) -> str:
        """The fingerprint of the text as it stands on this instance (saved or not)."""
        return text_fingerprint(title=self.title, summary=self.summary, body=self.body)

    # --- review state -----------------------------------------------------------------------
    @property
    def is_reviewed(self) -> bool:
        return bool(self.reviewer_id and self.reviewed_on)

    @property
    def has_current_sign_off(self) -> bool:
        """A clinician signed off exactly the text as it stands now."""
        return self.is_reviewed and self.reviewed_fingerprint == self.current_fingerprint()

    @property
    def has_pending_changes(self) -> bool:
        """A published, signed-off page whose text has changed since: a clinical change waits for
        sign-off, and the public still reads the approved text."""
        return self.is_public and self.is_reviewed and not self.has_current_sign_off

    @property
    def is_review_overdue(self) -> bool:
        return self.is_reviewed and self.next_review_due is not None and self.next_review_due < timezone.localdate()

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED


class PublishedPageQuerySet(models.QuerySet):
    def in_language(self, language: str = "en") -> PublishedPageQuerySet:
        return self.filter(language=language)


class PublishedPage(models.Model):
    """What the public reads of one page in one language: everything any public reader shows.

    Written only by ``workflow.article_save``, at the moments the public text changes (publishing,
    sign-off, an editorial change to a signed-off page, any saved change to a published page no
    clinician has reviewed, a slug, topic or order change); deleted when the page is archived or
    unpublished. Every public reader (pages, handouts, QR codes, lists, search, sitemaps, feed,
    JSON-LD) reads these rows and never ``Article``. docs/published-record.md explains it.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="published_pages")
    language = models.CharField(max_length=8, default="en")
    version = models.PositiveIntegerField(help_text="The article version whose text this is")
    fingerprint = models.CharField(max_length=64)  # text_fingerprint() of title, summary and body
    published_at = models.DateTimeField(default=timezone.now)

    slug = models.SlugField(max_length=100)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=160)
    topic = models.CharField(max_length=40, choices=TOPICS)
    topic_rank = models.PositiveSmallIntegerField(default=0)
    order = models.PositiveIntegerField(default=0)
    updated_on = models.DateField()
    body = models.TextField(help_text="The approved markdown (what export writes and history keeps)")

    # Made from the body when this record is written; requests never parse HTML.
    key_points = models.TextField(blank=True)
    main = models.TextField(blank=True)
    references = models.TextField(blank=True)
    toc = models.JSONField(default=list)
    text = models.TextField(blank=True, help_text="What search reads")
    # Spanish pages only: the words of title, summary and text as Spanish stems, which the Spanish
    # search index reads (SQLite has no Spanish stemmer of its own; articles/stems.py).
    search_title = models.TextField(blank=True)
    search_summary = models.TextField(blank=True)
    search_text = models.TextField(blank=True)
    citations = models.JSONField(default=list)
    handout_size = models.CharField(max_length=20, blank=True)

    # The review as the sign-off named it (a later edit of the reviewer's profile changes nothing here).
    reviewer_name = models.CharField(max_length=200, blank=True)
    reviewer_credentials = models.CharField(max_length=200, blank=True)
    reviewer_url = models.URLField(blank=True)
    reviewed_on = models.DateField(null=True, blank=True)
    next_review_due = models.DateField(null=True, blank=True)

    # Editions: the languages this page is published in (for the language link and hreflang), and
    # for a translation, the English text it was made from and whether the English page has since
    # changed (the page then says so at the top). Kept by the workflow when either page changes.
    languages = models.JSONField(default=list)
    source_fingerprint = models.CharField(max_length=64, blank=True)
    source_updated_on = models.DateField(null=True, blank=True)
    outdated = models.BooleanField(default=False)

    objects = PublishedPageQuerySet.as_manager()
    # Every public version stays reachable: the text, its review and when it went public.
    history = HistoricalRecords(
        excluded_fields=[
            "key_points",
            "main",
            "references",
            "toc",
            "text",
            "citations",
            "languages",
            "outdated",
            "search_title",
            "search_summary",
            "search_text",
        ]  # fmt: skip
    )

    class Meta:
        ordering = ["language", "topic_rank", "order", "title"]
        constraints = [
            models.UniqueConstraint(fields=["article", "language"], name="one_published_page_per_language"),
            models.UniqueConstraint(fields=["language", "slug"], name="unique_published_slug"),
        ]
        indexes = [
            models.Index(fields=["language", "topic_rank", "order", "title"], name="published_reading_order"),
            models.Index(fields=["language", "updated_on"], name="published_updated"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        with translation.override(self.language):
            return reverse("articles:detail", kwargs={"slug": self.slug})

    def url_in(self, language: str) -> str:
        """This page's address in another edition (the same slug), whether or not it is published there."""
        with translation.override(language):
            return reverse("articles:detail", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        """False for the unsaved copy the staff preview renders from a working copy."""
        return self.pk is not None

    @property
    def is_reviewed(self) -> bool:
        return bool(self.reviewer_name and self.reviewed_on)

    @property
    def is_review_overdue(self) -> bool:
        return self.is_reviewed and self.next_review_due is not None and self.next_review_due < timezone.localdate()

    @property
    def contents(self) -> list[dict]:
        """The contents list: second-level sections, without the key points."""
        return [entry for entry in self.toc if entry["level"] == 2 and entry["id"] != "key-points"]

    @property
    def section_ids(self) -> set[str]:
        """Every section id a link or QR code may point at."""
        return {entry["id"] for entry in self.toc}

    def public_history(self):
        """The public change log: dated entries for changes the public can read."""
        return PageChange.objects.filter(article_id=self.article_id, public=True).order_by("-date", "-pk")


class PageChange(models.Model):
    """One line of the public page history: "12 Mar 2027 · clinical · added theta-burst timing"."""

    class Kind(models.TextChoices):
        CLINICAL = "clinical", "Clinical"
        EDITORIAL = "editorial", "Editorial"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="page_changes")
    date = models.DateField(default=timezone.localdate)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    note = models.CharField(max_length=200, help_text="One plain line for readers")
    public = models.BooleanField(
        default=False, help_text="Shown on the page. A clinical change's note appears once it is signed off."
    )
    # The published version (PublishedPage.version) this entry went public with: a handout printed
    # at an older version lists it as a change since (articles/versions.py). Empty while waiting,
    # and for entries made public before versions were recorded (older than any versioned handout).
    version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = "page history entry"
        verbose_name_plural = "page history entries"

    def __str__(self) -> str:
        return f"{self.date:%d %b %Y} · {self.get_kind_display().lower()} · {self.note}"


class CodeMapEntry(models.Model):
    """One health-record code and the pages that answer it at /connect/ (docs/connect.md).

    Kept by editors in the admin and in ``content/code-map.yaml``; read by articles/connect.py.
    An entry with no pages answers nothing on purpose, and an ICD-10-CM code below it does not
    fall back to its parent: that is how a code where TMS is not a treatment gives nothing.
    """

    system = models.CharField(max_length=40, choices=codesystems.CHOICES)
    code = models.CharField(
        max_length=codesystems.MAX_CODE_LENGTH,
        help_text="As the code system writes it, for example F33.1 (ICD-10-CM), 370143000 (SNOMED CT) or 90868 (CPT)",
    )
    name = models.CharField(max_length=255, help_text="The code system's own name for this code")
    note = models.CharField(max_length=300, blank=True, help_text="For editors: why this code answers these pages")
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["system", "code"]
        verbose_name = "code map entry"
        verbose_name_plural = "code map"
        constraints = [models.UniqueConstraint(fields=["system", "code"], name="unique_code_map_entry")]

    def __str__(self) -> str:
        return f"{self.get_system_display()} {self.code}: {self.name}"

    def clean(self) -> None:
        """Store the code in the one way /connect/ looks it up (f331 becomes F33.1)."""
        system = codesystems.BY_OID.get(self.system)
        if system is None:
            return  # the choices check reports it
        canonical = system.canonical(self.code)
        if canonical is None:
            raise ValidationError(
                {"code": f"This is not written the way {system.name} writes its codes (for example {system.example})."}
            )
        self.code = canonical


class CodeMapPage(models.Model):
    """One page in a code map entry's answer; ``position`` orders them, best first."""

    entry = models.ForeignKey(CodeMapEntry, on_delete=models.CASCADE, related_name="pages")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="code_map_pages")
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "page"
        constraints = [models.UniqueConstraint(fields=["entry", "article"], name="unique_code_map_page")]

    def __str__(self) -> str:
        return self.article.title


class Feedback(models.Model):
    """What one reader told us about one published page (or about the site as a whole).

    Private by design: the page, the language and published version the reader saw, the section,
    a reason from a fixed list, the text with email addresses and phone numbers removed, and the
    day it came. Nothing about the reader: no address, cookie, browser or account. Entries go
    after 12 months (``manage.py delete_old_feedback``). docs/feedback.md explains it.
    """

    class Reason(models.TextChoices):
        HARD_TO_UNDERSTAND = "unclear", _("It is hard to understand")
        WRONG = "wrong", _("Something is wrong or out of date")
        BROKEN_LINK = "link", _("A link does not work")
        MISSING = "missing", _("Something is missing")
        OTHER = "other", _("Something else")

    # Empty: about the site as a whole (the footer's "Report an error").
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.CASCADE, related_name="feedback")
    language = models.CharField(max_length=8, default="en")
    version = models.PositiveIntegerField(null=True, blank=True, help_text="The published version the reader saw")
    helpful = models.BooleanField(null=True, blank=True, help_text="“Was this page helpful?”: yes, no, or not asked")
    section = models.CharField(max_length=100, blank=True, help_text="A section id of the page")
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    text = models.TextField(blank=True, help_text="As the reader wrote it, emails and phone numbers removed")
    received_on = models.DateField(default=timezone.localdate)
    flagged = models.BooleanField(default=False, help_text="The text has words that may mean the reader is in danger")
    handled = models.BooleanField(default=False)

    class Meta:
        # Flagged entries first, then new ones, newest first.
        ordering = ["handled", "-flagged", "-received_on", "-pk"]
        verbose_name = "reader feedback"
        verbose_name_plural = "reader feedback"
        indexes = [
            models.Index(fields=["article", "language", "version"], name="feedback_per_version"),
            models.Index(fields=["handled", "flagged"], name="feedback_new"),
            models.Index(fields=["received_on"], name="feedback_received"),
        ]

    # Saving feedback changes no public page: the page cache keeps its pages (articles/caching.py).
    changes_public_pages = False

    def __str__(self) -> str:
        what = self.get_reason_display() or {True: "Helpful", False: "Not helpful"}.get(self.helpful, "Feedback")
        return f"{what} · {self.article or 'the whole site'} · {self.received_on:%d %b %Y}"

    @property
    def is_problem_report(self) -> bool:
        """A reason or a text (a plain yes or no needs no handling)."""
        return bool(self.reason or self.text)
