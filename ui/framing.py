"""Which pages another site may show in a frame: the embed view only, by any site (a
clickjacking defence for every other page, Modération and Parcours first).

Streamlit is a single-page app: every page's address (``/``, ``/moderation``, ``/integrer``…)
is answered with the same ``index.html``, and going from page to page afterwards happens inside
it, over the websocket, with no new document. A browser decides whether a document may be framed
when it receives it, so the answer is decided here, by the path of that first request:

- the embed view (:data:`geo.workshop.embed.PATH`): no restriction, so any site, and a page
  saved on a laptop (``file:``, which ``frame-ancestors *`` would refuse), may frame it. The
  embed page lists no other page (``navigation.py`` hides the menu for it, and
  ``.streamlit/config.toml`` lets no host page drive the app), so a framed embed never turns
  into another page without a new document, which is refused;
- the components' own files (``/component/…``: the map's frame): framed by the app's own pages,
  an embed on another site included; alone they show nothing;
- every other answer: ``X-Frame-Options: DENY`` (older browsers) and
  ``Content-Security-Policy: frame-ancestors 'none'``. Scripts, styles and JSON get them too:
  harmless there, and a path not named above is refused rather than allowed.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from streamlit import config

from geo.workshop.embed import PATH

REFUSED = [
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
]


def base_path() -> str:
    """The server's ``baseUrlPath`` as a path prefix: ``""`` at the root, else ``/prefix``."""
    base = str(config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def may_be_framed(path: str, base: str = "") -> bool:
    """Whether the answer for ``path`` may be shown in another site's frame (``base``: the
    server's path prefix, :func:`base_path`)."""
    if not path.startswith(f"{base}/"):
        return False
    inside = path[len(base) :]
    return inside == f"/{PATH}" or inside.startswith("/component/")


class RefuseFraming:
    """ASGI middleware (``st.App(middleware=…)`` in ``app.py``): every HTTP answer but those
    :func:`may_be_framed` allows carries :data:`REFUSED` (Streamlit sends no framing header of
    its own)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or may_be_framed(scope["path"], base_path()):
            await self.app(scope, receive, send)
            return

        async def send_refused(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *REFUSED]}
            await send(message)

        await self.app(scope, receive, send_refused)
