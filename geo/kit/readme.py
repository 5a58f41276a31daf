"""``DIR/README.md``: the kit's instructions, in French, for the person who carries it.

How to install the app with the network off (from ``DIR/wheels``, when the kit has them), how
to start it on the kit's data, how the room's phones reach it, how its workshops' ideas go
back to the main server, and what the kit holds (territory, date, data and their sources and
licences, size). Written from the :class:`~geo.kit.build.KitReport` and the kit's manifest
only, so that it says what this kit is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from geo import __version__
from geo.datasets import CATALOGUE
from geo.datasets.catalogue import LICENCE_OUVERTE, LICENCE_OUVERTE_URL
from geo.geocode import ADDRESS_DIR
from geo.kit.install import APP_DIR, REQUIREMENTS, WHEELS_DIR
from geo.sources.declared import SOURCES
from geo.text import french_count, french_date, french_number

if TYPE_CHECKING:
    from geo.kit.build import KitReport

README = "README.md"
BAN_PRODUCER = "Base Adresse Nationale (adresse.data.gouv.fr) : IGN, communes et partenaires"


def megabytes(size: int) -> str:
    return f"{french_number(size / 1e6, decimals=1)} Mo"


def _install(report: KitReport) -> list[str]:
    python = report.python
    requirements = f"{APP_DIR}/{REQUIREMENTS}"
    windows_requirements = requirements.replace("/", "\\")
    if not report.wheelhouse:
        return [
            "Ce kit a été construit sans les roues Python (`--no-wheelhouse`) : l'installation",
            "demande le réseau **une fois**, ensuite l'application tourne sans lui. Dans un",
            f"terminal ouvert dans ce dossier, avec Python {python} :",
            "",
            "Linux, macOS :",
            "",
            "```sh",
            f"python{python} -m venv .venv",
            f".venv/bin/python -m pip install -r {requirements}",
            "```",
            "",
            "Windows (PowerShell) :",
            "",
            "```powershell",
            f"py -{python} -m venv .venv",
            f".venv\\Scripts\\python -m pip install -r {windows_requirements}",
            "```",
        ]
    return [
        f"Il faut **Python {python}** sur l'ordinateur (python.org, ou le paquet",
        f"`python{python}` du système). Dans un terminal ouvert dans ce dossier :",
        "",
        "Linux, macOS :",
        "",
        "```sh",
        f"python{python} -m venv .venv",
        f".venv/bin/python -m pip install --no-index --find-links {WHEELS_DIR} -r {requirements}",
        "```",
        "",
        "Windows (PowerShell) :",
        "",
        "```powershell",
        f"py -{python} -m venv .venv",
        f".venv\\Scripts\\python -m pip install --no-index --find-links {WHEELS_DIR} "
        f"-r {windows_requirements}",
        "```",
        "",
        f"`--no-index --find-links {WHEELS_DIR}` : pip ne prend que les fichiers du dossier",
        f"`{WHEELS_DIR}/` ({megabytes(report.wheels_bytes)}) et ne demande rien au réseau.",
        "",
        f"**Les roues de `{WHEELS_DIR}/` sont faites pour {report.platform}**, le système qui a",
        "construit le kit. Sur un autre système (Windows, macOS, un autre processeur) ou une",
        "autre version de Python, pip refuse certaines d'entre elles : construisez le kit sur ce",
        "système-là (même commande, `python -m geo kit build`), ou installez une fois avec le",
        f"réseau : `python -m pip install -r {requirements}` dans l'environnement créé.",
    ]


def _start() -> list[str]:
    return [
        "Linux, macOS :",
        "",
        "```sh",
        f"cd {APP_DIR}",
        "GEO_OFFLINE=1 GEO_DATA_DIR=.. ../.venv/bin/python -m streamlit run app.py",
        "```",
        "",
        "Windows (PowerShell) :",
        "",
        "```powershell",
        f"cd {APP_DIR}",
        '$env:GEO_OFFLINE = "1"; $env:GEO_DATA_DIR = ".."',
        "..\\.venv\\Scripts\\python -m streamlit run app.py",
        "```",
        "",
        "Puis ouvrez <http://localhost:8501> dans un navigateur. `GEO_OFFLINE=1` : l'application",
        "ne touche jamais le réseau (pas de fond de carte en ligne, pas de recherche d'adresse en",
        "ligne) ; `GEO_DATA_DIR=..` : ses données sont celles de ce dossier. Ctrl+C dans le",
        "terminal l'arrête.",
        "",
        "**Les téléphones de la salle** (ateliers) : mettez l'ordinateur et les téléphones sur le",
        "même réseau local (un routeur wifi, ou le partage de connexion de l'ordinateur ; internet",
        "n'est pas nécessaire) et ouvrez l'application par l'adresse que Streamlit affiche sous",
        "« Network URL » (ex. `http://192.168.1.20:8501`) : le QR code de l'atelier mène alors à",
        "cet ordinateur. Le pare-feu doit laisser entrer le port 8501.",
        "",
        "La fiche PDF d'un portrait demande Chromium (ou Google Chrome) installé sur",
        "l'ordinateur ; sans lui, le portrait s'affiche et sa fiche HTML s'imprime depuis le",
        "navigateur.",
    ]


def _ideas() -> list[str]:
    return [
        "Les idées envoyées pendant les ateliers sont des propositions de ce kit (source",
        "`atelier`). Pour les rapporter au serveur principal, exportez-les depuis le dossier",
        f"`{APP_DIR}` :",
        "",
        "```sh",
        "GEO_DATA_DIR=.. ../.venv/bin/python -m geo projects export --source atelier "
        "--format geojson --out ../idees.geojson",
        "```",
        "",
        '(Windows : `$env:GEO_DATA_DIR = ".."` puis `..\\.venv\\Scripts\\python -m geo projects',
        "export …`), puis, sur le serveur principal : `python -m geo projects import",
        "idees.geojson --status propose` (les importer deux fois ne crée rien de plus).",
    ]


def _contents(
    report: KitReport, neighbours: Sequence[tuple[str, str]], manifest: Mapping[str, Any]
) -> list[str]:
    near = ", ".join(f"{name} ({ref})" for ref, name in neighbours) or "aucun"
    tours = ", ".join(f"« {t['title']} » (n° {t['id']})" for t in report.tours) or "aucun"
    wheels = (f" et les roues Python {megabytes(report.wheels_bytes)}." if report.wheelhouse
              else " (sans roues Python).")  # fmt: skip
    lines = [
        f"- **Territoire** : {report.name} (`{report.territory}`), et les territoires de même",
        f"  niveau qui le touchent ({len(neighbours)}) : {near} ;",
        f"  {french_count(report.communes, 'commune')} en tout.",
        f"- **Projets publiés** de la zone : {report.projects} ; **communs** qu'ils utilisent ou",
        f"  produisent : {report.communs} ; **parcours** : {tours}.",
        "  Les adresses électroniques de contact des projets ne sont pas dans le kit.",
        *_addresses(report),
        f"- **Construit le** {french_date(report.built_at)} (`{report.built_at}`), par la",
        f"  version {__version__} de l'application.",
        f"- **Taille** : {megabytes(report.size_bytes)} en tout, dont l'application",
        f"  {megabytes(report.app_bytes)}{wheels}",
        "",
        "### Jeux de données (lignes dans la zone)",
        "",
        "| jeu de données | lignes |",
        "| --- | ---: |",
    ]
    for dataset, rows in report.datasets.items():
        title = CATALOGUE[dataset].title if dataset in CATALOGUE else dataset
        lines.append(f"| {title} | {french_number(rows)} |")
    for name in report.missing:
        lines.append(f"| {name} : absent du dossier de données qui a construit le kit | — |")
    lines += [
        "",
        "### Sources et licences",
        "",
        "Chaque fichier est découpé à la zone du kit dans son format publié ; la licence du",
        "fichier publié s'applique à sa copie : citez sa source.",
    ]
    sources = sorted(
        ((SOURCES[name], entry) for name, entry in manifest.items() if name in SOURCES),
        key=lambda pair: pair[0].title,
    )
    if any(source.licence.startswith("ODbL") for source, _ in sources):
        lines[-1] += " L'ODbL demande aussi de partager à l'identique une base qui en dérive."
    lines.append("")
    # A publication date is known when the server sent one: a column only when any did.
    dated = any(entry.get("published_at") for _, entry in sources)
    lines += [
        "| fichier | producteur | licence |" + (" publié le |" if dated else "") + " récupéré le |",
        "| --- | --- | --- |" + (" --- |" if dated else "") + " --- |",
    ]
    for source, entry in sources:
        published = f" {french_date(entry.get('published_at')) or '—'} |" if dated else ""
        lines.append(
            f"| {source.title} | {source.producer} | [{source.licence}]({source.licence_url}) "
            f"|{published} {french_date(entry.get('fetched_at')) or '—'} |"
        )
    if report.addresses:
        lines.append(
            f"| Base Adresse Nationale (fichiers `adresses-XX.csv`) | {BAN_PRODUCER} | "
            f"[{LICENCE_OUVERTE}]({LICENCE_OUVERTE_URL}) |{' — |' if dated else ''} "
            f"{french_date(report.built_at)} (découpé) |"
        )
    return lines


def _addresses(report: KitReport) -> list[str]:
    if report.addresses:
        return [
            f"- **Adresses** : {french_count(report.addresses, 'adresse')} de la Base Adresse",
            "  Nationale dans la zone (`adresses/`) : la recherche d'adresse hors ligne trouve",
            "  leurs rues et leurs numéros.",
        ]
    return [
        "- **Adresses** : aucune ; la recherche d'adresse hors ligne trouve les communes. Un",
        f"  fichier `adresses-XX.csv` de la BAN dans `GEO_DATA_DIR/{ADDRESS_DIR}/` du serveur qui",
        "  construit le kit y ajoute les rues et les numéros de la zone.",
    ]


def _layout(report: KitReport) -> list[str]:
    wheels = (
        f"- `{WHEELS_DIR}/` : les dépendances de l'application, en roues Python pour "
        f"{report.platform} ;"
        if report.wheelhouse
        else f"- (pas de `{WHEELS_DIR}/` : kit construit avec `--no-wheelhouse`) ;"
    )
    return [
        "- `README.md` : ce fichier ; `kit.json` : la même chose pour une machine ;",
        f"- `{APP_DIR}/` : l'application (son code, ses pages, ses réglages Streamlit) et",
        f"  `{APP_DIR}/{REQUIREMENTS}`, ses dépendances aux versions qui ont construit le kit ;",
        wheels,
        "- `manifest.json`, `raw/`, `prepared/` et les fichiers `.parquet` : les données de la",
        "  zone (le dossier `GEO_DATA_DIR`) ; `projets.sqlite` : projets, parcours, ateliers et",
        f"  idées ;{f' `{ADDRESS_DIR}/` : les adresses de la zone ;' if report.addresses else ''}",
        "  `static/vendor/` : Leaflet, la bibliothèque de la carte.",
    ]


def render_readme(
    report: KitReport, *, neighbours: Sequence[tuple[str, str]], manifest: Mapping[str, Any]
) -> str:
    """The kit's ``README.md``; ``neighbours`` as ``(level:code, name)``."""
    lines = [
        f"# Kit hors ligne : {report.name}",
        "",
        "Ce dossier fait tourner la **Carte des communs énergie & mobilité** sur un ordinateur",
        "portable **sans réseau** : l'Explorateur, les portraits, les parcours et les ateliers",
        f"avec les téléphones de la salle, pour {report.name} et ses voisins.",
        "",
        "## 1. Installer (une fois)",
        "",
        *_install(report),
        "",
        "## 2. Lancer",
        "",
        *_start(),
        "",
        "## 3. Rapporter les idées des ateliers",
        "",
        *_ideas(),
        "",
        "## Ce que contient le kit",
        "",
        *_contents(report, neighbours, manifest),
        "",
        "## Le dossier",
        "",
        *_layout(report),
        "",
    ]
    return "\n".join(lines)
