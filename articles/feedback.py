"""Reader feedback: "Was this page helpful?" and "Report a problem", private by design.

``feedback_receive(request)`` takes one POST from the form at the end of every article page (or
the site-wide form the footer's "Report an error" opens) and answers with an ``Outcome`` the view
renders: a thank-you, a follow-up question after a "No", or a refusal with a clear reason. The
cheap checks come first and a refused post reads and writes no database row:

1. size (``Content-Length`` over ``MAX_BODY_BYTES``: refused before the body is read), a form's
   encoding, and origin (``Origin`` / ``Sec-Fetch-Site`` / ``Referer`` must be this site: the
   form has no CSRF cookie, so public pages stay cacheable);
2. at most ``TMSINFO_FEEDBACK_PER_HOUR`` posts an hour per client, counted in the "feedback"
   cache under a salted hash of the client's address whose salt changes every day (never stored
   in the database, never reversible once the day is over);
3. a honeypot field that people never see, then the form itself (a reason from a fixed list, at
   most ``MAX_TEXT`` characters, a section of the page).

What is stored: the page, its language and the published version the reader saw, the section,
the reason, the text with emails and phone numbers removed (articles/scrub.py), the date, and a
flag when the text has words that may mean the reader is in danger (articles/distress.py); then
the thank-you page leads with the crisis lines. docs/feedback.md explains the whole design.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.core.exceptions import SuspiciousOperation
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from tmsinfo.security import client_ip

from . import distress, scrub
from .models import Feedback, PublishedPage
from .workflow import add_months

MAX_TEXT = 500
# A full form with 500 characters that each take 9 bytes when percent-encoded is under 5 kB.
MAX_BODY_BYTES = 8 * 1024
RATE_WINDOW_SECONDS = 60 * 60
RETENTION_MONTHS = 12
HONEYPOT = "website"
# A "No" and the report that follows it are one entry: the report carries this signed token.
FOLLOW_UP_SALT = "articles.feedback.follow-up"
FOLLOW_UP_SECONDS = 60 * 60
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

Reason = Feedback.Reason


# --- the form -------------------------------------------------------------------------------------
class FeedbackForm(forms.Form):
    """One post from either form: a yes or no (``helpful``), or a problem report (a reason and
    text), about ``page`` or, without one, about the site as a whole."""

    helpful = forms.ChoiceField(choices=[("yes", _("Yes")), ("no", _("No"))], required=False)
    section = forms.ChoiceField(choices=[("", _("The whole page"))], required=False)
    reason = forms.ChoiceField(choices=Reason.choices, required=False, widget=forms.RadioSelect)
    text = forms.CharField(required=False, strip=False, widget=forms.Textarea)

    def __init__(self, data=None, *, page: PublishedPage | None = None, section: str = "", **kwargs):
        super().__init__(data, **kwargs)
        self.page = page
        self.fields["section"].choices = section_choices(page)
        # The section a "Report a problem with this section" link named (?section=), if the page has it.
        self.chosen_section = section if section and page is not None and section in page.section_ids else ""
        self.fields["section"].initial = self.chosen_section

    def clean_text(self) -> str:
        text = (self.cleaned_data.get("text") or "").replace("\r\n", "\n").replace("\r", "\n")
        text = _CONTROL_CHARACTERS.sub("", text).strip()
        if len(text) > MAX_TEXT:
            raise forms.ValidationError(
                _("Please keep your message to %(limit)s characters or fewer. It has %(count)s."),
                params={"limit": MAX_TEXT, "count": len(text)},
                code="too_long",
            )
        return text

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("helpful") and not (cleaned.get("reason") or cleaned.get("text")):
            raise forms.ValidationError(_("Please choose what the problem is, or write a few words about it."))
        return cleaned

    @property
    def sections(self):
        """(id, label, selected) for the template's section list."""
        chosen = self["section"].value() or ""
        return [(value, label, value == chosen) for value, label in self.fields["section"].choices]


def section_choices(page: PublishedPage | None) -> list[tuple[str, str]]:
    """The whole page, then each section and subsection of it, in page order."""
    if page is None:
        return [("", _("The whole page"))]
    return [("", _("The whole page"))] + [
        (entry["id"], ("\u2013 " if entry["level"] > 2 else "") + entry["title"]) for entry in page.toc
    ]


# --- what a post gets back ------------------------------------------------------------------------
THANKS, ASK_MORE, REFUSED = "thanks", "ask_more", "refused"


@dataclass
class Outcome:
    """What the view shows: ``kind`` THANKS, ASK_MORE (after a "No": what was wrong?) or
    REFUSED (``message`` says why; ``form``, when there is one, keeps what the reader wrote)."""

    kind: str
    status: int = 200
    page: PublishedPage | None = None
    form: FeedbackForm | None = None
    message: str = ""
    danger: bool = False
    follow_up: str = ""  # the signed token a report after a "No" sends back
    text: str = ""  # what the reader wrote, shown back when there is no form to keep it in
    retry_after: int | None = None
    helpful: bool | None = None

    @property
    def title(self) -> str:
        if self.kind == ASK_MORE:
            return _("Thank you. What was wrong?")
        if self.kind == THANKS:
            return _("Thank you for telling us")
        return _("Your message was not sent")


def refused(message, *, status: int = 400, **extra) -> Outcome:
    return Outcome(kind=REFUSED, status=status, message=message, **extra)


# --- the checks, cheapest first ------------------------------------------------------------------
def body_size_problem(request) -> Outcome | None:
    """Refuse a body that is too large, or not a plain form, before reading any of it."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return refused(_("We could not read this message."), status=400)
    if length > MAX_BODY_BYTES:
        return refused(
            _(
                "Your message is too long to send. Please go back, keep it to %(limit)s characters or fewer, "
                "and send it again."
            )
            % {"limit": MAX_TEXT},
            status=413,
        )
    if request.content_type not in FORM_CONTENT_TYPES:
        return refused(_("We could not read this message. Please send it from the form on the page."), status=400)
    return None


def site_origins(request) -> set[str]:
    """The origins a post may come from: the public address, this request's own, trusted ones."""
    origins = {f"{request.scheme}://{request.get_host()}"}
    for url in (settings.SITE_URL, *getattr(settings, "CSRF_TRUSTED_ORIGINS", ())):
        parts = urlsplit(url)
        if parts.scheme and parts.netloc and "*" not in parts.netloc:
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return origins


def comes_from_this_site(request) -> bool:
    """The post was sent by a page of this site, as the browser tells: ``Sec-Fetch-Site`` when
    it is sent, ``Origin`` when it is sent, else the ``Referer``. None of them: refused."""
    fetch_site = request.META.get("HTTP_SEC_FETCH_SITE")
    if fetch_site is not None and fetch_site != "same-origin":
        return False
    origin = request.META.get("HTTP_ORIGIN")
    if origin is not None:
        return origin in site_origins(request)
    if fetch_site == "same-origin":
        return True
    referer = urlsplit(request.META.get("HTTP_REFERER", ""))
    return bool(referer.netloc) and f"{referer.scheme}://{referer.netloc}" in site_origins(request)


def client_key(request, *, today: date | None = None) -> str:
    """Who is posting, as a key that says nothing: an HMAC of the client's address with a salt
    made from the secret key and today's date, so yesterday's keys cannot be matched to anyone."""
    today = today or timezone.localdate()
    salt = hmac.new(settings.SECRET_KEY.encode(), f"feedback:{today.isoformat()}".encode(), hashlib.sha256).digest()
    return hmac.new(salt, client_ip(request).encode(), hashlib.sha256).hexdigest()[:32]


def over_the_limit(request) -> bool:
    """Count this post; True past TMSINFO_FEEDBACK_PER_HOUR in the hour since the client's
    first. An unreachable cache lets posts through (readers are never blocked by an outage)."""
    cache = caches["feedback"]
    key = f"posts:{client_key(request)}"
    try:
        cache.add(key, 0, timeout=RATE_WINDOW_SECONDS)
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        count = 1
    except Exception:  # noqa: BLE001 (a cache outage must not stop readers)
        return False
    return count > settings.TMSINFO_FEEDBACK_PER_HOUR


def current_language() -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]


def page_for(data, language: str) -> tuple[PublishedPage | None, bool]:
    """The published page a post names (``page``: its article's id) and whether it was found.
    No ``page``: about the site as a whole."""
    wanted = (data.get("page") or "").strip()
    if not wanted:
        return None, True
    if not wanted.isdigit():
        return None, False
    page = PublishedPage.objects.in_language(language).filter(article_id=int(wanted)).first()
    return page, page is not None


def version_seen(page: PublishedPage, posted: str) -> int | None:
    """The published version the reader saw: the current one or an earlier public one."""
    if not posted:
        return page.version
    if not posted.isdigit():
        return None
    version = int(posted)
    earlier = PublishedPage.history.filter(article_id=page.article_id, language=page.language, version=version)
    if version == page.version or earlier.exists():
        return version
    return None


# --- receiving a post ---------------------------------------------------------------------------
def feedback_receive(request) -> Outcome:
    """Check, clean and store one post (see the module docstring for the order of the checks)."""
    problem = body_size_problem(request)
    if problem is not None:
        return problem
    if not comes_from_this_site(request):
        return refused(
            _("We could not accept this message because it was not sent from a page of this website."), status=403
        )
    limited = over_the_limit(request)
    try:
        data = request.POST
    except SuspiciousOperation:  # more fields than Django reads
        return refused(_("We could not read this message. Please send it from the form on the page."))
    danger = distress.signals_danger(data.get("text", ""))
    if limited:  # answered without a database query: a flood costs the database nothing
        return refused(
            _(
                "You have sent several messages in the last hour, so we did not send this one. "
                "Please try again later. Your message is below, so you can copy it."
            ),
            status=429,
            retry_after=RATE_WINDOW_SECONDS,
            danger=danger,
            text=data.get("text", "")[:MAX_BODY_BYTES],
        )
    language = current_language()
    page, found = page_for(data, language)
    form = FeedbackForm(data, page=page)
    if data.get(HONEYPOT):
        cleared = data.copy()
        cleared[HONEYPOT] = ""
        return refused(
            _(
                "Your message was not sent, because a field that should stay empty was filled in (some browsers "
                "do this on their own). Please check your message below and send it again."
            ),
            form=FeedbackForm(cleared, page=page),
            page=page,
            danger=danger,
        )
    if not found:
        return refused(
            _("We could not find the page this message is about. You can send it to us about the whole site below."),
            form=FeedbackForm(data, page=None),
            danger=danger,
        )
    version = version_seen(page, data.get("version", "")) if page is not None else None
    if page is not None and version is None:
        return refused(_("We could not read this message. Please send it again."), form=form, page=page, danger=danger)
    if not form.is_valid():
        return refused(_("Please check your message."), form=form, page=page, danger=danger)
    entry = store(form.cleaned_data, page=page, version=version, language=language, follow_up=data.get("after", ""))
    if entry.helpful is False and not entry.is_problem_report:
        return Outcome(
            kind=ASK_MORE, page=page, form=FeedbackForm(page=page), follow_up=follow_up_token(entry), helpful=False
        )
    return Outcome(kind=THANKS, page=page, danger=entry.flagged, helpful=entry.helpful)


def store(cleaned: dict, *, page, version, language: str, follow_up: str = "") -> Feedback:
    """Save one entry (or complete the "No" that ``follow_up`` names), scrubbed and flagged."""
    text = scrub.scrub(cleaned["text"])
    values = {
        "section": cleaned["section"] if page is not None else "",
        "reason": cleaned["reason"],
        "text": text,
        "flagged": distress.signals_danger(cleaned["text"]),
    }
    earlier = answered_no(follow_up, page=page, version=version, language=language)
    if earlier is not None and (values["reason"] or values["text"]):
        for name, value in values.items():
            setattr(earlier, name, value)
        earlier.save(update_fields=list(values))
        return earlier
    helpful = {"yes": True, "no": False}.get(cleaned["helpful"])
    return Feedback.objects.create(
        article_id=page.article_id if page else None, language=language, version=version, helpful=helpful, **values
    )


def follow_up_token(entry: Feedback) -> str:
    return signing.dumps(entry.pk, salt=FOLLOW_UP_SALT)


def answered_no(token: str, *, page, version, language: str) -> Feedback | None:
    """The "No" a report follows: signed by us within the hour, same page, not yet explained."""
    if not token or page is None:
        return None
    try:
        pk = signing.loads(token, salt=FOLLOW_UP_SALT, max_age=FOLLOW_UP_SECONDS)
    except signing.BadSignature:
        return None
    return Feedback.objects.filter(
        pk=pk, article_id=page.article_id, language=language, version=version, helpful=False, reason="", text=""
    ).first()


# --- for editors ------------------------------------------------------------------------------
def new_problem_reports():
    """Problem reports (a reason or a text) nobody has handled yet."""
    return Feedback.objects.filter(handled=False).exclude(reason="", text="")


def by_page_and_version():
    """One row per page, language and published version: yes and no answers, problem reports by
    reason, new (unhandled) reports and flagged ones; pages with flagged, then new reports first."""
    report = ~Q(reason="", text="")
    counts = {
        "yes": Count("pk", filter=Q(helpful=True)),
        "no": Count("pk", filter=Q(helpful=False)),
        "reports": Count("pk", filter=report),
        "new": Count("pk", filter=report & Q(handled=False)),
        "flagged": Count("pk", filter=Q(flagged=True, handled=False)),
        **{f"reason_{value}": Count("pk", filter=Q(reason=value)) for value in Reason.values},
    }
    return (
        Feedback.objects.values("article_id", "article__title", "article__slug", "language", "version")
        .annotate(**counts)
        .order_by("-flagged", "-new", "article__title", "language", "-version")
    )


def problem_report_lines() -> list[str]:
    """For ``manage.py review_report``: pages with new problem reports, flagged ones first."""
    rows = (
        new_problem_reports()
        .values("article__slug", "article__title")
        .annotate(new=Count("pk"), flagged=Count("pk", filter=Q(flagged=True)))
        .order_by("-flagged", "-new", "article__title")
    )
    lines = ["New problem reports from readers (not yet handled):"]
    for row in rows:
        where = f"/tms/{row['article__slug']}/  {row['article__title']}" if row["article__slug"] else "the whole site"
        flagged = f", {row['flagged']} FLAGGED (may be in danger)" if row["flagged"] else ""
        lines.append(f"  {row['new']:>4} new{flagged}  {where}")
    if len(lines) == 1:
        lines.append("  none")
    return lines


def delete_expired(*, today: date | None = None, months: int = RETENTION_MONTHS) -> int:
    """Delete entries received more than ``months`` months before ``today``; how many went."""
    cutoff = add_months(today or timezone.localdate(), -months)
    deleted, _ = Feedback.objects.filter(received_on__lt=cutoff).delete()
    return deleted
