"""A real HTTP server on 127.0.0.1 for download tests: no internet, real sockets and headers.

Routes map a path to a :class:`Route`; ``behaviour`` covers what real servers do wrong:
``"truncate"`` announces more bytes than it sends then closes, ``"slow"`` waits before
answering (to trip a short timeout), ``"http10-cut"`` answers in HTTP/1.0 without a length and
closes halfway through the body, ``"trickle"`` sends the body one byte every ``delay`` seconds
(each read is quick, the whole is not). Every request's path and headers are recorded.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    behaviour: str = "normal"  # "normal", "truncate", "slow", "http10-cut", "trickle"
    delay: float = 2.0


@dataclass
class FakeServer:
    base_url: str
    routes: dict[str, Route]
    requests: list[dict[str, Any]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path


def _handler(server: FakeServer, stop: threading.Event) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            path = self.path.split("?", 1)[0]
            server.requests.append({"path": self.path, "headers": dict(self.headers)})
            route = server.routes.get(path, Route(b"not found", status=404))
            if route.behaviour == "slow" and stop.wait(route.delay):
                return
            if route.behaviour == "http10-cut":
                self.protocol_version = "HTTP/1.0"  # no length: the close ends the body
                self.send_response(route.status)
                self.end_headers()
                self.wfile.write(route.body[: len(route.body) // 2])
                self.close_connection = True
                return
            if route.behaviour == "trickle":
                self.send_response(route.status)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                for byte in route.body:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    if stop.wait(route.delay):
                        return
                return
            self.send_response(route.status)
            length = len(route.body) + (1000 if route.behaviour == "truncate" else 0)
            self.send_header("Content-Length", str(length))
            for name, value in route.headers.items():
                self.send_header(name, value)
            if route.behaviour == "truncate":
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(route.body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # keep pytest output clean

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out and hung up is expected here, not an error


@contextmanager
def serve(routes: dict[str, Route]) -> Iterator[FakeServer]:
    """Run a server on a free port for the duration of the ``with`` block."""
    stop = threading.Event()
    fake = FakeServer("", routes)
    httpd = _QuietServer(("127.0.0.1", 0), _handler(fake, stop))
    fake.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        stop.set()  # wake slow handlers so shutdown does not wait for them
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
