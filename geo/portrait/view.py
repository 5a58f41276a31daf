"""What the page shows of a portrait, without Streamlit: the references the user picks
between, the rows of the ranked bar chart for a reference, the sentence that says where the
territory stands, the neighbours' outlines coloured by an indicator, and how its tables read
on a phone."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.portrait.figures import ALL_ZERO, CLASS_MEMBERS, NEIGHBOURS, Indicator
from geo.portrait.portrait import Portrait
from geo.portrait.sheet import css_string
from geo.text import french_number

#: The references of the comparison, in the order offered.
REFERENCES = {
    "voisins": "Territoires voisins",
    "strate": "Même strate de population",
    "parent": "Territoire parent",
    "france": "France (données chargées)",
}


def reference_label(portrait: Portrait, reference: str) -> str:
    if reference == "parent" and portrait.parent is not None:
        return f"Territoire parent : {portrait.parent.nom}"
    if reference == "strate":
        return f"Même strate : {portrait.peers_label}"
    return REFERENCES[reference]


def references(portrait: Portrait) -> list[str]:
    """The references that exist for this territory (a région has no parent)."""
    return [r for r in REFERENCES if r != "parent" or portrait.parent is not None]


def chart_rows(
    portrait: Portrait, indicator: Indicator, reference: str, *, per_10k: bool = True
) -> pd.DataFrame:
    """``nom, valeur, role`` (``territoire``, ``comparaison``, ``reference`` for a median or
    a parent), best first: the bars of the chart."""
    rows: list[tuple[str, float | None, str]] = []

    def pick(compared: object) -> float | None:
        return getattr(compared, "per_10k" if per_10k else "value")

    own = indicator.per_10k if per_10k else indicator.value
    rows.append((portrait.place.nom, own, "territoire"))
    if reference == "voisins":
        rows += [(m.place.nom, pick(m), "comparaison") for m in indicator.neighbours.members]
    elif reference == "strate":
        shown = indicator.peers.shown(per_10k=per_10k)
        rows += [(m.place.nom, pick(m), "comparaison") for m in shown]
        median = indicator.peers.median_per_10k if per_10k else indicator.peers.median
        rows.append(("Médiane de la strate", median, "reference"))
    elif reference == "parent" and indicator.parent is not None:
        rows.append((indicator.parent.place.nom, pick(indicator.parent), "reference"))
    elif reference == "france":
        rows.append(("France", pick(indicator.national), "reference"))
    frame = pd.DataFrame(rows, columns=["nom", "valeur", "role"])
    frame["valeur"] = pd.to_numeric(frame["valeur"], errors="coerce")
    return frame.sort_values("valeur", ascending=False, na_position="last", kind="stable")


def standing(portrait: Portrait, indicator: Indicator, reference: str, *, per_10k: bool) -> str:
    """Where the territory stands against the reference, in one French sentence."""
    if indicator.value is None:
        return f"{portrait.place.nom} : non disponible ({indicator.reason})."
    if reference in ("voisins", "strate"):
        group = indicator.neighbours if reference == "voisins" else indicator.peers
        noun = NEIGHBOURS if reference == "voisins" else CLASS_MEMBERS
        ranking = group.ranking(per_10k=per_10k)
        rank = ranking.text(noun)
        if rank is not None:
            return f"{portrait.place.nom} : {rank}."
        if ranking.reason == ALL_ZERO:
            others = ranking.of - 1
            if reference == "voisins":
                those = f"ses {others} voisins renseignés" if others > 1 else "son voisin renseigné"
            else:
                those = (
                    "l'autre territoire renseigné de la strate"
                    if others == 1
                    else f"les {others} autres territoires renseignés de la strate"
                )
            return f"{portrait.place.nom} est à 0, comme {those} : pas de rang."
        return f"Aucun des {noun[1]} n'a ce chiffre : pas de rang."
    other = indicator.parent if reference == "parent" else indicator.national
    where = indicator.parent.place.nom if reference == "parent" and indicator.parent else "France"
    mine = indicator.per_10k if per_10k else indicator.value
    theirs = None if other is None else (other.per_10k if per_10k else other.value)
    if mine is None or theirs is None:
        return f"Pas de comparaison possible avec {where} : chiffre non disponible."
    if per_10k:
        own_text = f"{french_number(mine, decimals=2)} pour 10 000 hab."
    else:
        own_text = indicator.text(mine)  # with its unit, which a whole count agrees with
    return (
        f"{portrait.place.nom} : {own_text}, contre {french_number(theirs, decimals=2)} "
        f"pour {where}."
    )


def excerpt_note(
    portrait: Portrait, indicator: Indicator, reference: str, *, per_10k: bool
) -> str | None:
    """What the chart leaves out, when it shows only the territories around this one in a
    large population class (None when it shows them all)."""
    if reference != "strate":
        return None
    group = indicator.peers
    ranking = group.ranking(per_10k=per_10k)
    own = indicator.per_10k if per_10k else indicator.value
    shown = (own is not None) + sum(
        (m.per_10k if per_10k else m.value) is not None for m in group.shown(per_10k=per_10k)
    )
    if shown >= ranking.of:
        return None
    return (
        f"Extrait : {shown} des {ranking.of} territoires classés de la strate, les plus "
        f"proches de {portrait.place.nom} au classement ; la médiane est celle de toute la "
        "strate."
    )


def neighbour_values(
    portrait: Portrait, indicator: Indicator
) -> tuple[gpd.GeoDataFrame, pd.Series]:
    """The outlines of the territory and its neighbours (``code, nom, geometry``) and the
    indicator per 10,000 inhabitants of each, by code (for the choropleth)."""
    outlines = portrait.neighbour_outlines[["code", "nom", "geometry"]].copy()
    if portrait.outline is not None:
        own = gpd.GeoDataFrame(
            {"code": [portrait.place.code], "nom": [portrait.place.nom]},
            geometry=[portrait.outline],
            crs=4326,
        )
        outlines = gpd.GeoDataFrame(pd.concat([own, outlines], ignore_index=True), crs=4326)
    values = {m.place.code: m.per_10k for m in indicator.neighbours.members if m.place}
    values[portrait.place.code] = indicator.per_10k
    return outlines, pd.Series(values, dtype="Float64")


#: Below this width (a phone) a portrait table reads as one card per row.
NARROW_PX = 640


def stacked_tables_css(container: str, headings: list[str]) -> str:
    """CSS for the tables inside the Streamlit container of key ``container``: on a narrow
    screen each row becomes a card, its first cell as the card's title and every other value
    under its column's heading, so that no column is cut off at the right (a table scrolling
    sideways gives no sign of it on a phone). ``headings``: the table's columns, in order."""
    scope = f".st-key-{container}"
    parts = ("table", "thead", "tbody", "tr", "th", "td")
    labels = "".join(
        f"{scope} td:nth-child({position})::before {{ content: {css_string(heading)}; }}"
        for position, heading in enumerate(headings, start=1)
        if position > 1
    )
    return (
        f"@media (max-width: {NARROW_PX}px) {{"
        f"{', '.join(f'{scope} {part}' for part in parts)} {{ display: block; width: 100%; }}"
        f"{scope} thead {{ position: absolute; width: 1px; height: 1px; overflow: hidden; "
        "clip-path: inset(50%); }"
        f"{scope} tr {{ border-bottom: 1px solid rgba(49, 51, 63, 0.2); padding: 0.4rem 0; }}"
        f"{scope} td {{ border: none !important; padding: 0.1rem 0.5rem !important; "
        "box-sizing: border-box; white-space: normal; overflow-wrap: anywhere; }"
        f"{scope} td:not(:first-child) {{ display: grid; "
        "grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); gap: 0.5rem; }"
        f"{scope} td:first-child {{ font-weight: 600; }}"
        f"{scope} td::before {{ color: rgba(49, 51, 63, 0.7); }}"
        f"{labels}}}"
    )
