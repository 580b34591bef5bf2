from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_float, env_int, env_list, env_str
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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "bangban.core.middleware.RequestSizeLimitMiddleware",
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
            ],
        },
    },
]

_database_url = env_str("DATABASE_URL")
DATABASES = {
    "default": dj_database_url.parse(_database_url, conn_max_age=60)
    if _database_url
    else {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "bangban.sqlite3",
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
    }
}
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
# Behind a proxy every visitor would otherwise share the proxy's address, and its limit.
if env_str("BANGBAN_CLIENT_IP_HEADER"):
    RATELIMIT_IP_META_KEY = env_str("BANGBAN_CLIENT_IP_HEADER")

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:workbench"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

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

# The background worker (`manage.py run_worker`) runs these jobs in turn, round after round;
# each returns how many rows it handled. Later apps add their scanners here.
BANGBAN_WORKER_JOBS = [
    "bangban.notifications.jobs.deliver_due_messages",
    "bangban.supervision.jobs.scan_supervision",
    "bangban.deadlines.jobs.scan_warning_levels",
    "bangban.problems.jobs.escalate_overdue_problems",
    "bangban.visits.jobs.remind_quarterly_statistics",
    "bangban.companies.jobs.purge_registration_requests",
    "bangban.reporting.jobs.run_export_jobs",
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


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # The worker reports each delivery problem; the log SMS backend prints each SMS.
    "loggers": {"bangban.notifications": {"level": "INFO"}},
}
