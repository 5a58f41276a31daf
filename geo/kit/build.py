"""``python -m geo kit build LEVEL:CODE --out DIR``: an offline kit of one territory.

The kit is a data directory (``GEO_DATA_DIR``) of its own, so that ``GEO_OFFLINE=1
GEO_DATA_DIR=DIR streamlit run app.py`` runs the Explorer, the portraits, the tours and
workshop sessions with no network and no mirror:

1. the **area**: the territory, the territories of the same level whose outlines touch it
   (its neighbours), their communes, and the EPCI, départements and régions of those;
2. the **reference and the datasets**, clipped to the area (:mod:`geo.kit.clip`) and laid out
   as a mirror, then fetched from it into the kit by :func:`geo.sources.fetch.fetch` (same
   checks, GeoParquet conversion, manifest); the manifest keeps each file's own dates from
   the source data directory, and says it is a kit's copy (``kit``);
3. the reference **prepared** for that edition (as ``data fetch`` does), so the kit's first
   start does no heavy work;
4. the area's **published projects**, and the published **tours** about it (or any tour named
   by ``--parcours``), copied into the kit's own SQLite store under the same ids
   (:mod:`geo.store.kit_copy`): links keep working, and a tour's private link too;
5. **Leaflet's files**, which the app serves itself, copied into ``DIR/static/vendor`` for a
   machine where the app was installed without them;
6. the lines of the area's communes of the BAN **address files** there are
   (``GEO_DATA_DIR/adresses/adresses-XX.csv[.gz]``, or ``address_dir``), so that the offline
   address search finds the area's streets and numbers (:mod:`geo.geocode`);
7. the **app** itself (``DIR/app``: its source tree, :mod:`geo.kit.install`) with its
   dependencies pinned (``DIR/app/requirements.txt``) and, with ``wheelhouse=True`` (the
   CLI's default), those dependencies as wheels (``DIR/wheels``, a few hundred MB) so that
   the app installs on a laptop with no package registry;
8. ``kit.json`` (what the kit holds, when it was built and from what) and ``README.md`` (in
   French: how to install and start it offline, what it holds; :mod:`geo.kit.readme`).

``DIR`` is the kit's data directory (``GEO_DATA_DIR``) and holds the app beside its data:
``cd DIR/app && GEO_OFFLINE=1 GEO_DATA_DIR=.. python -m streamlit run app.py``.

Everything is written in a folder beside ``DIR`` and renamed into place at the end: a failed
build leaves the previous kit (or nothing) as it was. Ideas collected in the kit's workshops
are proposed projects of its store (source ``atelier``): ``GEO_DATA_DIR=DIR python -m geo
projects export --source atelier --format geojson --out ideas.geojson`` then, on the main
server, ``python -m geo projects import ideas.geojson --status propose`` brings them back
(matched on ``source`` + ``external_id``: importing twice creates nothing).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from geo.datasets import CATALOGUE, load
from geo.datasets.points import SOURCE_LINE
from geo.errors import GeoError, KitError
from geo.geocode import ADDRESS_DIR, address_files
from geo.kit import clip, install
from geo.kit.clip import KitArea
from geo.kit.readme import README, render_readme
from geo.mapping.assets import install_into
from geo.settings import Settings
from geo.sources.declared import SOURCES, mirror_path
from geo.sources.fetch import MANIFEST, fetch, parquet_path, raw_path, read_manifest
from geo.store import ProjectFilter, ProjectStore
from geo.store.identity import Operator
from geo.store.kit_copy import copy_communs, copy_projects, copy_tours, token_hashes
from geo.territory import Territories, TerritoryRef, load_territories
from geo.territory.loading import REFERENCE_SOURCES, prepare_reference

KIT_FILE = "kit.json"
VENDOR = Path("static") / "vendor"
_LEVEL_COLUMNS = ("epci", "departement", "region")


@dataclass
class KitReport:
    """What ``kit build`` made (its ``--json``)."""

    territory: str
    name: str
    out: str
    neighbours: list[str]
    communes: int
    projects: int
    communs: int
    tours: list[dict[str, Any]]
    datasets: dict[str, int]
    missing: list[str] = field(default_factory=list)
    #: Whether ``DIR/wheels`` holds the app's dependencies, for ``python`` on ``platform``.
    #: Lines of the BAN address files kept (the area's addresses), 0 without such files.
    addresses: int = 0
    wheelhouse: bool = False
    python: str = ""
    platform: str = ""
    app_bytes: int = 0
    wheels_bytes: int = 0
    size_bytes: int = 0
    seconds: float = 0.0
    built_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def kit_area(territories: Territories, ref: TerritoryRef) -> KitArea:
    """The territory, its neighbours of the same level, and everything they contain."""
    neighbours = tuple(territories.neighbours(ref.level, ref.code))
    communes: set[str] = set()
    for code in (ref.code, *neighbours):
        communes.update(territories.communes_in(ref.level, code))
    hierarchy = territories.hierarchy_of_communes(sorted(communes))
    upper = {
        level: frozenset(str(v) for v in hierarchy[f"code_{level}"].dropna().tolist())
        for level in _LEVEL_COLUMNS
    }
    outlines = territories.exact_outlines("commune", sorted(communes))
    shape = outlines.geometry.union_all() if len(outlines) else None
    return KitArea(ref.level, ref.code, neighbours, frozenset(communes), upper["epci"],
                   upper["departement"], upper["region"], shape)  # fmt: skip


def _origin_file(name: str, settings: Settings) -> Path | None:
    """The cached raw file of a source in the source data directory (fetched from the
    mirror or the network when missing and allowed); None when it cannot be had."""
    from geo.sources.fetch import ensure_local

    path = raw_path(SOURCES[name], settings.data_dir)
    if path.is_file():
        return path
    try:
        ensure_local(name, settings)
    except GeoError:
        return None
    return path if path.is_file() else None


def _clip_reference(settings: Settings, area: KitArea, mirror: Path) -> list[str]:
    missing = []
    outline_levels = {v: k for k, v in REFERENCE_SOURCES["outlines"].items()}
    for name in [*REFERENCE_SOURCES["outlines"].values(), *REFERENCE_SOURCES["cog"].values()]:
        source = _origin_file(name, settings)
        if source is None:
            missing.append(name)
            continue
        target = mirror_path(SOURCES[name].url, mirror)
        if name in outline_levels:
            parquet = parquet_path(SOURCES[name], settings.data_dir)
            keep = area.codes(outline_levels[name])
            if parquet.is_file():
                clip.clip_outlines(parquet, target, keep)
            else:
                clip.clip_features(source, target, keep)
        elif name == "cog-communes":
            clip.clip_cog_communes(source, target, area.communes)
        elif name == "cog-epci":
            clip.clip_cog_epci(source, target, area.epci, area.communes)
        else:
            level = "departement" if name == "cog-departements" else "region"
            clip.clip_by_code(source, target, area.codes(level))
    return missing


def _clip_datasets(
    settings: Settings, territories: Territories, area: KitArea, mirror: Path
) -> tuple[dict[str, int], list[str]]:
    rows: dict[str, int] = {}
    missing: list[str] = []
    for dataset in CATALOGUE.values():
        source = _origin_file(dataset.source, settings)
        if source is None:
            missing.append(dataset.source)
            continue
        target = mirror_path(SOURCES[dataset.source].url, mirror)
        if dataset.schema_example:
            # The schema's official example stands in for a producer file: no territory's
            # data to cut, kept whole so that the layer loads as it does elsewhere.
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            try:
                rows[dataset.id] = len(load(dataset, settings, territories=territories).frame)
            except GeoError:
                rows[dataset.id] = 0
        elif dataset.file_kind == "geojson":
            shape = area.shape
            rows[dataset.id] = clip.clip_geojson(source, target, shape) if shape else 0
        else:
            try:
                frame = load(dataset, settings, territories=territories).frame
            except GeoError:
                missing.append(dataset.source)
                continue
            inside = frame["code_commune"].isin(area.communes)
            lines = frame.loc[inside, SOURCE_LINE].dropna().astype(int).tolist()
            cut = clip.clip_csv if dataset.file_kind == "csv" else clip.clip_json_records
            cut(source, target, lines)
            rows[dataset.id] = int(inside.sum())
        if dataset.schema_source:
            schema = _origin_file(dataset.schema_source, settings)
            if schema is None:
                missing.append(dataset.schema_source)
            else:
                copy = mirror_path(SOURCES[dataset.schema_source].url, mirror)
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(schema, copy)
    return rows, missing


def _stamp_manifest(kit_dir: Path, origin: Path, territory: str, built_at: str) -> None:
    """Each file's own dates from the source manifest; no mirror (a kit has none)."""
    source = read_manifest(origin)
    manifest = read_manifest(kit_dir)
    for name, entry in manifest.items():
        before = source.get(name, {})
        entry["mirror"] = None
        entry["fetched_at"] = before.get("fetched_at") or entry.get("fetched_at")
        entry["published_at"] = before.get("published_at")
        entry["kit"] = {"territoire": territory, "construit_le": built_at}
    (kit_dir / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2),
                                    encoding="utf-8")  # fmt: skip


def _tours_of(store: ProjectStore, territories: Territories, area: KitArea,
              wanted: Sequence[int]) -> list[Any]:  # fmt: skip
    """Published tours about the area (their territory, else a stop's, has a commune in it),
    and the tours asked for by id whatever their status."""
    chosen = {t.id: t for t in (store.tours.get(i) for i in wanted)}
    for tour in store.tours.list(statuses=("publie",)):
        refs = [tour.territory] + [s.params.get("territoire") for s in tour.stops]
        for raw in (r for r in refs if r):
            try:
                ref = territories.parse(str(raw))
            except GeoError:
                continue
            if set(territories.communes_in(ref.level, ref.code)) & area.communes:
                chosen[tour.id] = tour
                break
    return sorted(chosen.values(), key=lambda t: t.id)


def _clip_addresses(folder: Path, target: Path, area: KitArea) -> int:
    """The area's lines of each address file of ``folder``, as ``target/adresses-XX.csv``."""
    kept = 0
    for source in address_files(folder):
        name = source.name.removesuffix(".gz")
        try:
            kept += clip.clip_addresses(source, target / name, area.communes)
        except (OSError, EOFError, ValueError) as error:
            msg = (f"Le fichier d'adresses {source} est illisible ({error}) : retirez-le ou "
                   "remplacez-le.")  # fmt: skip
            raise KitError(msg) from error
    return kept


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _check_out(out: Path, settings: Settings) -> None:
    if out.resolve() == settings.data_dir.resolve():
        msg = "Le dossier du kit ne peut pas être le dossier de données lui-même (GEO_DATA_DIR)."
        raise KitError(msg)
    if out.exists() and (
        not out.is_dir() or (any(out.iterdir()) and not (out / KIT_FILE).exists())
    ):
        msg = (
            f"Le dossier {out} existe et n'est pas un kit : choisissez un dossier vide ou "
            "nouveau (un kit existant est remplacé)."
        )
        raise KitError(msg)


def build_kit(
    territory: str,
    out: Path,
    *,
    settings: Settings,
    operator: Operator,
    tours: Sequence[int] = (),
    wheelhouse: bool = False,
    app_root: Path | None = None,
    address_dir: Path | None = None,
) -> KitReport:
    """Build the kit of ``territory`` (``level:code``) in ``out`` (see module docstring).

    ``wheelhouse``: also download the app's dependencies as wheels (``pip wheel``, through
    this machine's package indexes; off by default here, as the tests and benchmarks need
    the data only, on by default in ``python -m geo kit build``). ``app_root``: where the
    app's source tree is (default: the project root the running ``geo`` comes from).
    ``address_dir``: the BAN address files to clip (default: ``GEO_DATA_DIR/adresses``)."""
    started = time.monotonic()
    out = Path(out).expanduser().absolute()
    _check_out(out, settings)
    root = install.app_root(app_root)
    territories = load_territories(settings)
    ref = territories.parse(territory)
    area = kit_area(territories, ref)
    built_at = datetime.now(UTC).isoformat(timespec="seconds")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        mirror, kit_dir = staging / "miroir", staging / "kit"
        missing = _clip_reference(settings, area, mirror)
        rows, missing_data = _clip_datasets(settings, territories, area, mirror)
        kit_settings = replace(settings, data_dir=kit_dir, mirror=mirror, offline=True,
                               database_url=None, demo=False)  # fmt: skip
        names = [name for name in SOURCES if mirror_path(SOURCES[name].url, mirror).is_file()]
        failed = [r.message for r in fetch(names, settings=kit_settings, mirror=mirror,
                                           progress=False) if not r.ok]  # fmt: skip
        if failed or missing:
            msg = "Le kit n'a pas pu être construit : " + " ; ".join(
                failed + [f"{name} manquant dans {settings.data_dir}" for name in missing]
            )
            raise KitError(msg)
        _stamp_manifest(kit_dir, settings.data_dir, str(ref), built_at)
        prepare_reference(replace(kit_settings, mirror=None))
        kit_reference = load_territories(replace(kit_settings, mirror=None))
        origin = ProjectStore(settings=settings)
        target = ProjectStore(settings=replace(kit_settings, mirror=None), locate=kit_reference)
        try:
            published = origin.query(ProjectFilter(statuses=("publie",)), limit=2**31 - 1).items
            inside = [p for p in published if p.code_commune in area.communes]
            projects = copy_projects(target, inside, operator=operator)
            communs = copy_communs(origin, target, [p.id for p in inside], operator=operator)
            chosen = _tours_of(origin, territories, area, tours)
            copy_tours(target, chosen, token_hashes(origin, [t.id for t in chosen]),
                       operator=operator)  # fmt: skip
        finally:
            origin.close()
            target.close()
        install_into(kit_dir / VENDOR)
        addresses = _clip_addresses(address_dir or settings.data_dir / ADDRESS_DIR,
                                    kit_dir / ADDRESS_DIR, area)  # fmt: skip
        app_bytes = install.copy_app(root, kit_dir / install.APP_DIR)
        requirements = kit_dir / install.APP_DIR / install.REQUIREMENTS
        install.write_requirements(requirements, install.pinned_requirements(root))
        wheels = 0
        if wheelhouse:
            wheels = install.build_wheelhouse(requirements, kit_dir / install.WHEELS_DIR)
        report = KitReport(
            territory=str(ref), name=territories.nom(ref.level, ref.code), out=str(out),
            neighbours=[f"{ref.level}:{code}" for code in area.neighbours],
            communes=len(area.communes), projects=projects, communs=communs,
            tours=[{"id": t.id, "title": t.title, "status": t.status} for t in chosen],
            datasets=rows, missing=sorted(set(missing_data)), built_at=built_at,
            addresses=addresses, wheelhouse=wheelhouse, python=install.python_version(),
            platform=install.platform_label(), app_bytes=app_bytes, wheels_bytes=wheels,
        )  # fmt: skip
        named = [(f"{ref.level}:{code}", territories.nom(ref.level, code))
                 for code in area.neighbours]  # fmt: skip
        _finish(kit_dir, out, report, started, neighbours=named)
        return report
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _finish(kit_dir: Path, out: Path, report: KitReport, started: float, *,
            neighbours: Sequence[tuple[str, str]]) -> None:  # fmt: skip
    """Write ``kit.json`` and ``README.md``, and put the kit in place (the previous one, if
    any, goes)."""
    for name in ("projets.sqlite-wal", "projets.sqlite-shm"):
        (kit_dir / name).unlink(missing_ok=True)
    report.size_bytes = _size(kit_dir)
    report.seconds = round(time.monotonic() - started, 2)
    (kit_dir / KIT_FILE).write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2),
                                    encoding="utf-8")  # fmt: skip
    text = render_readme(report, neighbours=neighbours, manifest=read_manifest(kit_dir))
    (kit_dir / README).write_text(text, encoding="utf-8")
    if out.exists():
        old = out.with_name(f".{out.name}.ancien-{os.getpid()}")
        os.replace(out, old)
        os.replace(kit_dir, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(kit_dir, out)


def read_kit(folder: Path) -> dict[str, Any] | None:
    """``kit.json`` of a data directory, or None when it is not a kit."""
    try:
        data = json.loads((Path(folder) / KIT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
