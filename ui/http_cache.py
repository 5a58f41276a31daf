"""HTTP caching of the map component's own files, so that a returning visitor's browser
reuses them.

Streamlit serves a component's files with ``Cache-Control: public`` and no validator (no
``ETag``, no ``Last-Modified``): a browser can neither keep nor revalidate them, so every visit
of a page with a map downloads streamlit-folium's 225 kB script again (compressed by the server
each time) and compiles it anew. That file's name carries a hash of its content
(``main.521860b0.js``): a new build of the component gets a new name in its ``index.html``
(which stays ``no-cache``), so a file named that way can be kept for good.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: A component's file whose name carries its content's hash: ``/component/<name>/…/x.<hash>.js``.
HASHED_COMPONENT_FILE = re.compile(r"/component/[^/]+/(?:[^/]+/)*[^/]+\.[0-9a-f]{8,}\.(?:js|css)$")
IMMUTABLE = b"public, max-age=31536000, immutable"


class CacheHashedComponentFiles:
    """ASGI middleware (``st.App(middleware=…)`` in ``app.py``): the successful answers for
    :data:`HASHED_COMPONENT_FILE` paths are marked immutable; every other answer is untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not HASHED_COMPONENT_FILE.search(scope["path"]):
            await self.app(scope, receive, send)
            return

        async def send_immutable(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() != b"cache-control"
                ]
                message = {**message, "headers": [*headers, (b"cache-control", IMMUTABLE)]}
            await send(message)

        await self.app(scope, receive, send_immutable)
