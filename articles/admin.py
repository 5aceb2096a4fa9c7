"""The editorial admin: roles, status moves, sign-off, history and restore, no lost work.

The rules are in articles/workflow.py; this module only shows them and calls them. Every check
the screen makes (hidden buttons, limited status choices) is made again on the server.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.http import urlencode
from markdownx.admin import MarkdownxModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from . import connect, feedback, views, workflow
from .markdown import RenderLimitError, render_markdown
from .models import Article, CodeMapEntry, CodeMapPage, Feedback, PageChange, Reviewer, StaleArticle
from .publishing import preview_page
from .readability import writing_aids
from .sharing import article_url

Status = Article.Status


def literal_help_texts(model, fields) -> dict[str, str]:
    """The model's help texts for a ModelForm's Meta, escaped. The admin shows help texts as HTML
    (it marks them safe, on editable and read-only fields alike), so "/tms/<slug>/" would lose its
    "<slug>" as an unknown tag; escaped, addresses read literally. No model change is needed."""
    return {name: escape(text) for name in fields if (text := model._meta.get_field(name).help_text)}


@admin.register(Reviewer)
class ReviewerAdmin(SimpleHistoryAdmin):
    """Reviewer profiles: the name and credentials the public reads on every page a reviewer
    signed off, and the account that may sign as them. Only administrators add, change or delete
    one (whatever permissions a group holds); others with view permission may read them. Every
    change is kept in the profile's history, with who made it."""

    list_display = ("name", "credentials", "role", "user")
    search_fields = ("name", "credentials", "role")
    readonly_fields = ("signed_off_pages",)
    history_list_display = ("name", "credentials", "profile_url", "user")
    object_history_list_template = "admin/articles/reviewer/object_history_list.html"  # without an inline style

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    @admin.display(description="Published pages signed off")
    def signed_off_pages(self, obj: Reviewer) -> str:
        if not obj.pk:
            return "None yet."
        pages = list(Article.objects.published().filter(reviewer=obj).order_by("title").values_list("title", flat=True))
        if not pages:
            return "None. Changes are kept in this profile's history."
        return (
            f"{len(pages)} published page(s) name this reviewer: {', '.join(pages)}. A change to the name or "
            "credentials changes what those pages tell readers; every change is kept in this profile's history."
        )

    def save_model(self, request, obj, form, change):
        if change and form.changed_data:
            obj._change_reason = ("Changed " + ", ".join(form.changed_data))[:100]
        super().save_model(request, obj, form, change)
        shown_fields = {"name", "credentials"} & set(form.changed_data)
        published = Article.objects.published().filter(reviewer=obj).count() if change else 0
        if shown_fields and published:
            messages.warning(
                request,
                f"{published} published page(s) now show the changed {' and '.join(sorted(shown_fields))} of "
                f"“{obj}”. The change is recorded in this reviewer's history.",
            )


@admin.register(PageChange)
class PageChangeAdmin(admin.ModelAdmin):
    list_display = ("date", "article", "kind", "note", "public")
    list_filter = ("kind", "public")
    search_fields = ("note", "article__title")
    list_select_related = ("article",)
    readonly_fields = ("article", "public", "created_by", "created_at")
    fields = ("article", "date", "kind", "note", "public", "created_by", "created_at")

    def has_add_permission(self, request):
        return False  # entries are written with the change they describe, from the article form

    def get_readonly_fields(self, request, obj=None):
        # Once readers can see an entry, its date and kind are part of the page's public record:
        # a correction is a new entry (written with the next change), never a rewritten one.
        if obj is not None and obj.public:
            return (*self.readonly_fields, "date", "kind")
        return self.readonly_fields


# --- the article form -----------------------------------------------------------------------
class ArticleForm(forms.ModelForm):
    request = None  # set by ArticleAdmin.get_form

    # The article version this edit started from (optimistic locking; see _check_version).
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    change_kind = forms.ChoiceField(
        label="This change is",
        choices=[
            (
                workflow.CLINICAL,
                "Clinical: changes what the page says about health or treatment (needs a fresh sign-off)",
            ),
            (workflow.EDITORIAL, "Editorial: a typo, a link, wording or layout only (the sign-off stays)"),
        ],
        initial=workflow.CLINICAL,
        widget=forms.RadioSelect,
        required=False,
    )
    public_note = forms.CharField(
        label="Public note",
        max_length=200,
        required=False,
        help_text="Optional. One plain line for the page history readers see, e.g. “Added what to expect at the "
        "first visit”. A clinical change's note appears once it is signed off.",
    )

    take_redirected_address = forms.BooleanField(
        label="Use this address anyway; the old redirect is removed",
        required=False,
        help_text="Links, handouts and QR codes made for the page that had this address will open this page.",
    )
    follows_english = forms.BooleanField(
        label="This translation now says what the English page says",
        required=False,
        help_text="Tick when you have brought the translation up to date with the English page as it reads now. "
        "Until then the Spanish page tells readers that the English page has changed since.",
    )

    class Meta:
        model = Article
        fields = ("title", "slug", "summary", "body", "status", "topic", "order", "updated_on")
        help_texts = literal_help_texts(Article, fields)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        self.old_status = self.instance.status if self.instance.pk else None
        self.fields["base_version"].initial = self.instance.version
        if "status" in self.fields:
            self.fields["status"].choices = workflow.status_choices(
                self.instance, self.request.user, old_status=self.old_status
            )
            if not self.instance.pk:
                self.fields["status"].initial = Status.DRAFT

    def clean_body(self):
        """Text past a rendering limit (articles/markdown.py) is refused with the reason; the
        editor's text stays in the form."""
        body = self.cleaned_data.get("body", "")
        try:
            render_markdown(body)
        except RenderLimitError as exc:
            raise ValidationError(str(exc), code="render_limit") from None
        return body

    def clean(self):
        cleaned = super().clean()
        self._check_redirected_address(cleaned)
        if self.instance.pk:
            self._check_version(cleaned.get("base_version"))
        return cleaned

    def _check_redirected_address(self, cleaned: dict) -> None:
        """An address that still forwards an old page's links elsewhere is taken only when the
        editor says so (the redirect is then removed as the page saves)."""
        slug = cleaned.get("slug")
        if not slug or cleaned.get("take_redirected_address"):
            return
        redirect = workflow.redirect_in_the_way(slug, article=self.instance)
        if redirect is not None:
            self.add_error(
                "slug",
                ValidationError(
                    f"/tms/{slug}/ is an old address of another page: it forwards to {redirect.new_path}. Links, "
                    "handouts and QR codes made with it would open this page instead. Choose another address, or "
                    "tick “Use this address anyway” to take it.",
                    code="redirected_address",
                ),
            )

    def _check_version(self, submitted: int | None) -> None:
        current = Article.objects.filter(pk=self.instance.pk).first()
        if current is None or submitted == current.version:
            return
        started = Article.history.filter(id=current.pk, version=submitted).order_by("-history_id").first()
        latest = Article.history.filter(id=current.pk).select_related("history_user").order_by("-history_id").first()
        self.conflict = {
            "changes": workflow.changes_between(started, current) if started else [],
            "by": latest.history_user if latest else None,
            "at": latest.history_date if latest else None,
        }
        # The next save merges on top of what is stored now; the editor's own text stays in the form.
        data = self.data.copy()
        data["base_version"] = current.version
        self.data = data
        raise ValidationError(
            "Someone else saved this article while you were editing it. Your text is still in the form below. "
            "Compare it with their changes (shown above), merge, and save again.",
            code="stale",
        )

    def _post_clean(self):
        super()._post_clean()  # copies the form onto self.instance
        if self.instance.is_translation:
            self._check_translation()
        if "status" in self.cleaned_data:
            problem = workflow.move_problem(
                self.instance, self.cleaned_data["status"], self.request.user, old_status=self.old_status
            )
            if problem:
                self.add_error("status", problem)

    def _check_translation(self) -> None:
        """A translation lives at its English page's address and keeps its section ids."""
        translation = self.instance
        workflow.follow_source(translation)
        if self.cleaned_data.get("follows_english") or not translation.pk:
            workflow.mark_translation_current(translation)
        stored = Article.objects.filter(pk=translation.pk).values_list("toc", flat=True).first()
        for problem in workflow.translation_problems(translation, stored_toc=stored):
            self.add_error("body" if "body" in self.fields else None, problem)


def _admin_url(name: str, *args) -> str:
    return reverse(f"admin:articles_article_{name}", args=args)


@admin.register(Article)
class ArticleAdmin(MarkdownxModelAdmin):
    form = ArticleForm
    list_display = (
        "title",
        "status",
        "sign_off",
        "topic",
        "order",
        "reviewer",
        "reviewed_on",
        "next_review_due",
        "reading_grade",
        "language",
        "translation_state",
    )
    list_filter = ("language", "status", "topic", "reviewer", "next_review_due")
    search_fields = ("title", "slug", "summary", "body")
    list_select_related = ("reviewer",)
    readonly_fields = (
        "translation_state",
        "sign_off_state",
        "reviewer",
        "reviewed_on",
        "next_review_due",
        "writing_aids",
        "created_at",
        "updated_at",
    )
    prepopulated_fields = {"slug": ("title",)}
    change_form_template = "admin/articles/article/change_form.html"

    def view_on_site(self, obj: Article) -> str:
        """The page at the site's own address (TMSINFO_SITE_URL), not at the Sites framework's
        placeholder domain that Django's "View on site" would send editors to."""
        return article_url(obj)

    change_list_template = "admin/articles/article/change_list.html"

    class Media:
        css = {"all": ("css/admin-preview.css", "css/admin-workflow.css")}
        js = ("js/admin-writing-aids.js", "js/admin-preview.js")

    def _source_for(self, request, obj=None) -> Article | None:
        """The English page a translation (being made or edited) translates."""
        if obj is not None:
            return obj.source
        source_id = request.GET.get("source") or request.POST.get("source")
        return Article.objects.filter(pk=source_id, language="en").first() if str(source_id or "").isdigit() else None

    def get_fieldsets(self, request, obj=None):
        this_change = ("change_kind", "public_note", "base_version") if obj else ("public_note", "base_version")
        if self._source_for(request, obj) is not None:
            return (
                (None, {"fields": ("translation_state", "title", "summary")}),
                (
                    "Text",
                    {"fields": ("body",), "description": "Markdown. Keep every {#id} exactly as on the English page."},
                ),  # fmt: skip
                ("Writing aids", {"fields": ("writing_aids",)}),
                ("Publishing", {"fields": ("status", "updated_on", "follows_english")}),
                (
                    "Medical review",
                    {
                        "fields": ("sign_off_state", "reviewer", "reviewed_on", "next_review_due"),
                        "description": "A bilingual clinician signs off the Spanish text with “Approve and publish”.",
                    },
                ),
                ("This change", {"fields": this_change}),
            )
        address = ("slug",)
        if request.method == "POST" and workflow.redirect_in_the_way(request.POST.get("slug", ""), article=obj):
            address = ("slug", "take_redirected_address")  # offered once the editor has been told
        return (
            (None, {"fields": ("title", *address, "summary")}),
            (
                "Text",
                {
                    "fields": ("body",),
                    "description": "Markdown. The preview shows exactly what readers will see. Also: “- [ ] Question?” "
                    "makes a tick box; “[[scale: A | B | C]]” before a list makes a row of choices per item; "
                    "“[[icon-array: 14 | about 14 in 100]]” draws 100 people, 14 filled; “[[table-cards]]” before "
                    "a table makes it cards on a phone (docs/decision-aids.md).",
                },
            ),
            ("Writing aids", {"fields": ("writing_aids",)}),
            ("Publishing", {"fields": ("status", "topic", "order", "updated_on")}),
            (
                "Medical review",
                {
                    "fields": ("sign_off_state", "reviewer", "reviewed_on", "next_review_due"),
                    "description": "Set by a medical reviewer with “Approve and publish”.",
                },
            ),
            ("This change", {"fields": this_change}),
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        source = self._source_for(request, obj)

        class Form(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, **inner)
                if source is not None and self.instance.source_id is None:  # a new translation
                    self.instance.source, self.instance.language = source, "es"

        Form.request = request
        Form.__name__ = form.__name__
        return Form

    def get_prepopulated_fields(self, request, obj=None):
        return {} if self._source_for(request, obj) is not None else super().get_prepopulated_fields(request, obj)

    def get_changeform_initial_data(self, request):
        """A new translation starts from its English page's text, sections and ids."""
        initial = super().get_changeform_initial_data(request)
        source = self._source_for(request)
        if source is not None:
            initial.update(title=source.title, summary=source.summary, body=source.body, status=Status.DRAFT)
        return initial

    @admin.display(description="Translation")
    def translation_state(self, obj: Article) -> str:
        """For a translation: which English page, and whether it says what that page says now."""
        if obj is None or not obj.pk or not obj.is_translation:
            source = obj.source if obj is not None and obj.source_id else None
            return f"Spanish translation of “{source}”" if source else ""
        if workflow.translation_is_outdated(obj):
            return f"Out of date: the English page has changed since the text of {obj.source_updated_on:%d %b %Y}"
        return f"Up to date with the English page of {obj.source_updated_on:%d %b %Y}"

    # --- read-only displays ----------------------------------------------------------------
    @admin.display(description="Sign-off")
    def sign_off(self, obj: Article) -> str:
        if obj.has_pending_changes:
            return "Changes awaiting sign-off"
        if obj.has_current_sign_off:
            return "Overdue" if obj.is_review_overdue else "Current"
        return "Not reviewed"

    @admin.display(description="Sign-off")
    def sign_off_state(self, obj: Article) -> str:
        if not obj.pk:
            return "Not reviewed yet."
        if obj.has_pending_changes:
            return (
                f"Signed off by {obj.reviewer} on {obj.reviewed_on:%d %b %Y}, but the text has clinical changes since. "
                "The public still reads the approved text until a reviewer signs off again."
            )
        if obj.has_current_sign_off:
            overdue = " The next review is overdue." if obj.is_review_overdue else ""
            return f"Current: {obj.reviewer} approved this exact text on {obj.reviewed_on:%d %b %Y}.{overdue}"
        return "No clinician has signed off this text."

    @admin.display(description="Writing aids")
    def writing_aids(self, obj: Article) -> str:
        return render_to_string(
            "admin/articles/article/writing_aids.html",
            {
                "aids": writing_aids(obj.body or "", obj.language),
                "url": _admin_url("writing_aids"),
                "language": obj.language,
            },
        )

    # --- saving ----------------------------------------------------------------------------
    def save_model(self, request, obj, form, change):
        kind = (form.cleaned_data.get("change_kind") or workflow.CLINICAL) if change else workflow.CLINICAL
        text_changed = any(name in form.changed_data for name in workflow.TEXT_FIELDS)
        if not change:
            reason = "Created"
        elif text_changed:
            reason = f"{kind.capitalize()} change"
        else:
            reason = "Changed " + ", ".join(form.changed_data)[:80] if form.changed_data else "Saved"
        if change and form.old_status != obj.status:
            reason += f"; {Status(form.old_status).label} → {obj.get_status_display()}"
        workflow.article_save(
            article=obj, change=kind, user=request.user, note=form.cleaned_data.get("public_note", ""), reason=reason
        )
        if change and text_changed and obj.has_pending_changes and kind == workflow.CLINICAL:
            messages.warning(
                request,
                "This clinical change waits for a medical reviewer's sign-off. Until then the public reads the "
                "last approved text.",
            )

    def delete_model(self, request, obj):
        obj._history_user = request.user
        obj._change_reason = "Deleted"
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    # --- extra screens ------------------------------------------------------------------------
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("writing-aids/", wrap(self.writing_aids_view), name="articles_article_writing_aids"),
            path("recover/", wrap(self.recover_list_view), name="articles_article_recover_list"),
            path("recover/<int:history_id>/", wrap(self.recover_view), name="articles_article_recover"),
            path("<path:object_id>/sign-off/", wrap(self.sign_off_view), name="articles_article_sign_off"),
            path("<path:object_id>/preview/", wrap(self.preview_view), name="articles_article_preview"),
            path("<path:object_id>/history/compare/", wrap(self.compare_view), name="articles_article_compare"),
            path(
                "<path:object_id>/history/<int:history_id>/restore/",
                wrap(self.restore_view),
                name="articles_article_restore",
            ),
            *super().get_urls(),
        ]

    def _article_or_404(self, request, object_id, *, need: str = "view") -> Article:
        article = self.get_object(request, object_id)
        if article is None:
            raise Http404("No such article")
        allowed = {
            "view": self.has_view_or_change_permission(request, article),
            "change": self.has_change_permission(request, article),
        }[need]
        if not allowed:
            raise PermissionDenied
        return article

    def _context(self, request, article: Article | None, title: str, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "original": article,
            "title": title,
            **extra,
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if article is not None:
            extra["can_sign_off"] = request.user.has_perm(workflow.SIGN_OFF_PERM) and article.status in (
                Status.IN_REVIEW,
                Status.PUBLISHED,
            )
            extra["can_publish"] = request.user.has_perm(workflow.PUBLISH_PERM)
            if not article.is_translation:
                extra["translations"] = list(article.translations.all())
                extra["add_translation_url"] = f"{_admin_url('add')}?source={article.pk}"
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleArticle:
            # Someone saved between this form's version check and its write (the transaction was
            # rolled back): validating again shows the usual conflict, with the editor's text.
            return super().changeform_view(request, object_id, form_url, extra_context)

    def preview_view(self, request, object_id):
        article = self._article_or_404(request, object_id)
        return views._article_response(request, article.slug, working_copy=True)

    @staticmethod
    def writing_aids_view(request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not (request.user.has_perm("articles.change_article") or request.user.has_perm("articles.add_article")):
            raise PermissionDenied
        html = render_to_string(
            "admin/articles/article/writing_aids_panel.html",
            {
                "aids": writing_aids(
                    request.POST.get("body", ""), "es" if request.POST.get("language") == "es" else "en"
                )
            },  # noqa: E501
        )
        response = HttpResponse(html)
        response["Cache-Control"] = "no-store"
        return response

    # --- sign-off ------------------------------------------------------------------------------
    def sign_off_view(self, request, object_id):
        article = self._article_or_404(request, object_id)
        if not request.user.has_perm(workflow.SIGN_OFF_PERM):
            raise PermissionDenied
        reviewers = Reviewer.objects.all() if request.user.is_superuser else Reviewer.objects.filter(user=request.user)
        can_publish = request.user.has_perm(workflow.PUBLISH_PERM)
        form = SignOffForm(request.POST or None, reviewers=reviewers, article=article)
        if request.method == "POST" and form.is_valid():
            publish = can_publish and "publish" in request.POST
            try:
                workflow.sign_off(
                    article,
                    reviewer=form.cleaned_data["reviewer"],
                    next_review_due=form.cleaned_data["next_review_due"],
                    note=form.cleaned_data["public_note"],
                    user=request.user,
                    expected_version=form.cleaned_data["version"],
                    publish=publish,
                )
            except StaleArticle as exc:
                messages.error(request, str(exc))
                return HttpResponseRedirect(request.path)
            except (ValueError, PermissionError) as exc:
                messages.error(request, str(exc))
            else:
                done = "signed off and published" if publish else "signed off"
                messages.success(request, f"“{article.title}” is {done}.")
                return HttpResponseRedirect(_admin_url("change", article.pk))
        comparison = article.published_pages.filter(language="en").first() if article.has_pending_changes else None
        context = self._context(
            request,
            article,
            f"Sign off “{article}”",
            form=form,
            can_publish=can_publish,
            signable=article.status in (Status.IN_REVIEW, Status.PUBLISHED),
            changes=workflow.changes_between(comparison, article, fields=workflow.PUBLIC_TEXT_DIFF)
            if comparison
            else [],
            shown=preview_page(article),
        )
        return TemplateResponse(request, "admin/articles/article/sign_off.html", context)

    # --- history, compare, restore, recover ----------------------------------------------------
    def history_view(self, request, object_id, extra_context=None):
        article = self._article_or_404(request, object_id)
        revisions = list(article.history.select_related("history_user").order_by("-history_date", "-history_id"))
        public = article.published_pages.filter(language="en").values_list("fingerprint", flat=True).first()
        context = self._context(
            request,
            article,
            f"History: {article}",
            revisions=revisions,
            public_fingerprint=public,
            can_restore=self.has_change_permission(request, article),
        )
        return TemplateResponse(request, "admin/articles/article/history.html", context)

    def compare_view(self, request, object_id):
        article = self._article_or_404(request, object_id)
        try:
            ids = int(request.GET["from"]), int(request.GET["to"])
        except (KeyError, ValueError):
            messages.error(request, "Choose two revisions to compare.")
            return HttpResponseRedirect(_admin_url("history", article.pk))
        records = {r.history_id: r for r in article.history.filter(history_id__in=ids).select_related("history_user")}
        if len(records) != len(set(ids)):
            raise Http404("No such revision")
        older, newer = sorted((records[i] for i in ids), key=lambda r: r.history_id)
        context = self._context(
            request,
            article,
            f"Compare revisions: {article}",
            older=older,
            newer=newer,
            changes=workflow.changes_between(older, newer),
            can_restore=self.has_change_permission(request, article),
        )
        return TemplateResponse(request, "admin/articles/article/compare.html", context)

    def restore_view(self, request, object_id, history_id):
        article = self._article_or_404(request, object_id, need="change")
        revision = get_object_or_404(article.history, history_id=history_id)
        if request.method == "POST":
            workflow.restore_revision(article, revision, user=request.user)
            note = " It needs a fresh sign-off." if article.has_pending_changes else ""
            messages.success(
                request, f"Restored the text of {timezone.localtime(revision.history_date):%d %b %Y %H:%M}.{note}"
            )
            return HttpResponseRedirect(_admin_url("change", article.pk))
        restored = revision.instance
        for name in ("slug", "status", "reviewer_id", "reviewed_on", "next_review_due", "updated_on"):
            setattr(restored, name, getattr(article, name))
        context = self._context(
            request,
            article,
            f"Restore an earlier version of “{article}”",
            revision=revision,
            changes=workflow.changes_between(article, restored),
        )
        return TemplateResponse(request, "admin/articles/article/restore.html", context)

    def recover_list_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        seen, deleted = set(), []
        for revision in workflow.deleted_revisions().select_related("history_user"):
            if revision.id not in seen:
                seen.add(revision.id)
                deleted.append(revision)
        context = self._context(request, None, "Recover deleted articles", deleted=deleted)
        return TemplateResponse(request, "admin/articles/article/recover_list.html", context)

    def recover_view(self, request, history_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_add_permission(request):
            raise PermissionDenied
        revision = get_object_or_404(workflow.deleted_revisions(), history_id=history_id)
        try:
            article = workflow.recover_deleted(revision, user=request.user)
        except ValueError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(_admin_url("recover_list"))
        state = "" if article.is_public else f" as “{article.get_status_display()}”"
        messages.success(request, f"Recovered “{article.title}”{state}.")
        return HttpResponseRedirect(_admin_url("change", article.pk))


class SignOffForm(forms.Form):
    reviewer = forms.ModelChoiceField(queryset=Reviewer.objects.none(), empty_label=None)
    next_review_due = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Usually 12 months from today.",
    )
    public_note = forms.CharField(
        label="Public note",
        max_length=200,
        required=False,
        help_text="Optional. One line for the page history, e.g. “Reviewed and updated side effects”.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, reviewers, article: Article, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers
        self.fields["next_review_due"].initial = workflow.default_next_review()
        self.fields["version"].initial = article.version

    def clean_next_review_due(self):
        due = self.cleaned_data["next_review_due"]
        if due <= timezone.localdate():
            raise ValidationError("The next review must be after today.")
        if due > workflow.add_months(timezone.localdate(), 36):
            raise ValidationError("Set the next review within three years.")
        return due


# --- the code map (/connect/) ---------------------------------------------------------------
class CodeMapPageInline(admin.TabularInline):
    model = CodeMapPage
    fields = ("position", "article")
    autocomplete_fields = ("article",)
    extra = 1
    verbose_name = "page"
    verbose_name_plural = (
        "Pages, best first (lowest position first). Readers get the first three that are published. "
        "No pages: this code gets no answer on purpose, and an ICD-10-CM code below it does not fall "
        "back to its parent."
    )


@admin.register(CodeMapEntry)
class CodeMapEntryAdmin(admin.ModelAdmin):
    """Which pages answer a health-record code at /connect/ (docs/connect.md). Every change is
    kept in history; ``manage.py export_content`` writes the map to content/code-map.yaml."""

    list_display = ("code", "system", "name", "answer_now", "updated_at")
    list_filter = ("system",)
    search_fields = ("code", "name", "note")
    fields = ("system", "code", "name", "note", "answer_now")
    readonly_fields = ("answer_now",)
    inlines = (CodeMapPageInline,)

    @admin.display(description="Answers now with")
    def answer_now(self, obj: CodeMapEntry) -> str:
        """What /connect/ answers for this code today: only published pages, at most three."""
        if not obj.pk:
            return "Save to see the answer."
        slugs = [page.article.slug for page in obj.pages.select_related("article")]
        if not slugs:
            return "Nothing, on purpose (no pages)."
        _, pages = connect.public_pages(slugs)
        if not pages:
            return "Nothing yet: none of these pages is published."
        return "; ".join(page.title for page in pages[: connect.MAX_ENTRIES])

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        obj._change_reason = "Changed in the admin" if change else "Added in the admin"
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:  # saved and deleted pages alike are form instances
            inline_form.instance._history_user = request.user
        super().save_formset(request, form, formset, change)

    def delete_model(self, request, obj):
        obj._history_user = request.user
        obj._change_reason = "Deleted in the admin"
        super().delete_model(request, obj)


# --- reader feedback ------------------------------------------------------------------------
class FeedbackKindFilter(admin.SimpleListFilter):
    title = "kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return (("reports", "Problem reports"), ("answers", "Yes/no answers only"))

    def queryset(self, request, queryset):
        if self.value() == "reports":
            return queryset.exclude(reason="", text="")
        if self.value() == "answers":
            return queryset.filter(reason="", text="")
        return queryset


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    """What readers told us (articles/feedback.py, docs/feedback.md): flagged entries first, then
    new ones. Editors and medical reviewers read it and mark it handled; nobody adds an entry or
    edits what a reader wrote. "By page and version" counts answers and reports per version."""

    list_display = ("received_on", "flag", "page", "version", "language", "answer", "reason", "section_link",
                    "message", "handled")  # fmt: skip
    list_display_links = ("received_on",)
    list_filter = ("handled", "flagged", FeedbackKindFilter, "reason", "helpful", "language")
    search_fields = ("text", "article__title", "article__slug")
    list_select_related = ("article",)
    list_per_page = 50
    actions = ("mark_handled", "mark_not_handled")
    fields = ("article", "language", "version", "section", "helpful", "reason", "text", "received_on", "flagged",
              "handled")  # fmt: skip
    readonly_fields = ("article", "language", "version", "section", "helpful", "reason", "text", "received_on",
                       "flagged")  # fmt: skip
    change_list_template = "admin/articles/feedback/change_list.html"

    def has_add_permission(self, request):
        return False  # entries come from readers only

    @admin.display(description="Flag", ordering="-flagged")
    def flag(self, obj: Feedback) -> str:
        return "\u2691 Flagged" if obj.flagged else ""

    @admin.display(description="Page", ordering="article__title")
    def page(self, obj: Feedback) -> str:
        return obj.article.title if obj.article_id else "(the whole site)"

    @admin.display(description="Helpful?", ordering="helpful")
    def answer(self, obj: Feedback) -> str:
        return {True: "Yes", False: "No"}.get(obj.helpful, "")

    @admin.display(description="Section", ordering="section")
    def section_link(self, obj: Feedback) -> str:
        """The section on the page as the public reads it now."""
        if not (obj.section and obj.article_id):
            return obj.section
        return format_html('<a href="{}#{}">{}</a>', obj.article.get_absolute_url(), obj.section, obj.section)

    @admin.display(description="Message")
    def message(self, obj: Feedback) -> str:
        return obj.text if len(obj.text) <= 200 else obj.text[:200].rstrip() + "\u2026"

    @admin.action(description="Mark as handled", permissions=["change"])
    def mark_handled(self, request, queryset):
        done = queryset.update(handled=True)
        self.message_user(request, f"{done} feedback entr{'y' if done == 1 else 'ies'} marked as handled.")

    @admin.action(description="Mark as not handled", permissions=["change"])
    def mark_not_handled(self, request, queryset):
        done = queryset.update(handled=False)
        self.message_user(request, f"{done} feedback entr{'y' if done == 1 else 'ies'} marked as not handled.")

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("by-page/", wrap(self.by_page_view), name="articles_feedback_by_page"),
            *super().get_urls(),
        ]

    def by_page_view(self, request):
        """Per page, language and published version: yes and no, reports by reason, new and flagged."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        rows = feedback.by_page_and_version()
        if request.GET.get("article", "").isdigit():
            rows = rows.filter(article_id=int(request.GET["article"]))
        page = Paginator(rows, 50).get_page(request.GET.get("p"))
        changelist = reverse("admin:articles_feedback_changelist")
        for row in page:
            lookup = {"article__id__exact": row["article_id"]} if row["article_id"] else {"article__isnull": "True"}
            lookup.update({"language__exact": row["language"]})
            if row["version"] is not None:
                lookup["version__exact"] = row["version"]
            row["entries_url"] = f"{changelist}?{urlencode(lookup)}"
            row["reasons"] = [(label, row[f"reason_{value}"]) for value, label in Feedback.Reason.choices]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "title": "Reader feedback by page and version",
            "page_obj": page,
            "reasons": Feedback.Reason.choices,
        }
        return TemplateResponse(request, "admin/articles/feedback/by_page.html", context)
