"""Newsroom settings: one file, read from the environment.

With no environment at all the app runs on a SQLite file, a local-memory cache, Celery tasks executed
in-process and the offline AI provider. DATABASE_URL, REDIS_URL and AI_* switch on the real services.
"""

import re
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def envsecret(name: str, default: str) -> str:
    """Read a secret from NAME, or from the file named by NAME_FILE (Docker secrets)."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        return Path(path).read_text().strip()
    return env.str(name, default=default)


def envbool(name: str, default: bool) -> bool:
    """NAME as yes or no (true/false, yes/no, on/off, 1/0); anything else stops the start."""
    value = env.str(name, default="").strip().lower()
    if not value:
        return default
    if value in {"true", "yes", "on", "1"}:
        return True
    if value in {"false", "no", "off", "0"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def envint(name: str, default: int, *, minimum: int = 0) -> int:
    """NAME as a whole number of at least `minimum`; anything else stops the start."""
    value = env.str(name, default="").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be {minimum} or more, not {number}.")
    return number


# Core
DEBUG = env.bool("DEBUG", default=False)


def local_secret_key() -> str:
    """A per-checkout random key for local runs, kept in .secret_key; production sets SECRET_KEY."""
    path = BASE_DIR / ".secret_key"
    if not path.exists():
        path.write_text(get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = envsecret("SECRET_KEY", default="") or local_secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "editorial.apps.NewsroomAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.syndication",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "editorial.apps.EditorialConfig",
    "articles.apps.ArticlesConfig",
    "corrections.apps.CorrectionsConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Published pages are answered here, from the page store, before anything else runs.
    "articles.pages.PageStoreMiddleware",
    # Before anything reads a posted form: one in another charset than UTF-8 is answered 400 here.
    "editorial.errors.UnreadableBodyMiddleware",
    # Before everything that costs: a locked-out sign-in attempt is answered there.
    "editorial.sign_in.LockoutGateMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it can turn a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "editorial.urls"
WSGI_APPLICATION = "editorial.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "editorial.context_processors.publisher",
            ],
        },
    },
]

# Database
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A connection per request cut throughput threefold: keep them, and check them before reuse.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # On SQLite the serving process's threads and its in-process schedule write to one file:
    # a transaction takes the write lock when it begins, waiting for it, instead of failing with
    # "database is locked" when its first read turns into a write while another thread writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and Celery broker
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's, failing fast for CACHE_RETRY_AFTER seconds once Redis proved unreachable.
            "BACKEND": "editorial.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "newsroom",
            # A cache that is down or hangs costs a request this long at most; published pages never
            # read it, and the rate limits count stored rows without it.
            "OPTIONS": {
                "socket_connect_timeout": env.float("CACHE_TIMEOUT", default=0.25),
                "socket_timeout": env.float("CACHE_TIMEOUT", default=0.25),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CACHE_RETRY_AFTER = env.float("CACHE_RETRY_AFTER", default=5.0)

# Celery (see editorial/celery.py for queues and the beat schedule)
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
# Job state lives in our own rows; Celery results are never read.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
# Without Redis there is no worker: tasks run in-process, after the transaction that queued them commits.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
# Unacknowledged messages come back after this; it must exceed the longest task and any countdown.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Queueing from a request never waits for the broker: a publish gives up after this many seconds (connect
# or answer, no retries), and after a failure nothing is tried for BROKER_RETRY_AFTER seconds. The rows
# are the record; the sweepers ring again (editorial/celery.py).
BROKER_PUBLISH_TIMEOUT = env.float("BROKER_PUBLISH_TIMEOUT", default=0.25)
BROKER_RETRY_AFTER = env.float("BROKER_RETRY_AFTER", default=5.0)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TIMEZONE = "UTC"
# Without a broker there is no beat either: a web process runs the beat schedule itself, in a thread
# (editorial/local_beat.py), its every-minute jobs (publishing due articles) every SCHEDULE_TICK_SECONDS.
SCHEDULE_IN_PROCESS = env.bool("SCHEDULE_IN_PROCESS", default=not REDIS_URL)
SCHEDULE_TICK_SECONDS = env.float("SCHEDULE_TICK_SECONDS", default=60.0)
if SCHEDULE_TICK_SECONDS <= 0:
    raise ImproperlyConfigured("SCHEDULE_TICK_SECONDS must be a number of seconds above 0.")

# Auth
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
# The lockout check comes first: once locked out, no password is hashed (that work is what slowed readers).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed sign-ins allowed per username from one address, and from one address whatever the usernames
# (an office behind one address shares that allowance), within the cool-off period.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_FAILURE_LIMIT_PER_ADDRESS = env.int("LOGIN_FAILURE_LIMIT_PER_ADDRESS", default=10)
LOGIN_COOLOFF_MINUTES = env.int("LOGIN_COOLOFF_MINUTES", default=15)
# Staff must sign in with a second factor (an authenticator app's code or a recovery code). Whoever has
# set one up always needs it, whatever this says.
STAFF_REQUIRE_2FA = env.bool("STAFF_REQUIRE_2FA", default=True)
AXES_HANDLER = "editorial.sign_in.LoginAttemptHandler"  # the database handler, with a per-address limit
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
# Order matters: the handler reads the (username, address) count first, then the address's.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_CLIENT_IP_CALLABLE = "editorial.proxies.client_ip"
AXES_LOCKOUT_CALLABLE = "editorial.sign_in.lockout_response"
# Attempts while locked out are refused without being counted: the cool-off ends when the page says.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Sign-ins and sign-outs are recorded once, as AuditEvent rows.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False  # no start-up banner on every command
# Never stored with a failed attempt: what was typed as a username, the two-factor code, the CSRF token.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token", "csrfmiddlewaretoken"]
OTP_TOTP_ISSUER = env.str("PUBLISHER_NAME", default="Newsroom")
# The device admins never show secrets (TOTP keys, recovery codes), not even to superusers.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Internationalisation
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# Static files
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files answered at the site's root by WhiteNoise, as browsers ask for them: /favicon.ico.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND", default="django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
    # Published pages (articles/pages.py): a folder the web processes share, or any Django storage
    # (django-storages' S3Storage for object storage behind a CDN) with its options as JSON.
    "pages": {
        "BACKEND": env.str("PAGE_STORAGE", default="articles.pages.AtomicFileSystemStorage"),
        "OPTIONS": env.json("PAGE_STORAGE_OPTIONS", default={})
        or {"location": env.str("PAGE_STORE_DIR", default=str(BASE_DIR / "var" / "pages"))},
    },
}

# Published pages
PAGES_ENABLED = env.bool("PAGES_ENABLED", default=True)
BUILD_ID = env.str("BUILD_ID", default="")  # what pages were made with; by default a digest of the code
PAGE_BROWSER_MAX_AGE = env.int("PAGE_BROWSER_MAX_AGE", default=60)
PAGE_SHARED_MAX_AGE = env.int("PAGE_SHARED_MAX_AGE", default=600)
PAGE_STALE_WHILE_REVALIDATE = env.int("PAGE_STALE_WHILE_REVALIDATE", default=86400)
PAGE_PURGE_URL = env.str("PAGE_PURGE_URL", default="")
PAGE_PURGE_TOKEN = env.str("PAGE_PURGE_TOKEN", default="")
PAGE_BAKE_NOW = env.int("PAGE_BAKE_NOW", default=100)  # pages baked before an action returns; the rest later

# Search (articles/search.py): the PostgreSQL text search configuration /search/ stems words with. The GIN
# index is built with the language set when its migration runs; a query in another one is right, but slow.
SEARCH_LANGUAGE = env.str("SEARCH_LANGUAGE", default="english")
if not re.fullmatch(r"[a-z_]+", SEARCH_LANGUAGE):
    raise ImproperlyConfigured(
        f"SEARCH_LANGUAGE={SEARCH_LANGUAGE!r}: a text search configuration, e.g. english"
    )

# Security
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# HTTPS, in production (README, Production): the TLS proxy says which requests came over HTTPS, plain
# HTTP is answered with a redirect to HTTPS, and browsers are told to use nothing else for
# SECURE_HSTS_SECONDS (0, the local default, sends no HSTS header). Browsers keep an HSTS promise for
# as long as it said, whatever the setting says later.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_TLS_PROXY", False) else None
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES", default=False)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", default=False)
# The health probe comes over plain HTTP from inside the network (docker-compose.yml's healthcheck).
# Patterns are searched in the path without its leading slash.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", default=False)
if (SECURE_HSTS_INCLUDE_SUBDOMAINS or SECURE_HSTS_PRELOAD) and not SECURE_HSTS_SECONDS:
    raise ImproperlyConfigured(
        "SECURE_HSTS_INCLUDE_SUBDOMAINS and SECURE_HSTS_PRELOAD need SECURE_HSTS_SECONDS."
    )
# The preload list takes a site only with a year's promise that covers its subdomains.
if SECURE_HSTS_PRELOAD and not (SECURE_HSTS_SECONDS >= 31536000 and SECURE_HSTS_INCLUDE_SUBDOMAINS):
    raise ImproperlyConfigured(
        "SECURE_HSTS_PRELOAD needs SECURE_HSTS_SECONDS of at least 31536000 (a year) and "
        "SECURE_HSTS_INCLUDE_SUBDOMAINS."
    )

# Email
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Newsroom <newsroom@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_URL = env.str("EMAIL_URL", default="")


def mailer_from_url(url: str) -> dict:
    """Turn EMAIL_URL (smtp://user:pass@host:587/?tls=True, consolemail://, ...) into a MAILERS entry."""
    if not url:  # a line per e-mail on the console; the messages themselves are in the outbox
        return {"BACKEND": "editorial.emails.SummaryBackend"}
    parsed = environ.Env.email_url_config(url)
    options = {
        "host": parsed.get("EMAIL_HOST"),
        "port": parsed.get("EMAIL_PORT"),
        "username": parsed.get("EMAIL_HOST_USER"),
        "password": parsed.get("EMAIL_HOST_PASSWORD"),
        "use_tls": parsed.get("EMAIL_USE_TLS"),
        "use_ssl": parsed.get("EMAIL_USE_SSL"),
        "timeout": parsed.get("EMAIL_TIMEOUT") or 10,
    }
    backend = parsed["EMAIL_BACKEND"]
    if not backend.endswith("smtp.EmailBackend"):
        return {"BACKEND": backend}
    return {"BACKEND": backend, "OPTIONS": {k: v for k, v in options.items() if v not in (None, "")}}


MAILERS = {"default": mailer_from_url(EMAIL_URL)}

# AI provider
AI_PROVIDER = env.str("AI_PROVIDER", default="local")
if AI_PROVIDER not in {"local", "openai"}:
    raise ImproperlyConfigured(f"AI_PROVIDER must be 'local' or 'openai', not {AI_PROVIDER!r}.")
AI_BASE_URL = env.str("AI_BASE_URL", default="")
AI_API_KEY = envsecret("AI_API_KEY", default="")
AI_MODEL = env.str("AI_MODEL", default="")
AI_SEND_UNPUBLISHED = env.bool("AI_SEND_UNPUBLISHED", default=False)
AI_TIMEOUT_SECONDS = env.float("AI_TIMEOUT_SECONDS", default=60.0)
# A running job's lease: past it, the sweeper takes the job for dead and queues it again.
AI_JOB_LEASE_SECONDS = env.int("AI_JOB_LEASE_SECONDS", default=180)
AI_JOB_MAX_ATTEMPTS = 3
if AI_PROVIDER == "openai" and not (AI_BASE_URL and AI_MODEL):
    raise ImproperlyConfigured("AI_PROVIDER=openai needs AI_BASE_URL and AI_MODEL.")

# Corrections channel: (requests, seconds) per reader address and per article; form limits
CORRECTIONS_RATE_LIMIT = (env.int("CORRECTIONS_PER_ADDRESS", default=5), 600)
CORRECTIONS_ARTICLE_CAP = (env.int("CORRECTIONS_PER_ARTICLE_HOUR", default=100), 3600)
CORRECTIONS_MIN_FILL_SECONDS = 3
CORRECTIONS_MAX_BODY_BYTES = 64 * 1024
# The desk's e-mail digest of new requests: at most one per interval, to these addresses (empty: the
# members of the Corrections desk group).
CORRECTIONS_DIGEST_MINUTES = env.int("CORRECTIONS_DIGEST_MINUTES", default=60)
CORRECTIONS_DIGEST_TO = env.list("CORRECTIONS_DIGEST_TO", default=[])
if CORRECTIONS_DIGEST_MINUTES < 1:
    raise ImproperlyConfigured("CORRECTIONS_DIGEST_MINUTES must be at least 1.")
# How many proxies in front of the app append to X-Forwarded-For (0: use the socket's address).
NUM_PROXIES = env.int("NUM_PROXIES", default=0)

# Fact-check queue: claims at or above this check-worthiness hold publication until they have a verdict
FACTCHECK_GATE_THRESHOLD = 0.5
# Evidence link checks: hosts allowed even if they resolve to private addresses (tests use 127.0.0.1)
FACTCHECK_ALLOWED_HOSTS = env.list("FACTCHECK_ALLOWED_HOSTS", default=[])
FACTCHECK_FETCH_TIMEOUT = 10.0
FACTCHECK_MAX_BYTES = 2 * 1024 * 1024
# Publish gate: a recorded reason (an override, a claim taken out of the gate) is a sentence this long
GATE_OVERRIDE_MIN_LENGTH = env.int("GATE_OVERRIDE_MIN_LENGTH", default=20)
if GATE_OVERRIDE_MIN_LENGTH < 1:
    raise ImproperlyConfigured("GATE_OVERRIDE_MIN_LENGTH must be 1 or more.")
# Publishing one's own text needs another editor's approval
PUBLISH_SECOND_EDITOR = env.bool("PUBLISH_SECOND_EDITOR", default=False)

# Publisher (the JSON-LD publisher and the page footer)
PUBLISHER_NAME = env.str("PUBLISHER_NAME", default="Newsroom")

# simple-history: restoring a version goes through the article services, never the admin's revert form.
SIMPLE_HISTORY_REVERT_DISABLED = True
# Change reasons carry editors' notes (a gate override, an unpublishing reason): no 100-character cap.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Logging
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Axes says every step of every attempt at INFO; its warnings (failures, lockouts) are enough.
    "loggers": {"axes": {"level": "WARNING"}},
}
if CELERY_TASK_ALWAYS_EAGER:  # tasks run in-process: a line for each task that succeeded says nothing
    LOGGING["loggers"]["celery.app.trace"] = {"level": "WARNING"}
