"""A fake MediaWiki Action API on 127.0.0.1, replaying answers written in the real API's format.

The answers are files (``tests/data/wiki/0001.json``…, written from the API's documentation:
``action=query`` with ``generator=categorymembers``, ``prop=revisions|info``, formatversion 2;
see ``tests/data/README.md``). The first answers a request without continuation; each next one
answers the request carrying the previous answer's ``continue`` parameters exactly, as the
real API does. A request asking anything else gets the API's own error shape. ``fail_at``
(a request number, from 1) drops the connection without an answer, as a network failure does.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

WIKI_DATA = Path(__file__).parent / "data" / "wiki"
_QUERY_KEYS = {"action", "format", "formatversion", "generator", "gcmtitle", "gcmnamespace",
               "gcmlimit", "prop", "rvprop", "rvslots", "inprop"}  # fmt: skip


@dataclass
class FakeWiki:
    base_url: str
    answers: list[dict[str, Any]]
    fail_at: int | None = None
    category: str = "Category:Commun"
    requests: list[dict[str, str]] = field(default_factory=list)

    def answer(self, params: dict[str, str]) -> dict[str, Any] | None:
        self.requests.append(params)
        if self.fail_at is not None and len(self.requests) >= self.fail_at:
            return None
        if params.get("action") != "query" or params.get("gcmtitle") != self.category:
            return {"error": {"code": "badvalue", "info": f"Unrecognized request {params}."}}
        follow = {k: v for k, v in params.items() if k not in _QUERY_KEYS}
        if not follow:
            return self.answers[0]
        for index, previous in enumerate(self.answers[:-1]):
            if previous.get("continue") == follow:
                return self.answers[index + 1]
        return {"error": {"code": "badcontinue", "info": "Invalid continue param."}}


def answers(folder: Path = WIKI_DATA) -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


@contextmanager
def fake_wiki(replies: list[dict[str, Any]] | None = None, *, fail_at: int | None = None,
              category: str = "Category:Commun") -> Iterator[FakeWiki]:  # fmt: skip
    wiki = FakeWiki("", replies if replies is not None else answers(), fail_at, category)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            parts = urlsplit(self.path)
            if parts.path != "/w/api.php":
                self.send_error(404)
                return
            params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            reply = wiki.answer(params)
            if reply is None:
                self.close_connection = True
                self.connection.close()  # no answer at all: the network failed
                return
            body = json.dumps(reply).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    class Quiet(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: Any, client_address: Any) -> None:
            pass

    httpd = Quiet(("127.0.0.1", 0), Handler)
    wiki.base_url = f"http://127.0.0.1:{httpd.server_address[1]}/w"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield wiki
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
