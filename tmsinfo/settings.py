"""TMS Info settings: one file, every value from an environment variable.

See README.md for the table of variables. Debug is off unless DJANGO_DEBUG is set.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random value in production "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 (debug only)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.redirects",
    "django.contrib.sitemaps",
    "markdownx",
    "simple_history",
    "axes",
    "articles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Above WhiteNoise and the page cache, so static files, cached pages, 304s and redirects carry
    # Permissions-Policy and X-Frame-Options too (tmsinfo/security.py).
    "tmsinfo.security.HeadersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The language comes from the address only (/es/...), never from the browser: cached pages
    # stay shared and people choose their language.
    "articles.languages.LanguageFromPathMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous public pages from the page cache, with ETag/Last-Modified/304 (articles/caching.py).
    "articles.caching.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # 405/400 pages with the footer; before CSRF so the public site is read-only.
    "tmsinfo.security.SecurityMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # django.contrib.redirects' fallback, keeping the query string and redirecting a renamed
    # page's handout and QR addresses too (articles/redirects.py).
    "articles.redirects.RedirectFallbackMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses any login while the account or address is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "tmsinfo.urls"
WSGI_APPLICATION = "tmsinfo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Full-text search for /search/ (SearchVector, SearchQuery, SearchRank); SQLite has its own.
    INSTALLED_APPS.append("django.contrib.postgres")

# --- Caching (docs/caching.md) -----------------------------------------------------------------
# REDIS_URL makes Redis the shared cache, so several web nodes agree on cached pages and on
# invalidation; without it each process keeps its own memory cache.
# The "feedback" cache holds only the per-client counts of reader feedback (salted hashes that
# change every day, never an address; articles/feedback.py). It is a cache of its own, so a flood
# of posts cannot push pages out of the page cache.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, keeping one Redis client per connection pool (tmsinfo/cache.py).
            "BACKEND": "tmsinfo.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "tmsinfo",
            # Fail fast: an unreachable Redis slows no page down (pages are then rendered uncached).
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
        "feedback": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "tmsinfo-feedback",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "tmsinfo",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        },
        "feedback": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "tmsinfo-feedback",
            "OPTIONS": {"MAX_ENTRIES": 10000},
        },
    }
# How many messages one client may send in an hour through the feedback form.
TMSINFO_FEEDBACK_PER_HOUR = int(os.environ.get("TMSINFO_FEEDBACK_PER_HOUR", "5"))
# Seconds a rendered public page stays in the server-side page cache (keys change on every edit).
TMSINFO_PAGE_CACHE_SECONDS = int(os.environ.get("TMSINFO_PAGE_CACHE_SECONDS", "600"))
# How often (seconds) each process checks for saves made by other processes (Redis counter, database).
TMSINFO_GENERATION_CHECK_SECONDS = float(os.environ.get("TMSINFO_GENERATION_CHECK_SECONDS", "1"))
# Cache-Control on public pages: browsers keep them max-age seconds, a CDN s-maxage seconds.
TMSINFO_CACHE_MAX_AGE = int(os.environ.get("TMSINFO_CACHE_MAX_AGE", "60"))
TMSINFO_CACHE_S_MAXAGE = int(os.environ.get("TMSINFO_CACHE_S_MAXAGE", "300"))
# Purge the CDN after every content change (articles/cdn.py; docs/deploy.md). Empty: no purge.
TMSINFO_CDN_PURGE_URL = os.environ.get("TMSINFO_CDN_PURGE_URL", "")
TMSINFO_CDN_PURGE_TOKEN = os.environ.get("TMSINFO_CDN_PURGE_TOKEN", "")
TMSINFO_CDN_PURGE_BODY = os.environ.get("TMSINFO_CDN_PURGE_BODY", '{"purge_everything": true}')

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SITE_ID = 1

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# English at the unprefixed addresses, Spanish under /es/ (articles/languages.py; docs/spanish.md).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and numbers as each edition writes them ("1 December 2026", "1 de diciembre de 2026").
FORMAT_MODULE_PATH = ["tmsinfo.formats"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Collected stylesheets leave out their comments (tmsinfo/staticfiles.py).
STATICFILES_FINDERS = [
    "tmsinfo.staticfiles.ShippedFilesFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 31536000

# The admin lives here (a less guessable path slows down scanners).
ADMIN_PATH = os.environ.get("DJANGO_ADMIN_PATH", "admin").strip("/") + "/"

# --- Site -------------------------------------------------------------------------------------
SITE_NAME = "TMS Info"
# The public address of the site: canonical links, QR codes, sitemap and feed are built on it.
SITE_URL = os.environ.get("TMSINFO_SITE_URL", "http://127.0.0.1:8000").strip().rstrip("/")
# Crisis lines shown on every page: a key of articles.crisis.REGIONS.
CRISIS_REGION = os.environ.get("TMSINFO_CRISIS_REGION", "US")
# Where "Report an error" in the footer sends readers: empty (the default) for the site's own
# feedback form (/feedback/), or a mailto: or https: address elsewhere.
REPORT_ERROR_URL = os.environ.get("TMSINFO_REPORT_ERROR_URL", "")

# --- markdownx: the admin preview uses the one rendering path; no uploads -----------------
MARKDOWNX_MARKDOWNIFY_FUNCTION = "articles.markdown.markdownify"
MARKDOWNX_URLS_PATH = "/markdownx/markdownify/"
MARKDOWNX_UPLOAD_URLS_PATH = "/markdownx/upload-disabled/"
MARKDOWNX_UPLOAD_MAX_SIZE = 0
MARKDOWNX_EDITOR_RESIZABLE = False  # the editor keeps its height and scrolls, with the preview beside it

# --- Security -----------------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Permissions-Policy is sent by tmsinfo.security.SecurityMiddleware.
# Longer query strings get a 414 page. Search answers long pasted text calmly (it reads the first
# words), so the limit sits well above that and below gunicorn's own request-line limit.
MAX_QUERY_STRING_LENGTH = 6000

# Staff sessions: end when the browser closes, and after DJANGO_SESSION_AGE seconds at most.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_AGE", str(8 * 60 * 60)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Login throttling (django-axes): after 5 failed sign-ins for one username, or from one address,
# sign-in is refused for DJANGO_LOGIN_COOLOFF_MINUTES, or until an administrator deletes the
# entry under "Axes > Access attempts" (or runs `manage.py axes_reset_username NAME`).
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DJANGO_LOGIN_COOLOFF_MINUTES", "15")))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "tmsinfo.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "tmsinfo.security.client_ip"
# How many proxies of ours (load balancer, CDN) add to X-Forwarded-For; 0 trusts none of it.
TRUSTED_PROXIES = int(os.environ.get("DJANGO_TRUSTED_PROXIES", "0"))

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Logs: one JSON object per line on stderr (tracebacks included in the line). Requests are logged
# once, by gunicorn's access log (deploy/gunicorn.conf.py), so django.request logs only errors.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "tmsinfo.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}, **({"django.server": {"level": "WARNING"}} if not DEBUG else {})},
}
