"""The signature scheme, and the copy of `verify_signature` integrators take from the docs."""

import hashlib
import hmac
import re

from django.conf import settings

from bangban.webhooks.signing import sign, verify_signature

SECRET = "a" * 64
BODY = '{"event":"item.approve","case":{"number":"BB2026000123"}}'.encode()
NOW = 1_790_000_000


def test_the_signature_is_the_hmac_of_timestamp_dot_body():
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, str(NOW), BODY) == f"sha256={expected}"


def documented_verify_signature():
    text = (settings.BASE_DIR / "docs" / "webhooks.md").read_text()
    [code] = [block for block in re.findall(r"```python\n(.*?)```", text, re.S)
              if "def verify_signature" in block]
    namespace = {}
    exec(code, namespace)
    return namespace["verify_signature"]


def cases():
    good = sign(SECRET, str(NOW), BODY)
    return [
        ((SECRET, str(NOW), BODY, good), True),
        ((SECRET, NOW, BODY, good), True),  # the timestamp as a number
        ((SECRET, str(NOW), BODY.decode(), good), True),  # the body as text
        (("b" * 64, str(NOW), BODY, good), False),  # another secret
        ((SECRET, str(NOW), BODY + b" ", good), False),  # a changed body
        ((SECRET, str(NOW + 1), BODY, good), False),  # another timestamp
        ((SECRET, str(NOW), BODY, good.upper()), False),
        ((SECRET, str(NOW), BODY, good.removeprefix("sha256=")), False),
        ((SECRET, str(NOW), BODY, ""), False),
        ((SECRET, str(NOW), BODY, None), False),
        ((SECRET, "", BODY, good), False),
        ((SECRET, "yesterday", BODY, good), False),
        ((SECRET, None, BODY, good), False),
    ]


def test_verify_signature_accepts_only_the_right_secret_body_and_timestamp():
    for arguments, valid in cases():
        assert verify_signature(*arguments, now=NOW) is valid, arguments


def test_old_and_future_timestamps_are_refused_outside_the_tolerance():
    timestamp = str(NOW)
    signature = sign(SECRET, timestamp, BODY)
    assert verify_signature(SECRET, timestamp, BODY, signature, now=NOW + 300)
    assert not verify_signature(SECRET, timestamp, BODY, signature, now=NOW + 301)
    assert not verify_signature(SECRET, timestamp, BODY, signature, now=NOW - 301)
    assert verify_signature(SECRET, timestamp, BODY, signature, tolerance=3600,
                            now=NOW + 3000)


def test_the_copy_in_the_docs_behaves_like_the_apps_own():
    documented = documented_verify_signature()
    for arguments, valid in cases():
        assert documented(*arguments, now=NOW) is valid, arguments
    signature = sign(SECRET, str(NOW), BODY)
    assert not documented(SECRET, str(NOW), BODY, signature, now=NOW + 301)
