"""deploy/nginx checked by a real nginx (Debian's, which scripts/test.sh installs).

First `nginx -t` on the site as shipped (only the files it names are moved into a temporary
prefix), then nginx started on free ports of 127.0.0.1 in front of a small WSGI upstream that
records what reaches it: the headers the application trusts, the redirect to HTTPS, static
files, the upload limit, slow visitors and streamed responses. No root and no port below 1024
are needed. The certificate is a throwaway one (cryptography comes with mozilla-django-oidc).
"""

import datetime
import gzip
import hashlib
import http.client
import importlib
import io
import ipaddress
import os
import pwd
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.handlers.wsgi import WSGIRequest
from django.test import override_settings

from bangban.accounts.security import client_ip as lockout_client_ip
from bangban.audit.services import client_ip as audit_client_ip
from bangban.core.middleware import ENVELOPE_BYTES, MAX_FILES_PER_REQUEST

DEPLOY = Path(__file__).resolve().parent.parent / "deploy" / "nginx"
# Debian installs nginx in /usr/sbin, which is not on every user's PATH.
NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
SERVER_NAME = "bangban.example.gov.cn"
# Another address of the loopback network: the proxy connects from 127.0.0.1, the visitor
# from here, so the headers can tell them apart.
VISITOR = "127.0.0.2"
BIG_RESPONSE = 48 * 1024 * 1024  # more than the kernel's socket buffers on both sides
# A block of a streamed download (a ZIP member, a batch of export rows). nginx passes it on
# while the app is still writing, all but the last buffer or two it fills (8 KiB each at most).
STREAMED_BLOCK = b"z" * (256 * 1024)
CSS = b"body { color: #123456; }\n" * 200


def _production():
    return importlib.import_module("config.settings.production")


def _upload_limit():
    """The largest request body Django accepts in production (RequestSizeLimitMiddleware)."""
    return _production().UPLOAD_MAX_BYTES * MAX_FILES_PER_REQUEST + ENVELOPE_BYTES


def _certificate(directory):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SERVER_NAME)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName(SERVER_NAME), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256()))
    crt, pem_key = directory / "bangban.crt", directory / "bangban.key"
    crt.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    pem_key.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return crt, pem_key


def _replace(text, old, new, count=1):
    """`old` replaced by `new`, insisting that the site still says `old` `count` times: a
    changed site must change this test rather than be tested half-moved."""
    assert text.count(old) == count, f"expected {old!r} {count}× in the site"
    return text.replace(old, new)


def _site(prefix, **ports):
    """deploy/nginx/bangban.conf with its files under `prefix`; with `ports` (http, https,
    upstream), listening on 127.0.0.1 only and proxying to that upstream."""
    crt, key = _certificate(prefix)
    site = (DEPLOY / "bangban.conf").read_text()
    site = _replace(site, "include /etc/nginx/bangban_proxy.conf;",
                    f"include {DEPLOY / 'bangban_proxy.conf'};", count=3)
    site = _replace(site, "/etc/nginx/tls/bangban.crt", str(crt))
    site = _replace(site, "/etc/nginx/tls/bangban.key", str(key))
    site = _replace(site, "alias /opt/bangban/var/staticfiles/;",
                    f"alias {prefix / 'staticfiles'}/;")
    if ports:
        site = _replace(site, "server 127.0.0.1:8000 ", f"server 127.0.0.1:{ports['upstream']} ")
        site, ipv6 = re.subn(r"^ *listen \[::\]:\d+[^;]*;\n", "", site, flags=re.MULTILINE)
        assert ipv6 == 2
        for scheme, port in (("http", 80), ("https", 443)):
            site, n = re.subn(rf"^( *)listen {port}\b", rf"\1listen 127.0.0.1:{ports[scheme]}",
                              site, flags=re.MULTILINE)
            assert n == 1
    (prefix / "bangban.conf").write_text(site)
    # The parts of Debian's /etc/nginx/nginx.conf the site relies on, with every file that
    # nginx writes moved under the prefix.
    user = f"user {pwd.getpwuid(os.getuid()).pw_name};" if os.geteuid() == 0 else ""
    (prefix / "nginx.conf").write_text(f"""
        {user}
        worker_processes 1;
        pid {prefix}/nginx.pid;
        error_log {prefix}/error.log;
        events {{ worker_connections 64; }}
        http {{
            include /etc/nginx/mime.types;
            default_type application/octet-stream;
            sendfile on;
            access_log off;
            client_body_temp_path {prefix}/client_body;
            proxy_temp_path {prefix}/proxy;
            fastcgi_temp_path {prefix}/fastcgi;
            uwsgi_temp_path {prefix}/uwsgi;
            scgi_temp_path {prefix}/scgi;
            include {prefix}/bangban.conf;
        }}
    """)
    return prefix / "nginx.conf"


def _nginx(*args):
    assert NGINX, "nginx is not installed: scripts/test.sh installs Debian's nginx"
    return [NGINX, *args]


def test_nginx_accepts_the_site_as_shipped(tmp_path):
    config = _site(tmp_path)
    result = subprocess.run(_nginx("-t", "-p", f"{tmp_path}/", "-c", str(config)),
                            capture_output=True, text=True, timeout=30)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "test is successful" in output
    assert "[warn]" not in output and "[emerg]" not in output, output


# ------------------------------------------------------------------ nginx in front of an upstream


class _Upstream(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class Proxy:
    """nginx on `http_port` / `https_port` in front of a WSGI app that records each request's
    environ in `seen`."""

    def __init__(self, prefix):
        self.seen = []
        self.big_response_sent = threading.Event()
        self.stream_may_end = threading.Event()
        self.upstream = make_server("127.0.0.1", 0, self.app, server_class=_Upstream,
                                    handler_class=_QuietHandler)
        threading.Thread(target=self.upstream.serve_forever, daemon=True).start()
        self.http_port, self.https_port = _free_port(), _free_port()
        self.prefix = prefix
        (prefix / "staticfiles" / "css").mkdir(parents=True)
        (prefix / "staticfiles" / "css" / "bangban.css").write_bytes(CSS)
        # collectstatic (whitenoise's storage) writes a compressed copy beside each file.
        (prefix / "staticfiles" / "css" / "bangban.css.gz").write_bytes(gzip.compress(CSS))
        config = _site(prefix, http=self.http_port, https=self.https_port,
                       upstream=self.upstream.server_port)
        self.process = subprocess.Popen(
            _nginx("-p", f"{prefix}/", "-c", str(config), "-g", "daemon off;"),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.tls = ssl.create_default_context(cafile=str(prefix / "bangban.crt"))
        self._wait_until_listening()

    def app(self, environ, start_response):
        body = b""
        if environ["REQUEST_METHOD"] == "POST":
            digest, length, stream = hashlib.sha256(), 0, environ["wsgi.input"]
            remaining = int(environ.get("CONTENT_LENGTH") or 0)
            while remaining:
                chunk = stream.read(min(remaining, 1 << 20))
                if not chunk:
                    break
                digest.update(chunk)
                length += len(chunk)
                remaining -= len(chunk)
            body = f"{length} {digest.hexdigest()}".encode()
        self.seen.append({k: v for k, v in environ.items() if not k.startswith("wsgi.")})
        if environ["PATH_INFO"] == "/big":
            start_response("200 OK", [("Content-Type", "application/octet-stream"),
                                      ("Content-Length", str(BIG_RESPONSE))])
            return self._big()
        if environ["PATH_INFO"] == "/stream":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return self._stream()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [body or b"from the app"]

    def _big(self):
        chunk = b"x" * (1 << 20)
        for _ in range(BIG_RESPONSE // len(chunk)):
            yield chunk
        self.big_response_sent.set()

    def _stream(self):
        yield STREAMED_BLOCK
        self.stream_may_end.wait(timeout=20)
        yield b"last part\n"

    def _wait_until_listening(self):
        deadline = time.monotonic() + 15
        for port in (self.http_port, self.https_port):
            while True:
                if self.process.poll() is not None:
                    raise AssertionError(f"nginx stopped: {self.process.stderr.read().decode()}"
                                         f"{self.error_log()}")
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise AssertionError(f"nginx is not listening on {port}") from None
                    time.sleep(0.05)

    def error_log(self):
        log = self.prefix / "error.log"
        return log.read_text() if log.exists() else ""

    def connection(self, scheme="https", timeout=30):
        if scheme == "https":
            return http.client.HTTPSConnection("127.0.0.1", self.https_port, context=self.tls,
                                               source_address=(VISITOR, 0), timeout=timeout)
        return http.client.HTTPConnection("127.0.0.1", self.http_port,
                                          source_address=(VISITOR, 0), timeout=timeout)

    def get(self, path, scheme="https", headers=(), method="GET", body=None):
        connection = self.connection(scheme)
        try:
            connection.request(method, path, body=body,
                               headers={"Host": SERVER_NAME, **dict(headers)})
            response = connection.getresponse()
            return response, response.read()
        finally:
            connection.close()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stderr.close()
        self.upstream.shutdown()
        self.upstream.server_close()


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def proxy(tmp_path):
    running = Proxy(tmp_path)
    yield running
    running.stop()


FORGED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9",
          "X-Real-IP": "203.0.113.9"}


def test_https_requests_reach_the_app_with_the_headers_it_trusts(proxy):
    response, body = proxy.get("/cases/?page=2", headers={**FORGED, "X-Forwarded-Proto": "http"})
    assert (response.status, body) == (200, b"from the app")
    [environ] = proxy.seen
    assert (environ["PATH_INFO"], environ["QUERY_STRING"]) == ("/cases/", "page=2")
    assert environ["HTTP_HOST"] == SERVER_NAME
    assert environ["HTTP_X_FORWARDED_PROTO"] == "https"
    # The visitor's address, whatever the visitor claimed; the connection is the proxy's.
    assert environ["HTTP_X_REAL_IP"] == environ["HTTP_X_FORWARDED_FOR"] == VISITOR
    assert environ["REMOTE_ADDR"] == "127.0.0.1"

    # Read as the production settings and docs/deployment.md's BANGBAN_CLIENT_IP_HEADER do.
    request = WSGIRequest({**environ, "wsgi.input": io.BytesIO()})
    with override_settings(SECURE_PROXY_SSL_HEADER=_production().SECURE_PROXY_SSL_HEADER,
                           RATELIMIT_IP_META_KEY="HTTP_X_REAL_IP", ALLOWED_HOSTS=[SERVER_NAME]):
        assert request.is_secure()
        assert request.get_host() == SERVER_NAME
        assert audit_client_ip(request) == lockout_client_ip(request) == VISITOR


def test_https_offers_http2(proxy):
    tls = ssl.create_default_context(cafile=str(proxy.prefix / "bangban.crt"))
    tls.set_alpn_protocols(["h2", "http/1.1"])
    with socket.create_connection(("127.0.0.1", proxy.https_port), timeout=10) as raw:
        with tls.wrap_socket(raw, server_hostname=SERVER_NAME) as connection:
            assert connection.selected_alpn_protocol() == "h2"
            assert connection.version() in {"TLSv1.2", "TLSv1.3"}


def test_plain_http_redirects_to_https_except_the_health_checks(proxy):
    response, _ = proxy.get("/cases/?page=2", scheme="http")
    assert response.status == 301
    assert response.headers["Location"] == f"https://{SERVER_NAME}/cases/?page=2"
    assert response.headers["Server"] == "nginx"  # no version, on either port
    assert proxy.seen == []

    # Forged headers do not make plain HTTP look secure to the app.
    for path in ("/healthz", "/readyz"):
        response, body = proxy.get(path, scheme="http", headers=FORGED)
        assert (response.status, body) == (200, b"from the app")
    assert [e["PATH_INFO"] for e in proxy.seen] == ["/healthz", "/readyz"]
    for environ in proxy.seen:
        assert environ["HTTP_X_FORWARDED_PROTO"] == "http"
        assert environ["HTTP_X_REAL_IP"] == environ["HTTP_X_FORWARDED_FOR"] == VISITOR


def test_static_files_are_served_from_disk_and_revalidated(proxy):
    response, body = proxy.get("/static/css/bangban.css")
    assert (response.status, body) == (200, CSS)
    assert response.headers["Content-Type"] == "text/css"
    assert response.headers["Server"] == "nginx"
    # collectstatic keeps the names (whitenoise's CompressedStaticFilesStorage, no hash): a
    # browser may keep a file for an hour, then asks again whether it changed.
    assert response.headers.get_all("Cache-Control") == ["max-age=3600"]
    etag = response.headers["ETag"]
    response, body = proxy.get("/static/css/bangban.css", headers={"If-None-Match": etag})
    assert (response.status, body) == (304, b"")

    response, body = proxy.get("/static/css/bangban.css", headers={"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == CSS

    response, _ = proxy.get("/static/css/missing.css")
    assert response.status == 404
    assert proxy.seen == []


def test_uploaded_files_are_never_served_by_nginx(proxy):
    response, _ = proxy.get("/media/cases/1/plan.pdf")
    assert response.status == 404
    assert proxy.seen == []


def test_uploads_up_to_the_apps_own_limit_reach_it_and_larger_ones_do_not(proxy):
    limit = _upload_limit()
    chunk = os.urandom(1 << 20)
    body = [chunk] * (limit // len(chunk)) + [chunk[:limit % len(chunk)]]
    digest = hashlib.sha256()
    for part in body:
        digest.update(part)
    response, answer = proxy.get("/cases/1/items/2/upload/", method="POST", body=iter(body),
                                 headers={"Content-Length": str(limit),
                                          "Content-Type": "application/octet-stream"})
    assert (response.status, answer.decode()) == (200, f"{limit} {digest.hexdigest()}")
    assert len(proxy.seen) == 1

    # nginx answers from the header alone, before the body is sent.
    connection = proxy.connection()
    connection.putrequest("POST", "/cases/1/items/2/upload/", skip_host=True)
    connection.putheader("Host", SERVER_NAME)
    connection.putheader("Content-Length", str(limit + 1))
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 413
    connection.close()
    assert len(proxy.seen) == 1


def test_a_slow_client_does_not_hold_an_app_server(proxy):
    # gunicorn's sync workers serve one request at a time: nginx must take the whole response
    # from the app at once and feed a slow visitor itself.
    connection = proxy.connection()
    connection.request("GET", "/big", headers={"Host": SERVER_NAME})
    assert proxy.big_response_sent.wait(timeout=20), "the app is still writing to nginx"
    response = connection.getresponse()
    received = 0
    while chunk := response.read(1 << 20):
        received += len(chunk)
    connection.close()
    assert (response.status, received) == (200, BIG_RESPONSE)


def test_a_streamed_response_reaches_the_visitor_as_it_is_written(proxy):
    # As the archive's ZIP and the exports are: the block arrives before the app ends.
    connection = proxy.connection(timeout=10)
    connection.request("GET", "/stream", headers={"Host": SERVER_NAME})
    response = connection.getresponse()
    received = b""
    while len(received) < len(STREAMED_BLOCK) - 16 * 1024:
        received += response.read1(64 * 1024)
    proxy.stream_may_end.set()
    received += response.read()
    connection.close()
    assert received == STREAMED_BLOCK + b"last part\n"
