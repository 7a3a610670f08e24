"""A real HTTP server on 127.0.0.1 that serves synthetic publisher files and misbehaves on demand.

Each path gets a behaviour: a function that answers one request. The server counts the requests
per path and keeps their headers, so tests can check retries and conditional requests.
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Behaviour = Callable[[BaseHTTPRequestHandler], None]


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # a client that gave up (timeout test) breaks the pipe; that is the point, not a failure
        pass


class PublisherServer:
    def __init__(self) -> None:
        self.routes: dict[str, Behaviour] = {}
        self.hits: Counter[str] = Counter()
        self.headers: dict[str, list[dict[str, str]]] = {}
        self._httpd = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}{path}"

    def start(self) -> PublisherServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits[self.path] += 1
                server.headers.setdefault(self.path, []).append(dict(self.headers))
                server.routes.get(self.path, status(404))(self)

            def log_message(self, *args) -> None:
                pass

        return Handler


def serve(body: bytes, *, etag: str | None = None, last_modified: str | None = None,
          content_type: str = "application/octet-stream", content_length: bool = True) -> Behaviour:
    """A file, answered with 304 when the client already holds this ETag."""
    def behaviour(h: BaseHTTPRequestHandler) -> None:
        if etag and h.headers.get("If-None-Match") == etag:
            h.send_response(304)
            h.end_headers()
            return
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        if content_length:
            h.send_header("Content-Length", str(len(body)))
        if etag:
            h.send_header("ETag", etag)
        if last_modified:
            h.send_header("Last-Modified", last_modified)
        h.end_headers()
        h.wfile.write(body)
    return behaviour


def status(code: int) -> Behaviour:
    def behaviour(h: BaseHTTPRequestHandler) -> None:
        h.send_response(code)
        h.send_header("Content-Length", "0")
        h.end_headers()
    return behaviour


def fail_first(times: int, then: Behaviour, code: int = 500) -> Behaviour:
    answered = 0

    def behaviour(h: BaseHTTPRequestHandler) -> None:
        nonlocal answered
        answered += 1
        (status(code) if answered <= times else then)(h)
    return behaviour


def stall(seconds: float, then: Behaviour) -> Behaviour:
    """Answer only after `seconds`, longer than the client waits."""
    def behaviour(h: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        then(h)
    return behaviour


def truncated(body: bytes, announced: int) -> Behaviour:
    """Announce `announced` bytes, send `body` (fewer) and close the connection."""
    def behaviour(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", str(announced))
        h.end_headers()
        h.wfile.write(body)
        h.close_connection = True
    return behaviour


def redirect(location: str) -> Behaviour:
    def behaviour(h: BaseHTTPRequestHandler) -> None:
        h.send_response(302)
        h.send_header("Location", location)
        h.send_header("Content-Length", "0")
        h.end_headers()
    return behaviour
