"""Importing projects from messy files: exact reports, nothing half-written, idempotent."""

from __future__ import annotations

import json
import sqlite3
import tracemalloc
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from reference import territories

from geo.cli import main
from geo.errors import GeoError
from geo.projects.importer import import_projects
from geo.settings import get_settings
from geo.store.identity import Operator
from geo.store.project_store import ProjectFilter, ProjectStore

HEADER = (
    "external_id;title;summary;description;categories;stage;carriers;carrier_type;lat;lon;commune"
)
XSS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))")


@pytest.fixture
def store(store_url: str) -> ProjectStore:
    opened = ProjectStore(store_url, locate=territories())
    yield opened
    opened.close()


def write(tmp_path: Path, lines: list[str], *, name: str = "projets.csv",
          encoding: str = "utf-8", newline: str = "\n") -> Path:  # fmt: skip
    path = tmp_path / name
    path.write_bytes(newline.join(lines).encode(encoding) + newline.encode())
    return path


def by_external_id(store: ProjectStore) -> dict[str, object]:
    return {p.external_id: p for p in store.query(limit=10_000).items}


def test_messy_csv_exact_report_and_good_rows_kept(store: ProjectStore, tmp_path: Path) -> None:
    big = "x" * 10_000_000
    lines = [
        HEADER,
        'a1;Toits solaires;Résumé;"ligne 1',  # lines 2-3: a newline inside a quoted field
        'ligne 2";solaire;en service;Coop A;cooperative;45,1885;5,7245;',
        "a2;Coordonnées fausses;;;solaire;idee;;;abc;5.7;",
        "a3;Hors de France;;;solaire;idee;;;40.4;-3.7;",
        "a4;Catégorie inconnue;;;bidule;idee;;;45.19;5.72;",
        f"a5;{XSS[0]};{XSS[1]};{XSS[2]};velo;idee;;;45.19;5.72;",
        f"a6;Trop long;;{big};velo;idee;;;45.19;5.72;",
        "",
        "a7;Autopartage du village;;;autopartage;idee;Mairie;collectivite;;;Mens",
        "a8;Champs en trop;;;velo;idee;;;45.19;5.72;;en trop",
        "a9;Nulle part;;;velo;idee;;;;;",
    ]
    roomy = replace(get_settings(), import_max_mb=12)  # a 10 MB field makes it 10 MB
    report = import_projects(
        write(tmp_path, lines), store, territories=territories(), settings=roomy
    )
    result = report.to_dict()
    assert list(result)[:5] == ["rows_read", "created", "updated", "rejected", "rejections"]
    assert (result["rows_read"], result["created"], result["updated"], result["rejected"]) == (
        9, 3, 0, 6)  # fmt: skip
    reasons = {r["line"]: r["reason"] for r in result["rejections"]}
    assert list(reasons) == [4, 5, 6, 8, 11, 12]
    assert "latitude : Nombre attendu (reçu : « abc »)" in reasons[4]
    assert "hors de France" in reasons[5]
    assert "« bidule » : catégorie inconnue" in reasons[6] and "Solaire" in reasons[6]
    assert "Covoiturage" in reasons[6]  # every allowed category is named
    assert reasons[8] == "description : 5000 caractères au plus (ici 10000000)."
    assert "12 champs au lieu de 11" in reasons[11]
    assert reasons[12].startswith("localisation : ni lat/lon, ni commune")

    stored = by_external_id(store)
    assert sorted(stored) == ["a1", "a5", "a7"]
    assert stored["a1"].description == "ligne 1\nligne 2"
    assert (stored["a1"].lat, stored["a1"].code_commune) == (45.1885, "38185")
    xss = stored["a5"]
    assert (xss.title, xss.summary, xss.description) == XSS  # stored exactly as typed
    assert all(p.status == "publie" and p.source == "projets.csv" for p in stored.values())


def test_ten_megabyte_field_keeps_memory_sane(store: ProjectStore, tmp_path: Path) -> None:
    lines = [HEADER] + [f"t{i};Projet {i};;;velo;idee;;;45.19;5.72;" for i in range(3)]
    lines.insert(2, "big;Énorme;;" + "é" * 10_000_000 + ";velo;idee;;;45.19;5.72;")
    path = write(tmp_path, lines)
    territories().locate([45.19], [5.72])  # the locator's index is built outside the count
    roomy = replace(get_settings(), import_max_mb=25)  # the file is 20 MB, over the default
    tracemalloc.start()
    report = import_projects(path, store, territories=territories(), settings=roomy)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    reason = "description : 5000 caractères au plus (ici 10000000)."
    assert (report.created, report.rejections) == (3, [{"line": 3, "reason": reason}])
    # 10 million characters: the csv module parses them in a buffer of 4 bytes per character
    # (~120 MB at its peak), then the row is rejected and dropped, never kept per row.
    assert peak < 200 * 1024 * 1024


@pytest.mark.parametrize(
    ("encoding", "separator", "newline"),
    [
        ("utf-8-sig", ",", "\r\n"),
        ("utf-8", ";", "\n"),
        ("cp1252", ";", "\r\n"),
        ("latin-1", ",", "\n"),
        ("utf-16", ";", "\r\n"),
    ],
)
def test_encodings_separators_and_line_ends(
    store: ProjectStore, tmp_path: Path, encoding: str, separator: str, newline: str
) -> None:
    rows = [
        ["external_id", "title", "summary", "categories", "lat", "lon"],
        ["e1", "Énergie à l'école", "Chaufferie « bois », été comme hiver", "solaire", "45.19",
         "5.72"],
        ["e2", "Vélo-école", "", "inconnue", "45.19", "5.72"],
    ]  # fmt: skip
    lines = [separator.join(f'"{v}"' if separator in v else v for v in row) for row in rows]
    path = write(tmp_path, lines, encoding=encoding, newline=newline)
    report = import_projects(path, store, territories=territories())
    assert (report.rows_read, report.created, report.rejected) == (2, 1, 1)
    assert report.rejections == [{"line": 3, "reason": report.rejections[0]["reason"]}]
    assert report.separator == separator
    (project,) = store.query().items
    assert project.title == "Énergie à l'école"
    assert project.summary == "Chaufferie « bois », été comme hiver"


def test_failure_mid_import_leaves_the_store_unchanged(store: ProjectStore, tmp_path: Path) -> None:
    first = write(tmp_path, [HEADER, "k1;Existant;Avant;;solaire;idee;;;45.19;5.72;"])
    assert import_projects(first, store, territories=territories()).created == 1
    before_audit = len(store.audit())
    # The database itself fails on the third new row, after the update and two inserts.
    if store.engine.dialect.name == "sqlite":
        database = sqlite3.connect(store.engine.url.database)
        database.execute(
            "CREATE TRIGGER boom BEFORE INSERT ON projects WHEN NEW.title = 'Crash' "
            "BEGIN SELECT RAISE(ABORT, 'disque plein (simulé)'); END"
        )
        database.commit()
        database.close()
    else:
        with store.engine.begin() as connection:
            connection.exec_driver_sql(
                "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "IF NEW.title = 'Crash' THEN RAISE EXCEPTION 'disque plein (simulé)'; END IF; "
                "RETURN NEW; END $$"
            )
            connection.exec_driver_sql(
                "CREATE TRIGGER boom BEFORE INSERT ON projects FOR EACH ROW EXECUTE FUNCTION boom()"
            )
    lines = [
        HEADER,
        "k1;Existant;Après;;solaire;idee;;;45.19;5.72;",
        "k2;Nouveau 1;;;solaire;idee;;;45.19;5.72;",
        "k3;Nouveau 2;;;solaire;idee;;;45.19;5.72;",
        "k4;Crash;;;solaire;idee;;;45.19;5.72;",
        "k5;Nouveau 3;;;solaire;idee;;;45.19;5.72;",
    ]
    with pytest.raises(GeoError, match="rien n'a été écrit"):
        import_projects(write(tmp_path, lines, name="projets.csv"), store,
                        territories=territories())  # fmt: skip
    assert store.count() == 1
    assert store.query().items[0].summary == "Avant"
    assert len(store.audit()) == before_audit


def test_reimport_is_idempotent_and_updates_changed_rows(
    store: ProjectStore, tmp_path: Path
) -> None:
    lines = [
        HEADER,
        "r1;Un;;;solaire;idee;;;45.19;5.72;",
        "r2;Deux;;;velo;idee;;;45.19;5.72;",
        ";Sans identifiant;;;velo;idee;;;45.19;5.72;",
        ";Placé à la commune;;;velo;idee;;;;;Voiron",
    ]
    path = write(tmp_path, lines)
    first = import_projects(path, store, territories=territories())
    assert (first.created, first.updated, first.unchanged) == (4, 0, 0)
    again = import_projects(path, store, territories=territories())
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 4, 0)

    pid = by_external_id(store)["r2"].id
    store.set_status(pid, "archive", operator=Operator("modo"))
    lines[2] = "r2;Deux;Résumé ajouté;;velo;idee;;;45.19;5.72;"
    changed = import_projects(write(tmp_path, lines), store, territories=territories())
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 3)
    assert store.count() == 4
    assert store.get(pid).summary == "Résumé ajouté"
    assert store.get(pid).status == "archive"  # moderation is kept by a re-import


def test_source_and_status_options(store: ProjectStore, tmp_path: Path) -> None:
    lines = [HEADER + ";source", "s1;Un;;;solaire;idee;;;45.19;5.72;;registre régional"]
    path = write(tmp_path, lines)
    import_projects(path, store, territories=territories(), status="propose")
    (project,) = store.query().items
    assert (project.source, project.status) == ("registre régional", "propose")
    report = import_projects(path, store, territories=territories(), source="atelier")
    assert (report.created, report.source) == (1, "atelier")
    assert store.count(ProjectFilter(source="atelier")) == 1


def test_commune_only_rows_are_placed_approximately(store: ProjectStore, tmp_path: Path) -> None:
    lines = [
        "external_id,title,categories,lat,lon,commune,address",
        "c1,Par nom,velo,,,Mens,",
        "c2,Par code postal,velo,,,38000,",
        "c3,Par code INSEE,velo,,,38185,",
        'c4,Par adresse,velo,,,,"12 rue des Alpes, 38500 Voiron"',
        "c5,Homonyme hors contours chargés,velo,,,Lyon,",
        "c6,Inconnue,velo,,,Grenobel,",
        "c7,Coordonnées données,velo,45.5256,4.8744,Vienne,",
    ]
    report = import_projects(write(tmp_path, lines), store, territories=territories())
    assert (report.created, report.rejected, report.placed_at_commune) == (5, 2, 4)
    reasons = {r["line"]: r["reason"] for r in report.rejections}
    assert "Lyon (69123) n'a pas de contour chargé" in reasons[6]
    assert "« Grenobel » ne désigne aucune commune connue" in reasons[7]
    assert "vouliez-vous dire Grenoble (Isère, 38185) ?" in reasons[7]
    assert report.line_warnings == []
    stored = by_external_id(store)
    expected = {"c1": "38226", "c2": "38185", "c3": "38185", "c4": "38563", "c7": "38544"}
    assert {k: p.code_commune for k, p in stored.items()} == expected
    assert [k for k, p in sorted(stored.items()) if p.location_approximate] == [
        "c1", "c2", "c3", "c4"]  # fmt: skip
    outline = territories().outline("commune", "38226")
    assert outline.contains(shapely.Point(stored["c1"].lon, stored["c1"].lat))


def test_a_commune_contradicting_the_coordinates_is_warned_per_line(
    store: ProjectStore, tmp_path: Path
) -> None:
    lines = [
        "external_id,title,categories,lat,lon,commune",
        "d1,Grenoble mais à Vienne,velo,45.5256,4.8744,Grenoble",  # ~75 km apart
        "d2,Limite de commune,velo,45.1860,5.7530,Grenoble",  # Saint-Martin-d'Hères, ~1 km
        "d3,Code postal de Grenoble,velo,45.1885,5.7245,38000",
        "d4,Grenoble à Paris,velo,48.8566,2.3522,38185",
        "d5,Bordeaux hors des communes chargées,velo,45.1885,5.7245,Bordeaux",
        "d6,Faute de frappe,velo,45.1885,5.7245,Grenobel",
    ]
    report = import_projects(write(tmp_path, lines), store, territories=territories())
    assert (report.created, report.rejected) == (6, 0)  # kept where their coordinates are
    warnings = {w["line"]: w["warning"] for w in report.to_dict()["line_warnings"]}
    assert sorted(warnings) == [2, 5, 6, 7]
    assert warnings[2].startswith("commune : « Grenoble » désigne Grenoble (38185), à ")
    assert warnings[2].endswith(
        "km des coordonnées (lat 45.52560, lon 4.87440, dans Vienne (38544)) ; projet placé à "
        "ses coordonnées, vérifiez la commune ou les coordonnées."
    )
    assert "« 38185 » désigne Grenoble (38185), à 4" in warnings[5]
    assert "dans Paris (75056)" in warnings[5]
    # Bordeaux's outline is not loaded: the distance is at least the one to the Gironde.
    assert "« Bordeaux » désigne Bordeaux (33063), à plus de " in warnings[6]
    assert warnings[7] == (
        "commune : « Grenobel » ne désigne aucune commune connue ; vouliez-vous dire Grenoble "
        "(Isère, 38185) ? ; projet placé à ses coordonnées."
    )
    assert by_external_id(store)["d1"].code_commune == "38544"


def test_an_ambiguous_code_follows_the_datasets_rule_and_says_so(
    store: ProjectStore, tmp_path: Path
) -> None:
    # 38100 is Le Cheylas' INSEE code and Grenoble's postal code; 38250 Montcarra's and
    # Villard-de-Lans'. The one rule reads the INSEE code; a name or coordinates settle it.
    lines = [
        "external_id,title,categories,lat,lon,commune",
        "e1,Code seul,velo,,,38100",
        "e2,Code et nom,velo,,,38250 Villard-de-Lans",
        "e3,Code et coordonnées,velo,45.1885,5.7245,38100",
    ]
    report = import_projects(write(tmp_path, lines), store, territories=territories())
    assert (report.created, report.rejected) == (3, 0)
    stored = by_external_id(store)
    assert {k: p.code_commune for k, p in stored.items()} == {
        "e1": "38100", "e2": "38548", "e3": "38185"}  # fmt: skip
    assert report.to_dict()["line_warnings"] == [
        {
            "line": 2,
            "warning": "commune : « 38100 » est le code INSEE de Le Cheylas (38100) et le code "
            "postal de Grenoble (38185) : lu comme code INSEE, Le Cheylas (38100).",
        }
    ]
    reading = territories().read_commune_code("38100")
    assert reading.ambiguity in report.line_warnings[0]["warning"]  # one message


def test_a_row_with_several_problems_reports_them_all(store: ProjectStore, tmp_path: Path) -> None:
    lines = [
        "external_id,title,categories,stage,carriers,carrier_type,lat,lon,commune",
        "f1,Trois fautes,bidule,plus tard,,,,,Bordeau",
        "f2,Porteurs et catégorie,bidule,idee,A;B,cooperative;association;collectivite,,,Mens",
        "f3,Porteurs et commune,velo,idee,A;B,a;b;c,,,Grenobel",
    ]
    report = import_projects(write(tmp_path, lines), store, territories=territories())
    reasons = {r["line"]: r["reason"] for r in report.rejections}
    assert sorted(reasons) == [2, 3, 4]
    assert "« Bordeau » ne désigne aucune commune connue" in reasons[2]
    assert "vouliez-vous dire Bordeaux (Gironde, 33063)" in reasons[2]
    assert "« bidule » : catégorie inconnue" in reasons[2]
    assert "étape" in reasons[2] and "plus tard" in reasons[2]
    assert reasons[3].startswith("porteurs : 2 nom(s) mais 3 type(s)")
    assert "« bidule » : catégorie inconnue" in reasons[3]
    assert reasons[4].startswith("porteurs : 2 nom(s) mais 3 type(s)")
    assert "« Grenobel » ne désigne aucune commune connue" in reasons[4]


def test_mapping_file_through_the_cli(
    geo_env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    lines = [
        "Identifiant;Nom du projet;Thématique;Porteur;Type de porteur;Latitude;Longitude;Note",
        "m1;Navette du plateau;Transport à la demande;Syndicat;collectivite;45.07;5.553;x",
    ]
    path = write(tmp_path, lines)
    mapping = {"Identifiant": "external_id", "Nom du projet": "title", "thematique": "categories",
               "Porteur": "carriers", "Type de porteur": "carrier_type", "Note": None}  # fmt: skip
    (tmp_path / "map.json").write_text(json.dumps(mapping, ensure_ascii=False), encoding="utf-8")
    args = ["projects", "import", str(path), "--mapping", str(tmp_path / "map.json"), "--json"]
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["created"], report["rejected"], report["ignored_columns"]) == (1, 0, ["Note"])
    assert main(["projects", "list", "--json"]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert listed["categories"] == ["transport_a_la_demande"] and listed["themes"] == ["mobilite"]
    assert listed["carriers"] == [{"name": "Syndicat", "type": "collectivite"}]
    assert listed["code_commune"] == "38548"

    (tmp_path / "bad.json").write_text('{"Nom du projet": "titre"}', encoding="utf-8")
    assert main(["projects", "import", str(path), "--mapping", str(tmp_path / "bad.json")]) == 1
    assert "Champ(s) inconnu(s) dans la correspondance : titre" in capsys.readouterr().err


def test_the_cli_prints_each_line_warning(
    geo_env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    path = write(tmp_path, ["external_id,title,categories,lat,lon,commune",
                            "w1,Grenoble mais à Vienne,velo,45.5256,4.8744,Grenoble"])  # fmt: skip
    assert main(["projects", "import", str(path)]) == 0
    err = capsys.readouterr().err
    assert "  attention, ligne 2 : commune : « Grenoble » désigne Grenoble (38185), à " in err
    assert main(["projects", "import", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [w["line"] for w in report["line_warnings"]] == [2]


def test_file_without_title_column_is_refused(store: ProjectStore, tmp_path: Path) -> None:
    path = write(tmp_path, ["nom,lat,lon", "Projet,45.19,5.72"])
    with pytest.raises(GeoError, match="aucune colonne « title »"):
        import_projects(path, store, territories=territories())
    assert store.count() == 0


def test_geojson_import(store: ProjectStore, tmp_path: Path) -> None:
    square = [[5.70, 45.17], [5.74, 45.17], [5.74, 45.20], [5.70, 45.20], [5.70, 45.17]]
    features = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [5.7245, 45.1885]},
         "properties": {"external_id": "g1", "title": "Point", "themes": ["energie"],
                        "categories": ["solaire", "stockage"],
                        "carriers": [{"name": "Coop", "type": "cooperative"}]}},
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [square]},
         "properties": {"external_id": "g2", "title": "Zone", "categories": "velo"}},
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[5, 45], [6, 45]]},
         "properties": {"external_id": "g3", "title": "Ligne"}},
        {"type": "Feature", "geometry": None,
         "properties": {"external_id": "g4", "title": "Sans géométrie", "categories": "velo",
                        "commune": "Vienne"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [5.72, 45.19]},
         "properties": {"external_id": "g5", "title": "<script>alert(1)</script>",
                        "categories": ["bidule"]}},
    ]  # fmt: skip
    path = tmp_path / "projets.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    report = import_projects(path, store, territories=territories())
    assert (report.rows_read, report.created, report.rejected) == (5, 3, 2)
    reasons = {r["line"]: r["reason"] for r in report.rejections}
    assert list(reasons) == [3, 5]
    assert "LineString non prise en charge" in reasons[3]
    stored = by_external_id(store)
    assert stored["g1"].carriers[0].name == "Coop" and stored["g1"].code_commune == "38185"
    assert stored["g2"].area["type"] == "Polygon" and stored["g2"].code_commune == "38185"
    assert stored["g4"].code_commune == "38544" and stored["g4"].location_approximate


def test_geopackage_import_reprojects(store: ProjectStore, tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {
            "external_id": ["p1", "p2"],
            "title": ["Réseau de chaleur", "Sans catégorie valable"],
            "categories": ["reseau_de_chaleur", "???"],
            "start_year": [2021, None],
            "power_kwc": [None, 12.5],
        },
        geometry=gpd.points_from_xy([5.7245, 4.8744], [45.1885, 45.5256]),
        crs=4326,
    ).to_crs(2154)
    path = tmp_path / "projets.gpkg"
    frame.to_file(path, layer="inventaire", driver="GPKG")
    report = import_projects(path, store, territories=territories())
    assert (report.rows_read, report.created, report.rejected) == (2, 1, 1)
    assert report.rejections[0]["line"] == 2
    (project,) = store.query().items
    assert project.start_year == 2021 and project.code_commune == "38185"
    assert project.lat == pytest.approx(45.1885) and project.lon == pytest.approx(5.7245)


def test_json_list_of_projects_and_legacy_crs(store: ProjectStore, tmp_path: Path) -> None:
    plain = tmp_path / "projets.json"
    projects = [
        {"external_id": "j1", "title": "Comme projects add", "categories": ["velo"],
         "lat": 45.1885, "lon": 5.7245, "carriers": [{"name": "Asso", "type": "association"}]},
        "pas un objet",
    ]  # fmt: skip
    plain.write_text(json.dumps(projects), encoding="utf-8")
    report = import_projects(plain, store, territories=territories())
    assert (report.created, [r["line"] for r in report.rejections]) == (1, [2])

    # Lambert-93 coordinates of Grenoble's centre, as older GeoJSON files name their CRS.
    lambert = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2154"}},
        "features": [{"type": "Feature", "properties": {"title": "L93", "categories": "velo"},
                      "geometry": {"type": "Point", "coordinates": [913_600, 6_458_000]}}],
    }  # fmt: skip
    path = tmp_path / "lambert.geojson"
    path.write_text(json.dumps(lambert), encoding="utf-8")
    assert import_projects(path, store, territories=territories()).created == 1
    located = store.query(ProjectFilter(text="L93")).items[0]
    assert located.code_commune == "38185"


def test_columns_a_file_lacks_keep_their_stored_values(store: ProjectStore, tmp_path: Path) -> None:
    full = [
        "external_id,title,summary,description,categories,carriers,carrier_type,contact_email,"
        "lat,lon,power_kwc",
        "k1,Toits solaires,Résumé,Longue description,solaire,Coop,cooperative,"
        "contact@exemple.org,45.1885,5.7245,120",
    ]
    import_projects(write(tmp_path, full), store, territories=territories())
    partial = ["external_id,title,summary,commune", "k1,Toits solaires citoyens,,Vienne"]
    report = import_projects(write(tmp_path, partial), store, territories=territories())
    assert (report.created, report.updated, report.placed_at_commune) == (0, 1, 0)
    (project,) = store.query().items
    assert project.title == "Toits solaires citoyens"
    assert project.summary == ""  # a blank cell clears its field
    assert (project.description, project.contact_email) == ("Longue description",
                                                             "contact@exemple.org")  # fmt: skip
    assert (project.power_kwc, project.carriers[0].name, project.categories) == (
        120, "Coop", ["solaire"])  # fmt: skip
    # No lat/lon columns: the stored point stays (the commune column only places new rows).
    assert (project.lat, project.lon, project.location_approximate) == (45.1885, 5.7245, False)


# --- input that lies (issue 11) ---------------------------------------------------------------


def _rows(count: int, title: str = "Énergie citoyenne") -> list[str]:
    return ["external_id;title;categories;lat;lon"] + [
        f"e{i};{title} {i};solaire;45.19;5.72" for i in range(count)
    ]


def test_utf8_with_one_bad_byte_is_read_as_utf8_and_the_line_is_reported(
    store: ProjectStore, tmp_path: Path
) -> None:
    path = write(tmp_path, _rows(2000))
    data = path.read_bytes()
    bad = data.index(b"e1000;") + len("e1000;")
    path.write_bytes(data[:bad] + b"\xff" + data[bad:])  # one stray byte on line 1002
    report = import_projects(path, store, territories=territories())
    assert report.encoding == "utf-8"
    assert (report.created, report.rejected) == (1999, 1)
    [rejection] = report.to_dict()["rejections"]
    assert rejection["line"] == 1002 and "UTF-8" in rejection["reason"]
    titles = {p.title for p in store.query(limit=5000).items}
    assert "Énergie citoyenne 0" in titles and not any("Ã" in t for t in titles)


def test_a_windows_1252_file_is_read_as_such_and_said(store: ProjectStore, tmp_path: Path) -> None:
    path = write(tmp_path, _rows(50), encoding="cp1252")
    report = import_projects(path, store, territories=territories())
    assert (report.encoding, report.created, report.rejected) == ("cp1252", 50, 0)
    assert any("Windows-1252" in warning for warning in report.warnings)
    assert store.query(limit=1, order="title").items[0].title == "Énergie citoyenne 0"


def test_utf8_lines_in_a_windows_1252_file_are_never_imported_as_mojibake(
    store: ProjectStore, tmp_path: Path
) -> None:
    path = tmp_path / "mixte.csv"
    cp1252 = "\n".join(_rows(40)).encode("cp1252") + b"\n"
    utf8 = "\n".join(_rows(3, title="Étude réseau")[1:]).replace("e0;", "u0;").replace(
        "e1;", "u1;").replace("e2;", "u2;").encode("utf-8")  # fmt: skip
    path.write_bytes(cp1252 + utf8 + b"\n")
    report = import_projects(path, store, territories=territories())
    assert report.encoding == "cp1252" and report.created == 40 and report.rejected == 3
    assert all("UTF-8" in r["reason"] for r in report.rejections)
    assert not any("Ã" in p.title for p in store.query(limit=100).items)


def test_a_file_over_the_size_limit_is_refused_before_reading(
    store: ProjectStore, tmp_path: Path
) -> None:
    from geo.errors import ImportTooLargeError

    path = write(tmp_path, _rows(3000))  # about 100 kB
    small = replace(get_settings(), import_max_mb=0.05)
    with pytest.raises(ImportTooLargeError, match="Mo") as caught:
        import_projects(path, store, territories=territories(), settings=small)
    assert "découpez" in str(caught.value).lower() and str(tmp_path) not in str(caught.value)
    assert store.count() == 0


def test_a_header_with_undecodable_bytes_is_reported_readably(
    store: ProjectStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "entete.csv"
    body = "\n".join(_rows(30)).encode("utf-8")
    path.write_bytes(body.replace(b"lat;lon", b"lat;lon;nom\xff;cat\xe9gorie", 1) + b"\n")
    report = import_projects(path, store, territories=territories())
    assert report.created == 30
    assert all(name.isprintable() and "\ufffd" in name for name in report.ignored_columns)
    json.dumps(report.to_dict(), ensure_ascii=False).encode("utf-8")  # JSON-able as UTF-8
