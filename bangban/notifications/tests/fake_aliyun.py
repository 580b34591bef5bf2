"""A stand-in for Aliyun's SMS API (dysmsapi) on 127.0.0.1, for tests.

It checks every request the way Aliyun does — the RPC signature (computed here
independently, with the recipe of Aliyun's documentation), the key id, a fresh nonce — and
behaves like the provider the outbox relies on: `SendSms` counts a message once per `OutId`
(a repeated OutId gets the first answer back), and `QuerySendDetails` lists what was sent to a
number. It can hold the first `SendSms` open after accepting it, to let a test kill the
worker while it waits for the answer.
"""

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def special_url_encode(value):
    """Aliyun's documented recipe: form-encode, then + → %20, * → %2A, %7E → ~."""
    return (urllib.parse.quote_plus(str(value), safe="")
            .replace("+", "%20").replace("*", "%2A").replace("%7E", "~"))


def expected_signature(method, params, secret):
    query = "&".join(f"{special_url_encode(k)}={special_url_encode(params[k])}"
                     for k in sorted(params) if k != "Signature")
    to_sign = f"{method}&{special_url_encode('/')}&{special_url_encode(query)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class FakeAliyunSms:
    def __init__(self, *, access_key_id="fake-key-id", secret="fake-secret",
                 hold_first_send=False):
        self.access_key_id = access_key_id
        self.secret = secret
        self.hold_first_send = hold_first_send
        self.lock = threading.Lock()
        self.deliveries = {}  # OutId → {"phone", "text", "biz_id", "params"}
        self.delivered = Counter()  # OutId → how many times a phone received it
        self.send_calls = []  # OutId of every SendSms that passed the checks, in order
        self.query_calls = 0
        self.rejected = []  # (code, message) of refused requests
        self.scripted = []  # answers for the next SendSms calls: (http status, body dict)
        self.nonces = set()
        self.held = threading.Event()  # a SendSms is being held open
        self.release = threading.Event()
        self._server = None

    # ------------------------------------------------------------------ lifecycle
    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                params = {k: v[0] for k, v in
                          urllib.parse.parse_qs(body, keep_blank_values=True).items()}
                status, answer = fake.handle("POST", params)
                payload = json.dumps(answer, ensure_ascii=False).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json;charset=utf-8")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client went away (a killed worker)

            def log_message(self, format, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def stop(self):
        self.release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # ------------------------------------------------------------------ the API
    def _refuse(self, status, code, message):
        with self.lock:
            self.rejected.append((code, message))
        return status, {"Code": code, "Message": message, "RequestId": "fake"}

    def handle(self, method, params):
        signature = params.get("Signature", "")
        if params.get("AccessKeyId") != self.access_key_id:
            return self._refuse(404, "InvalidAccessKeyId.NotFound", "Specified access key is "
                                                                     "not found.")
        if signature != expected_signature(method, params, self.secret):
            return self._refuse(400, "SignatureDoesNotMatch", "Specified signature is not "
                                                              "matched with our calculation.")
        for name, value in (("SignatureMethod", "HMAC-SHA1"), ("SignatureVersion", "1.0"),
                            ("Version", "2017-05-25")):
            if params.get(name) != value:
                return self._refuse(400, "InvalidParameter", f"{name} must be {value}")
        with self.lock:
            if params.get("SignatureNonce") in self.nonces:
                return self._refuse(400, "SignatureNonceUsed", "Specified signature nonce "
                                                               "was used already.")
            self.nonces.add(params.get("SignatureNonce"))
        action = params.get("Action")
        if action == "SendSms":
            return self._send(params)
        if action == "QuerySendDetails":
            return self._query(params)
        return self._refuse(400, "InvalidAction.NotFound", f"Unknown action {action}")

    def _send(self, params):
        out_id = params.get("OutId", "")
        with self.lock:
            self.send_calls.append(out_id)
            if self.scripted:
                return self.scripted.pop(0)
            first_ever = not self.deliveries
            known = self.deliveries.get(out_id)
            if known is None:
                known = self.deliveries[out_id] = {
                    "phone": params.get("PhoneNumbers"),
                    "text": json.loads(params.get("TemplateParam") or "{}"),
                    "biz_id": f"{len(self.deliveries) + 1:06d}^0",
                    "params": params,
                }
                self.delivered[out_id] += 1
        if first_ever and self.hold_first_send:
            # Accepted and delivered; the answer never reaches a worker killed meanwhile.
            self.held.set()
            self.release.wait(timeout=60)
        return 200, {"Code": "OK", "Message": "OK", "BizId": known["biz_id"],
                     "RequestId": f"fake-{len(self.send_calls)}"}

    def _query(self, params):
        with self.lock:
            self.query_calls += 1
            rows = [
                {"PhoneNum": d["phone"], "SendStatus": 3, "ErrCode": "DELIVERED",
                 "OutId": out_id, "Content": json.dumps(d["text"], ensure_ascii=False),
                 "TemplateCode": d["params"].get("TemplateCode")}
                for out_id, d in self.deliveries.items()
                if d["phone"] == params.get("PhoneNumber")
            ]
        size, page = int(params.get("PageSize") or 10), int(params.get("CurrentPage") or 1)
        return 200, {"Code": "OK", "Message": "OK", "RequestId": "fake-query",
                     "TotalCount": len(rows),
                     "SmsSendDetailDTOs": {"SmsSendDetailDTO": rows[(page - 1) * size:
                                                                    page * size]}}
