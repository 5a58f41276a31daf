"""Placing a contribution: address candidates from the geocoder (with a notice saying which
service answered), a point clicked on the map, and the territories that point falls in.

Either way corrects the other: an address chosen puts the pin at its point (the contributor
can then click to move it, the address text stays); a click moves the pin and marks the point
as placed by hand. Before anything is submitted the page shows the commune, EPCI, département
and région of the point (:func:`locate_point`), or refuses a point outside France.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from geo.contribute.form import upper_first
from geo.geocode import GeocodeResult
from geo.projects.model import france_region
from geo.territory import LEVEL_LABELS, Territories

#: Where a point came from, in French.
SOURCES = {
    "geoplateforme": "adresse trouvée par la Géoplateforme (IGN)",
    "nominatim": "adresse trouvée par OpenStreetMap (Nominatim)",
    "fichier-adresses": "adresse trouvée hors ligne (fichier local de la Base Adresse Nationale)",
    "hors-ligne": "commune reconnue hors ligne (centre de la commune)",
    "carte": "point placé sur la carte",
    "enregistré": "point enregistré",
}


def notice(results: list[GeocodeResult], *, offline: bool) -> str | None:
    """What the contributor must know about where the candidates come from (None when the
    Géoplateforme answered, the normal case)."""
    if not results:
        if offline:
            return (
                "Mode hors ligne : aucune commune ne correspond à cette adresse. Indiquez le "
                "nom de la commune ou son code postal, ou cliquez sur la carte."
            )
        return (
            "Aucune adresse trouvée (les services d'adresses ne répondent pas ou ne "
            "connaissent pas celle-ci). Essayez autrement, indiquez la commune ou son code "
            "postal, ou cliquez sur la carte."
        )
    source = results[0].source
    if source == "nominatim":
        return (
            "Le service d'adresses de l'IGN (Géoplateforme) n'a pas répondu ou n'a rien "
            "trouvé : ces adresses viennent d'OpenStreetMap (Nominatim). Vérifiez le point "
            "sur la carte."
        )
    why = (
        "mode hors ligne"
        if offline
        else "les services d'adresses en ligne ne répondent pas ou n'ont rien trouvé"
    )
    if source == "fichier-adresses":
        return (
            f"Recherche sans réseau ({why}) : ces adresses viennent du fichier local de la "
            "Base Adresse Nationale. Vérifiez le point sur la carte."
        )
    if source == "hors-ligne":
        return (
            f"Recherche sans réseau ({why}) : seules les communes sont reconnues, par leur "
            "nom ou leur code postal. Le point est placé au centre de la commune : cliquez "
            "sur la carte pour le mettre au bon endroit."
        )
    return None


def candidate_label(result: GeocodeResult) -> str:
    """A candidate as listed (plain text: the caller escapes it)."""
    if result.source == "hors-ligne":  # "Mens (commune, Isère)" says it already
        return result.label
    return f"{result.label} ({result.kind})"


def place_of(result: GeocodeResult, address: str) -> dict[str, Any]:
    return {
        "lat": float(result.lat),
        "lon": float(result.lon),
        "address": address.strip() or result.label,
        "approximate": bool(result.approximate),
        "source": result.source,
        "label": result.label,
    }


def clicked(click: Any, previous: dict[str, Any] | None) -> dict[str, Any] | None:
    """The place after a map click (``{"lat", "lng"}`` from st_folium): the address typed
    is kept, the point is placed by hand (no longer approximate)."""
    try:
        lat, lon = float(click["lat"]), float(click["lng"])
    except (KeyError, TypeError, ValueError):
        return None
    return {
        "lat": round(lat, 6),
        "lon": round(lon, 6),
        "address": (previous or {}).get("address", ""),
        "approximate": False,
        "source": "carte",
        "label": None,
    }


@dataclass(frozen=True)
class Located:
    """The territories of a point: ``(level, code, name)`` from commune to région, or the
    French reason it cannot be used."""

    chain: list[tuple[str, str, str]]
    problem: str | None = None

    @property
    def code_commune(self) -> str | None:
        return next((code for level, code, _ in self.chain if level == "commune"), None)

    def text(self) -> str:
        return " · ".join(f"{upper_first(LEVEL_LABELS[level])} : {name} ({code})"
                          for level, code, name in self.chain)  # fmt: skip


def locate_point(lat: float, lon: float, territories: Territories | None) -> Located:
    """Commune, EPCI, département and région of a point; a point outside France, or in no
    known commune (at sea), is refused with a French reason."""
    if france_region(lat, lon) is None:
        return Located([], (
            f"Ce point ({lat:.5f}, {lon:.5f}) est hors de France : placez le projet en France "
            "(métropole ou outre-mer)."
        ))  # fmt: skip
    if territories is None:
        return Located([], None)
    codes = territories.locate([lat], [lon]).iloc[0]
    commune = codes["code_commune"]
    if commune is None or commune != commune:  # None or NaN
        return Located([], (
            "Ce point n'est dans aucune commune connue (en mer, ou hors des territoires "
            "chargés) : placez le projet dans sa commune."
        ))  # fmt: skip
    chain = territories.chain("commune", str(commune))
    order = {"commune": 0, "epci": 1, "departement": 2, "region": 3}
    return Located(sorted(chain, key=lambda item: order.get(item[0], 9)))
