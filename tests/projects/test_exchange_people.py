"""Partners, SIRENs, communs produced and lessons learned in the exchange format: exported
to CSV, GeoJSON and GeoPackage and imported back into the same projects; a file of before
these fields still imports; SIRENs checked by their key (table-driven)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from store_helpers import fake_locate, project

from geo.errors import ProjectValidationError
from geo.projects.exchange import carriers
from geo.projects.exporter import export_projects
from geo.projects.importer import import_projects
from geo.projects.model import parse_project, public_dict, siren_is_valid
from geo.store import ProjectStore
from geo.store.identity import Operator

OP = Operator("test")
LESSON = {
    "worked": "Les permanences ; le marché",
    "hard": "=SOMME(A1)",
    "differently": "",
    "date": "2025-03-01",
}
PEOPLE = {
    "external_id": "p-1",
    "source": "essai",
    "carriers": [
        {"name": "Ville de Grenoble", "type": "collectivite", "siren": "213801855"},
        {"name": "Énergie Citoyenne", "type": "association"},
    ],
    "partners": [
        {"name": "Grenoble-Alpes Métropole", "type": "collectivite", "siren": "200040715"}
    ],
    "commons": ["https://outil.example.org/a"],
    "commons_produced": ["https://guide.example.org/b"],
    "lessons": [LESSON],
}


@pytest.mark.parametrize(
    ("siren", "valid"),
    [
        ("213801855", True),
        ("200040715", True),
        ("356000000", True),
        ("732829320", True),
        ("732829321", False),
        ("123456789", False),
        ("21380185", False),
        ("2138018550", False),
        ("21380185a", False),
        ("２１３８０１８５５", False),
    ],
)
def test_siren_key(siren: str, valid: bool) -> None:
    assert siren_is_valid(siren) is valid


def test_a_siren_is_read_with_spaces_and_refused_with_a_bad_key() -> None:
    ok = parse_project(
        project(carriers=[{"name": "V", "type": "collectivite", "siren": "213 801 855"}])
    )
    assert ok.carriers[0].siren == "213801855"
    with pytest.raises(ProjectValidationError) as raised:
        parse_project(project(partners=[{"name": "V", "type": "collectivite", "siren": "2138"}]))
    assert raised.value.errors["partners"] == [
        "partenaire n°1, SIREN : « 2138 » n'est pas un SIREN (9 chiffres attendus)."
    ]


@pytest.mark.parametrize("file_format", ["csv", "geojson", "gpkg"])
def test_people_and_lessons_go_out_and_back(tmp_path: Path, file_format: str) -> None:
    store = ProjectStore(f"sqlite:///{tmp_path / 'a.sqlite'}", locate=fake_locate)
    pid, _ = store.add(project(**PEOPLE), actor=OP, status="publie")
    path = tmp_path / f"projets.{file_format}"
    export_projects(store, path, file_format=file_format)
    if file_format == "csv":
        text = path.read_text(encoding="utf-8-sig")
        header = text.splitlines()[0].split(";")
        assert {
            "carrier_siren",
            "partners",
            "partner_type",
            "partner_siren",
            "lessons",
            "commons_produced",
        } <= set(header)
        assert "213801855;" in text  # a blank part for the carrier without SIREN
    other = ProjectStore(f"sqlite:///{tmp_path / 'b.sqlite'}", locate=fake_locate)
    report = import_projects(path, other, operator=OP)
    assert report.created == 1, report.rejections
    (copy,) = other.query().items
    original = store.get(pid)
    for name in ("carriers", "partners", "commons", "commons_produced", "lessons"):
        assert public_dict(copy)[name] == public_dict(original)[name], name
    # Imported again: nothing changes; the links to actors are the same.
    assert import_projects(path, other, operator=OP).created == 0
    assert {a.name for a in other.actors.list()} == {a.name for a in store.actors.list()}


def test_an_old_file_still_imports(tmp_path: Path) -> None:
    path = tmp_path / "ancien.csv"
    path.write_text(
        "title;themes;carriers;carrier_type;commons;lat;lon\r\n"
        "Ancien;energie;Coop A;cooperative;https://x.example.org;45.19;5.72\r\n",
        encoding="utf-8",
    )
    store = ProjectStore(f"sqlite:///{tmp_path / 'c.sqlite'}", locate=fake_locate)
    report = import_projects(path, store, operator=OP)
    assert report.created == 1 and report.rejected == 0
    (item,) = store.query().items
    assert item.partners == [] and item.lessons == [] and item.commons_produced == []


def test_sirens_must_pair_with_names() -> None:
    assert carriers("A;B", "association", ";213801855") == [
        {"name": "A", "type": "association"},
        {"name": "B", "type": "association", "siren": "213801855"},
    ]
    with pytest.raises(Exception, match="2 nom\\(s\\) mais 3 SIREN"):
        carriers("A;B", "association", "1;2;3")


def test_lessons_from_a_csv_cell() -> None:
    parsed = parse_project(project(lessons=json.dumps([LESSON])))
    assert parsed.lessons[0].hard == "=SOMME(A1)"
    with pytest.raises(ProjectValidationError) as raised:
        parse_project(project(lessons="pas du JSON"))
    assert "Liste JSON attendue" in " ".join(raised.value.errors["lessons"])
