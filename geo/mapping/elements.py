"""Folium elements shared by the overlay and choropleth layers: a script fed with a JSON
payload, and an HTML legend (a Leaflet control) that comes and goes with its layer.

Payloads and legend HTML are embedded with Jinja's ``tojson`` (``<``, ``>``, ``&`` escaped), so
they cannot close the page's script; legend HTML is built by the caller from escaped text.
"""

from __future__ import annotations

from typing import Any

from folium.elements import MacroElement
from folium.template import Template

LEGEND_STYLE = (
    "background:#fff;padding:6px 8px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3);"
    "font:12px/1.35 sans-serif;max-width:260px;max-height:40vh;overflow:auto"
)


class LayerScript(MacroElement):
    """A script run with its parent layer and a JSON payload: a subclass's ``_template``
    calls a function with ``({{ this._parent.get_name() }}, {{ this.payload|tojson }})``."""

    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__()
        self._name = type(self).__name__.lstrip("_")
        self.payload = payload


class Legend(MacroElement):
    """An HTML legend (a Leaflet control) shown while its parent layer is on the map."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (group, content) {
            var legend = L.control({position: {{ this.position|tojson }}});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "geo-legende");
                div.innerHTML = content;
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            group.on("add", function () { legend.remove(); legend.addTo(group._map); });
            group.on("remove", function () { legend.remove(); });
            if (group._map) { legend.addTo(group._map); }
        })({{ this._parent.get_name() }}, {{ this.html|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, content: str, *, position: str = "bottomright") -> None:
        super().__init__()
        self._name = "Legend"
        self.html = f'<div style="{LEGEND_STYLE}">{content}</div>'
        self.position = position


def swatch(colour: str) -> str:
    return (
        f'<span style="display:inline-block;width:14px;height:10px;margin-right:4px;'
        f'background:{colour};border:1px solid #777"></span>'
    )
