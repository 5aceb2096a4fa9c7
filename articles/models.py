from __future__ import annotations

import hashlib
from datetime import date

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from markdownx.models import MarkdownxField

from .markdown import BodyParts, present_body, reading_text, render_markdown
from .readability import reading_grade
from .topics import TOPICS


def body_fingerprint(body: str) -> str:
    """A fingerprint of the exact text a reviewer approved (line endings normalised)."""
    normalised = "\n".join(line.rstrip() for line in (body or "").replace("\r\n", "\n").split("\n"))
    return hashlib.sha256(normalised.strip().encode("utf-8")).hexdigest()


class Reviewer(models.Model):
    name = models.CharField(max_length=200)
    credentials = models.CharField(max_length=200, help_text="For example: MD, board-certified psychiatrist")
    role = models.CharField(max_length=200, blank=True)
    profile_url = models.URLField(blank=True, help_text="Licence or profile page")
    conflicts_of_interest = models.TextField(blank=True, help_text="Declared conflicts, or leave empty for none")

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

    updated_on = models.DateField(default=date.today, help_text="Shown to readers as 'Last updated'")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["topic_rank", "order", "title"]
        indexes = [models.Index(fields=["status", "topic_rank", "order"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.render()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", kwargs={"slug": self.slug})

    # --- derived fields: computed here, once per save ---------------------------------------
    def render(self) -> None:
        rendered = render_markdown(self.body)
        self.body_html = rendered.html
        self.toc = rendered.toc
        self.plain_text = rendered.text
        self.word_count = len(rendered.text.split())
        self.reading_grade = reading_grade(reading_text(self.body))
        self.topic_rank = [key for key, _ in TOPICS].index(self.topic) if self.topic in dict(TOPICS) else 99

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
    def section_ids(self) -> set[str]:
        """Every section id a link or QR code may point at."""
        return {entry["id"] for entry in self.toc}
