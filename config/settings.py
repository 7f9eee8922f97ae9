"""hoctap settings: one module, everything that varies by deployment read from the environment.

The defaults are the embedded mode (SQLite in WAL mode, in-memory channel layer and cache,
console e-mail), so `bin/run` needs no service. Production sets DATABASE_URL, REDIS_URL,
SECRET_KEY, ALLOWED_HOSTS and the EMAIL_* variables.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
DATA_DIR = Path(os.environ.get("HOCTAP_DATA_DIR", BASE_DIR / "var"))


def embedded_secret_key(data_dir: Path) -> str:
    """The embedded mode's own key: generated once into the data folder and kept there, so
    nobody can mint QR tokens or member cards with a key published in the repository."""
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        draft = data_dir / f".secret_key.{os.getpid()}"
        draft.write_text(secrets.token_urlsafe(50))
        draft.chmod(0o600)
        try:
            os.link(draft, path)  # atomic: of two processes starting at once, one key wins
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if os.environ.get("DATABASE_URL"):
        raise ImproperlyConfigured("SECRET_KEY must be set in production (DATABASE_URL is set).")
    SECRET_KEY = embedded_secret_key(DATA_DIR)

INSTALLED_APPS = [
    "daphne",  # makes `runserver` an ASGI server, so WebSockets work in development
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "csp",
    "treebeard",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "members",
    "study",
    "attendance",
    "essays",
    "speakers",
    "oversight",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # gzip for pages, and for the static files WhiteNoise serves uncompressed in the embedded
    # mode (the manifest storage of production serves its own .br/.gz): above every middleware
    # that writes a body. Its gzip header carries random bytes (Django's BREACH mitigation) and
    # CSRF tokens are masked per response.
    "config.middleware.CompressTextMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.PrivatePagesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "members.middleware.PreferredLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "members.middleware.OfficerSessionMiddleware",
    "members.middleware.RequirePasswordChangeMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "django.template.context_processors.i18n",
                "members.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'hoctap.sqlite3'}"),
        conn_max_age=int(os.environ.get("HOCTAP_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the writer; IMMEDIATE avoids lock-upgrade deadlocks.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    # PostgreSQL's JIT compiles a report's grouped queries for longer than they then run
    # (bench/oversight_scale.py: 1.2 s of 2.1 s for the bloc's essays); nothing here gains by it.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3" and env_bool(
    "HOCTAP_DB_POOL", False
):
    # Under ASGI workers a pool is essential (see DESIGN: ~90 req/s without, ~230 with).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 2,
        "max_size": int(os.environ.get("HOCTAP_DB_POOL_MAX", "10")),
    }
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3" and env_bool(
    "HOCTAP_DB_PREPARE", True
):
    # Parameters bound by the server, so a statement's text is the same every time and psycopg
    # prepares it on its second run on a connection: PostgreSQL stops planning the check-in's
    # statement on every scan (bench/results/2026-11-26-0943.md against -0939.md: 14.8 %
    # of /healthz against 11.7 %, median of three runs). HOCTAP_DB_PREPARE=0 behind a pooler in
    # transaction mode (PgBouncer before 1.21): it loses them.
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 2

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer and cache ---------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")
# Redis going away is not an outage (config/cache.py): every use of it gives up quickly, then
# degrades (sessions from the database, rate limits counted in process memory, live updates
# dropped, tasks kept in the outbox), and a process leaves a failed server alone for this long.
HOCTAP_REDIS_CONNECT_TIMEOUT = float(os.environ.get("HOCTAP_REDIS_CONNECT_TIMEOUT", "0.25"))
HOCTAP_REDIS_TIMEOUT = float(os.environ.get("HOCTAP_REDIS_TIMEOUT", "1"))
HOCTAP_REDIS_RETRY_SECONDS = float(os.environ.get("HOCTAP_REDIS_RETRY_SECONDS", "5"))

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisChannelLayer",
            "CONFIG": {
                # redis-py 8 defaults socket_timeout to 5 s, which drops idle WebSockets, and
                # max_connections to 100, which caps concurrent group_add (DESIGN, dependency trap).
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": None,
                        "socket_connect_timeout": HOCTAP_REDIS_CONNECT_TIMEOUT,
                        "max_connections": int(os.environ.get("HOCTAP_REDIS_MAX_CONN", "1000")),
                    }
                ],
                "prefix": "hoctap",
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "hoctap",
        }
    }
    # Sessions read from Redis, written through to the database: a burst of logged-in phones
    # does not queue on PostgreSQL for its session rows. With Redis down they come from the
    # database alone, so nobody is logged out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background tasks (Celery) ---------------------------------------------------------------

CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = env_bool("HOCTAP_TASKS_IN_PROCESS", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
# A request that queues a task must not wait on a broker that is down: connect quickly, retry
# once at once (a pooled connection is dead after a Redis restart), then members.tasks.enqueue
# keeps the task in the database outbox and resend_queued_tasks sends it when Redis is back.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.1,
    "interval_max": 0.1,
}
CELERY_BROKER_CONNECTION_TIMEOUT = HOCTAP_REDIS_CONNECT_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": HOCTAP_REDIS_CONNECT_TIMEOUT,
    "socket_timeout": 5,  # a publish on a connection to a vanished host; BRPOP waits 1 s
}
# The worker waits for Redis as long as it takes, when it starts and whenever it loses it.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BEAT_SCHEDULE = {
    "session-reminders": {"task": "study.tasks.send_session_reminders", "schedule": 15 * 60},
    "roster-confirmations": {
        "task": "speakers.tasks.remind_roster_confirmations",
        "schedule": 24 * 3600,
    },
    "resend-queued-tasks": {"task": "members.tasks.resend_queued_tasks", "schedule": 60},
    "forget-old-member-lists": {"task": "members.tasks.forget_old_uploads", "schedule": 24 * 3600},
    "forget-old-rosters": {"task": "speakers.tasks.forget_old_uploads", "schedule": 24 * 3600},
    "forget-old-downloads": {
        "task": "members.tasks.forget_old_downloads",
        "schedule": 24 * 3600,
    },
    "early-warnings": {"task": "oversight.tasks.check_warnings", "schedule": 24 * 3600},
    "settle-outcomes": {"task": "attendance.tasks.settle_outcomes", "schedule": 10 * 60},
    "keep-figures": {"task": "oversight.tasks.keep_figures", "schedule": 10 * 60},
    "grading-reminders": {"task": "essays.tasks.remind_graders", "schedule": 24 * 3600},
}

# --- Authentication (django-allauth) --------------------------------------------------------

AUTH_USER_MODEL = "members.User"
# members.backends first: every login is made by it, and it loads the user of each request.
# allauth's own stays after it for the logins made before it came (their sessions name it);
# it is never asked to check a password (members.backends says the final word).
AUTHENTICATION_BACKENDS = [
    "members.backends.AuthenticationBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "members.hashers.TemporaryPasswordHasher",  # only ever for first-use passwords
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "members.adapters.AccountAdapter"
ACCOUNT_USER_DISPLAY = "members.adapters.user_display"
# A member logs in with the party card number (stored as the "username") or the e-mail.
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = "party_card_number"
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = None  # the member chooses; "remember me" keeps SESSION_COOKIE_AGE
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_RATE_LIMITS = {
    # A hall of 400 members often shares one NAT address: limit per IP generously, per account
    # tightly (members.adapters keys failed logins by account, card number or e-mail alike).
    "login": "1000/m/ip",
    "login_failed": "1000/m/ip,5/5m/key",
    "reset_password": "200/m/ip,5/m/key",
    "reset_password_from_key": "200/m/ip",
    # Wrong six-digit attendance codes, per member (attendance.views.code_entry).
    "attendance_code": "10/10m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "hoctap"
# The attack this guards against needs self sign-up, which hoctap does not have.
MFA_ALLOW_UNVERIFIED_EMAIL = True
# When on, anyone holding a role above cell level must set up TOTP before using the app.
HOCTAP_REQUIRE_2FA_ABOVE_CELL = env_bool("HOCTAP_REQUIRE_2FA_ABOVE_CELL", False)
# Officers (roles above cell level, staff) are logged out after this long without a request.
HOCTAP_OFFICER_IDLE_SECONDS = int(os.environ.get("HOCTAP_OFFICER_IDLE_SECONDS", str(10 * 3600)))
ACCOUNT_REAUTHENTICATION_TIMEOUT = int(os.environ.get("HOCTAP_REAUTHENTICATE_AFTER", str(15 * 60)))

# Phones stay logged in: a password check costs ~0.3 s of a core (DESIGN), so a hall of
# members must not log in again every session.
SESSION_COOKIE_AGE = 60 * 60 * 24 * 180
SESSION_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "config.views.csrf_failure"

# --- Behind the reverse proxy, over HTTPS -----------------------------------------------------

# How many reverse proxies stand in front of the app (README: one). Their X-Forwarded-For
# gives the phone's own address to the login limits, and X-Forwarded-Proto says whether the
# request came over HTTPS (QR codes and links are then built as https://). Never set it when
# the app is reachable without the proxy: the headers could then be forged.
HOCTAP_TRUSTED_PROXIES = int(os.environ.get("HOCTAP_TRUSTED_PROXIES", "0"))
if HOCTAP_TRUSTED_PROXIES:
    ALLAUTH_TRUSTED_PROXY_COUNT = HOCTAP_TRUSTED_PROXIES
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# HTTPS only: secure cookies, redirect, HSTS (HOCTAP_SECURE_COOKIES is the older name).
HOCTAP_HTTPS = env_bool("HOCTAP_HTTPS", env_bool("HOCTAP_SECURE_COOKIES", False))
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HOCTAP_HTTPS
if HOCTAP_HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer's probe on loopback
    SECURE_HSTS_SECONDS = int(os.environ.get("HOCTAP_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True  # subdomains of this host only
# Intranet hosts are never on the browsers' public HSTS preload list.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The app's own pages need no inline script or style (static/js/hoctap.js holds the small
# behaviours); the door scanner needs the camera; QR images and TOTP set-up use data: URIs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
HOCTAP_PERMISSIONS_POLICY = (
    "camera=(self), microphone=(), geolocation=(), payment=(), usb=(), serial=()"
)

# --- Internationalisation -------------------------------------------------------------------

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_thirdparty"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("HOCTAP_STATIC_ROOT", DATA_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool(
                "HOCTAP_MANIFEST_STATIC", not DEBUG and bool(os.environ.get("DATABASE_URL"))
            )
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("HOCTAP_MEDIA_ROOT", DATA_DIR / "media"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- E-mail ---------------------------------------------------------------------------------

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "hoctap <no-reply@hoctap.local>")

# --- hoctap ---------------------------------------------------------------------------------

# Links in e-mails and calendar feeds point here.
HOCTAP_BASE_URL = os.environ.get("HOCTAP_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# The projector's QR code changes this often; a scan is good in its window and the one before.
HOCTAP_QR_ROTATE_SECONDS = int(os.environ.get("HOCTAP_QR_ROTATE_SECONDS", "20"))
# A scan a phone kept without network is accepted this long after it was made (then waits for
# the secretary's confirmation); the door scanner's queue, kept by the secretary, for longer.
HOCTAP_OFFLINE_SCAN_BOUND_SECONDS = int(os.environ.get("HOCTAP_OFFLINE_SCAN_BOUND_SECONDS", "180"))
HOCTAP_DOOR_QUEUE_BOUND_SECONDS = int(os.environ.get("HOCTAP_DOOR_QUEUE_BOUND_SECONDS", "1800"))
# The projector holds this far ahead of codes, each good only in its own window, so the hall
# keeps scanning when the projector loses the network for a while.
HOCTAP_PROJECTOR_AHEAD_SECONDS = int(os.environ.get("HOCTAP_PROJECTOR_AHEAD_SECONDS", "120"))
# Online participants get a presence prompt at a random moment between these many seconds.
HOCTAP_PRESENCE_MIN_SECONDS = float(os.environ.get("HOCTAP_PRESENCE_MIN_SECONDS", str(10 * 60)))
HOCTAP_PRESENCE_MAX_SECONDS = float(os.environ.get("HOCTAP_PRESENCE_MAX_SECONDS", str(25 * 60)))
HOCTAP_IMPORT_MAX_BYTES = int(os.environ.get("HOCTAP_IMPORT_MAX_BYTES", str(5 * 1024 * 1024)))
HOCTAP_ATTACHMENT_MAX_BYTES = int(
    os.environ.get("HOCTAP_ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024))
)
# Submitted essays waiting longer than this for grading are told to the secretary, once.
HOCTAP_GRADING_REMINDER_DAYS = int(os.environ.get("HOCTAP_GRADING_REMINDER_DAYS", "7"))
HOCTAP_ESSAY_UPLOAD_MAX_BYTES = int(
    os.environ.get("HOCTAP_ESSAY_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024))
)
# Each organisation confirms its part of the speaker roster at least this often.
HOCTAP_ROSTER_CONFIRM_DAYS = int(os.environ.get("HOCTAP_ROSTER_CONFIRM_DAYS", "180"))
# Printing passwords, imports and role changes ask for the password again after this long.
HOCTAP_REAUTHENTICATE_AFTER = int(os.environ.get("HOCTAP_REAUTHENTICATE_AFTER", str(15 * 60)))
# Uploaded member lists and rosters (personal data) are deleted this long after upload.
HOCTAP_UPLOAD_RETENTION_DAYS = int(os.environ.get("HOCTAP_UPLOAD_RETENTION_DAYS", "30"))
# Exports of an organisation with more members than this in its subtree are prepared in the
# background (members/downloads.py): a progress bar, then a link. Smaller ones download at once.
HOCTAP_BACKGROUND_EXPORT_ABOVE = int(os.environ.get("HOCTAP_BACKGROUND_EXPORT_ABOVE", "2000"))
# Prepared files (personal data) are deleted this long after they were asked for.
HOCTAP_DOWNLOAD_RETENTION_DAYS = int(os.environ.get("HOCTAP_DOWNLOAD_RETENTION_DAYS", "7"))
# A download waiting or running longer than this has lost its worker: shown failed, asked again.
HOCTAP_DOWNLOAD_STALLED_MINUTES = int(os.environ.get("HOCTAP_DOWNLOAD_STALLED_MINUTES", "30"))
# In the embedded mode (no broker) this many worker threads per process prepare them at once.
HOCTAP_DOWNLOAD_THREADS = int(os.environ.get("HOCTAP_DOWNLOAD_THREADS", "1"))
# The board's ranking of organisations: points per criterion (oversight/ranking.py).
HOCTAP_RANKING_POINTS = os.environ.get("HOCTAP_RANKING_POINTS", "")
# The place printed before the date of the board's periodic reports ("Hà Nội, ngày ...").
HOCTAP_REPORT_PLACE = os.environ.get("HOCTAP_REPORT_PLACE", "Hà Nội")
# A printed first-use password must be used (and replaced) within this many days.
HOCTAP_TEMPORARY_PASSWORD_DAYS = int(os.environ.get("HOCTAP_TEMPORARY_PASSWORD_DAYS", "14"))
HOCTAP_IMPORT_MAX_ROWS = int(os.environ.get("HOCTAP_IMPORT_MAX_ROWS", "5000"))
# Bounds on the work an uploaded file may cause, checked before a parser starts
# (members/uploads.py). Office files are zip packages: at most this many parts, each and all
# of them unpacking to at most so many bytes, a large part packed at most RATIO times.
HOCTAP_UPLOAD_MAX_PARTS = int(os.environ.get("HOCTAP_UPLOAD_MAX_PARTS", "1000"))
HOCTAP_UPLOAD_MAX_PART_BYTES = int(
    os.environ.get("HOCTAP_UPLOAD_MAX_PART_BYTES", str(16 * 1024 * 1024))
)
HOCTAP_UPLOAD_MAX_UNZIPPED_BYTES = int(
    os.environ.get("HOCTAP_UPLOAD_MAX_UNZIPPED_BYTES", str(64 * 1024 * 1024))
)
HOCTAP_UPLOAD_MAX_RATIO = int(os.environ.get("HOCTAP_UPLOAD_MAX_RATIO", "100"))
# A workbook's parts get a lower bound: openpyxl reads their XML at about 2 MB/s.
HOCTAP_UPLOAD_MAX_SHEET_PART_BYTES = int(
    os.environ.get("HOCTAP_UPLOAD_MAX_SHEET_PART_BYTES", str(4 * 1024 * 1024))
)
# A workbook is read down to this row number (blank rows count) and this many columns.
HOCTAP_UPLOAD_MAX_SHEET_ROWS = int(
    os.environ.get("HOCTAP_UPLOAD_MAX_SHEET_ROWS", str(2 * HOCTAP_IMPORT_MAX_ROWS))
)
HOCTAP_UPLOAD_MAX_SHEET_COLUMNS = int(os.environ.get("HOCTAP_UPLOAD_MAX_SHEET_COLUMNS", "50"))
# Text out of a Word or PDF file: characters; PDF pages and content-stream operations (an
# operator or an element of a TJ array: pypdf spends ~25 µs on each, so 100,000 is ~2.5 s).
HOCTAP_UPLOAD_MAX_TEXT_CHARS = int(os.environ.get("HOCTAP_UPLOAD_MAX_TEXT_CHARS", "1000000"))
HOCTAP_UPLOAD_MAX_PDF_PAGES = int(os.environ.get("HOCTAP_UPLOAD_MAX_PDF_PAGES", "300"))
HOCTAP_UPLOAD_MAX_PDF_OPERATIONS = int(os.environ.get("HOCTAP_UPLOAD_MAX_PDF_OPERATIONS", "100000"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
