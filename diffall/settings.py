"""DiffALL settings: one file, configured by environment variables.

Nothing set = the embedded default (SQLite, files and a broker folder under var/, in-process cache),
which is what `make run` uses. Production sets DATABASE_URL, REDIS_URL, the S3 and Stripe variables.
Every variable is listed with its default in README.md. A bad value stops the process at start-up.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DIFFALL_VAR_DIR", BASE_DIR / "var"))


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def envrates(name: str, default: str) -> list[tuple[int, int]]:
    """Rate limits as (requests, window in seconds): "3/s,60/m" -> [(3, 1), (60, 60)]; a window
    may carry a count, "9/5s" is 9 per 5 seconds."""
    rates = []
    for item in envlist(name, default):
        amount, _, window = item.partition("/")
        count, unit = window[:-1], window[-1:]
        if not (amount.isdigit() and (count == "" or count.isdigit()) and unit in _UNIT_SECONDS):
            raise ImproperlyConfigured(
                f"{name} must list limits like 3/s,60/m (or 9/5s), not {item!r}"
            )
        rates.append((int(amount), int(count or 1) * _UNIT_SECONDS[unit]))
    return rates


def redis_db(url: str, db: int) -> str:
    """The same Redis server as `url`, another database number (cache and broker never share one,
    because django-redis' cache.clear() flushes its whole database)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, ""))


# --- Core ---

DEBUG = envbool("DEBUG", True)
_DEV_SECRET = "dev-only-insecure-secret-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = envstr("SECRET_KEY", _DEV_SECRET)
if not DEBUG and (SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of 50+ characters when DEBUG is off"
    )

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
# The site's public address for links that leave a request (emails, Stripe's return URLs, the
# API's "buy more" hint). Empty: each link uses the host the user's request came to.
SITE_URL = envstr("SITE_URL", "").rstrip("/")

# The pepper keys the API-key hash. It is deliberately independent of SECRET_KEY so rotating one
# does not invalidate (or weaken) the other.
_DEV_PEPPER = "dev-only-api-key-pepper"
API_KEY_PEPPER = envstr("API_KEY_PEPPER", _DEV_PEPPER)
if not DEBUG and API_KEY_PEPPER == _DEV_PEPPER:
    raise ImproperlyConfigured("API_KEY_PEPPER must be set to a random secret when DEBUG is off")

INSTALLED_APPS = [
    "billing.console.apps.ConsoleAdminConfig",  # django.contrib.admin as the sales console
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "storages",
    "allauth",
    "allauth.account",
    "accounts",
    "billing",
    "comparisons",
    "webhooks",
]

MIDDLEWARE = [
    "diffall.outages.DatabaseOutageMiddleware",  # first: sessions and auth read the database too
    "django.middleware.security.SecurityMiddleware",
    "diffall.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "diffall.urls"
CSRF_FAILURE_VIEW = "diffall.views.csrf_failure"
WSGI_APPLICATION = "diffall.wsgi.application"
ASGI_APPLICATION = "diffall.asgi.application"
SITE_ID = 1

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

# --- Database ---

DATABASE_URL = envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'diffall.sqlite3'}")
try:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 60))
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite in the embedded default is shared by the web process and the worker: wait for locks.
    # WAL lets readers and the writer proceed together, and with synchronous=NORMAL a commit
    # costs no fsync (the log is synced at checkpoints; a power cut may lose the last commits,
    # never the database): each fsync cost 14-18 ms here, three per image comparison.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }
    # Connections are kept (DB_CONN_MAX_AGE, as for PostgreSQL): a new one per request set up
    # Django's SQLite functions, and closing the last one checkpointed the log, every request.
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Cache, rate limits ---

REDIS_URL = envstr("REDIS_URL", "")
CACHE_KEY_PREFIX = envstr("CACHE_KEY_PREFIX", "diffall")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # django-ratelimit refuses a cache without shared atomic increments (E003). The embedded
    # default is one web process on one host, where the in-process cache counts correctly; any
    # multi-process deployment sets REDIS_URL and this silence no longer applies.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# The API's limits count in sliding windows (diffall.ratelimits: `limits`' moving window, in this
# Redis, or in memory in the embedded default). django-ratelimit's fixed windows remain for the
# contact form, where "about 5 an hour per address" is all that is meant. RATELIMIT_ENABLE turns
# both off.
RATELIMIT_ENABLE = envbool("RATELIMIT_ENABLE", True)
# If Redis is down, keep serving: a comparison is still charged a credit, so failing open cannot
# be abused for free work, while failing closed would take the whole API down with the cache.
RATELIMIT_FAIL_OPEN = True
API_RATE_LIMITS = envrates("API_RATE_LIMITS", "3/s,60/m")  # [(requests, per seconds), ...]

# --- Files ---

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request without it
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

AWS_STORAGE_BUCKET_NAME = envstr("AWS_STORAGE_BUCKET_NAME", "")
_static_backend = (
    "whitenoise.storage.CompressedManifestStaticFilesStorage"
    if envbool("STATIC_MANIFEST", not DEBUG)
    else "django.contrib.staticfiles.storage.StaticFilesStorage"
)


def s3_storage(environ: dict[str, str] | os._Environ[str] = os.environ) -> dict[str, object]:
    """The django-storages S3 backend configured from AWS_* variables (any S3-compatible server)."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "default_acl": None,
            # Keys are unique per job (comparisons/<id>/a.png): with overwrite allowed, saving is
            # one PUT, without the HEAD that looks for a free name first.
            "file_overwrite": True,
            "querystring_expire": int(environ.get("AWS_QUERYSTRING_EXPIRE") or 3600),
        },
    }


if AWS_STORAGE_BUCKET_NAME:
    _default_storage = s3_storage()
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # as on S3: keys are unique per job, so no existence check before each save
        "OPTIONS": {"location": MEDIA_ROOT, "allow_overwrite": True},
    }
STORAGES = {"default": _default_storage, "staticfiles": {"BACKEND": _static_backend}}

# Upload limits. The API refuses a larger file with 413 while reading it.
MAX_UPLOAD_MB = envint("MAX_UPLOAD_MB", 100)
MAX_TEXT_UPLOAD_MB = envint("MAX_TEXT_UPLOAD_MB", 10)
MAX_MEDIA_SECONDS = envint("MAX_MEDIA_SECONDS", 60)
# Pixels a video frame may have (4096x2160, DCI 4K): what keeps a worker under ~1 GB (README
# "Limits"). Raise it only with workers that have the memory.
MAX_VIDEO_PIXELS = envint("MAX_VIDEO_PIXELS", 4096 * 2160)
UPLOAD_RETENTION_HOURS = envint("UPLOAD_RETENTION_HOURS", 24)
URL_FETCH_TIMEOUT_S = envint("URL_FETCH_TIMEOUT_S", 15)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Celery ---

if REDIS_URL:
    CELERY_BROKER_URL = envstr(
        "CELERY_BROKER_URL", redis_db(REDIS_URL, envint("CELERY_REDIS_DB", 1))
    )
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 3600}
    if envstr("CELERY_BROKER_KEYPREFIX"):  # lets several deployments (or test runs) share one Redis
        CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = envstr("CELERY_BROKER_KEYPREFIX")
else:
    # kombu's filesystem transport carries tasks between processes on one host with no server.
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = envstr("CELERY_BROKER_URL", "filesystem://")
    if CELERY_BROKER_URL.startswith("filesystem://"):
        # kombu's transport, with messages that a worker never sees half written
        CELERY_BROKER_TRANSPORT = "diffall.embedded_broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),  # default: ./control, wherever it runs
        "store_processed": False,
        # the worker looks for a new job every 0.1 s (kombu's default, 1 s, added half a second
        # on average to every video and audio job); listing a folder that often costs nothing
        "polling_interval": 0.1,
    }
# Video and audio jobs go to their own queue so they never delay a quick job; a deployment can
# give it another name to run separate worker pools.
CELERY_MEDIA_QUEUE = envstr("CELERY_MEDIA_QUEUE", "media")
JOB_TIME_LIMIT_S = envint("JOB_TIME_LIMIT_S", 300)
JOB_STALE_AFTER_S = envint("JOB_STALE_AFTER_S", JOB_TIME_LIMIT_S + 120)
JOB_MAX_ATTEMPTS = envint("JOB_MAX_ATTEMPTS", 3)
# A worker child whose peak memory (its high-water mark, ru_maxrss) passed this is replaced by a
# fresh one after its job, which costs 2-4 s of CPU to warm up. Measured (README, "Limits"): a
# warmed child holds ~440 MB (librosa's numba alone ~230), everyday 1080p peaks at ~530 MB and
# 4K at ~580, and each hands back all but 20-65 MB. At 512 every 1080p job replaced its child.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = envint("WORKER_MAX_MEMORY_MB", 640) * 1024  # in KiB
# A running job's worker beats every JOB_HEARTBEAT_S; a job whose beat is quiet for
# JOB_HEARTBEAT_STALE_S is presumed dead and requeued by the sweep, which runs every
# JOB_SWEEP_INTERVAL_S: a killed worker's job restarts within about a minute.
JOB_HEARTBEAT_S = envint("JOB_HEARTBEAT_S", 10)
JOB_HEARTBEAT_STALE_S = envint("JOB_HEARTBEAT_STALE_S", 45)
JOB_SWEEP_INTERVAL_S = envint("JOB_SWEEP_INTERVAL_S", 20)
CELERY_DEFAULT_QUEUE = envstr("CELERY_DEFAULT_QUEUE", "default")

# --- Webhooks ---
# A failed delivery is retried after BASE, 2 x BASE, 4 x BASE, ... seconds, at most MAX_ATTEMPTS
# times in all (defaults: 30 s doubling, 8 attempts, about an hour of retries).
WEBHOOK_RETRY_BASE_S = envint("WEBHOOK_RETRY_BASE_S", 30)
WEBHOOK_MAX_ATTEMPTS = envint("WEBHOOK_MAX_ATTEMPTS", 8)
WEBHOOK_TIMEOUT_S = envint("WEBHOOK_TIMEOUT_S", 10)
CELERY_WEBHOOK_QUEUE = envstr("CELERY_WEBHOOK_QUEUE", "default")
# For the test suite's own receiver only: loopback ports webhooks may POST to. Never set it in
# production: it opens those ports on the server itself to anyone who registers a webhook.
WEBHOOK_TEST_LOOPBACK_PORTS = frozenset(
    int(p) for p in envstr("WEBHOOK_TEST_LOOPBACK_PORTS", "").split(",") if p.strip()
)

# --- Email, accounts ---

if envstr("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = envstr("EMAIL_HOST")
    EMAIL_PORT = envint("EMAIL_PORT", 587)
    EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "DiffALL <noreply@diff-all.local>")

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# With an SMTP server, an account must confirm its address before it signs in. Without one (the
# embedded default prints mail to the console) nobody could ever receive the link, so a new
# account signs in at once and the confirmation mail is only printed. Production (DEBUG off)
# always verifies: see below.
ACCOUNT_EMAIL_VERIFICATION = envstr(
    "ACCOUNT_EMAIL_VERIFICATION", "mandatory" if envstr("EMAIL_HOST") or not DEBUG else "optional"
)
if ACCOUNT_EMAIL_VERIFICATION not in ("mandatory", "optional", "none"):
    raise ImproperlyConfigured(
        "ACCOUNT_EMAIL_VERIFICATION must be mandatory, optional or none, "
        f"not {ACCOUNT_EMAIL_VERIFICATION!r}"
    )
# No user enumeration: sign-up with a registered email answers exactly as for a new one (and
# emails the owner "you already have an account"), password reset likewise (and emails an
# unknown address "no account here"), sign-in says "email and/or password" either way. allauth
# can hide a taken email at sign-up only when verification is mandatory: anything else would
# tell strangers which emails have accounts, so production refuses it.
ACCOUNT_PREVENT_ENUMERATION = True
if not DEBUG and ACCOUNT_EMAIL_VERIFICATION != "mandatory":
    raise ImproperlyConfigured(
        "ACCOUNT_EMAIL_VERIFICATION must be mandatory when DEBUG is off: otherwise sign-up "
        "reveals which emails have accounts"
    )
ACCOUNT_LOGOUT_ON_GET = False
# Sign-in abuse, counted by allauth in sliding windows in the cache (per "ip" = client address,
# per "key" = the email typed). Failed sign-ins slow down per account: 5 in any 5 minutes, then
# 10 in any hour; the account's owner gets in again at once through a password reset, which
# clears them. One address may fail 10 times a minute and 30 an hour across accounts. Each of
# sign-up and password reset sends an email, so they are limited per address and per email.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,30/h/ip,5/5m/key,10/h/key",
    "signup": "20/m/ip,60/h/ip",
    "reset_password": "20/m/ip,5/m/key,10/h/key",
    "reset_password_from_key": "20/m/ip",
}
# How many proxies (load balancers) stand in front of the app: login throttling then counts the
# client's address, not the balancer's (with 0, REMOTE_ADDR is the client).
ALLAUTH_TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)

# --- Billing ---

FREE_CREDITS_PER_DAY = envint("FREE_CREDITS_PER_DAY", 10)
CREDIT_PACK_SIZE = envint("CREDIT_PACK_SIZE", 50)
CREDIT_PACK_PRICE_CENTS = envint("CREDIT_PACK_PRICE_CENTS", 500)
CREDIT_PACK_CURRENCY = envstr("CREDIT_PACK_CURRENCY", "usd")
STRIPE_SECRET_KEY = envstr("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = envstr("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = envstr("STRIPE_API_BASE", "")  # only for a local stand-in; empty = api.stripe.com

# --- API ---

REST_FRAMEWORK: dict[str, object] = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "diffall.api_errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "DiffALL Comparison API",
    "DESCRIPTION": "Compare two files of the same type and get a 0-100 similarity score.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

# --- Security ---

# Scripts only from our own static files: no inline script, no eval, no other origin. Inline
# style attributes are still allowed (a few data-driven widths and heights on the result page).
# Files are served by the app itself (S3 objects are read server-side), so 'self' covers images
# and media. No form-action: Chrome applies it to the redirect to Stripe's payment page.
CONTENT_SECURITY_POLICY = envstr(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data: blob:; media-src 'self' blob:; font-src 'self'; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
)

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own default config gives "django" a console handler of its own (when DEBUG is
        # on) that also propagates to the root's: every django.request warning came out twice.
        # Configuring the logger here drops those handlers; the root's console prints it once.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        "stripe": {"level": "WARNING"},  # two INFO lines per API call otherwise
    },
}
