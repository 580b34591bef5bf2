"""Alibaba Cloud (Aliyun) SMS, API `dysmsapi` 2017-05-25, over HTTPS with the RPC-style
signature version 1.0 (HMAC-SHA1 of the canonicalised query), without the vendor SDK.

`sign()` is checked against the worked example in Aliyun's signature documentation
(AccessKeyId `testId`, secret `testSecret` → `zJDF+Lrzhj/ThnlvIToysFRq6t4=`).
"""

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime

API_VERSION = "2017-05-25"
REGION = "cn-hangzhou"

# Error codes that will not go away by trying again (bad number, bad template, content
# refused …). Anything else — throttling, quota, server errors — is worth a retry.
PERMANENT_CODES = frozenset({
    "isv.MOBILE_NUMBER_ILLEGAL",
    "isv.MOBILE_COUNT_OVER_LIMIT",
    "isv.INVALID_PARAMETERS",
    "isv.INVALID_JSON_PARAM",
    "isv.PARAM_LENGTH_LIMIT",
    "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.TEMPLATE_PARAMS_ILLEGAL",
    "isv.BLACK_KEY_CONTROL_LIMIT",
    "isv.SMS_CONTENT_ILLEGAL",
    "isv.SMS_SIGN_ILLEGAL",
    "isv.SMS_TEMPLATE_ILLEGAL",
    "isv.DOMESTIC_NUMBER_NOT_SUPPORTED",
})


def percent_encode(value):
    """RFC 3986 encoding as Aliyun wants it: space → %20, `*` → %2A, `~` kept."""
    return urllib.parse.quote(str(value), safe="-_.~")


def canonical_query(params):
    return "&".join(
        f"{percent_encode(key)}={percent_encode(params[key])}" for key in sorted(params)
    )


def string_to_sign(method, params):
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical_query(params))}"


def sign(method, params, secret):
    """The `Signature` value for `params` (every parameter except Signature itself)."""
    digest = hmac.new(f"{secret}&".encode(), string_to_sign(method, params).encode(),
                      hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def common_params(access_key_id, action, *, now=None, nonce=None):
    now = now or datetime.now(UTC)
    return {
        "AccessKeyId": access_key_id,
        "Action": action,
        "Format": "JSON",
        "RegionId": REGION,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": nonce or str(uuid.uuid4()),
        "SignatureVersion": "1.0",
        "Timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": API_VERSION,
    }


class AliyunError(Exception):
    def __init__(self, message, *, code="", retryable=True):
        super().__init__(message)
        self.code = code
        self.retryable = retryable


def call(endpoint, params, secret, *, timeout):
    """POSTs the signed request; returns the decoded JSON answer with `Code` "OK", or raises
    `AliyunError` (retryable unless the code says the request itself is wrong)."""
    body = dict(params)
    body["Signature"] = sign("POST", params, secret)
    data = canonical_query(body).encode()
    request = urllib.request.Request(
        endpoint, data=data, method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            payload = response.read()
    except urllib.error.HTTPError as error:
        payload = error.read()
        if not payload:
            raise AliyunError(f"HTTP {error.code}", retryable=error.code >= 500) from error
    except (urllib.error.URLError, OSError) as error:
        raise AliyunError(f"{type(error).__name__}: {error}") from error
    try:
        answer = json.loads(payload)
    except ValueError:
        raise AliyunError(f"not JSON: {payload[:200]!r}") from None
    code = answer.get("Code", "")
    if code != "OK":
        raise AliyunError(f"{code}: {answer.get('Message', '')}", code=code,
                          retryable=code not in PERMANENT_CODES)
    return answer
