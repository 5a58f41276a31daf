"""The room: the participants' link, its QR code drawn locally, a participant's idea as
project fields, the pins the room's map draws, and a session's export."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from datetime import UTC, datetime

import pytest
import segno

from geo.mapping import ideas as idea_maps
from geo.projects.exchange import EXPORT_COLUMNS
from geo.projects.model import Project
from geo.store.workshops import RoomItem
from geo.workshop import export, room

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def item(
    number: int,
    *,
    hidden: bool = False,
    title: str = "Idée",
    name: str | None = None,
    handed: bool = False,
) -> RoomItem:
    return RoomItem(
        number,
        100 + number,
        title,
        "",
        ("energie",),
        45.19,
        5.72,
        name,
        hidden,
        handed,
        number,
        NOW,
    )


def test_the_participants_link_is_on_the_facilitators_address() -> None:
    assert room.participant_url("ACD346", origin="http://192.168.1.20:8501") == (
        "http://192.168.1.20:8501/atelier?code=ACD346"
    )
    assert (
        room.participant_url("ACD346", origin="https://carte.example.org", base_path="/app/")
        == "https://carte.example.org/app/atelier?code=ACD346"
    )
    assert room.participant_url("ACD346", origin="") == "/atelier?code=ACD346"


def test_the_qr_code_is_svg_of_that_link() -> None:
    url = "http://192.168.1.20:8501/atelier?code=ACD346"
    svg = room.qr_svg(url)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" role="img" ')
    assert 'class="qr-atelier"' in svg and "<script" not in svg and "<?xml" not in svg
    # The same symbol segno draws for that text: the code encodes exactly the link.
    assert (
        segno.make(url, error="m", micro=False)
        .svg_inline(
            scale=1, border=2, dark="#111111", light="#ffffff", omitsize=True, svgclass="qr-atelier"
        )
        .split(">", 1)[1]
        == svg.split(">", 1)[1]
    )
    image = room.qr_image(url, max_width=200)
    encoded = image.split("base64,", 1)[1].split('"', 1)[0]
    assert base64.b64decode(encoded).decode("utf-8") == svg
    assert "max-width:200px" in image


def test_an_idea_becomes_project_fields() -> None:
    place = {"lat": 45.19, "lon": 5.72, "address": " place Grenette ", "approximate": True}
    fields = room.idea_fields(
        {"title": "  Bornes ", "summary": None, "themes": ["mobilite"]}, place
    )
    assert fields == {
        "title": "Bornes",
        "summary": "",
        "themes": ["mobilite"],
        "lat": 45.19,
        "lon": 5.72,
        "address": "place Grenette",
        "location_approximate": True,
    }
    assert "lat" not in room.idea_fields({"title": "x"}, None)


def test_the_room_shows_ideas_not_hidden_by_number_after_each_poll() -> None:
    known = room.merge_changes({}, [item(2), item(1), item(3, hidden=True)])
    assert [i.number for i in room.room_ideas(known)] == [1, 2]
    known = room.merge_changes(known, [item(3), item(1, hidden=True)])
    assert [i.number for i in room.room_ideas(known)] == [2, 3]
    named = room.room_ideas([item(4, title="Vélobus", name="Camille"), item(5)])
    assert [i.label() for i in named] == ["n° 4 — Vélobus (Camille)", "n° 5 — Idée"]


def _tooltips(html: str) -> list[str]:
    found = re.findall(r'\.bindTooltip\(("(?:[^"\\]|\\.)*")\)', html)
    return [json.loads(text) for text in found]


def test_pins_are_numbered_and_their_titles_escaped() -> None:
    import folium

    m = folium.Map()
    title = '<img src=x onerror="alert(1)">'
    idea_maps.ideas_layer(room.room_ideas([item(7, title=title)])).add_to(m)
    html = m.get_root().render()
    assert '"className": "idee-atelier idee-7"' in html
    assert "\\u003e7\\u003c/span" in html  # the number, drawn by our own markup
    assert "<img src=x" not in html
    assert _tooltips(html) == ["n° 7 — &lt;img src=x onerror=&quot;alert(1)&quot;&gt;"]
    ring = folium.Map()
    idea_maps.featured_pane().add_to(ring)
    idea_maps.featured_layer(45.19, 5.72, 12, "Toits </script>").add_to(ring)
    rendered = ring.get_root().render()
    assert "projet-vedette projet-vedette-12" in rendered and "Toits </script>" not in rendered
    # Drawn in a pane of its own above the markers' groups.
    assert re.search(r'createPane\(\s*"projet-vedette"\)', rendered)
    assert '"pane": "projet-vedette"' in rendered
    assert _tooltips(rendered) == ["Toits &lt;/script&gt;"]


def rows() -> list[tuple[RoomItem, Project]]:
    first = Project(
        id=101,
        title='=HYPERLINK("x")',
        themes=["energie"],
        lat=45.19,
        lon=5.72,
        source="atelier",
        external_id="ACD346-1",
        status="propose",
    )
    second = Project(
        id=102,
        title="Vélobus",
        themes=["mobilite"],
        lat=45.2,
        lon=5.7,
        source="atelier",
        external_id="ACD346-2",
        status="propose",
    )
    return [(item(1, name="Camille", handed=True), first), (item(2, hidden=True), second)]


def test_the_csv_export_is_the_exchange_format_plus_the_rooms_columns() -> None:
    data = export.session_csv("ACD346", rows(), ["Grenoble", None])
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    header = list(table[0])
    assert header == [*EXPORT_COLUMNS, *export.ROOM_COLUMNS]
    assert table[0]["title"] == '\'=HYPERLINK("x")'  # a formula never runs
    assert (
        table[0]["atelier_numero"],
        table[0]["atelier_participant"],
        table[0]["atelier_remise"],
    ) == ("1", "Camille", "true")
    assert table[1]["atelier_masquee"] == "true" and table[1]["external_id"] == "ACD346-2"
    assert table[0]["commune"] == "Grenoble"
    assert "contact_email" not in header


def test_the_geojson_export_keeps_json_types() -> None:
    document = json.loads(export.session_geojson("ACD346", rows(), [None, None]))
    first = document["features"][0]
    assert first["geometry"] == {"type": "Point", "coordinates": [5.72, 45.19]}
    assert first["properties"]["atelier_numero"] == 1 and first["properties"]["themes"] == [
        "energie"
    ]
    assert export.session_file("geojson", "ACD346", rows(), [None, None]).startswith(b"{")


def test_a_device_cookie_is_signed_and_only_ours_is_taken() -> None:
    secret, other = b"a" * 64, b"b" * 64
    device = room.new_device()
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", device) and device != room.new_device()
    cookie = room.device_cookie(device, secret)
    assert room.device_of(cookie, secret) == device
    assert room.device_of(cookie, other) is None  # signed by another server
    forged = f"{room.new_device()}.{cookie.split('.', 1)[1]}"
    assert room.device_of(forged, secret) is None  # someone else's key with our signature
    for bad in (None, "", device, f"{device}.", f"{device}.{'0' * 32}", cookie + "x",
                f'{device}"; path=/.{"0" * 32}'):  # fmt: skip
        assert room.device_of(bad, secret) is None
    script = room.device_script(cookie, path="/app/")
    assert script == (
        f'<script>document.cookie = "carte_atelier={cookie}; path=/app/; '
        'max-age=15552000; SameSite=Lax";</script>'
    )
    assert "path=/;" in room.device_script(cookie, path='/"x')
    with pytest.raises(ValueError):
        room.device_script('x"; alert(1); "', path="/")
