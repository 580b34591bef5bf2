"""Signing webhook deliveries, and checking a signature at the receiving end.

`verify_signature` uses the standard library only, so that an integrator can copy this file
(or the same function from docs/webhooks.md) into the system that receives the webhooks.
"""

import hashlib
import hmac
import time

SIGNATURE_PREFIX = "sha256="
DEFAULT_TOLERANCE_SECONDS = 300


def _as_bytes(value):
    return value if isinstance(value, bytes) else str(value).encode()


def sign(secret, timestamp, body):
    """`sha256=<hex>`: HMAC-SHA256, keyed with the endpoint's secret, of `timestamp.body`."""
    message = _as_bytes(timestamp) + b"." + _as_bytes(body)
    return SIGNATURE_PREFIX + hmac.new(_as_bytes(secret), message, hashlib.sha256).hexdigest()


def verify_signature(secret, timestamp, body, signature, tolerance=DEFAULT_TOLERANCE_SECONDS,
                     *, now=None):
    """Whether `signature` (the X-Bangban-Signature header) was made with `secret` over this
    `timestamp` (X-Bangban-Timestamp) and the raw request `body` (bytes, as received), and the
    timestamp is at most `tolerance` seconds from now — so a captured request cannot be
    replayed later. Compares in constant time."""
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - sent_at) > tolerance:
        return False
    expected = sign(secret, timestamp, body)
    return hmac.compare_digest(expected.encode(), _as_bytes(signature or ""))
