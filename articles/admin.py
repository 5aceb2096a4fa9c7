from django.contrib import admin
from markdownx.admin import MarkdownxModelAdmin

from .models import Article, Reviewer


@admin.register(Reviewer)
class ReviewerAdmin(admin.ModelAdmin):
    list_display = ("name", "credentials", "role")
    search_fields = ("name", "credentials", "role")


@admin.register(Article)
class ArticleAdmin(MarkdownxModelAdmin):
    list_display = ("title", "status", "topic", "order", "reviewer", "reviewed_on", "next_review_due", "reading_grade")
    list_filter = ("status", "topic", "reviewer", "next_review_due")
    search_fields = ("title", "slug", "summary", "body")
    list_select_related = ("reviewer",)
    readonly_fields = ("reading_grade", "word_count", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "status", "topic", "order", "updated_on")}),
        ("Text", {"fields": ("body",), "description": "Markdown. The preview shows exactly what readers will see."}),
        ("Medical review", {"fields": ("reviewer", "reviewed_on", "next_review_due")}),
        ("Writing aids", {"fields": ("reading_grade", "word_count", "created_at", "updated_at")}),
    )
    prepopulated_fields = {"slug": ("title",)}

    class Media:
        css = {"all": ("css/admin-preview.css",)}
