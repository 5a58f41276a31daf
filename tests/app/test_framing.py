"""The server's middleware refuses that another site frames any page but the embed view
(ui/framing.py): the refusal headers on every answer, none on the embed view and on the
components' files (the map's own frame)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from starlette.types import Message, Receive, Scope, Send
from streamlit import config

from ui.framing import REFUSED, RefuseFraming, base_path, may_be_framed

FRAMING = {b"x-frame-options", b"content-security-policy"}


def _run(call: Coroutine[Any, Any, None]) -> None:
    """Run the middleware on an event loop of its own (in a thread: a browser test of the same
    session may hold this thread's loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, call).result()


def _framing_headers(path: str) -> dict[str, str]:
    """The framing headers the browser gets for ``path`` (Streamlit's answer: its index.html)."""

    async def streamlit(scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"text/html"), (b"cache-control", b"no-cache")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"<html></html>"})

    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "HEAD", "path": path, "headers": []}
    _run(RefuseFraming(streamlit)(scope, receive, send))
    assert [message["type"] for message in sent] == ["http.response.start", "http.response.body"]
    headers = sent[0]["headers"]
    assert (b"cache-control", b"no-cache") in headers, "Streamlit's own headers are kept"
    return {name.decode(): value.decode() for name, value in headers if name in FRAMING}


REFUSAL = {name.decode(): value.decode() for name, value in REFUSED}


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/moderation",
        "/parcours",
        "/presentation",
        "/proposer",
        "/atelier",
        # Not the embed view's address: Streamlit would show another page, or redirect.
        "/integrer/",
        "/moderation/integrer",
        "/integrer/moderation",
        "/integrerx",
        "/index.html",
        "/static/js/index.DormvYxC.js",
        "/_stcore/health",
        "/app/static/vendor/leaflet/leaflet.js",
    ],
)
def test_every_page_but_the_embed_view_refuses_framing(path: str) -> None:
    assert REFUSAL == {
        "x-frame-options": "DENY",
        "content-security-policy": "frame-ancestors 'none'",
    }
    assert _framing_headers(path) == REFUSAL


@pytest.mark.parametrize(
    "path",
    [
        "/integrer",
        # The map's frame, inside the app's pages and inside an embed on another site.
        "/component/streamlit_folium.st_folium/index.html",
        "/component/streamlit_folium.st_folium/static/js/main.521860b0.js",
    ],
)
def test_the_embed_view_and_the_map_frame_may_be_framed_by_any_site(path: str) -> None:
    assert _framing_headers(path) == {}


def test_the_websocket_is_left_alone() -> None:
    seen: list[Scope] = []

    async def streamlit(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope)

    async def nothing() -> Message:
        return {"type": "websocket.connect"}

    async def ignore(message: Message) -> None:
        raise AssertionError("nothing is sent by the middleware itself")

    scope = {"type": "websocket", "path": "/_stcore/stream", "headers": []}
    _run(RefuseFraming(streamlit)(scope, nothing, ignore))
    assert seen == [scope]


@pytest.fixture
def behind_a_prefix() -> Iterator[None]:
    """The server behind a reverse proxy's path (``server.baseUrlPath = carte``)."""
    before = config.get_option("server.baseUrlPath")
    config.set_option("server.baseUrlPath", "carte/")
    yield
    config.set_option("server.baseUrlPath", before)


def test_behind_a_prefix_only_the_prefixed_embed_view_may_be_framed(behind_a_prefix: None) -> None:
    assert base_path() == "/carte"
    assert _framing_headers("/carte/integrer") == {}
    assert _framing_headers("/carte/component/streamlit_folium.st_folium/index.html") == {}
    for path in ("/carte", "/carte/", "/carte/moderation", "/integrer", "/component/x/index.html"):
        assert _framing_headers(path) == REFUSAL, path


def test_at_the_root_the_prefix_is_empty() -> None:
    assert base_path() == ""
    assert may_be_framed("/integrer") and not may_be_framed("integrer")
