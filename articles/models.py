from __future__ import annotations

import copy
import hashlib
from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from markdownx.models import MarkdownxField
from simple_history.models import HistoricalRecords

from .derived import Derived, derive
from .handout import handout_size
from .markdown import BodyParts, html_to_text, present_body, render_markdown
from .search import strip_marks
from .topics import TOPICS


def body_fingerprint(body: str) -> str:
    """A fingerprint of the exact text a reviewer approved (line endings normalised)."""
    normalised = "\n".join(line.rstrip() for line in (body or "").replace("\r\n", "\n").split("\n"))
    return hashlib.sha256(normalised.strip().encode("utf-8")).hexdigest()


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
    def published(self) -> ArticleQuerySet:
        """The one definition of what the public may see."""
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
        """Pages a reviewer should look at: submitted for review, or published with a clinical change."""
        return self.filter(
            models.Q(status=Article.Status.IN_REVIEW)
            | models.Q(status=Article.Status.PUBLISHED) & ~models.Q(approved_body="")
        ).order_by("updated_at")


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    slug = models.SlugField(max_length=100, unique=True, help_text="Part of the page address: /tms/<slug>/")
    title = models.CharField(max_length=200)
    summary = models.CharField(
        max_length=160, help_text="One plain sentence, at most 160 characters. Also the search-engine description."
    )
    body = MarkdownxField(help_text="Markdown. Start with '## Key points {#key-points}'; end with '## References'.")
    body_html = models.TextField(editable=False, default="")
    toc = models.JSONField(editable=False, default=list)
    plain_text = models.TextField(editable=False, default="")
    reading_grade = models.FloatField(editable=False, null=True)
    word_count = models.PositiveIntegerField(editable=False, default=0)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    topic = models.CharField(max_length=40, choices=TOPICS)
    topic_rank = models.PositiveSmallIntegerField(editable=False, default=0)
    order = models.PositiveIntegerField(default=0, help_text="Position within the topic")

    reviewer = models.ForeignKey(Reviewer, null=True, blank=True, on_delete=models.PROTECT, related_name="articles")
    reviewed_on = models.DateField(null=True, blank=True)
    next_review_due = models.DateField(null=True, blank=True)
    reviewed_fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    # The last approved text, kept while a clinical change waits for a fresh sign-off. Empty when
    # the public reads the current text. See articles/workflow.py and docs/editorial-workflow.md.
    approved_title = models.CharField(max_length=200, blank=True, editable=False)
    approved_summary = models.CharField(max_length=160, blank=True, editable=False)
    approved_body = models.TextField(blank=True, editable=False)
    approved_body_html = models.TextField(blank=True, editable=False)
    approved_toc = models.JSONField(default=list, blank=True, editable=False)
    approved_updated_on = models.DateField(null=True, blank=True, editable=False)

    updated_on = models.DateField(default=date.today, help_text="Shown to readers as 'Last updated'")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ArticleQuerySet.as_manager()
    # Revisions keep what editors wrote; what is derived from it is made again on restore.
    history = HistoricalRecords(
        excluded_fields=["body_html", "toc", "plain_text", "approved_body_html", "approved_toc"]
    )

    class Meta:
        ordering = ["topic_rank", "order", "title"]
        indexes = [models.Index(fields=["status", "topic_rank", "order"])]
        permissions = [
            ("sign_off_article", "Can sign off an article's medical content"),
            ("publish_article", "Can publish and archive articles"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, derived: Derived | None = None, **kwargs):
        """Save, keeping the workflow's rules, the derived fields and the search index in step.
        ``derived``: the body's derived values, made ahead (see ``render``)."""
        from . import workflow

        if getattr(self, "_is_public_copy", False):
            raise TypeError("public_version() returns a read-only copy; save the article itself.")
        adding = self._state.adding
        previous = None if adding else workflow.loaded_state(self)
        if previous is not None:
            workflow.apply_text_change(self, previous, kind=getattr(self, "_change_kind", None))
        self.render(derived)
        if not adding:
            # Optimistic locking: only the copy that was read at the current version may save.
            moved = type(self).objects.filter(pk=self.pk, version=self.version).update(version=self.version + 1)
            if not moved:
                raise StaleArticle(f"'{self.title}' was changed by someone else since it was opened.")
            self.version += 1
        super().save(*args, **kwargs)
        workflow.after_save(self, previous)
        SearchEntry.refresh(self, created=adding)
        deferred = self.get_deferred_fields()
        self._loaded = {name: getattr(self, name) for name in workflow.TRACKED_FIELDS if name not in deferred}
        self._change_kind = None

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", kwargs={"slug": self.slug})

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)
        # What was loaded, so save() can tell what changed (text, slug) without another query.
        instance._loaded = dict(zip(field_names, values, strict=True))
        return instance

    # --- derived fields: computed here, once per save ---------------------------------------
    def render(self, derived: Derived | None = None) -> None:
        """Fill the fields derived from the body. ``derived`` may be made ahead (a large import
        makes them in parallel); it is used only if it was made from exactly this body."""
        if derived is None or derived.body != self.body:
            derived = derive(self.body)
        self.body_html = derived.html
        self.toc = derived.toc
        self.plain_text = derived.text
        self.word_count = derived.word_count
        self.reading_grade = derived.reading_grade
        self.topic_rank = [key for key, _ in TOPICS].index(self.topic) if self.topic in dict(TOPICS) else 99
        if self.approved_body:
            approved = render_markdown(self.approved_body)
            self.approved_body_html, self.approved_toc = approved.html, approved.toc
        else:
            self.approved_body_html, self.approved_toc = "", []

    # --- what the public reads -------------------------------------------------------------
    @property
    def has_pending_changes(self) -> bool:
        """A clinical change waits for sign-off; the public still reads the approved text."""
        return bool(self.approved_body)

    @property
    def has_current_sign_off(self) -> bool:
        """A clinician signed off exactly the text as it stands now."""
        return (
            self.is_reviewed
            and not self.has_pending_changes
            and self.reviewed_fingerprint == body_fingerprint(self.body)
        )

    def public_version(self) -> Article:
        """The article as the public sees it: itself, or, while a clinical change waits for
        sign-off, a read-only copy carrying the last approved text (and the same review fields,
        which always describe that approved text)."""
        if not self.has_pending_changes:
            return self
        shown = copy.copy(self)
        shown.title = self.approved_title
        shown.summary = self.approved_summary
        shown.body = self.approved_body
        shown.body_html = self.approved_body_html
        # Not carried (lists make public versions on every request): SearchEntry, its one
        # reader, makes the approved text from body_html when it indexes the page.
        shown.plain_text = ""
        shown.toc = self.approved_toc
        shown.updated_on = self.approved_updated_on or self.updated_on
        shown.approved_title = shown.approved_summary = shown.approved_body = ""
        shown.__dict__.pop("body_parts", None)  # derived from body_html: recompute for the copy
        shown._is_public_copy = True
        return shown

    def public_history(self):
        """The public change log: dated entries for changes the public can read."""
        return self.page_changes.filter(public=True).order_by("-date", "-pk")

    # --- review state -----------------------------------------------------------------------
    @property
    def is_reviewed(self) -> bool:
        return bool(self.reviewer_id and self.reviewed_on)

    @property
    def is_review_overdue(self) -> bool:
        return self.is_reviewed and self.next_review_due is not None and self.next_review_due < timezone.localdate()

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def contents(self) -> list[dict]:
        """The contents list: second-level sections, without the key points."""
        return [entry for entry in self.toc if entry["level"] == 2 and entry["id"] != "key-points"]

    @cached_property
    def body_parts(self) -> BodyParts:
        """The stored body as the public page shows it: key points, main text, references."""
        return present_body(self.body_html)

    @property
    def handout_size(self) -> str:
        """The printed handout's type step ("", "long", "very-long"): smaller for longer pages."""
        return handout_size(self.body_html)

    @property
    def section_ids(self) -> set[str]:
        """Every section id a link or QR code may point at."""
        return {entry["id"] for entry in self.toc}


class SearchEntry(models.Model):
    """What site search reads: the public text of one published page, and nothing else.

    Kept by ``Article.save()`` (deleted with the article). The database indexes it: an FTS5 table
    on SQLite, a weighted ``tsvector`` column with a GIN index on PostgreSQL (migration 0004).
    A page waiting for sign-off of a clinical change is indexed by its approved text only.
    """

    article = models.OneToOneField(Article, primary_key=True, on_delete=models.CASCADE, related_name="search_entry")
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=160)
    text = models.TextField()

    def __str__(self) -> str:
        return self.title

    @classmethod
    def values_for(cls, article: Article) -> dict | None:
        """The indexed values of an article, or None when the public cannot read it."""
        if not article.is_public:
            return None
        shown = article.public_version()
        text = article.plain_text if shown is article else html_to_text(shown.body_html)
        return {"title": strip_marks(shown.title), "summary": strip_marks(shown.summary), "text": strip_marks(text)}

    @classmethod
    def refresh(cls, article: Article, *, created: bool = False) -> None:
        """Index what the public now reads of ``article`` (``created``: it was just added)."""
        values = cls.values_for(article)
        if created:
            if values is not None:
                cls.objects.create(article_id=article.pk, **values)
        elif values is None:
            cls.objects.filter(article_id=article.pk).delete()
        else:
            cls.objects.update_or_create(article_id=article.pk, defaults=values)


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
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = "page history entry"
        verbose_name_plural = "page history entries"

    def __str__(self) -> str:
        return f"{self.date:%d %b %Y} · {self.get_kind_display().lower()} · {self.note}"
