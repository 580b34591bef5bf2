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
        Variable("BANGBAN_WEBHOOK_TIMEOUT_SECONDS",
                 "Seconds a webhook receiver has to answer one delivery (connect and each "
                 "read); keep it well below BANGBAN_OUTBOX_LEASE_SECONDS.", "10"),
        Variable("BANGBAN_WEBHOOK_MAX_ATTEMPTS",
                 "Attempts to deliver a webhook event before it is marked dead.", "8"),
        Variable("BANGBAN_EXPORT_INLINE_ROWS",
                 "Exports of at most this many records are written during the request; "
                 "longer ones by the worker, with a progress bar.", "5000"),
        Variable("BANGBAN_EXPORT_KEEP_HOURS",
                 "Hours a finished export stays downloadable before it is deleted.", "24"),
        Variable("BANGBAN_WORKER_SLEEP_SECONDS",
                 "Pause of the worker between rounds when nothing was due (seconds).", "5"),
        Variable("BANGBAN_AUDIT_KEEP_DAYS",
                 "Days the audit log (logins, exports, refusals) is kept before the worker "
                 "deletes older events; at least 180.", "365"),
        Variable("BANGBAN_REDIS_URL",
                 "Redis URL (e.g. redis://127.0.0.1:6379/1) for the cache, the rate limits and "
                 "the login lockout counters; empty means the database cache.", ""),
        Variable("BANGBAN_PASSWORD_MIN_LENGTH", "Shortest accepted password (at least 8).", "10"),
        Variable("BANGBAN_PASSWORD_HISTORY",
                 "A new password may not repeat any of the user's last N passwords; 0 turns "
                 "the check off.", "5"),
        Variable("BANGBAN_LOGIN_FAILURE_LIMIT",
                 "Failed logins (per user name and address) that lock the login.", "5"),
        Variable("BANGBAN_LOGIN_LOCKOUT_MINUTES", "How long a locked login stays locked.", "30"),
        Variable("BANGBAN_DASHBOARD_CACHE_SECONDS",
                 "How long a user's dashboard figures are kept in the cache (the page says "
                 "when they were counted); 0 counts them on every visit.", "60"),
        Variable("BANGBAN_SESSION_IDLE_MINUTES",
                 "A session unused for this long is ended; the user logs in again.", "30"),
        Variable("BANGBAN_SESSION_MAX_HOURS",
                 "A session ends this long after its login, however active.", "12"),
        Variable("BANGBAN_TOTP_REQUIRED_FOR_STAFF",
                 "Staff (every role but company contacts) must set up and use a one-time "
                 "code app (TOTP) at login.", "false"),
        Variable("BANGBAN_HSTS_SECONDS",
                 "Production: how long browsers keep to HTTPS only (Strict-Transport-Security); "
                 "0 turns the header off.", "31536000"),
        Variable("BANGBAN_HSTS_INCLUDE_SUBDOMAINS",
                 "Production: HSTS also covers every subdomain (and allows preloading).", "true"),
        Variable("BANGBAN_SSL_REDIRECT",
                 "Production: redirect plain-HTTP requests to HTTPS (off only when the proxy "
                 "already does so and does not pass X-Forwarded-Proto).", "true"),
        Variable("BANGBAN_OIDC_CLIENT_ID",
                 "Single sign-on (docs/sso.md): Bangban's client id at the unified identity "
                 "platform; empty turns single sign-on off.", ""),
        Variable("BANGBAN_OIDC_CLIENT_SECRET", "Single sign-on: the client secret.", ""),
        Variable("BANGBAN_OIDC_ISSUER",
                 "Single sign-on: the platform's issuer (the `iss` of its ID tokens).", ""),
        Variable("BANGBAN_OIDC_AUTHORIZATION_ENDPOINT",
                 "Single sign-on: the platform's authorization endpoint URL.", ""),
        Variable("BANGBAN_OIDC_TOKEN_ENDPOINT", "Single sign-on: the token endpoint URL.", ""),
        Variable("BANGBAN_OIDC_USERINFO_ENDPOINT",
                 "Single sign-on: the userinfo endpoint URL; empty means the ID token's claims "
                 "only.", ""),
        Variable("BANGBAN_OIDC_JWKS_ENDPOINT",
                 "Single sign-on: the URL of the platform's signing keys (JWKS); needed for "
                 "RS*/ES* signatures.", ""),
        Variable("BANGBAN_OIDC_END_SESSION_ENDPOINT",
                 "Single sign-on: the platform's end-session (logout) endpoint; when set, "
                 "logging out of Bangban also logs out of the platform.", ""),
        Variable("BANGBAN_OIDC_SCOPES", "Single sign-on: the scopes asked for.",
                 "openid profile"),
        Variable("BANGBAN_OIDC_SIGN_ALGO",
                 "Single sign-on: the ID tokens' signature algorithm (RS256, ES256, HS256…).",
                 "RS256"),
        Variable("BANGBAN_OIDC_TOKEN_AUTH",
                 "Single sign-on: how Bangban authenticates at the token endpoint: basic "
                 "(client_secret_basic) or post (client_secret_post).", "basic"),
        Variable("BANGBAN_OIDC_USE_PKCE",
                 "Single sign-on: send a PKCE code challenge (S256) with each login.", "true"),
        Variable("BANGBAN_OIDC_USER_CLAIM",
                 "Single sign-on: the claim that names the local user at the first login.",
                 "preferred_username"),
        Variable("BANGBAN_OIDC_USER_FIELD",
                 "Single sign-on: what the claim is compared with: username, email or "
                 "staff_number (of a membership).", "username"),
        Variable("BANGBAN_OIDC_BUTTON_LABEL",
                 "Single sign-on: the login button's text; empty means \"Sign in with the "
                 "unified identity platform\", translated.", ""),
        Variable("BANGBAN_OIDC_TRUSTED_AMR",
                 "Single sign-on: comma-separated authentication methods (the ID token's "
                 "`amr`, RFC 8176) trusted as the second factor, so that no one-time code is "
                 "asked; empty never trusts the platform's.", "mfa,otp,sms,hwk,swk,sc"),
        Variable("BANGBAN_OIDC_CA_BUNDLE",
                 "Single sign-on: a CA certificate file to trust for the platform's HTTPS "
                 "(an intranet CA); empty means the system's.", ""),
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
