"""Reading CSV files as publishers write them: encodings, separators, line ends, line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.datasets.csvfile import (
    LINE,
    DatasetFormatError,
    detect_encoding,
    read_csv_table,
    sniff_separator,
)
from geo.datasets.report import LoadReport
from geo.errors import GeoError

ROWS = [["id", "nom", "valeur"], ["a1", "Écluse", "1"], ["a2", "Gare, nord", "2"]]


def _write(path: Path, text: str, encoding: str = "utf-8", newline: str = "\n") -> Path:
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def _read(path: Path, **kwargs):
    report = LoadReport("test")
    table = read_csv_table(path, required=("id", "nom"), title="Test", report=report, **kwargs)
    return table, report


@pytest.mark.parametrize(
    ("encoding", "newline", "sep", "expected_encoding"),
    [
        ("utf-8", "\n", ",", "utf-8"),
        ("utf-8-sig", "\r\n", ";", "utf-8-sig"),
        ("latin-1", "\r\n", ";", "cp1252"),
        ("cp1252", "\n", ",", "cp1252"),
        ("utf-8", "\r\n", "\t", "utf-8"),
    ],
)
def test_encodings_separators_and_line_ends(
    tmp_path: Path, encoding: str, newline: str, sep: str, expected_encoding: str
) -> None:
    text = "\n".join(
        sep.join(f'"{cell}"' if sep in cell or "," in cell else cell for cell in row)
        for row in ROWS
    )
    path = _write(tmp_path / "f.csv", text + "\n", encoding, newline)
    table, report = _read(path)
    assert table.encoding == expected_encoding and table.separator == sep
    assert table.frame["nom"].tolist() == ["Écluse", "Gare, nord"]
    assert table.frame[LINE].tolist() == [2, 3]
    assert report.rows_read == 2 and not report.rejections
    if expected_encoding == "cp1252":
        assert any("UTF-8" in warning for warning in report.warnings)


def test_line_numbers_are_file_lines_with_quoted_newlines_and_blank_lines(tmp_path: Path) -> None:
    text = (
        "\ufeffid;nom;valeur\r\n"  # line 1
        'a1;"Parking\r\nniveau -1\r\nplace 3";1\r\n'  # lines 2-4
        "\r\n"  # line 5: blank
        "a2;Gare;2\r\n"  # line 6
        'a3;"Dit ""le port""";3\r\n'  # line 7: escaped quotes
        "a4;Trop;de;champs\r\n"  # line 8: cannot be aligned
        "a5;Court\r\n"  # line 9: missing trailing field
        "a6;Fin;6"  # line 10: no final newline
    )
    path = tmp_path / "f.csv"
    path.write_bytes(text.encode("utf-8"))
    table, report = _read(path)
    frame = table.frame
    assert frame["id"].tolist() == ["a1", "a2", "a3", "a5", "a6"]
    assert frame[LINE].tolist() == [2, 6, 7, 9, 10]
    assert frame["nom"].iloc[0] == "Parking\r\nniveau -1\r\nplace 3"
    assert frame["nom"].iloc[2] == 'Dit "le port"'
    assert frame["valeur"].isna().tolist() == [False, False, False, True, False]
    assert report.rows_read == 6
    assert report.rejections == [
        {"line": 8, "reason": "4 champs au lieu de 3 (séparateur ou guillemet en trop ?)"}
    ]
    assert any("ligne 9" in warning for warning in report.warnings)


def test_missing_required_columns_are_named_in_french(tmp_path: Path) -> None:
    path = _write(tmp_path / "autre.csv", "code,libelle\n38185,Grenoble\n")
    with pytest.raises(DatasetFormatError) as info:
        _read(path)
    assert isinstance(info.value, GeoError)
    message = str(info.value)
    assert "« Test »" in message and "id, nom" in message and "code, libelle" in message


def test_column_names_match_case_insensitively_and_without_blanks(tmp_path: Path) -> None:
    path = _write(tmp_path / "f.csv", " ID ,Nom\nx,y\n")
    table, _ = _read(path)
    assert table.header == ("id", "nom")


def test_empty_cells_are_missing_and_text_is_kept_verbatim(tmp_path: Path) -> None:
    path = _write(tmp_path / "f.csv", "id,nom\nNA,\nnull, x \n")
    table, _ = _read(path)
    assert table.frame["id"].tolist() == ["NA", "null"]  # real values, not missing markers
    assert table.frame["nom"].isna().tolist() == [True, False]


def test_latin1_detected_even_far_into_the_file(tmp_path: Path) -> None:
    body = "".join(f"a{i},ligne\n" for i in range(200_000)) + "z,Fin é\n"
    path = _write(tmp_path / "f.csv", "id,nom\n" + body, "latin-1")
    assert detect_encoding(path) == "cp1252"


@pytest.mark.parametrize(
    ("header", "sep"),
    [("a,b,c", ","), ("a;b;c", ";"), ('"x,y";b;c', ";"), ("a\tb", "\t"), ("seule", ",")],
)
def test_separator_sniffing(header: str, sep: str) -> None:
    assert sniff_separator(header) == sep
