"""Settings: environment over secrets file, parsing, defaults, and their documentation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import geo
from geo import settings as settings_module
from geo.errors import SettingsError
from geo.settings import (
    PROJECT_ROOT,
    SETTING_NAMES,
    SETTINGS,
    Settings,
    get_settings,
    parse_bool,
    read_secrets,
    read_settings,
)


def test_project_root_is_the_repository() -> None:
    assert (PROJECT_ROOT / "pyproject.toml").is_file()
    assert (PROJECT_ROOT / "geo" / "settings.py").is_file()


def test_defaults() -> None:
    settings = get_settings(environ={}, secrets={})
    assert settings == Settings(
        data_dir=PROJECT_ROOT / "data" / "cache",
        mirror=None,
        offline=False,
        database_url=None,
        http_timeout=30.0,
        user_agent=f"carte-communs-energie/{geo.__version__}",
    )


def test_environment_wins_over_secrets(tmp_path: Path) -> None:
    environ = {"GEO_DATA_DIR": str(tmp_path / "from-env"), "GEO_OFFLINE": "0"}
    secrets = {
        "GEO_DATA_DIR": str(tmp_path / "from-secrets"),
        "GEO_OFFLINE": True,
        "GEO_HTTP_TIMEOUT": 5,
        "DATABASE_URL": "sqlite:///projets.db",
    }
    settings = get_settings(environ=environ, secrets=secrets)
    assert settings.data_dir == tmp_path / "from-env"
    assert settings.offline is False  # "0" in the environment beats true in the secrets
    assert settings.http_timeout == 5.0  # not in the environment: from the secrets
    assert settings.database_url == "sqlite:///projets.db"


def test_an_empty_environment_value_still_wins(tmp_path: Path) -> None:
    settings = get_settings(
        environ={"GEO_DATA_MIRROR": "", "DATABASE_URL": ""},
        secrets={"GEO_DATA_MIRROR": str(tmp_path), "DATABASE_URL": "sqlite:///x.db"},
    )
    assert settings.mirror is None
    assert settings.database_url is None


def test_reads_os_environ_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEO_DATA_MIRROR", str(tmp_path))
    monkeypatch.setenv("GEO_USER_AGENT", "essai/1.0")
    settings = get_settings(secrets={})
    assert settings.mirror == tmp_path
    assert settings.user_agent == "essai/1.0"


SECRETS_TOML = """
GEO_DATA_DIR = "{data_dir}"
GEO_OFFLINE = true
GEO_HTTP_TIMEOUT = 12.5
GEO_USER_AGENT = "atelier/2"

[connections.projets]
url = "sqlite:///ignored.db"
"""


def test_secrets_file(tmp_path: Path) -> None:
    path = tmp_path / "secrets.toml"
    path.write_text(SECRETS_TOML.format(data_dir=tmp_path / "cache"), encoding="utf-8")
    secrets = read_secrets([path])
    assert secrets["GEO_OFFLINE"] is True
    assert secrets["connections"] == {"projets": {"url": "sqlite:///ignored.db"}}
    settings = get_settings(environ={}, secrets=secrets)
    assert settings.data_dir == tmp_path / "cache"
    assert settings.offline is True
    assert settings.http_timeout == 12.5
    assert settings.user_agent == "atelier/2"


def test_first_secrets_file_wins(tmp_path: Path) -> None:
    local, home = tmp_path / "local.toml", tmp_path / "home.toml"
    local.write_text('GEO_USER_AGENT = "local"\n', encoding="utf-8")
    home.write_text('GEO_USER_AGENT = "home"\nGEO_OFFLINE = "oui"\n', encoding="utf-8")
    assert read_secrets([local, home]) == {"GEO_USER_AGENT": "local", "GEO_OFFLINE": "oui"}


@pytest.mark.parametrize(
    "content",
    [
        None,
        "GEO_OFFLINE = = true\n",
        "[unclosed\n",
        'GEO_USER_AGENT = "atelier-énergie"\n'.encode("latin-1"),  # saved by an old editor
        b"\xff\xfe\x00 not toml",
    ],
    ids=["missing", "syntax", "unclosed-table", "latin-1", "binary"],
)
def test_missing_or_broken_secrets_file_is_ignored(
    tmp_path: Path, content: str | bytes | None
) -> None:
    path = tmp_path / "secrets.toml"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    elif isinstance(content, bytes):
        path.write_bytes(content)
    good = tmp_path / "good.toml"
    good.write_text('GEO_USER_AGENT = "ok"\n', encoding="utf-8")
    assert read_secrets([path]) == {}
    assert read_secrets([path, good]) == {"GEO_USER_AGENT": "ok"}
    assert read_secrets([tmp_path]) == {}  # a folder where the file should be


def test_secrets_files_are_looked_up_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "work" / ".streamlit").mkdir(parents=True)
    (tmp_path / "work" / ".streamlit" / "secrets.toml").write_text(
        'GEO_USER_AGENT = "from-cwd"\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path / "work")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no secrets file there
    assert read_secrets() == {"GEO_USER_AGENT": "from-cwd"}
    assert get_settings(environ={}).user_agent == "from-cwd"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("true", True),
        ("TRUE", True),
        (" True ", True),
        ("yes", True),
        ("on", True),
        ("oui", True),
        ("Vrai", True),
        (True, True),
        (1, True),
        ("0", False),
        ("false", False),
        ("False", False),
        ("no", False),
        ("off", False),
        ("non", False),
        ("faux", False),
        ("", False),
        (False, False),
        (0, False),
    ],
)
def test_geo_offline_values(value: object, expected: bool) -> None:
    assert parse_bool(value) is expected
    assert get_settings(environ={}, secrets={"GEO_OFFLINE": value}).offline is expected


@pytest.mark.parametrize("value", ["2", "peut-être", "truee", "none"])
def test_geo_offline_invalid_values(value: str) -> None:
    with pytest.raises(SettingsError, match=r"Valeur invalide pour GEO_OFFLINE") as caught:
        get_settings(environ={"GEO_OFFLINE": value}, secrets={})
    assert repr(value) in str(caught.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("data/elsewhere", PROJECT_ROOT / "data" / "elsewhere"),
        ("cache", PROJECT_ROOT / "cache"),
        ("../opendata", PROJECT_ROOT / ".." / "opendata"),
    ],
)
def test_relative_paths_are_taken_from_the_project_root(value: str, expected: Path) -> None:
    settings = get_settings(environ={"GEO_DATA_DIR": value, "GEO_DATA_MIRROR": value}, secrets={})
    assert settings.data_dir == expected
    assert settings.mirror == expected
    assert settings.data_dir.is_absolute()


def test_absolute_and_home_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    settings = get_settings(
        environ={"GEO_DATA_DIR": "~/geo-cache", "GEO_DATA_MIRROR": str(tmp_path / "m")},
        secrets={},
    )
    assert settings.data_dir == tmp_path / "geo-cache"
    assert settings.mirror == tmp_path / "m"


def test_http_timeout_is_a_float() -> None:
    assert get_settings(environ={"GEO_HTTP_TIMEOUT": "2.5"}, secrets={}).http_timeout == 2.5
    assert get_settings(environ={"GEO_HTTP_TIMEOUT": "2,5"}, secrets={}).http_timeout == 2.5


@pytest.mark.parametrize("value", ["vite", "0", "-3", "nan", "inf"])
def test_a_bad_timeout_is_a_french_error_naming_the_setting(value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        get_settings(environ={"GEO_HTTP_TIMEOUT": value}, secrets={})
    message = str(caught.value)
    assert "GEO_HTTP_TIMEOUT" in message and "nombre de secondes positif" in message
    assert "could not convert" not in message


def test_read_settings_keeps_the_valid_values_and_says_what_was_wrong(tmp_path: Path) -> None:
    settings, problems = read_settings(
        environ={"GEO_HTTP_TIMEOUT": "vite", "GEO_OFFLINE": "peut-être", "GEO_USER_AGENT": "a/1"},
        secrets={},
    )
    assert settings.http_timeout == 30.0 and settings.offline is False
    assert settings.user_agent == "a/1"
    assert len(problems) == 2
    assert all("valeur par défaut utilisée" in problem for problem in problems)


def test_every_declared_setting_documents_its_default_in_the_docstring() -> None:
    doc = settings_module.__doc__ or ""
    for setting in SETTINGS:
        line = next(line for line in doc.splitlines() if line.startswith(f"{setting.name} : "))
        if setting.default is None:
            assert "default unset" in line, setting.name
        elif isinstance(setting.default, bool):
            assert f"``{str(setting.default).lower()}``" in line, setting.name
        elif setting.name != "GEO_USER_AGENT":
            assert f"``{setting.default}``" in line, setting.name


def _documented_names() -> list[str]:
    """Setting names of the "Settings" section of the module docstring, in order."""
    doc = settings_module.__doc__ or ""
    section = doc.split("Settings\n--------\n", 1)[1]
    return re.findall(r"^([A-Z][A-Z0-9_]+) : ", section, flags=re.MULTILINE)


def test_every_setting_is_documented_in_the_module_docstring() -> None:
    doc = settings_module.__doc__ or ""
    for name in SETTING_NAMES:
        assert name in doc, name
    assert _documented_names() == list(SETTING_NAMES)


def test_every_setting_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each documented name changes the settings when set: none is documented but ignored.
    values = {
        "GEO_DATA_DIR": "/tmp/geo-x",
        "GEO_DATA_MIRROR": "/tmp/geo-m",
        "GEO_OFFLINE": "1",
        "DATABASE_URL": "sqlite:///x.db",
        "GEO_HTTP_TIMEOUT": "3",
        "GEO_USER_AGENT": "x/1",
        "GEO_DEMO": "0",
        "GEO_HTTP_DEADLINE": "60",
        "GEO_IMPORT_MAX_MB": "2,5",
        "GEO_SUBMISSIONS_PER_SESSION": "2",
        "GEO_GEOPLATEFORME_URL": "http://127.0.0.1:9/geocodage",
        "GEO_NOMINATIM_URL": "http://127.0.0.1:9/nominatim/",
        "GEO_SUBMISSIONS_PER_HOUR": "100",
        "GEO_REPORTS_TO_HIDE": "5",
        "GEO_MODERATION_SESSION_MINUTES": "15",
        "GEO_WORKSHOP_PER_MINUTE": "10",
        "GEO_WORKSHOP_CAP": "20",
    }
    assert set(values) == set(SETTING_NAMES)
    default = get_settings(environ={}, secrets={})
    for name, value in values.items():
        assert get_settings(environ={name: value}, secrets={}) != default, name


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("GEO_SUBMISSIONS_PER_SESSION", "0", "nombre entier positif"),
        ("GEO_SUBMISSIONS_PER_HOUR", "beaucoup", "nombre entier positif"),
        ("GEO_REPORTS_TO_HIDE", "-1", "nombre entier positif"),
        ("GEO_MODERATION_SESSION_MINUTES", "0", "nombre de minutes positif"),
        ("GEO_WORKSHOP_PER_MINUTE", "0", "nombre entier positif"),
        ("GEO_WORKSHOP_CAP", "trois cents", "nombre entier positif"),
    ],
)
def test_limits_must_be_positive(name: str, value: str, expected: str) -> None:
    with pytest.raises(SettingsError, match=expected):
        get_settings(environ={name: value}, secrets={})
