"""A webhook receiver on 127.0.0.1 for tests: a real HTTP server in a thread that records
every request and answers with scripted statuses (200 when nothing is scripted). It can hold
the first request open after reading it, so that a test can kill the sending worker while
it waits for the answer."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple


class Received(NamedTuple):
    path: str
    headers: dict
    body: bytes
    status: int


class Receiver:
    def __init__(self, *, hold_first=False):
        self.hold_first = hold_first
        self.lock = threading.Lock()
        self.requests = []  # Received, in arrival order
        self.script = []  # (status, extra headers) for the next requests
        self.held = threading.Event()
        self.release = threading.Event()
        self._server = None

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    status, extra = (receiver.script.pop(0) if receiver.script
                                     else (200, {}))
                    first = not receiver.requests
                    receiver.requests.append(
                        Received(self.path, dict(self.headers.items()), body, status))
                if first and receiver.hold_first:
                    receiver.held.set()
                    receiver.release.wait(timeout=60)
                try:
                    self.send_response(status)
                    for name, value in extra.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the sender is gone (a killed worker)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks/bangban"

    def answer(self, *statuses, headers=None):
        with self.lock:
            self.script.extend((status, headers or {}) for status in statuses)

    def delivery_ids(self):
        with self.lock:
            return [request.headers["X-Bangban-Delivery"] for request in self.requests]
