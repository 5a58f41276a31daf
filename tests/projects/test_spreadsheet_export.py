"""The spreadsheet export (issue 22): a CSV opened in a French LibreOffice or Excel turns
``01024`` into 1024 and ``45.19`` into text; the XLSX keeps codes as text and numbers as
numbers, under French headers, with the exchange names on its « Colonnes » sheet. Read back
with openpyxl, cell by cell."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from reference import territories

from geo.errors import ExportError
from geo.explorer.export import export_file
from geo.projects.exchange import EXPORT_COLUMNS
from geo.projects.exporter import SPREADSHEET_COLUMNS, export_bytes, export_projects
from geo.projects.model import Project
from geo.projects.spreadsheet import CELL_MAX, Column, xlsx_bytes
from geo.store.identity import Operator
from geo.store.project_store import ProjectFilter, ProjectStore

AIN = {
    "title": "=HYPERLINK(\"http://x\")", "summary": "Toits solaires de l'Ain",
    "themes": ["energie", "mobilite"], "carriers": [{"name": "Régie", "type": "collectivite",
    "siren": "012345674"}], "lat": 46.1425, "lon": 5.2431, "power_kwc": 36.5, "start_year": 2024,
    "location_approximate": True, "code_commune": "01024", "code_departement": "01",
    "code_region": "84", "code_epci": "200071751", "source": "essai", "external_id": "007",
    "created_at": datetime(2025, 3, 1, 9, 30, tzinfo=UTC), "status": "publie",
}  # fmt: skip


def _sheets(data: bytes) -> tuple[list[list[object]], list[list[object]]]:
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Projets", "Colonnes"]
    rows = [[cell.value for cell in row] for row in book["Projets"].iter_rows()]
    legend = [[cell.value for cell in row] for row in book["Colonnes"].iter_rows()]
    return rows, legend


def _row(rows: list[list[object]], name: str) -> dict[str, object]:
    """The first project's cells by exchange name."""
    return dict(zip(EXPORT_COLUMNS, rows[1], strict=True))


def test_codes_stay_text_and_numbers_stay_numbers() -> None:
    project = Project.model_validate(AIN)
    data = export_bytes("xlsx", [project], ["Attignat"])
    book = load_workbook(io.BytesIO(data))
    sheet = book["Projets"]
    cells = {name: sheet.cell(row=2, column=i) for i, name in enumerate(EXPORT_COLUMNS, 1)}
    assert cells["code_commune"].value == "01024" and cells["code_commune"].data_type == "s"
    assert cells["code_departement"].value == "01" and cells["external_id"].value == "007"
    assert cells["carrier_siren"].value == "012345674"
    assert isinstance(cells["lat"].value, float) and cells["lat"].value == 46.1425
    assert isinstance(cells["lon"].value, float) and cells["lon"].value == 5.2431
    assert cells["power_kwc"].value == 36.5 and cells["power_kwc"].data_type == "n"
    assert cells["start_year"].value == 2024 and isinstance(cells["start_year"].value, int)
    assert cells["location_approximate"].value is True
    assert cells["created_at"].value == datetime(2025, 3, 1, 9, 30)  # UTC, as its header says
    assert cells["themes"].value == "energie;mobilite" and cells["commune"].value == "Attignat"
    # A formula typed as a title is text: shown, never run, and without the CSV's quote.
    assert cells["title"].value == AIN["title"] and cells["title"].data_type == "s"
    assert cells["budget_eur"].value is None and cells["website"].value is None
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:AO2"


def test_headers_are_french_and_name_the_exchange_columns() -> None:
    rows, legend = _sheets(export_bytes("xlsx", [Project.model_validate(AIN)], [None]))
    header = rows[0]
    assert header[:3] == ["Identifiant", "Titre", "Résumé"]
    assert "Code commune (INSEE)" in header and "Latitude" in header
    assert "Créé le (UTC)" in header
    assert len(header) == len(set(header)) == len(EXPORT_COLUMNS)
    # Every header is French: none is an exchange name left as it was.
    assert not set(header) & (set(EXPORT_COLUMNS) - {"description", "licence", "source"})
    assert legend[0] == ["En-tête", "Nom dans le CSV d'échange"]
    assert [tuple(r) for r in legend[1:]] == [(c.label, c.name) for c in SPREADSHEET_COLUMNS]
    assert [r[1] for r in legend[1:]] == list(EXPORT_COLUMNS)


def test_the_explorer_downloads_the_selection_as_a_spreadsheet(tmp_path: Path) -> None:
    store = ProjectStore(f"sqlite:///{tmp_path / 'p.sqlite'}", locate=territories())
    rows = [{"title": "Vélos de Grenoble", "themes": ["mobilite"], "lat": 45.1885,
             "lon": 5.7245, "charging_points": 12, "source": "essai", "external_id": "1"},
            {"title": "Ailleurs", "themes": ["energie"], "lat": 45.19, "lon": 5.73,
             "source": "essai", "external_id": "2"}]  # fmt: skip
    ids = [int(r.id) for r in store.add_many(rows, actor=Operator("essai"), status="publie")]
    data = export_file("xlsx", (ids[0],), store, ProjectFilter(), territories())
    sheet, _ = _sheets(data)
    assert len(sheet) == 2  # the header and the one project chosen
    row = _row(sheet, "x")
    assert row["title"] == "Vélos de Grenoble" and row["charging_points"] == 12
    assert row["code_commune"] == "38185" and row["commune"] == "Grenoble"
    assert row["lat"] == pytest.approx(45.1885)
    # The same file through the command's writer, written into place.
    path = tmp_path / "projets.xlsx"
    assert export_projects(store, path, file_format="xlsx", territories=territories()) == 2
    assert len(_sheets(path.read_bytes())[0]) == 3
    store.close()


def test_any_table_can_be_written_for_a_spreadsheet() -> None:
    """The writer other pages can use (a portrait's figures): a value of the wrong type is a
    French error naming the column and the line; text longer than a cell holds is cut."""
    columns = [Column("code", "Code"), Column("value", "Valeur", "number")]
    rows = [{"code": "2A004", "value": 0.1}, {"code": "x" * 40_000}, {"code": "a\x0bb\tc"}]
    data = xlsx_bytes(columns, rows, title="Indicateurs: 2025/26")
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Indicateurs- 2025-26", "Colonnes"]
    values = [[c.value for c in r] for r in book.worksheets[0].iter_rows()]
    assert values[:2] == [["Code", "Valeur"], ["2A004", 0.1]]
    assert len(values[2][0]) == CELL_MAX and values[2][0].endswith("[…]") and values[2][1] is None
    assert values[3][0] == "ab\tc"  # a control character XLSX cannot hold is left out
    with pytest.raises(ExportError, match="« Valeur » \\(ligne 2\\)"):
        xlsx_bytes(columns, [{"code": "1", "value": "beaucoup"}])
