from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_choice, env_float, env_int, env_list, env_str
from config.storage import archive_storage

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DJANGO_DEBUG")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "bangban.core",
    "bangban.accounts",
    "bangban.companies",
    "bangban.projects",
    "bangban.catalog",
    "bangban.cases",
    "bangban.deadlines",
    "bangban.documents",
    "bangban.notifications",
    "bangban.supervision",
    "bangban.problems",
    "bangban.meetings",
    "bangban.consultations",
    "bangban.visits",
    "bangban.evaluations",
    "bangban.policies",
    "bangban.public",
    "bangban.reporting",
    "bangban.dashboards",
    "bangban.printing",
    "bangban.portal",
    "bangban.audit",
    "bangban.api",
    "bangban.webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "bangban.core.middleware.RequestSizeLimitMiddleware",
    # Records every 403 in the audit log; needs request.user, so after AuthenticationMiddleware.
    "bangban.audit.middleware.PermissionDeniedAuditMiddleware",
    "bangban.core.middleware.SessionTimeoutMiddleware",
    "bangban.core.middleware.PermissionsPolicyMiddleware",
    "bangban.accounts.middleware.TwoFactorMiddleware",
    # Last, as django-axes requires: it turns a flagged failed login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "bangban.accounts.context_processors.roles",
                "bangban.core.context_processors.navigation",
            ],
        },
    },
]

_database_url = env_str("DATABASE_URL")
DATABASES = {
    # Connections live ten minutes, keeping their prepared statements (below); the health
    # check makes a connection that a database restart broke reconnect at the start of the next
    # request instead of failing it.
    "default": dj_database_url.parse(_database_url, conn_max_age=600, conn_health_checks=True)
    if _database_url
    else {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "bangban.sqlite3",
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
    }
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound by the server, so psycopg prepares a statement the fifth time a
    # connection runs it: a case page's joins cost PostgreSQL more to plan than to execute
    # (bench/load.py), and a prepared statement is planned once per connection.
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5,
                                       **DATABASES["default"].get("OPTIONS", {})}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A table in the database, so that every web process on every machine shares one cache: the
# public progress query's rate limit (django-ratelimit, per client address) counts there. The
# `public` app's migration creates the table (as `manage.py createcachetable` would).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "bangban_cache",
    }
}
# A province's deployment keeps the counters in Redis instead, off the database.
if env_str("BANGBAN_REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("BANGBAN_REDIS_URL"),
        "KEY_PREFIX": "bangban",
    }
# Behind a proxy every visitor would otherwise share the proxy's address, and its limit.
if env_str("BANGBAN_CLIENT_IP_HEADER"):
    RATELIMIT_IP_META_KEY = env_str("BANGBAN_CLIENT_IP_HEADER")

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:workbench"
LOGOUT_REDIRECT_URL = "accounts:login"
# Password policy of 等保 level 3 (docs/security.md); every way of setting a password runs it.
PASSWORD_MIN_LENGTH = env_int("BANGBAN_PASSWORD_MIN_LENGTH")
PASSWORD_HISTORY = env_int("BANGBAN_PASSWORD_HISTORY")
if PASSWORD_MIN_LENGTH < 8 or PASSWORD_HISTORY < 0:
    raise ImproperlyConfigured(
        "BANGBAN_PASSWORD_MIN_LENGTH must be at least 8 and BANGBAN_PASSWORD_HISTORY at least 0"
    )
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "bangban.accounts.validators.CharacterClassValidator"},
    {"NAME": "bangban.accounts.validators.PasswordHistoryValidator",
     "OPTIONS": {"count": PASSWORD_HISTORY}},
]
# The lockout backend comes first: it refuses a locked user name + address before any other
# backend checks the password.
AUTHENTICATION_BACKENDS = [
    "bangban.accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Single sign-on (docs/sso.md): answers only its own callback, and only when configured.
    "bangban.accounts.sso.backend.SSOBackend",
]
# Lockout (django-axes): failures count per user name and address together, so nobody can lock
# a colleague out from elsewhere; a success clears the count.
AXES_FAILURE_LIMIT = env_int("BANGBAN_LOGIN_FAILURE_LIMIT")
AXES_COOLOFF_TIME = env_int("BANGBAN_LOGIN_LOCKOUT_MINUTES") / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Successful logins are recorded by the audit log, not a second time in axes' own table.
AXES_DISABLE_ACCESS_LOG = True
AXES_LOCKOUT_CALLABLE = "bangban.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "bangban.accounts.security.client_ip"
if AXES_FAILURE_LIMIT < 1 or AXES_COOLOFF_TIME <= 0:
    raise ImproperlyConfigured(
        "BANGBAN_LOGIN_FAILURE_LIMIT and BANGBAN_LOGIN_LOCKOUT_MINUTES must be at least 1"
    )
# django-ratelimit's decorator answers 429 with a page, not 403.
RATELIMIT_VIEW = "bangban.accounts.views.rate_limited"

# Sessions end after BANGBAN_SESSION_IDLE_MINUTES without a request and
# BANGBAN_SESSION_MAX_HOURS after the login (bangban.core.middleware.SessionTimeoutMiddleware).
SESSION_IDLE_SECONDS = env_int("BANGBAN_SESSION_IDLE_MINUTES") * 60
# A province's dashboard adds up every case of the province; see bangban.dashboards.selectors.
DASHBOARD_CACHE_SECONDS = env_int("BANGBAN_DASHBOARD_CACHE_SECONDS")
SESSION_COOKIE_AGE = env_int("BANGBAN_SESSION_MAX_HOURS") * 3600
if SESSION_IDLE_SECONDS < 60 or SESSION_COOKIE_AGE < SESSION_IDLE_SECONDS:
    raise ImproperlyConfigured(
        "BANGBAN_SESSION_IDLE_MINUTES must be at least 1 and BANGBAN_SESSION_MAX_HOURS cover it"
    )
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# One-time codes (django-otp, TOTP): staff may enrol; this makes it compulsory for them.
TOTP_REQUIRED_FOR_STAFF = env_bool("BANGBAN_TOTP_REQUIRED_FOR_STAFF")
OTP_TOTP_ISSUER = "Bangban"

# Security headers. Content security policy (django-csp 4): only the site's own files; inline
# scripts and `<style>` elements only with the request's nonce. Style attributes stay allowed
# (`style-src-attr`): the Gantt chart and progress bars place elements with computed widths,
# and a style attribute cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "style-src-attr": [UNSAFE_INLINE],
        # Bootstrap's stylesheet draws its icons from data: SVGs; QR codes are inline SVG.
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

LANGUAGE_CODE = env_str("BANGBAN_LANGUAGE")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("BANGBAN_TIME_ZONE")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("BANGBAN_MEDIA_ROOT") or VAR_DIR / "media")
STORAGES = {
    "default": archive_storage(),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

UPLOAD_MAX_BYTES = env_int("BANGBAN_UPLOAD_MAX_MB") * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024

EMAIL_BACKEND = env_str("BANGBAN_EMAIL_BACKEND")
DEFAULT_FROM_EMAIL = env_str("BANGBAN_DEFAULT_FROM_EMAIL")
EMAIL_HOST = env_str("BANGBAN_EMAIL_HOST")
EMAIL_PORT = env_int("BANGBAN_EMAIL_PORT")
EMAIL_HOST_USER = env_str("BANGBAN_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("BANGBAN_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("BANGBAN_EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("BANGBAN_EMAIL_USE_SSL")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "BANGBAN_EMAIL_USE_TLS and BANGBAN_EMAIL_USE_SSL are exclusive; set only one"
    )
# Shorter than the outbox lease, so a hung mail server fails the attempt instead of the lease.
EMAIL_TIMEOUT = 30

# Notifications (SPEC §10): SMS provider and the outbox's retry policy.
SMS_BACKEND = env_str("BANGBAN_SMS_BACKEND")
SMS_ALIYUN = {
    "access_key_id": env_str("BANGBAN_SMS_ALIYUN_ACCESS_KEY_ID"),
    "access_key_secret": env_str("BANGBAN_SMS_ALIYUN_ACCESS_KEY_SECRET"),
    "sign_name": env_str("BANGBAN_SMS_ALIYUN_SIGN_NAME"),
    "template_code": env_str("BANGBAN_SMS_ALIYUN_TEMPLATE_CODE"),
    "template_param": env_str("BANGBAN_SMS_ALIYUN_TEMPLATE_PARAM"),
    "endpoint": env_str("BANGBAN_SMS_ALIYUN_ENDPOINT"),
    "timeout": 15,  # seconds per HTTP request; shorter than the lease
}
OUTBOX_MAX_ATTEMPTS = env_int("BANGBAN_OUTBOX_MAX_ATTEMPTS")
OUTBOX_RETRY_BASE_SECONDS = env_int("BANGBAN_OUTBOX_RETRY_SECONDS")
OUTBOX_RETRY_MAX_SECONDS = 6 * 3600
OUTBOX_LEASE_SECONDS = env_int("BANGBAN_OUTBOX_LEASE_SECONDS")
if OUTBOX_MAX_ATTEMPTS < 1 or OUTBOX_LEASE_SECONDS < 1:
    raise ImproperlyConfigured(
        "BANGBAN_OUTBOX_MAX_ATTEMPTS and BANGBAN_OUTBOX_LEASE_SECONDS must be at least 1"
    )

# Outbound webhooks (docs/webhooks.md): sent through the same claims, leases and backoff as
# the outbox above; the timeout must stay well below BANGBAN_OUTBOX_LEASE_SECONDS.
WEBHOOK_TIMEOUT_SECONDS = env_int("BANGBAN_WEBHOOK_TIMEOUT_SECONDS")
WEBHOOK_MAX_ATTEMPTS = env_int("BANGBAN_WEBHOOK_MAX_ATTEMPTS")
if WEBHOOK_MAX_ATTEMPTS < 1 or WEBHOOK_TIMEOUT_SECONDS < 1:
    raise ImproperlyConfigured(
        "BANGBAN_WEBHOOK_MAX_ATTEMPTS and BANGBAN_WEBHOOK_TIMEOUT_SECONDS must be at least 1"
    )

# The background worker (`manage.py run_worker`) runs these jobs in turn, round after round;
# each returns how many rows it handled. Later apps add their scanners here.
BANGBAN_WORKER_JOBS = [
    "bangban.notifications.jobs.deliver_due_messages",
    "bangban.webhooks.jobs.deliver_due_webhooks",
    "bangban.supervision.jobs.scan_supervision",
    "bangban.deadlines.jobs.scan_warning_levels",
    "bangban.problems.jobs.escalate_overdue_problems",
    "bangban.visits.jobs.remind_quarterly_statistics",
    "bangban.companies.jobs.purge_registration_requests",
    "bangban.reporting.jobs.run_export_jobs",
    "bangban.audit.jobs.prune_audit_events",
]
# Supervision (督办, SPEC §5): defaults for agencies without a SupervisionPolicy of their own
# (or above them); administrators set an agency's own values in the admin.
SUPERVISION_DEFAULTS = {
    "notice_response_days": 3,  # working days to answer a notice before it is escalated
    "escalated_response_days": 2,  # working days to answer an escalated one before referral
    "auto_refer": True,  # the scan refers by itself; otherwise a chief or supervisor does
    "referral_body": "discipline_inspection",  # or "audit"
}
# Problems (意见反馈表, SPEC §6): working days a problem has at each of its four levels, for
# agencies without a ProblemPolicy of their own (or above them); unanswered past them, the
# worker escalates it to the next level.
PROBLEM_DEFAULTS = {
    "level_1_days": 3,  # the specialist
    "level_2_days": 5,  # the chief responsible person
    "level_3_days": 10,  # a joint meeting
    "level_4_days": 15,  # a special meeting of the leadership
}
# Warning lights (SPEC §5): the window for agencies without a WarningPolicy of their own (or
# above them): yellow with this many days left or this % of the limit used; red when overdue.
BANGBAN_WARNING_DEFAULTS = {"days_left": 2, "percent_used": 80}
# 一事一评 (SPEC §7): defaults for agencies without an EvaluationPolicy of their own (or above
# them); administrators set an agency's own values in the admin.
EVALUATION_DEFAULTS = {
    "rating_window_days": 30,  # calendar days after a decision / completion to rate it
    "rectification_days": 15,  # working days to verify, rectify and answer a bad rating
}
# Exports (bangban/reporting): written in the request up to EXPORT_INLINE_ROWS records, else
# by the worker, which renews its lease with each progress step.
EXPORT_INLINE_ROWS = env_int("BANGBAN_EXPORT_INLINE_ROWS")
EXPORT_KEEP_HOURS = env_int("BANGBAN_EXPORT_KEEP_HOURS")
EXPORT_LEASE_SECONDS = 300
BANGBAN_WORKER_SLEEP_SECONDS = env_float("BANGBAN_WORKER_SLEEP_SECONDS")
if not 0 <= BANGBAN_WORKER_SLEEP_SECONDS <= 3600:
    raise ImproperlyConfigured("BANGBAN_WORKER_SLEEP_SECONDS must be between 0 and 3600")
# Audit log (bangban/audit): the worker deletes events older than this; 等保 level 3 asks
# for at least 180 days.
AUDIT_KEEP_DAYS = env_int("BANGBAN_AUDIT_KEEP_DAYS")
if AUDIT_KEEP_DAYS < 180:
    raise ImproperlyConfigured(
        f"BANGBAN_AUDIT_KEEP_DAYS={AUDIT_KEEP_DAYS} is too short: the audit log must be kept "
        "at least 180 days"
    )

# Single sign-on with the province's unified identity platform (OpenID Connect through
# mozilla-django-oidc, docs/sso.md); off while BANGBAN_OIDC_CLIENT_ID is empty.
OIDC_RP_CLIENT_ID = env_str("BANGBAN_OIDC_CLIENT_ID")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_RP_CLIENT_SECRET = env_str("BANGBAN_OIDC_CLIENT_SECRET")
OIDC_OP_ISSUER = env_str("BANGBAN_OIDC_ISSUER")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("BANGBAN_OIDC_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = env_str("BANGBAN_OIDC_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = env_str("BANGBAN_OIDC_USERINFO_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = env_str("BANGBAN_OIDC_JWKS_ENDPOINT") or None
OIDC_OP_END_SESSION_ENDPOINT = env_str("BANGBAN_OIDC_END_SESSION_ENDPOINT")
OIDC_RP_SCOPES = env_str("BANGBAN_OIDC_SCOPES")
OIDC_RP_SIGN_ALGO = env_str("BANGBAN_OIDC_SIGN_ALGO").strip().upper()
OIDC_TOKEN_USE_BASIC_AUTH = env_choice("BANGBAN_OIDC_TOKEN_AUTH", ["basic", "post"]) == "basic"
OIDC_USE_PKCE = env_bool("BANGBAN_OIDC_USE_PKCE")
OIDC_USER_CLAIM = env_str("BANGBAN_OIDC_USER_CLAIM")
OIDC_USER_FIELD = env_choice("BANGBAN_OIDC_USER_FIELD", ["username", "email", "staff_number"])
OIDC_BUTTON_LABEL = env_str("BANGBAN_OIDC_BUTTON_LABEL")
# The ID token's `amr` methods (RFC 8176 names) trusted as the second factor: a single sign-on
# that used one of them beside another method, or says "mfa", asks for no one-time code.
OIDC_TRUSTED_AMR = env_list("BANGBAN_OIDC_TRUSTED_AMR")
OIDC_VERIFY_SSL = env_str("BANGBAN_OIDC_CA_BUNDLE") or True
OIDC_TIMEOUT = 10  # seconds per request to the platform
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:sso_callback"
# Staff accounts are provisioned in Bangban (roles come from memberships), never by a login.
OIDC_CREATE_USER = False
# The platform's logout needs the ID token as a hint; kept only when there is one to call.
OIDC_STORE_ID_TOKEN = bool(OIDC_OP_END_SESSION_ENDPOINT)
AXES_WHITELIST_CALLABLE = "bangban.accounts.sso.backend.is_sso_attempt"
if OIDC_ENABLED:
    _oidc_missing = [
        name for name, value in [
            ("BANGBAN_OIDC_CLIENT_SECRET", OIDC_RP_CLIENT_SECRET),
            ("BANGBAN_OIDC_ISSUER", OIDC_OP_ISSUER),
            ("BANGBAN_OIDC_AUTHORIZATION_ENDPOINT", OIDC_OP_AUTHORIZATION_ENDPOINT),
            ("BANGBAN_OIDC_TOKEN_ENDPOINT", OIDC_OP_TOKEN_ENDPOINT),
            ("BANGBAN_OIDC_JWKS_ENDPOINT",
             OIDC_OP_JWKS_ENDPOINT or OIDC_RP_SIGN_ALGO.startswith("HS")),
        ] if not value
    ]
    if _oidc_missing:
        raise ImproperlyConfigured(
            f"Single sign-on (BANGBAN_OIDC_CLIENT_ID) also needs {', '.join(_oidc_missing)}"
        )
    if OIDC_RP_SIGN_ALGO not in {f"{family}{bits}" for family in ("RS", "ES", "HS")
                                 for bits in ("256", "384", "512")}:
        raise ImproperlyConfigured(
            f"BANGBAN_OIDC_SIGN_ALGO={OIDC_RP_SIGN_ALGO!r} is not one of RS256…RS512, "
            "ES256…ES512, HS256…HS512"
        )

# API v1 (bangban/api, docs/api.md): tokens for systems, the session (with CSRF) for browsers;
# refusals as JSON in the request's language (bangban/api/errors.py).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "bangban.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "bangban.api.permissions.TokenScopes",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "bangban.api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "bangban.api.errors.handle_exception",
}
# The OpenAPI document and its Swagger UI page, served from drf-spectacular-sidecar's static
# files (no CDN: intranets have no internet; Redoc is left out, its page loads Google fonts).
SPECTACULAR_SETTINGS = {
    "TITLE": "Bangban API",
    "DESCRIPTION": "帮办代办服务平台 API v1 — see docs/api.md.",
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # The worker reports each delivery problem; the log SMS backend prints each SMS.
    "loggers": {"bangban.notifications": {"level": "INFO"}},
}
