"""Table Schema validation: each constraint, aggregated warnings, the official schemas."""

from __future__ import annotations

import pandas as pd
import pytest
from reference import MIRROR

from geo.datasets.csvfile import LINE, read_csv_table
from geo.datasets.report import LoadReport
from geo.datasets.schema import SchemaError, TableSchema, validate

ETALAB = MIRROR / "raw.githubusercontent.com/etalab"
OFFICIAL = {
    "irve": ETALAB / "schema-irve/v2.3.0/statique/schema-statique.json",
    "covoiturage": ETALAB / "schema-lieux-covoiturage/v0.2.0/schema.json",
    "stationnement": ETALAB / "schema-stationnement-cyclable/v1.1.2/schema.json",
}


def _warnings(field: dict, values: list[str | None]) -> list[str]:
    schema = TableSchema.from_dict({"fields": [field]})
    frame = pd.DataFrame({field["name"]: pd.Series(values, dtype="str")})
    frame[LINE] = range(2, 2 + len(values))
    report = LoadReport("t")
    validate(frame, schema, report)
    return report.warnings


@pytest.mark.parametrize(
    ("field", "values", "expected"),
    [
        (
            {"name": "n", "type": "integer"},
            ["1", "x", "2.5", None],
            "champ « n » : 2 ligne(s) ne sont pas du type entier, par ex. lignes 3, 4",
        ),
        (
            {"name": "p", "type": "number", "constraints": {"minimum": 0}},
            ["22", "-1", "3.7"],
            "champ « p » : 1 ligne(s) sont inférieures au minimum (0), par ex. ligne 3",
        ),
        (
            {"name": "p", "type": "number", "constraints": {"maximum": 90}},
            ["91", "45"],
            "champ « p » : 1 ligne(s) sont supérieures au maximum (90), par ex. ligne 2",
        ),
        (
            {"name": "b", "type": "boolean"},
            ["true", "TRUE", "oui", "0"],
            "champ « b » : 1 ligne(s) ne sont pas du type booléen (0/1/FALSE/False/TRUE/True/false/"
            "true), par ex. ligne 4",
        ),
        (
            {"name": "d", "type": "date", "format": "%Y-%m-%d"},
            ["2020-01-14", "14/01/2020", "2020-02-31"],
            "champ « d » : 2 ligne(s) ne sont pas du type date (%Y-%m-%d), par ex. lignes 3, 4",
        ),
        (
            {"name": "r", "type": "string", "constraints": {"required": True}},
            ["a", None, ""],
            "champ « r » : 2 ligne(s) sont vides alors que le champ est obligatoire, "
            "par ex. lignes 3, 4",
        ),
        (
            {"name": "e", "type": "string", "constraints": {"enum": ["Direct", "Indirect"]}},
            ["Direct", "direct", None],
            "champ « e » : 1 ligne(s) ont une valeur hors de la liste (Direct, Indirect), "
            "par ex. ligne 3",
        ),
        (
            {"name": "s", "type": "string", "constraints": {"pattern": "^\\d{9}$"}},
            ["130025265", "13002526"],
            "champ « s » : 1 ligne(s) ne respectent pas le motif « ^\\d{9}$ », par ex. ligne 3",
        ),
        (
            {"name": "g", "type": "geopoint", "format": "array"},
            ["[7.48710500,48.345345]", "[-1.4292, 46.7762]", "48.3, 7.4"],
            "champ « g » : 1 ligne(s) ne sont pas du type point géographique, par ex. ligne 4",
        ),
        (
            {"name": "m", "type": "string", "format": "email"},
            ["a@b.fr", "pas un mail"],
            "champ « m » : 1 ligne(s) ne sont pas du type adresse e-mail, par ex. ligne 3",
        ),
        (
            {"name": "t", "type": "string", "constraints": {"maxLength": 3}},
            ["abc", "abcd"],
            "champ « t » : 1 ligne(s) sont plus longues que 3 caractères, par ex. ligne 3",
        ),
    ],
)
def test_each_constraint(field: dict, values: list[str | None], expected: str) -> None:
    assert _warnings(field, values) == [expected]


def test_missing_cells_are_only_a_required_violation() -> None:
    field = {"name": "n", "type": "integer", "constraints": {"pattern": "\\d+", "minimum": 1}}
    assert _warnings(field, [None, "", "3"]) == []


def test_many_violations_are_one_warning_quoting_a_few_lines() -> None:
    warnings = _warnings({"name": "n", "type": "integer"}, ["x"] * 1000)
    assert warnings == [
        "champ « n » : 1000 ligne(s) ne sont pas du type entier, par ex. lignes 2, 3, 4, 5, 6 …"
    ]


def test_python_only_patterns_still_validate() -> None:
    field = {"name": "s", "type": "string", "constraints": {"pattern": "(?=a)ab"}}
    assert _warnings(field, ["ab", "b"])[0].startswith("champ « s » : 1 ligne(s)")


@pytest.mark.parametrize("name", sorted(OFFICIAL))
def test_official_schemas_read(name: str) -> None:
    schema = TableSchema.from_file(OFFICIAL[name])
    assert len(schema.fields) > 10 and schema.required


def test_official_example_of_stationnement_is_valid_despite_its_trailing_newline() -> None:
    schema = TableSchema.from_file(OFFICIAL["stationnement"])
    report = LoadReport("stationnement_velo")
    path = ETALAB / "schema-stationnement-cyclable/v1.1.2/exemple-valide.csv"
    table = read_csv_table(path, required=(), optional=schema.field_names, title="t", report=report)
    assert validate(table.frame, schema, report) == 0 and report.warnings == []


def test_a_file_missing_required_schema_columns_is_warned() -> None:
    schema = TableSchema.from_file(OFFICIAL["covoiturage"])
    report = LoadReport("covoiturage")
    validate(pd.DataFrame({"id_lieu": ["38185-C-001"], LINE: [2]}), schema, report)
    assert report.warnings[0].startswith("schéma")
    assert "nom_lieu" in report.warnings[0]


def test_not_a_schema(tmp_path) -> None:
    path = tmp_path / "s.json"
    path.write_text('{"type": "object"}', encoding="utf-8")
    with pytest.raises(SchemaError):
        TableSchema.from_file(path)
    with pytest.raises(SchemaError):
        TableSchema.from_file(tmp_path / "absent.json")
