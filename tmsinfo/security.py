"""Security helpers that Django does not ship: a Permissions-Policy header, a read-only public
site (but for the feedback form), bad requests answered with a page that carries the footer
(crisis lines and disclaimer), the editor's preview endpoint answering 404 to anyone but staff,
and the client address the login throttle and feedback count by.

Django's own middleware sends CSP, HSTS, nosniff, Referrer-Policy and COOP (settings.py).
See docs/security.md.
"""

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponseNotAllowed
from django.shortcuts import render

# Powerful browser features this site never uses, switched off for it and anything it embeds.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
        "browsing-topics",
    )
)
SAFE_METHODS = ("GET", "HEAD")


def not_allowed_page(request, allowed=SAFE_METHODS):
    """405 with the site's page around it (Django's HttpResponseNotAllowed is an empty body)."""
    response = render(request, "405.html", status=405)
    response["Allow"] = ", ".join(allowed)
    return response


def _is_editorial(request) -> bool:
    """The admin and the editor's live preview accept forms; the public site does not."""
    match = request.resolver_match
    return match is not None and ("admin" in match.namespaces or match.url_name == "markdownx_markdownify")


class HeadersMiddleware:
    """Permissions-Policy on every response. Listed second in MIDDLEWARE, next to Django's own
    SecurityMiddleware and before WhiteNoise and the page cache, which answer static files and
    cached pages without calling the middleware below them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class SecurityMiddleware:
    """Sits after Django's CSP middleware and before CsrfViewMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self._check_request(request) or self.get_response(request)
        if isinstance(response, HttpResponseNotAllowed) and not response.content:
            allowed = [m.strip() for m in response.get("Allow", "GET, HEAD").split(",") if m.strip()]
            response = not_allowed_page(request, allowed)
        return response

    def _check_request(self, request):
        if len(request.META.get("QUERY_STRING", "")) > settings.MAX_QUERY_STRING_LENGTH:
            return render(request, "400.html", status=414)
        # Parse the query string now, so a malformed one is a 400 page whatever view it reaches.
        try:
            request.GET  # noqa: B018
        except SuspiciousOperation:
            return render(request, "400.html", status=400)
        return None

    def process_view(self, request, view_func, view_args, view_kwargs):
        """The public site is read-only: other methods get a 405 page (before any CSRF check),
        except a POST to a view marked ``accepts_public_posts`` (reader feedback)."""
        if getattr(view_func, "accepts_public_posts", False):
            allowed = (*SAFE_METHODS, "POST")
            return None if request.method in allowed else not_allowed_page(request, allowed)
        if request.method not in SAFE_METHODS and not _is_editorial(request):
            return not_allowed_page(request)
        return None


def accepts_public_posts(view):
    """Mark a public view that takes a POST from anyone (the feedback form). It has no CSRF
    cookie (public pages stay cacheable), so the view checks the origin itself."""
    view.accepts_public_posts = True
    return view


def client_ip(request) -> str:
    """The address login failures are counted by (django-axes' AXES_CLIENT_IP_CALLABLE).

    REMOTE_ADDR, unless DJANGO_TRUSTED_PROXIES says how many proxies of ours stand in front of
    the site: then the address the outermost of them saw, taken from the right of
    X-Forwarded-For (entries further left are whatever the client chose to send)."""
    proxies = settings.TRUSTED_PROXIES
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def lockout_response(request, original_response=None, credentials=None):
    """The page django-axes shows when it refuses a sign-in (AXES_LOCKOUT_CALLABLE): 429, saying
    for how long and how an administrator can unlock the account sooner."""
    from axes.helpers import get_client_username, get_cool_off
    from django.contrib import admin

    cool_off = get_cool_off(request)
    context = {
        **admin.site.each_context(request),
        "username": get_client_username(request, credentials) or "",
        "minutes": int(cool_off.total_seconds() // 60) if cool_off else 0,
    }
    return render(request, "admin/locked_out.html", context, status=429)


def staff_only(view):
    """A view for staff that everyone else gets as a plain 404 page, not a redirect to the login
    page (which would tell a stranger where a custom DJANGO_ADMIN_PATH is)."""
    from functools import wraps

    from django.http import Http404

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not (user.is_active and user.is_staff):
            raise Http404("No such page")
        return view(request, *args, **kwargs)

    return wrapped
