"""The territory sheet ("fiche territoire"): the portrait as one self-contained HTML file.

Everything is inline — CSS, the drawings (inline SVG, :mod:`geo.portrait.svg`) — and no
script, font, picture or style sheet is fetched: the file works offline and can be mailed.
It is laid out for A4 portrait: each section starts a page, no table row or chart is cut
across pages, table headers repeat, and the title, edition date, sources and licences (the
BNLC's ODbL attribution among them) stand at the foot of every page (CSS page-margin boxes,
which Chromium prints; the same text closes the document for browsers that do not). Every
text is escaped: project titles and carriers are user text.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from geo.datasets.catalogue import CATALOGUE
from geo.explorer.state import ExplorerState, permalink
from geo.portrait.figures import RANK_HEADING, Indicator
from geo.portrait.portrait import POPULATION_NOTE, Portrait
from geo.portrait.projects import ProjectLine
from geo.portrait.svg import THEME_COLOURS, Bar, Marker, bar_chart, choropleth, territory_map
from geo.projects.model import STAGES, THEMES, categories
from geo.territory import LEVEL_LABELS
from geo.text import french_count, french_number

NOT_AVAILABLE = "non disponible"


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def css_string(text: str) -> str:
    """A CSS string literal: quotes, backslashes and angle brackets escaped, lines as ``\\A``."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ")
    return '"' + escaped.replace("\n", "\\A ") + '"'


def _theme_colour(themes: Iterable[str]) -> str:
    values = set(themes)
    if {"energie", "mobilite"} <= values:
        return THEME_COLOURS["both"]
    return THEME_COLOURS["mobilite" if "mobilite" in values else "energie"]


def footer_text(portrait: Portrait) -> str:
    """What stands at the foot of every page."""
    used = [s for s in portrait.dataset_sources() if s.loaded]
    producers = ", ".join(dict.fromkeys(s.title.split(" (")[0] for s in used))
    licences = "Licence Ouverte 2.0"
    odbl = [s.attribution for s in used if s.licence.startswith("ODbL")]
    lines = [
        f"Portrait de territoire · {portrait.place.nom} ({portrait.level_label}) · "
        f"édition du {portrait.edition.strftime('%d/%m/%Y')}",
        f"Sources : INSEE (COG 2026), IGN-Etalab (contours){', ' + producers if producers else ''}"
        f" — {licences}" + (f" ; {odbl[0]}" if odbl else ""),
    ]
    return "\n".join(lines)


STYLE = """
@page { size: A4 portrait; margin: 14mm 12mm 26mm 12mm;
  @bottom-left { content: FOOTER; font: 7pt sans-serif; color: #495057;
                 white-space: pre-wrap; vertical-align: top; padding-top: 3mm; }
  @bottom-right { content: "page " counter(page) " / " counter(pages); font: 7pt sans-serif;
                  color: #495057; vertical-align: top; padding-top: 3mm; width: 22mm; }
}
* { box-sizing: border-box; }
body { font: 10pt/1.35 "DejaVu Sans", Arial, sans-serif; color: #212529; margin: 0 auto;
       max-width: 190mm; padding: 4mm; }
h1 { font-size: 18pt; margin: 0 0 2mm; }
h2 { font-size: 13pt; margin: 0 0 3mm; border-bottom: 2px solid #c92a2a; padding-bottom: 1mm; }
h3 { font-size: 10.5pt; margin: 4mm 0 1.5mm; }
p { margin: 0 0 2mm; }
a { color: #1c5ebd; }
.chaine, .note, .raison { color: #495057; font-size: 8.5pt; }
.faits { display: flex; flex-wrap: wrap; gap: 2mm 6mm; margin: 3mm 0; }
.faits div { min-width: 40mm; }
.faits b { display: block; font-size: 12pt; }
section { break-before: page; padding-top: 1mm; }
#entete, #projets { break-before: auto; }
#projets { margin-top: 4mm; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin-bottom: 3mm; }
thead { display: table-header-group; }
tr, .bloc, svg, figure { break-inside: avoid; page-break-inside: avoid; }
th, td { border-bottom: 1px solid #dee2e6; padding: 1mm 1.5mm; text-align: left;
         vertical-align: top; }
th { background: #f1f3f5; }
td.n { text-align: right; white-space: nowrap; }
.bloc { margin-bottom: 4mm; }
.compare { display: flex; flex-wrap: wrap; gap: 3mm; align-items: flex-start; }
.compte { display: inline-block; margin: 0 4mm 1mm 0; }
.pastille { display: inline-block; width: 9pt; height: 9pt; border-radius: 50%;
            vertical-align: -1pt; margin-right: 1mm; }
.attribution { font-weight: bold; }
footer.pied { margin-top: 6mm; border-top: 1px solid #adb5bd; padding-top: 2mm;
              font-size: 7.5pt; color: #495057; white-space: pre-wrap; }
svg { max-width: 100%; height: auto; }
@media print { body { max-width: none; padding: 0; } footer.pied { display: none; } }
"""


def _value_cell(indicator: Indicator) -> str:
    if indicator.value is None:
        reason = f'<div class="raison">{_e(indicator.reason)}</div>' if indicator.reason else ""
        return f"<td>{NOT_AVAILABLE}{reason}</td>"
    return f'<td class="n">{_e(indicator.text())}</td>'


def _per(value: float | None) -> str:
    return "n. d." if value is None else french_number(value, decimals=2)


def _indicator_table(rows: list[Indicator], portrait: Portrait) -> str:
    parent = portrait.parent
    head = (
        "<tr><th>Indicateur</th><th>Valeur</th><th>Pour 10 000 hab.</th>"
        f"<th>{_e(parent.nom) if parent else 'Parent'} (pour 10 000 hab.)</th>"
        f"<th>France (pour 10 000 hab.)</th><th>{_e(RANK_HEADING)}</th>"
        "<th>Strate : médiane (pour 10 000 hab.)</th></tr>"
    )
    body = []
    for row in rows:
        parent_value = _per(row.parent.per_10k) if row.parent else "—"
        rank = row.neighbours.by_per_10k.cell()
        median = _per(row.peers.median_per_10k)
        name = _e(row.category) if row.category else _e(row.label)
        body.append(
            f"<tr><td>{name}</td>{_value_cell(row)}"
            f'<td class="n">{_per(row.per_10k)}</td><td class="n">{parent_value}</td>'
            f'<td class="n">{_per(row.national.per_10k)}</td><td>{_e(rank)}</td>'
            f'<td class="n">{median}</td></tr>'
        )
    return f"<table><thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"


def _indicators_section(portrait: Portrait) -> str:
    parts = ['<section id="indicateurs"><h2>Indicateurs</h2>']
    parts.append(
        '<p class="note">Valeurs du territoire, pour 10 000 habitants (population municipale '
        "COG), comparées à son territoire parent, à la France (données chargées), au rang "
        f"parmi ses voisins et à la médiane de sa strate : {_e(portrait.peers_label)}.</p>"
    )
    for dataset in CATALOGUE.values():
        rows = [i for i in portrait.indicators if i.dataset == dataset.id]
        if not rows:
            continue
        source = rows[0].source
        parts.append(f'<div class="bloc"><h3>{_e(dataset.title)}</h3>')
        parts.append(
            f'<p class="note">{_e(source.producer)} · {_e(source.licence)} · '
            f"{_e(source.date_text)}</p>"
        )
        groups: dict[str, list[Indicator]] = {}
        for row in rows:
            groups.setdefault(row.label, []).append(row)
        plain = [g[0] for g in groups.values() if len(g) == 1 and g[0].category is None]
        if plain:
            parts.append(_indicator_table(plain, portrait))
        for label, group in groups.items():
            if len(group) == 1 and group[0].category is None:
                continue
            parts.append(f'<p class="note"><b>{_e(label)}</b> ({_e(group[0].unit or "")})</p>')
            parts.append(_indicator_table(group, portrait))
        parts.append("</div>")
    parts.append("</section>")
    return "".join(parts)


def _comparison_section(portrait: Portrait) -> str:
    charts = [i for i in portrait.indicators if i.headline and i.available and i.informative]
    parts = ['<section id="comparaison"><h2>Comparaison avec les voisins</h2>']
    if not portrait.neighbours:
        parts.append("<p>Aucun territoire voisin dans les données chargées.</p></section>")
        return "".join(parts)
    parts.append(
        '<p class="note">Pour 10 000 habitants. Le territoire est en rouge ; les voisins sont '
        "les territoires du même niveau dont le contour touche le sien.</p>"
    )
    shapes = {
        str(row.code): row.geometry for row in portrait.neighbour_outlines.itertuples(index=False)
    }
    for indicator in charts:
        bars = [Bar(portrait.place.nom, indicator.per_10k, highlight=True)] + [
            Bar(m.place.nom, m.per_10k) for m in indicator.neighbours.members if m.place
        ]
        rank = indicator.neighbours.rank_text(per_10k=True)
        map_svg = choropleth(
            (portrait.place.nom, portrait.outline),
            [
                (m.place.nom, shapes.get(m.place.code), m.per_10k)
                for m in indicator.neighbours.members
                if m.place
            ],
            indicator.per_10k,
            label=f"{indicator.title} : carte des voisins",
            unit="pour 10 000 hab.",
        )
        parts.append(
            f'<div class="bloc"><h3>{_e(indicator.title)} ({_e(indicator.unit or "")} pour '
            f"10 000 hab.)</h3>"
            + (f"<p>Rang : <b>{_e(rank)}</b></p>" if rank else "")
            + f'<div class="compare">{bar_chart(bars)}{map_svg}</div></div>'
        )
    if not charts:
        parts.append("<p>Aucun indicateur à comparer : les chiffres disponibles sont nuls.</p>")
    parts.append("</section>")
    return "".join(parts)


def _project_rows(lines: Iterable[ProjectLine], app_url: str | None, *, around: bool) -> str:
    rows = []
    for number, line in enumerate(lines, start=1):
        title = _e(line.title)
        if app_url:
            link = app_url.rstrip("/") + permalink(ExplorerState(project=line.id))
            title = f'<a href="{_e(link)}">{title}</a>'
        colour = _theme_colour(line.themes)
        cells = [
            f'<td class="n"><span class="pastille" style="background:{colour}"></span>'
            f"{number}</td>",
            f"<td>{title}</td>",
            f"<td>{_e(line.commune or '')}</td>",
        ]
        if around:
            distance = "" if line.distance_km is None else f"{french_number(line.distance_km)} km"
            cells.append(f"<td>{_e(line.territory or '')}</td><td class='n'>{distance}</td>")
        cells.append(f"<td>{_e(line.stage_label)}</td><td>{_e(line.carriers)}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return "".join(rows)


def _counts(counts: dict[str, int], labels: dict[str, str]) -> str:
    shown = [f'<span class="compte">{_e(labels.get(k, k))} : <b>{n}</b></span>'
             for k, n in counts.items() if n]  # fmt: skip
    return "".join(shown) or "aucun"


def _projects_section(portrait: Portrait, app_url: str | None) -> str:
    projects = portrait.projects
    parts = ['<section id="projets"><h2>Projets ici</h2>']
    parts.append(
        f"<p>{_e(french_count(projects.total, 'projet publié', 'projets publiés'))} sur la "
        "carte des communs.</p>"
    )
    table = {key: value["label"] for key, value in categories().items()}
    parts.append(
        f"<p>Par thème : {_counts(projects.by_theme, THEMES)}</p>"
        f"<p>Par étape : {_counts(projects.by_stage, STAGES)}</p>"
        f"<p>Par catégorie : {_counts(projects.by_category, table)}</p>"
    )
    markers = [
        Marker(line.lon, line.lat, number, _theme_colour(line.themes))
        for number, line in enumerate(projects.lines, start=1)
    ]
    shapes = [
        (str(row.nom), row.geometry)
        for row in portrait.neighbour_outlines.itertuples(index=False)
        if "nom" in portrait.neighbour_outlines.columns
    ]
    drawing = territory_map(
        portrait.outline, shapes, markers, label=f"Carte : {portrait.place.nom} et ses projets"
    )
    if drawing:
        parts.append(f"<figure class='bloc'>{drawing}</figure>")
    if projects.lines:
        parts.append(
            "<table><thead><tr><th>n°</th><th>Projet</th><th>Commune</th><th>Étape</th>"
            f"<th>Porteurs</th></tr></thead><tbody>"
            f"{_project_rows(projects.lines, app_url, around=False)}</tbody></table>"
        )
    parts.append("</section>")
    return "".join(parts)


def _neighbours_section(portrait: Portrait, app_url: str | None) -> str:
    parts = ['<section id="voisins"><h2>Ce que font les voisins</h2>']
    if portrait.neighbours:
        names = ", ".join(_e(p.nom) for p in portrait.neighbours)
        parts.append(f"<p>Territoires voisins : {names}.</p>")
    else:
        parts.append("<p>Aucun territoire voisin dans les données chargées.</p>")
    lines = portrait.neighbour_projects
    if lines:
        parts.append(
            "<p class='note'>Projets publiés des territoires voisins, du plus proche au plus "
            "éloigné (distance au contour du territoire).</p>"
            "<table><thead><tr><th>n°</th><th>Projet</th><th>Commune</th><th>Territoire</th>"
            "<th>Distance</th><th>Étape</th><th>Porteurs</th></tr></thead><tbody>"
            f"{_project_rows(lines, app_url, around=True)}</tbody></table>"
        )
        rest = portrait.neighbour_projects_total - len(lines)
        if rest > 0:
            more = french_count(rest, "autre projet plus éloigné", "autres projets plus éloignés")
            parts.append(f"<p class='note'>… et {_e(more)}.</p>")
    elif portrait.neighbours:
        parts.append("<p>Aucun projet publié chez les voisins pour l'instant.</p>")
    parts.append("</section>")
    return "".join(parts)


def _sources_section(portrait: Portrait) -> str:
    rows = []
    for source in portrait.sources:
        state = _e(source.date_text) if source.loaded else _e(source.reason or NOT_AVAILABLE)
        rows.append(
            f"<tr><td>{_e(source.title)}</td><td>{_e(source.producer)}</td>"
            f"<td>{_e(source.licence)}</td><td>{state}</td></tr>"
        )
    odbl = [s for s in portrait.sources if s.licence.startswith("ODbL")]
    mentions = "".join(f'<p class="attribution">{_e(s.attribution)}</p>' for s in odbl)
    return (
        '<section id="sources"><h2>Sources et licences</h2>'
        "<table><thead><tr><th>Source</th><th>Producteur</th><th>Licence</th>"
        f"<th>Date</th></tr></thead><tbody>{''.join(rows)}</tbody></table>{mentions}"
        f'<p class="note">Population : {_e(POPULATION_NOTE)}. Superficie calculée à partir du '
        "contour (projection équivalente). Un chiffre « non disponible » n'est pas un zéro : "
        "le jeu de données n'est pas chargé, ne couvre pas le territoire, ou la valeur y est "
        "absente ou secrète.</p></section>"
    )


def sheet_html(portrait: Portrait, *, app_url: str | None = None) -> str:
    """The sheet as one HTML document (text). ``app_url`` (the app's address) makes the
    projects links to the Explorer; without it they are plain text."""
    place = portrait.place
    chain = " → ".join(f"{_e(p.nom)} ({_e(LEVEL_LABELS[p.level])})" for p in portrait.parents)
    footer = footer_text(portrait)
    facts = [
        ("Population", f"{french_number(portrait.population)} hab."
         if portrait.population is not None else NOT_AVAILABLE),
        ("Superficie", portrait.area_text()),
        ("Communes", french_number(portrait.communes)),
        ("Projets publiés", str(portrait.projects.total)),
    ]  # fmt: skip
    facts_html = "".join(f"<div>{_e(name)}<b>{_e(value)}</b></div>" for name, value in facts)
    title = f"Portrait de territoire — {place.nom}"
    return (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title>"
        f"<style>{STYLE.replace('FOOTER', css_string(footer))}</style></head><body>"
        f'<section id="entete"><h1>{_e(place.nom)}</h1>'
        f'<p class="chaine">{_e(portrait.level_label)} · code {_e(place.code)}'
        + (f" · {chain}" if chain else "")
        + f"</p><div class='faits'>{facts_html}</div>"
        f'<p class="note">Population : {_e(POPULATION_NOTE)}. Fiche éditée le '
        f"{portrait.edition.strftime('%d/%m/%Y')} par la Carte des communs énergie &amp; "
        "mobilité (La Fabrique des Énergies).</p></section>"
        + _projects_section(portrait, app_url)
        + _indicators_section(portrait)
        + _comparison_section(portrait)
        + _neighbours_section(portrait, app_url)
        + _sources_section(portrait)
        + f'<footer class="pied">{_e(footer)}</footer></body></html>'
    )
