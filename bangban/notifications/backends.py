"""How a message leaves the application: e-mail through Django's e-mail backend, SMS through a
pluggable provider backend chosen by the `SMS_BACKEND` setting.

A backend raises `RetryableDeliveryError` when trying again later may help (network, the
provider throttling or failing) and `PermanentDeliveryError` when it cannot (an invalid number,
an address the mail server refuses). Every send carries the message's idempotency key, so
that a resend after a worker died mid-send can be recognised as the same message.
"""

import json
import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.module_loading import import_string

from bangban.notifications import aliyun

logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    retryable = True


class RetryableDeliveryError(DeliveryError):
    retryable = True


class PermanentDeliveryError(DeliveryError):
    retryable = False


# ------------------------------------------------------------------------------------ SMS


class SmsBackend:
    """The interface every SMS provider backend implements."""

    def send(self, phone, text, idempotency_key):
        """Sends `text` to `phone`; returns the provider's message id. Sending again with the
        same `idempotency_key` must not make the phone receive it twice where the provider
        can prevent that."""
        raise NotImplementedError

    def find_sent(self, phone, idempotency_key, since):
        """The provider's id of a message already accepted under `idempotency_key` since
        `since`, or None. Asked before sending a message again whose earlier attempt may
        have reached the provider. Backends that cannot tell return None."""


class LogSmsBackend(SmsBackend):
    """For development and the demo: writes each SMS to the log instead of sending it."""

    def send(self, phone, text, idempotency_key):
        logger.info("SMS to %s (%s): %s", phone, idempotency_key, text)
        return f"log-{idempotency_key}"


class AliyunSmsBackend(SmsBackend):
    """Alibaba Cloud SMS (`SendSms`). Aliyun sends only approved templates, so every message
    goes through one approved template with a single variable (named by
    `SMS_ALIYUN["template_param"]`, e.g. `${content}`) that receives the whole text. The
    idempotency key travels as `OutId`; `find_sent` looks it up with `QuerySendDetails`."""

    PAGE_SIZE = 50
    MAX_PAGES = 20

    def __init__(self, **options):
        config = {**settings.SMS_ALIYUN, **options}
        missing = [key for key in ("access_key_id", "access_key_secret", "sign_name",
                                   "template_code") if not config.get(key)]
        if missing:
            raise ImproperlyConfigured(
                "Aliyun SMS needs " + ", ".join(
                    f"BANGBAN_SMS_ALIYUN_{key.upper()}" for key in missing
                )
            )
        self.config = config

    def _call(self, action, params):
        config = self.config
        params = {**aliyun.common_params(config["access_key_id"], action), **params}
        try:
            return aliyun.call(config["endpoint"], params, config["access_key_secret"],
                               timeout=config["timeout"])
        except aliyun.AliyunError as error:
            error_class = RetryableDeliveryError if error.retryable else PermanentDeliveryError
            raise error_class(f"Aliyun {action}: {error}") from error

    def send(self, phone, text, idempotency_key):
        answer = self._call("SendSms", {
            "PhoneNumbers": phone,
            "SignName": self.config["sign_name"],
            "TemplateCode": self.config["template_code"],
            "TemplateParam": json.dumps({self.config["template_param"]: text},
                                        ensure_ascii=False),
            "OutId": str(idempotency_key),
        })
        return answer.get("BizId", "")

    def find_sent(self, phone, idempotency_key, since):
        # Aliyun keeps records per day (China time) for 30 days.
        zone = timezone.get_default_timezone()
        day, today = timezone.localtime(since, zone).date(), timezone.localtime(None, zone).date()
        day = max(day, today - timedelta(days=29))
        while day <= today:
            for page in range(1, self.MAX_PAGES + 1):
                answer = self._call("QuerySendDetails", {
                    "PhoneNumber": phone, "SendDate": day.strftime("%Y%m%d"),
                    "PageSize": self.PAGE_SIZE, "CurrentPage": page,
                })
                details = (answer.get("SmsSendDetailDTOs") or {}).get("SmsSendDetailDTO") or []
                for detail in details:
                    # SendStatus 1 = waiting for the receipt, 2 = failed, 3 = delivered.
                    if detail.get("OutId") == str(idempotency_key) and detail.get(
                        "SendStatus"
                    ) != 2:
                        return detail.get("BizId") or f"OutId {idempotency_key}"
                if page * self.PAGE_SIZE >= int(answer.get("TotalCount") or 0):
                    break
            day += timedelta(days=1)
        return None


def get_sms_backend():
    return import_string(settings.SMS_BACKEND)()


# --------------------------------------------------------------------------------- e-mail


def message_id(idempotency_key):
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "bangban.invalid"
    return f"<{idempotency_key}@{domain}>"


def send_email(address, subject, body, idempotency_key):
    """Sends one e-mail with a Message-ID derived from the idempotency key, so a resend is
    recognisably the same message. Returns the Message-ID."""
    msgid = message_id(idempotency_key)
    email = EmailMessage(subject, body, to=[address], headers={"Message-ID": msgid})
    try:
        email.send()
    except smtplib.SMTPRecipientsRefused as error:
        raise PermanentDeliveryError(f"SMTP refused the address: {error}") from error
    except smtplib.SMTPDataError as error:
        # 5xx: the server refuses this message (size, content); 4xx: try later. Log-in and
        # connection problems below are configuration or network: retried.
        error_class = PermanentDeliveryError if error.smtp_code >= 500 else RetryableDeliveryError
        raise error_class(f"SMTP {error.smtp_code}: {error.smtp_error!r}") from error
    except (smtplib.SMTPException, OSError) as error:
        raise RetryableDeliveryError(f"{type(error).__name__}: {error}") from error
    return msgid
