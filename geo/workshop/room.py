"""The room of a workshop: the participants' link and its QR code, the idea a participant
sends from the simplified form, the ideas as the facilitator's map draws them.

Each phone is a **device**: a random key kept in a cookie (:data:`DEVICE_COOKIE`) with its
HMAC-SHA256 signature under a server secret (:meth:`geo.store.workshops.Workshops.device_secret`),
so that the limit per participant holds when the page is reloaded; a cookie the server did not
sign is ignored (the phone gets a new key). A browser that refuses cookies, a private window
closed, or cookies erased make a new device: the session's cap still holds.

The QR code is drawn here, with no network, by `segno <https://pypi.org/project/segno/>`_
(pure Python, ISO/IEC 18004) as inline SVG: it scales to any screen and prints sharp. It
encodes the participants' link, ``…/atelier?code=ABC346``, on the address the facilitator's
browser used (a village hall's laptop on its own wifi: its local address).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from geo.store.workshops import RoomItem
from geo.territory import TerritoryRef

PARTICIPANT_PAGE = "atelier"
CODE_PARAM = "code"
#: The participant form's limits: the model's, shorter where a phone's keyboard is the tool.
TITLE_MAX = 120
WHAT_MAX = 280
NAME_MAX = 80
#: The participants' device cookie: ``KEY.SIGNATURE`` (url-safe key, 32 hex digits).
DEVICE_COOKIE = "carte_atelier"
DEVICE_MAX_AGE = 180 * 24 * 3600  # seconds: a season of workshops on the same phone
_DEVICE = re.compile(r"^([A-Za-z0-9_-]{32})\.([0-9a-f]{32})$")
#: What the form says instead of the model's generic "at least one element".
NO_THEME = "Choisissez au moins un thème."
NO_PLACE = "Touchez la carte pour placer votre idée."
#: A pin refused, in a toast (three short lines on a phone; the reason in full is under the map).
OUTSIDE_TOAST = "Hors du territoire de l'atelier : touchez la carte dans le contour."
REFUSED_TOAST = "Ce point ne convient pas : l'explication est sous la carte."


def new_device() -> str:
    """A new device key (32 url-safe characters, 192 random bits)."""
    return secrets.token_urlsafe(24)


def _signature(device: str, secret: bytes) -> str:
    digest = hmac.new(secret, b"atelier-appareil:" + device.encode("ascii"), hashlib.sha256)
    return digest.hexdigest()[:32]


def device_cookie(device: str, secret: bytes) -> str:
    """The cookie's value for ``device``: the key and its signature."""
    return f"{device}.{_signature(device, secret)}"


def device_of(cookie: object, secret: bytes) -> str | None:
    """The device key of a cookie this server signed; ``None`` for anything else."""
    match = _DEVICE.match(str(cookie or ""))
    if match is None or not hmac.compare_digest(match.group(2), _signature(match.group(1), secret)):
        return None
    return match.group(1)


def device_script(value: str, *, path: str) -> str:
    """The fixed script that keeps the device cookie in this browser (``SameSite=Lax``: sent
    when the QR code's link opens the page); ``value`` must be a signed cookie."""
    if _DEVICE.match(value) is None:
        msg = "valeur de cookie d'appareil invalide"
        raise ValueError(msg)
    path = path if re.fullmatch(r"/[A-Za-z0-9/_.-]*", path) else "/"
    return (
        f'<script>document.cookie = "{DEVICE_COOKIE}={value}; path={path}; '
        f'max-age={DEVICE_MAX_AGE}; SameSite=Lax";</script>'
    )


def participant_path(code: str, *, base_path: str = "/") -> str:
    """``/atelier?code=ABC346`` under the app's base path."""
    return f"{base_path}{PARTICIPANT_PAGE}?{urlencode({CODE_PARAM: code})}"


def participant_url(code: str, *, origin: str, base_path: str = "/") -> str:
    """The participants' link on ``origin`` (``http://host:port``, the address the
    facilitator's browser used); a relative link when the origin is not known."""
    parts = urlsplit(origin)
    prefix = f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""
    return prefix + participant_path(code, base_path=base_path)


def qr_svg(url: str, *, dark: str = "#111111", light: str = "#ffffff") -> str:
    """The QR code of ``url`` as one inline ``<svg>`` element (no XML declaration, sized by
    its ``viewBox`` so that CSS sets its width)."""
    import segno

    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(
        scale=1, border=2, dark=dark, light=light, omitsize=True, svgclass="qr-atelier"
    )
    return svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" role="img" ', 1)


def qr_image(url: str, *, css_class: str = "qr-atelier", max_width: int = 320) -> str:
    """The QR code as an ``<img>`` whose source is the SVG itself (``data:`` URI): shown by
    any HTML sanitiser that keeps images, and saved or printed as a picture."""
    import base64

    encoded = base64.b64encode(qr_svg(url).encode("utf-8")).decode("ascii")
    return (
        f'<img class="{css_class}" alt="QR code du lien des participants" '
        f'style="width:100%;max-width:{int(max_width)}px;height:auto;image-rendering:pixelated" '
        f'src="data:image/svg+xml;base64,{encoded}">'
    )


def idea_fields(values: Mapping[str, Any], place: Mapping[str, Any] | None) -> dict[str, Any]:
    """The project fields of a participant's idea (title, what, theme(s), point, address)."""
    fields: dict[str, Any] = {
        "title": str(values.get("title") or "").strip(),
        "summary": str(values.get("summary") or "").strip(),
        "themes": list(values.get("themes") or []),
    }
    if place is not None:
        fields |= {
            "lat": place.get("lat"),
            "lon": place.get("lon"),
            "address": (str(place.get("address") or "").strip() or None),
            "location_approximate": bool(place.get("approximate")),
        }
    return fields


def form_errors(
    errors: Mapping[str, Sequence[str]], values: Mapping[str, Any], *, placed: bool
) -> dict[str, list[str]]:
    """A refused idea's problems as the form shows them, each under its field: the point's
    under the map (a missing point said as what to do), a missing theme named."""
    shown = {field: list(messages) for field, messages in errors.items()}
    point = shown.pop("lat", []) + shown.pop("lon", [])
    if not placed:
        shown["location"] = [NO_PLACE]
    elif point:
        shown.setdefault("location", []).extend(point)
    if "themes" in shown and not values.get("themes"):
        shown["themes"] = [NO_THEME]
    return shown


def outside_territory(
    chain: Sequence[tuple[str, str, str]], territory: TerritoryRef, name: str
) -> str | None:
    """Why a point just placed will be refused, said at once: it is not in the workshop's
    territory (``chain``: the point's commune and the territories it belongs to, as
    :func:`geo.contribute.placement.locate_point` finds them); ``None`` when it is."""
    if not chain or any((lv, code) == (territory.level, territory.code) for lv, code, _ in chain):
        return None
    return (
        f"Ce point est à {chain[0][2]}, hors du territoire de l'atelier ({name}) : touchez la "
        "carte à l'intérieur du contour dessiné."
    )


@dataclass(frozen=True)
class Idea:
    """One pin of the room's map."""

    number: int
    lat: float
    lon: float
    title: str
    themes: tuple[str, ...]
    name: str | None = None

    def label(self) -> str:
        """``n° 3 — Des bornes au marché (Camille)``: plain text (the caller escapes it)."""
        who = f" ({self.name})" if self.name else ""
        return f"n° {self.number} — {self.title}{who}"


def room_ideas(items: Mapping[int, RoomItem] | Sequence[RoomItem]) -> list[Idea]:
    """The ideas shown in the room: not hidden, by number."""
    values = items.values() if isinstance(items, Mapping) else items
    shown = sorted((i for i in values if not i.hidden), key=lambda i: i.number)
    return [Idea(i.number, i.lat, i.lon, i.title, i.themes, i.name) for i in shown]


def merge_changes(
    known: Mapping[int, RoomItem], changed: Sequence[RoomItem]
) -> dict[int, RoomItem]:
    """What the room knows after a poll: the changed ideas replace the known ones."""
    merged = dict(known)
    merged.update({item.number: item for item in changed})
    return merged
