"""Every environment variable the project reads is declared here once, with its meaning.

A value that cannot be parsed stops start-up with a message naming the variable, so a typo in
a deployment never silently falls back to a default.
"""

import os
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Variable:
    name: str
    help: str
    default: str | None = None


VARIABLES = {
    v.name: v
    for v in [
        Variable("DJANGO_SECRET_KEY", "Secret key for signing; required in production.", None),
        Variable("DJANGO_DEBUG", "Show debug pages (never in production).", "false"),
        Variable("DJANGO_ALLOWED_HOSTS", "Comma-separated host names the site answers to.",
                 "127.0.0.1,localhost"),
        Variable("DATABASE_URL", "Database URL; unset means an SQLite file under var/.", ""),
        Variable("BANGBAN_CLIENT_IP_HEADER",
                 "Behind a reverse proxy: the request header (as Django's META key, e.g. "
                 "HTTP_X_REAL_IP) holding the visitor's address, for the public pages' rate "
                 "limits; empty means the connection's address.", ""),
        Variable("BANGBAN_MEDIA_ROOT", "Directory for uploaded files.", ""),
        Variable("BANGBAN_UPLOAD_MAX_MB", "Largest accepted upload, in megabytes.", "20"),
        Variable("BANGBAN_STORAGE",
                 "Where the case archive keeps files: filesystem (BANGBAN_MEDIA_ROOT) or s3 "
                 "(S3-compatible object storage, BANGBAN_S3_*).", "filesystem"),
        Variable("BANGBAN_S3_BUCKET", "Bucket of the archive (required with s3).", ""),
        Variable("BANGBAN_S3_ENDPOINT_URL",
                 "Endpoint of an S3-compatible service, e.g. https://oss-cn-hangzhou.aliyuncs.com "
                 "or http://minio.internal:9000; empty means Amazon S3.", ""),
        Variable("BANGBAN_S3_ACCESS_KEY_ID",
                 "Access key ID; empty means the usual AWS sources (instance role, ~/.aws).", ""),
        Variable("BANGBAN_S3_SECRET_ACCESS_KEY", "Secret access key belonging to the key ID.", ""),
        Variable("BANGBAN_S3_REGION", "Region name of the bucket; empty for the service default.",
                 ""),
        Variable("BANGBAN_S3_ADDRESSING_STYLE",
                 "auto, path (bucket in the URL path, as MinIO needs) or virtual (bucket in the "
                 "host name, as Aliyun OSS needs).", "auto"),
        Variable("BANGBAN_S3_PREFIX", "Folder inside the bucket for the archive's files.", ""),
        Variable("BANGBAN_LANGUAGE", "Default interface language.", "zh-hans"),
        Variable("BANGBAN_TIME_ZONE", "Time zone of the agency.", "Asia/Shanghai"),
        Variable("BANGBAN_EMAIL_BACKEND", "Django e-mail backend.",
                 "django.core.mail.backends.console.EmailBackend"),
        Variable("BANGBAN_DEFAULT_FROM_EMAIL", "Sender address for e-mail.",
                 "bangban@localhost"),
        Variable("BANGBAN_EMAIL_HOST", "SMTP server host name (SMTP e-mail backend).",
                 "localhost"),
        Variable("BANGBAN_EMAIL_PORT", "SMTP server port.", "25"),
        Variable("BANGBAN_EMAIL_HOST_USER", "SMTP user name; empty means no log-in.", ""),
        Variable("BANGBAN_EMAIL_HOST_PASSWORD", "SMTP password.", ""),
        Variable("BANGBAN_EMAIL_USE_TLS", "Use STARTTLS with the SMTP server.", "false"),
        Variable("BANGBAN_EMAIL_USE_SSL", "Use implicit TLS (SMTPS, usually port 465).",
                 "false"),
        Variable("BANGBAN_SMS_BACKEND", "Dotted path of the SMS provider backend.",
                 "bangban.notifications.backends.LogSmsBackend"),
        Variable("BANGBAN_SMS_ALIYUN_ACCESS_KEY_ID", "Aliyun SMS AccessKey ID.", ""),
        Variable("BANGBAN_SMS_ALIYUN_ACCESS_KEY_SECRET", "Aliyun SMS AccessKey secret.", ""),
        Variable("BANGBAN_SMS_ALIYUN_SIGN_NAME", "Approved SMS signature (签名) name.", ""),
        Variable("BANGBAN_SMS_ALIYUN_TEMPLATE_CODE",
                 "Approved SMS template code, e.g. SMS_123456789.", ""),
        Variable("BANGBAN_SMS_ALIYUN_TEMPLATE_PARAM",
                 "Name of the template's variable that receives the message text.", "content"),
        Variable("BANGBAN_SMS_ALIYUN_ENDPOINT", "Aliyun SMS API endpoint URL.",
                 "https://dysmsapi.aliyuncs.com/"),
        Variable("BANGBAN_OUTBOX_MAX_ATTEMPTS",
                 "Attempts to deliver an e-mail or SMS before it is marked dead.", "8"),
        Variable("BANGBAN_OUTBOX_RETRY_SECONDS",
                 "Wait before the first retry; doubled after each failed attempt.", "60"),
        Variable("BANGBAN_OUTBOX_LEASE_SECONDS",
                 "How long a worker may take to send one message before another retries it.",
                 "120"),
        Variable("BANGBAN_EXPORT_INLINE_ROWS",
                 "Exports of at most this many records are written during the request; "
                 "longer ones by the worker, with a progress bar.", "5000"),
        Variable("BANGBAN_EXPORT_KEEP_HOURS",
                 "Hours a finished export stays downloadable before it is deleted.", "24"),
        Variable("BANGBAN_WORKER_SLEEP_SECONDS",
                 "Pause of the worker between rounds when nothing was due (seconds).", "5"),
    ]
}


def env_str(name: str) -> str:
    variable = VARIABLES[name]
    value = os.environ.get(name)
    if value is None:
        if variable.default is None:
            raise ImproperlyConfigured(f"{name} must be set: {variable.help}")
        return variable.default
    return value


def env_bool(name: str) -> bool:
    value = env_str(name).strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true or false)")


def env_int(name: str) -> int:
    value = env_str(name)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number") from None


def env_float(name: str) -> float:
    value = env_str(name)
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number") from None


def env_choice(name: str, choices: list[str]) -> str:
    value = env_str(name).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of {', '.join(choices)}")
    return value


def env_list(name: str) -> list[str]:
    return [item.strip() for item in env_str(name).split(",") if item.strip()]
