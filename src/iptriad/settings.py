"""Django settings, read from IPTRIAD_* environment variables (see docs/operators/configuration.md).

Development needs nothing set: SQLite under var/, a secret key generated once into var/.
Production (IPTRIAD_ENV=production) refuses to start without its secrets and passes `check --deploy`.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url
from csp import constants as csp_constants

from iptriad.encryption.keys import new_key_entry, parse_keyring
from iptriad.env import (
    ConfigurationError,
    env_bool,
    env_cache_url,
    env_choice,
    env_email_address,
    env_email_url,
    env_int,
    env_list,
    env_sms_url,
    env_str,
    env_task_broker_url,
    env_time_zone,
)

PACKAGE_DIR = Path(__file__).resolve().parent

ENVIRONMENT = env_choice("IPTRIAD_ENV", "development", ("development", "production"))
PRODUCTION = ENVIRONMENT == "production"

# Where the embedded database and the generated development key live (relative to the working directory
# unless absolute: production should give an absolute path).
DATA_DIR = Path(env_str("IPTRIAD_DATA_DIR", "var")).resolve()


def _development_secret_key() -> str:
    """Generate the key once into the data directory so sessions survive restarts."""
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    key_file.touch(mode=0o600)
    key_file.write_text(key)
    return key


if PRODUCTION:
    SECRET_KEY = env_str("IPTRIAD_SECRET_KEY")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ConfigurationError("IPTRIAD_SECRET_KEY must be at least 50 random characters")
    DEBUG = False
    ALLOWED_HOSTS = env_list("IPTRIAD_ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ConfigurationError("IPTRIAD_ALLOWED_HOSTS must name the host names this server answers to")
    if "*" in ALLOWED_HOSTS:
        raise ConfigurationError("IPTRIAD_ALLOWED_HOSTS must not contain '*'")
else:
    SECRET_KEY = env_str("IPTRIAD_SECRET_KEY", "") or _development_secret_key()
    DEBUG = env_bool("IPTRIAD_DEBUG", False)
    ALLOWED_HOSTS = env_list("IPTRIAD_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

CSRF_TRUSTED_ORIGINS = env_list("IPTRIAD_CSRF_TRUSTED_ORIGINS", [])
# A TLS-terminating proxy you control sits in front: trust its X-Forwarded-Proto and the last
# X-Forwarded-For entry (iptriad.accounts.actors.client_ip).
BEHIND_PROXY = env_bool("IPTRIAD_BEHIND_PROXY", False)

# --- Encryption at rest (docs/operators/encryption.md) ---------------------------------------------


def _development_encryption_keys() -> str:
    """One key generated into the data directory, readable by its owner only; production sets the variable."""
    key_file = DATA_DIR / "encryption_keys"
    if key_file.exists():
        return key_file.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    entry = new_key_entry()
    with os.fdopen(os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
        handle.write(entry)
    return entry


# Free-text clinical content is encrypted with the first key; every key listed decrypts (iptriad.encryption).
if PRODUCTION:
    ENCRYPTION_KEYS = env_str("IPTRIAD_ENCRYPTION_KEYS")
else:
    ENCRYPTION_KEYS = env_str("IPTRIAD_ENCRYPTION_KEYS", "") or _development_encryption_keys()
parse_keyring(ENCRYPTION_KEYS)  # a malformed ring stops the start with a one-line message

# --- Database -------------------------------------------------------------------------------------

SQLITE_PATH = DATA_DIR / "iptriad.sqlite3"
DATABASE_URL = env_str("IPTRIAD_DATABASE_URL", f"sqlite:///{SQLITE_PATH}")
_database = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("IPTRIAD_DB_CONN_MAX_AGE", 60))
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; FULL makes a commit durable once acknowledged;
    # IMMEDIATE takes the write lock at BEGIN so two writers never deadlock on lock upgrade;
    # the timeout makes a writer wait for the lock instead of failing with "database is locked".
    # Connections are kept for reuse as on PostgreSQL: a new SQLite connection parses the whole schema again at its
    # first statement, which cost more than the rest of a light page (docs/performance.md).
    _database["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=FULL",
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("IPTRIAD_SQLITE_BUSY_TIMEOUT", 20),
    }
    if _database["NAME"] not in ("", ":memory:"):
        Path(str(_database["NAME"])).parent.mkdir(parents=True, exist_ok=True)
elif _database["ENGINE"] == "django.db.backends.postgresql":
    _database["CONN_HEALTH_CHECKS"] = True
else:
    raise ConfigurationError("IPTRIAD_DATABASE_URL must be a sqlite:// or postgres:// URL")
DATABASES = {"default": _database}

# A streaming replica of the primary (docs/operators/scaling.md): reports and exports read from it, through the
# router iptriad.web.replica; every write, and every read of an ordinary page, stays on the primary.
DATABASE_REPLICA_URL = env_str("IPTRIAD_DATABASE_REPLICA_URL", "")
REPLICA_DATABASE: str | None = None
if DATABASE_REPLICA_URL:
    _replica = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=_database["CONN_MAX_AGE"])
    if _database["ENGINE"] != "django.db.backends.postgresql" or _replica["ENGINE"] != _database["ENGINE"]:
        raise ConfigurationError("IPTRIAD_DATABASE_REPLICA_URL needs PostgreSQL for both the primary and the replica")
    _replica["CONN_HEALTH_CHECKS"] = True
    # A replica that is down is given up on in seconds (the reads fall back to the primary), not a TCP timeout.
    _replica["OPTIONS"] = {"connect_timeout": env_int("IPTRIAD_REPLICA_CONNECT_TIMEOUT", 2)}
    # Tests run against one database: the replica alias is the primary's.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = _replica
    REPLICA_DATABASE = "replica"
DATABASE_ROUTERS = ["iptriad.web.replica.ReplicaRouter"] if REPLICA_DATABASE else []
# Read-your-writes: after a person's write, their report reads go to the primary this long.
REPLICA_STICKY_SECONDS = env_int("IPTRIAD_REPLICA_STICKY_SECONDS", 5)
# A replica further behind than this is skipped (its reads go to the primary); its lag is checked this often.
REPLICA_MAX_LAG_SECONDS = env_int("IPTRIAD_REPLICA_MAX_LAG_SECONDS", 10)
REPLICA_CHECK_SECONDS = env_int("IPTRIAD_REPLICA_CHECK_SECONDS", 2)
if min(REPLICA_STICKY_SECONDS, REPLICA_MAX_LAG_SECONDS) < 0 or REPLICA_CHECK_SECONDS < 1:
    raise ConfigurationError(
        "IPTRIAD_REPLICA_STICKY_SECONDS and IPTRIAD_REPLICA_MAX_LAG_SECONDS must be 0 or more, "
        "IPTRIAD_REPLICA_CHECK_SECONDS 1 or more"
    )

# --- Cache: each process's memory, or Redis shared by every app server ------------------------------

CACHE_URL = env_cache_url("IPTRIAD_CACHE_URL")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "iptriad",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Where `iptriad backup` writes when no --output is given (docs/operators/backups.md).
BACKUP_DIR = Path(env_str("IPTRIAD_BACKUP_DIR", "") or DATA_DIR / "backups").resolve()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Applications ---------------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # Django's widget templates, for FORM_RENDERER (it renders through TEMPLATES)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "iptriad.web",
    "iptriad.audit",
    "iptriad.accounts",
    "iptriad.clients",
    "iptriad.measures",
    "iptriad.courses",
    "iptriad.groups",
    "iptriad.supervision",
    "iptriad.fidelity",
    "iptriad.flags",
    "iptriad.competency",
    "iptriad.outcomes",
    "iptriad.api",
    "iptriad.demo",
    "iptriad.encryption",
    "iptriad.datarights",
    "iptriad.backups",
    "iptriad.home",
    "iptriad.notifications",
]

MIDDLEWARE = [
    # Before SecurityMiddleware's redirect to HTTPS: an API call over plain HTTP is refused, not redirected.
    "iptriad.web.https.RefusePlainHttpApiMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Read-your-writes for the replica: a person who just wrote reads reports from the primary (only with a replica).
    "iptriad.web.replica.ReadYourWritesMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "iptriad.accounts.middleware.SessionTimeoutMiddleware",
    "iptriad.accounts.middleware.CurrentMembershipMiddleware",
    # After the membership is known, so a refused request is recorded in its organisation's audit chain.
    "iptriad.accounts.audit_middleware.AuditDeniedRequestsMiddleware",
    "iptriad.accounts.middleware.MfaRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Inside the audit middleware (which counts its 429s) and the header middlewares (its answer carries them);
    # before any view, so a flooding address costs no token lookup or refusal.
    "iptriad.accounts.refusal_limit.RefusalLimitMiddleware",
    # Inside the header middlewares, so its 405 carries the same headers as every other answer.
    "iptriad.web.trace.RefuseTraceMiddleware",
    "iptriad.web.storage_errors.StorageErrorMiddleware",
    # Last, so it turns a login refused by a lockout into the lockout page (429).
    "axes.middleware.AxesMiddleware",
]

# Messages ride in the session: the default cookie storage would add a cookie without the __Host- prefix.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

ROOT_URLCONF = "iptriad.urls"
WSGI_APPLICATION = "iptriad.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "iptriad.accounts.context_processors.membership",
                "iptriad.outcomes.context_processors.programme_lead",
            ],
        },
    },
]
# Templates write {{ form.<name>.as_field_group }}: label, hint, error and input from web/field.html.
FORM_RENDERER = "iptriad.web.renderers.FormRenderer"

# --- Accounts -------------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # No composition rule (ASVS 6.2.5): a password of digits only is refused by zxcvbn for being guessable.
    # zxcvbn's dictionaries include leaked-password lists: refuses guessable passwords offline.
    {"NAME": "iptriad.accounts.passwords.ZxcvbnValidator", "OPTIONS": {"min_score": 3}},
    # The documented context words (iptriad.accounts.passwords.CONTEXT_WORDS) with the user's name and organisations.
    {"NAME": "iptriad.accounts.passwords.ContextWordsValidator"},
]
# The axes backend first: it refuses a locked-out username and address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Sessions live in the database so several app servers can share them (no local state).
# (iptriad.accounts.session_store: Django's database store, keeping each person's list of sessions in step.)
SESSION_ENGINE = "iptriad.accounts.session_store"
SESSION_COOKIE_AGE = env_int("IPTRIAD_SESSION_AGE_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# Idle limit; the absolute limit is SESSION_COOKIE_AGE, counted from login (iptriad.accounts.middleware).
SESSION_IDLE_SECONDS = env_int("IPTRIAD_SESSION_IDLE_MINUTES", 30) * 60
# Changing e-mail, password or MFA needs a password (and code) typed this recently.
REAUTHENTICATION_SECONDS = 5 * 60
# A password-reset link works this long (Django's PASSWORD_RESET_TIMEOUT, in seconds), and once: it is signed
# over the password hash and the last login, so setting the password or logging in spends it.
PASSWORD_RESET_TIMEOUT = env_int("IPTRIAD_PASSWORD_RESET_MINUTES", 30) * 60
# At most one reset link is mailed to an account in this many minutes, however often it is asked for.
PASSWORD_RESET_MAIL_INTERVAL = dt.timedelta(minutes=5)

# Login lockout (django-axes): failures are counted per username and address together, in the database so
# that every app server sees them; the address is the one the audit trail records.
# On top, failures for the account from every address: a higher limit and a short cool-off, so spraying from
# many addresses stops and nobody can keep a person locked out for long (iptriad.accounts.lockout).
AXES_HANDLER = "iptriad.accounts.lockout.AccountLockoutHandler"
AXES_FAILURE_LIMIT = env_int("IPTRIAD_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("IPTRIAD_LOGIN_LOCKOUT_MINUTES", 15))
LOGIN_ACCOUNT_FAILURE_LIMIT = env_int("IPTRIAD_LOGIN_ACCOUNT_FAILURE_LIMIT", 20)
LOGIN_ACCOUNT_COOLOFF = dt.timedelta(minutes=env_int("IPTRIAD_LOGIN_ACCOUNT_LOCKOUT_MINUTES", 5))
if (
    min(
        AXES_FAILURE_LIMIT,
        AXES_COOLOFF_TIME.total_seconds(),
        LOGIN_ACCOUNT_FAILURE_LIMIT,
        LOGIN_ACCOUNT_COOLOFF.total_seconds(),
        SESSION_IDLE_SECONDS,
        PASSWORD_RESET_TIMEOUT,
    )
    <= 0
):
    raise ConfigurationError(
        "IPTRIAD_LOGIN_FAILURE_LIMIT, IPTRIAD_LOGIN_LOCKOUT_MINUTES, IPTRIAD_LOGIN_ACCOUNT_FAILURE_LIMIT, "
        "IPTRIAD_LOGIN_ACCOUNT_LOCKOUT_MINUTES, IPTRIAD_SESSION_IDLE_MINUTES and IPTRIAD_PASSWORD_RESET_MINUTES "
        "must be positive"
    )
# Refused requests from one address (anyone not signed in) in a minute before its further requests are answered
# 429 until the minute ends, without authentication work (iptriad.accounts.refusal_limit, decision 0033); 0 turns
# it off. Health checks, self-report and stop links are never limited; signed-in members never are.
REFUSAL_LIMIT_PER_MINUTE = env_int("IPTRIAD_REFUSAL_LIMIT_PER_MINUTE", 30)
if REFUSAL_LIMIT_PER_MINUTE < 0:
    raise ConfigurationError("IPTRIAD_REFUSAL_LIMIT_PER_MINUTE must be 0 (off) or more")
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # the login form's field (the e-mail address) and authenticate()'s keyword
AXES_CLIENT_IP_CALLABLE = "iptriad.accounts.actors.client_ip"
AXES_LOCKOUT_CALLABLE = "iptriad.accounts.views.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# Our audit trail records logins; axes' own access log would be a second, never-trimmed copy of who and where.
AXES_DISABLE_ACCESS_LOG = True

# django-otp: the issuer shown in authenticator apps; failed codes slow further tries (1 s, 2 s, 4 s, ...).
OTP_TOTP_ISSUER = "iptriad"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# --- Security headers -----------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# A strict Content Security Policy: our own origin only, no inline script or style, never framed. Pages hold
# no inline script or style (the chart SVGs carry their own narrower policy, iptriad.measures.charts).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp_constants.SELF],
        "script-src": [csp_constants.SELF],
        "style-src": [csp_constants.SELF],
        "img-src": [csp_constants.SELF],
        "font-src": [csp_constants.SELF],
        "connect-src": [csp_constants.SELF],
        "form-action": [csp_constants.SELF],
        "frame-ancestors": [csp_constants.NONE],
        "base-uri": [csp_constants.NONE],
        "object-src": [csp_constants.NONE],
    }
}

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The __Host- prefix makes browsers refuse these cookies unless they are Secure, for this host only and for
    # the whole site: a neighbouring subdomain cannot plant or overwrite them (ASVS 3.3.3).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env_bool("IPTRIAD_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("IPTRIAD_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("IPTRIAD_HSTS_PRELOAD", True)
    # Load balancers probe /health/ over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    if BEHIND_PROXY:
        # Only when a TLS-terminating proxy you control sets this header and strips it from clients.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Internationalisation and time ----------------------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_time_zone("IPTRIAD_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Notifications: the task queue and the transports (docs/operators/notifications.md) ---------------

# The task queue (Huey, iptriad.tasks): empty means the embedded SQLite storage in the data directory, for one
# machine; a redis:// URL lets workers run on any number of machines.
TASK_BROKER_URL = env_task_broker_url("IPTRIAD_TASK_BROKER_URL")
TASK_SQLITE_PATH = DATA_DIR / "tasks.sqlite3"
# Tasks run in the calling process, at once, with in-memory storage (the tests set this).
TASK_IMMEDIATE = env_bool("IPTRIAD_TASK_IMMEDIATE", False)
WORKER_THREADS = env_int("IPTRIAD_WORKER_THREADS", 2)
WORKER_MODE = env_choice("IPTRIAD_WORKER", "embedded", ("embedded", "external"))
if WORKER_THREADS < 1:
    raise ConfigurationError("IPTRIAD_WORKER_THREADS must be 1 or more")
# A message claimed this long ago and still "sending" belongs to a worker that died (the sweep resolves it); well
# above the transports' timeouts, so a slow send is never taken for a dead one.
NOTIFY_CLAIM_TIMEOUT_SECONDS = env_int("IPTRIAD_NOTIFY_CLAIM_TIMEOUT_SECONDS", 300)
NOTIFY_MAX_ATTEMPTS = env_int("IPTRIAD_NOTIFY_MAX_ATTEMPTS", 6)
if NOTIFY_CLAIM_TIMEOUT_SECONDS < 1 or NOTIFY_MAX_ATTEMPTS < 1:
    raise ConfigurationError("IPTRIAD_NOTIFY_CLAIM_TIMEOUT_SECONDS and IPTRIAD_NOTIFY_MAX_ATTEMPTS must be positive")
# Links in messages point here (no request to read the host from in a worker).
SITE_URL = env_str("IPTRIAD_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

EMAIL_URL = env_email_url("IPTRIAD_EMAIL_URL", "console://")
DEFAULT_FROM_EMAIL = SERVER_EMAIL = env_email_address("IPTRIAD_EMAIL_FROM", "iptriad@localhost")
if EMAIL_URL.backend == "console":
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = EMAIL_URL.host
    EMAIL_PORT = EMAIL_URL.port
    EMAIL_HOST_USER = EMAIL_URL.user
    EMAIL_HOST_PASSWORD = EMAIL_URL.password
    EMAIL_USE_TLS = EMAIL_URL.use_tls
    EMAIL_USE_SSL = EMAIL_URL.use_ssl
EMAIL_TIMEOUT = EMAIL_URL.timeout
SMS_URL = env_sms_url("IPTRIAD_SMS_URL")

# --- Static files ---------------------------------------------------------------------------------

STATIC_URL = "/static/"
# Only `collectstatic` needs a STATIC_ROOT; whitenoise serves from the package folders (finders) without one.
STATIC_ROOT = env_str("IPTRIAD_STATIC_ROOT", "") or None
# Serve straight from the package's static folders: no collectstatic step to forget.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Logging: requests and errors, never request bodies or client data ------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact_secret_paths": {"()": "iptriad.web.access_log.RedactSecretPaths"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_secret_paths"]}
    },
    "root": {
        "handlers": ["console"],
        "level": env_choice("IPTRIAD_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR")),
    },
    # axes logs every login at INFO (masked); the audit trail already records each one.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# Licensed instrument wording loaded locally (docs/instruments.md); empty: none.
INSTRUMENT_TEXT_DIR = env_str("IPTRIAD_INSTRUMENT_TEXT_DIR", "") or None

# Size of one page of a list.
PAGE_SIZE = 25
