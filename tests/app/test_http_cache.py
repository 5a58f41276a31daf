"""The server's middleware marks the map component's hashed files immutable, and nothing else."""

from __future__ import annotations

import asyncio

import pytest
from starlette.types import Message, Receive, Scope, Send

from ui.http_cache import IMMUTABLE, CacheHashedComponentFiles


def _cache_control(path: str, *, status: int = 200, sent_as: str = "public") -> list[str]:
    """The ``Cache-Control`` values the browser gets for ``path`` when Streamlit answers with
    ``status`` and ``sent_as`` (its answer for a component file: ``public``, no validator)."""

    async def streamlit(scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"text/javascript"), (b"cache-control", sent_as.encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"..."})

    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "headers": []}
    asyncio.run(CacheHashedComponentFiles(streamlit)(scope, receive, send))
    assert [message["type"] for message in sent] == ["http.response.start", "http.response.body"]
    return [value.decode() for name, value in sent[0]["headers"] if name == b"cache-control"]


@pytest.mark.parametrize(
    "path",
    [
        "/component/streamlit_folium.st_folium/static/js/main.521860b0.js",
        "/component/streamlit_folium.st_folium/static/css/main.0f1e2d3c4b.css",
        # Behind a reverse proxy's path (server.baseUrlPath).
        "/carte/component/streamlit_folium.st_folium/static/js/main.521860b0.js",
    ],
)
def test_a_component_file_named_by_its_hash_is_kept_by_the_browser(path: str) -> None:
    assert _cache_control(path) == [IMMUTABLE.decode()]


@pytest.mark.parametrize(
    ("path", "sent_as"),
    [
        # Its index.html names the current build: always asked again.
        ("/component/streamlit_folium.st_folium/index.html", "no-cache"),
        # A name without a hash may change content under the same name.
        ("/component/streamlit_folium.st_folium/bootstrap.min.css", "public"),
        ("/component/streamlit_folium.st_folium/static/js/main.js", "public"),
        # Streamlit's own front end and the app's static files have their own rules.
        ("/static/js/index.DormvYxC.js", "public"),
        ("/app/static/vendor/leaflet/leaflet.js", "public"),
    ],
)
def test_every_other_file_is_left_as_streamlit_sends_it(path: str, sent_as: str) -> None:
    assert _cache_control(path, sent_as=sent_as) == [sent_as]


def test_a_failed_answer_is_never_kept() -> None:
    path = "/component/streamlit_folium.st_folium/static/js/main.521860b0.js"
    assert _cache_control(path, status=404, sent_as="no-cache") == ["no-cache"]
