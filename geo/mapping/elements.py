"""Folium elements shared by the map layers: a script fed with a JSON payload, and the
sections of the map's one legend panel (a Leaflet control) that come and go with their layer.

Payloads and legend HTML are embedded with Jinja's ``tojson`` (``<``, ``>``, ``&`` escaped), so
they cannot close the page's script; legend HTML is built by the caller from escaped text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from folium.elements import MacroElement
from folium.template import Template

from geo.text import french_count_of, french_number


class LayerScript(MacroElement):
    """A script run with its parent layer and a JSON payload: a subclass's ``_template``
    calls a function with ``({{ this._parent.get_name() }}, {{ this.payload|tojson }})``."""

    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__()
        self._name = type(self).__name__.lstrip("_")
        self.payload = payload


#: One legend panel per map (a Leaflet control, top right): a ``<details>`` box every layer
#: adds its section to while it is on the map, in the order of ``rank``. Open on a wide map,
#: closed on a phone; it scrolls inside a third of the map's height instead of covering it.
_PANEL = """
window.geoLegendPanel = window.geoLegendPanel || function (map) {
    if (map._geoLegend) { return map._geoLegend; }
    var control = L.control({position: "topright"});
    control.onAdd = function () {
        var box = L.DomUtil.create("details", "geo-legende-panneau");
        box.open = map.getSize().x > 480 && map.getSize().y > 360;
        box.style.cssText = "background: rgba(255,255,255,0.94); padding: 4px 8px;"
            + " border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.3);"
            + " font: 12px/1.35 sans-serif; color: #212529; max-width: "
            + (map.getSize().x > 480 ? "240px" : "170px") + ";";
        box.innerHTML = '<summary style="cursor:pointer;font-weight:600">Légende</summary>'
            + '<div class="geo-legende-sections" style="max-height:'
            + Math.round(map.getSize().y * 0.4) + 'px;overflow:auto"></div>';
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        return box;
    };
    control.addTo(map);
    map._geoLegend = control.getContainer().querySelector(".geo-legende-sections");
    return map._geoLegend;
};
window.geoLegendSection = window.geoLegendSection || function (map, html, rank, css) {
    var sections = window.geoLegendPanel(map);
    var div = document.createElement("div");
    div.className = "geo-legende " + css;
    div.dataset.rank = rank;
    div.style.cssText = "padding: 3px 0; border-top: 1px solid #dee2e6;";
    div.innerHTML = html;
    var after = Array.from(sections.children).find(function (s) {
        return Number(s.dataset.rank) > rank;
    });
    sections.insertBefore(div, after || null);
    return div;
};
"""


#: Class of the part of a legend section that :class:`ViewCount` rewrites at every move.
VIEW_COUNT_CLASS = "compte-vue"


@dataclass(frozen=True)
class ViewCount:
    """What a legend section counts: the markers of its layer whose centre is in the map's
    view (a marker standing for several points, a cell, says how many in its ``compte``
    option), recounted in the browser at every move. The server only knows the data box sent
    around the view, wider than the view, so a count made there overstates what is seen.
    ``one`` and ``many``: the unit after 0 or 1, and after 2 or more ("lieu", "lieux")."""

    one: str
    many: str

    @classmethod
    def of(cls, unit: str) -> ViewCount:
        """From a unit written in the plural, as the catalogue declares units ("lieux")."""
        return cls(one=french_count_of(1, unit).partition(" ")[2], many=unit)

    def text(self, count: int) -> str:
        """The same words as the browser writes: ``"0 lieu"``, ``"18 lieux"``."""
        return f"{french_number(count)} {self.one if abs(count) < 2 else self.many}"


class Legend(MacroElement):
    """A section of the map's legend panel, shown while its parent (a layer, or the map
    itself) is on the map. ``content`` is HTML built by the caller from escaped text; with
    ``count``, its element of class :data:`VIEW_COUNT_CLASS` shows the count of the layer's
    markers in view ("12 lieux")."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        """
        + _PANEL
        + """
        (function (parent, content, count) {
            var section = null, shown = null;
            function recount() {
                var target = section && section.querySelector({{ this.count_selector|tojson }});
                if (!target || !shown) { return; }
                var bounds = shown.getBounds(), n = 0;
                parent.eachLayer(function (layer) {
                    if (layer.getLatLng && bounds.contains(layer.getLatLng())) {
                        n += layer.options.compte || 1;
                    }
                });
                target.textContent = n.toLocaleString("fr-FR") + " "
                    + (n < 2 ? count.one : count.many);
            }
            function hide() {
                if (section) { section.remove(); section = null; }
                if (shown && count) { shown.off("moveend", recount); }
                shown = null;
            }
            function show(map) {
                hide();
                shown = map;
                section = window.geoLegendSection(
                    map, content, {{ this.rank }}, {{ this.css_class|tojson }});
                if (count) { recount(); map.on("moveend", recount); }
            }
            if (parent instanceof L.Map) { show(parent); return; }
            parent.on("add", function () { show(parent._map); });
            parent.on("remove", hide);
            if (parent._map) { show(parent._map); }
        })({{ this._parent.get_name() }}, {{ this.html|tojson }}, {{ this.count|tojson }});
        {% endmacro %}"""
    )

    def __init__(
        self,
        content: str,
        *,
        rank: int = 50,
        css_class: str = "",
        count: ViewCount | None = None,
    ) -> None:
        super().__init__()
        self._name = "Legend"
        self.html = content
        self.rank = int(rank)
        self.css_class = re.sub(r"[^A-Za-z0-9_ -]", "-", css_class)
        self.count = None if count is None else {"one": count.one, "many": count.many}
        self.count_selector = f".{VIEW_COUNT_CLASS}"


def swatch(colour: str) -> str:
    return (
        f'<span style="display:inline-block;width:14px;height:10px;margin-right:4px;'
        f'background:{colour};border:1px solid #777"></span>'
    )


def credit(title: str, licence: str, licence_url: str) -> str:
    """A layer's line in the map's attribution: the data's short title and its licence,
    linked, escaped. The full attribution goes with the page's sources."""
    link = html.escape(licence_url, quote=True)
    return (
        f"{html.escape(title)} "
        f'(<a href="{link}" target="_blank" rel="noopener">{html.escape(licence)}</a>)'
    )


class Credit(MacroElement):
    """Its parent layer's line (HTML from :func:`credit`) in the map's attribution while the
    layer is on the map. Leaflet reads a layer's ``attribution`` option, but folium passes a
    ``FeatureGroup``'s options where Leaflet expects its layers: they are set here."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (layer, text) {
            layer.options.attribution = text;
            var map = layer._map;  // already added (a standalone page): add the line now
            if (map && map.attributionControl) {
                map.attributionControl.addAttribution(text);
                layer.once("remove", function () {
                    map.attributionControl.removeAttribution(text);
                });
            }
        })({{ this._parent.get_name() }}, {{ this.text|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Credit"
        self.text = text
