"""Every setting of the application, declared once as data (:data:`SETTINGS`).

Each setting is read from an environment variable first, then from a Streamlit secrets file
(``.streamlit/secrets.toml`` in the working directory, then ``~/.streamlit/secrets.toml``) when
such a file exists. The secrets file is parsed here with :mod:`tomllib` so that ``geo`` never
imports Streamlit; a missing or unreadable file is simply ignored. An invalid value is a French
:class:`~geo.errors.SettingsError` naming the setting (:func:`get_settings`), or, for a page
that must still open, the default with the same message (:func:`read_settings`).

Settings
--------
GEO_DATA_DIR : path, default ``data/cache``
    Where downloaded reference files, their GeoParquet conversions, the manifest and the
    project database live. Relative paths are taken from the project root.
GEO_DATA_MIRROR : path, default unset
    A local mirror of the official open-data URLs: the file published at ``https://HOST/PATH``
    is read from ``GEO_DATA_MIRROR/HOST/PATH`` (query string dropped). Replaces the network.
GEO_OFFLINE : bool, default ``false``
    Never touch the network: no tile layers, no downloads, no online geocoding.
DATABASE_URL : SQLAlchemy URL, default unset
    The project store. Unset means a SQLite file in ``GEO_DATA_DIR``;
    ``postgresql+psycopg://USER:PASSWORD@HOST/DB`` a PostgreSQL 15+ database with PostGIS.
GEO_HTTP_TIMEOUT : float seconds, default ``30``
    Connect/read timeout of every outgoing request (downloads, geocoding).
GEO_USER_AGENT : str, default ``carte-communs-energie/<version>``
    User agent sent with every outgoing request.
GEO_DEMO : bool, default ``true``
    Load the example projects of ``data/demo_projects.csv`` into an empty project store at
    start; ``0`` starts with an empty map.
GEO_HTTP_DEADLINE : float seconds, default ``900``
    Longest time one download may take as a whole, however steadily a slow server trickles
    (``GEO_HTTP_TIMEOUT`` bounds each wait for data, this the total).
GEO_IMPORT_MAX_MB : float megabytes, default ``10``
    Largest file ``projects import`` reads (an import holds its rows in memory to write them
    in one transaction: 10 MB, about 60,000 rows, stays under 1 GB); a larger one is refused.
GEO_GEOPLATEFORME_URL : URL, default ``https://data.geopf.fr/geocodage``
    The Géoplateforme geocoder (``/search`` is appended); another instance of the same API
    (a self-hosted addok, a test server) may stand in.
GEO_NOMINATIM_URL : URL, default ``https://nominatim.openstreetmap.org``
    The Nominatim instance asked when the Géoplateforme fails (a self-hosted one may stand in).
GEO_SUBMISSIONS_PER_SESSION : int, default ``5``
    Projects one visitor's session may propose on the contribution page (and changes it may
    save through edit links: ten times as many).
GEO_SUBMISSIONS_PER_HOUR : int, default ``30``
    Projects the whole site accepts from the contribution page in any hour (counted in the
    store's audit log, so every app process shares it); beyond, the page asks to come back later.
GEO_REPORTS_TO_HIDE : int, default ``3``
    Reports ("Signaler") from different visitors after which a published project is hidden
    from the map until a moderator decides.
GEO_MODERATION_SESSION_MINUTES : float minutes, default ``60``
    A moderator's session ends after this long without any action; they log in again.
GEO_WORKSHOP_PER_MINUTE : int, default ``3``
    Ideas one participant of a workshop session may send in any minute (from one phone).
GEO_WORKSHOP_CAP : int, default ``300``
    Ideas a workshop session accepts in all; beyond, the participant is asked to see the
    facilitator.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geo import __version__
from geo.errors import SettingsError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on", "oui", "vrai"}
_FALSE = {"0", "false", "no", "off", "non", "faux", ""}


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    mirror: Path | None
    offline: bool
    database_url: str | None
    http_timeout: float
    user_agent: str
    demo: bool = True
    http_deadline: float = 900.0
    import_max_mb: float = 10.0
    geoplateforme_url: str = "https://data.geopf.fr/geocodage"
    nominatim_url: str = "https://nominatim.openstreetmap.org"
    submissions_per_session: int = 5
    submissions_per_hour: int = 30
    reports_to_hide: int = 3
    moderation_session_minutes: float = 60.0
    workshop_per_minute: int = 3
    workshop_cap: int = 300


def parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    msg = "attendu : 1/0, true/false, oui/non"
    raise ValueError(msg)


def parse_seconds(value: object) -> float:
    msg = "attendu : un nombre de secondes positif"
    try:
        seconds = float(str(value).strip().replace(",", "."))
    except ValueError:
        raise ValueError(msg) from None
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(msg)
    return seconds


def parse_megabytes(value: object) -> float:
    msg = "attendu : un nombre de mégaoctets positif"
    try:
        size = float(str(value).strip().replace(",", "."))
    except ValueError:
        raise ValueError(msg) from None
    if not math.isfinite(size) or size <= 0:
        raise ValueError(msg)
    return size


def parse_minutes(value: object) -> float:
    try:
        return parse_seconds(value)
    except ValueError:
        msg = "attendu : un nombre de minutes positif"
        raise ValueError(msg) from None


def parse_count(value: object) -> int:
    msg = "attendu : un nombre entier positif"
    try:
        count = int(str(value).strip())
    except ValueError:
        raise ValueError(msg) from None
    if count < 1:
        raise ValueError(msg)
    return count


def parse_url(value: object) -> str:
    text = str(value).strip().rstrip("/")
    if not text.startswith(("http://", "https://")) or len(text.split("://", 1)[1]) < 1:
        msg = "attendu : une adresse http:// ou https://"
        raise ValueError(msg)
    return text


def parse_path(value: object) -> Path:
    candidate = Path(str(value)).expanduser()
    return candidate if candidate.is_absolute() else PROJECT_ROOT / candidate


def parse_optional_path(value: object) -> Path | None:
    return parse_path(value) if value else None


def parse_optional_text(value: object) -> str | None:
    return str(value) if value else None


@dataclass(frozen=True)
class Setting:
    """One setting: where it goes in :class:`Settings`, its default (raw, as it would be
    written), how the raw value is parsed, and what it means."""

    name: str
    field: str
    default: object
    parse: Callable[[object], Any]
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("GEO_DATA_DIR", "data_dir", "data/cache", parse_path,
            "fichiers téléchargés, conversions GeoParquet, manifeste et base de données"),
    Setting("GEO_DATA_MIRROR", "mirror", None, parse_optional_path,
            "miroir local : https://HÔTE/CHEMIN est lu dans DOSSIER/HÔTE/CHEMIN"),
    Setting("GEO_OFFLINE", "offline", False, parse_bool,
            "ne jamais utiliser le réseau (ni fonds de carte, ni téléchargement, ni géocodage)"),
    Setting("DATABASE_URL", "database_url", None, parse_optional_text,
            "registre des projets ; vide : le fichier SQLite GEO_DATA_DIR/projets.sqlite"),
    Setting("GEO_HTTP_TIMEOUT", "http_timeout", 30, parse_seconds,
            "délai d'attente en secondes de chaque requête sortante"),
    Setting("GEO_USER_AGENT", "user_agent", f"carte-communs-energie/{__version__}", str,
            "agent utilisateur des requêtes sortantes"),
    Setting("GEO_DEMO", "demo", True, parse_bool,
            "charger les projets d'exemple dans un registre vide au démarrage"),
    Setting("GEO_HTTP_DEADLINE", "http_deadline", 900, parse_seconds,
            "durée maximale en secondes d'un téléchargement entier"),
    Setting("GEO_IMPORT_MAX_MB", "import_max_mb", 10, parse_megabytes,
            "taille maximale en mégaoctets d'un fichier importé (projects import)"),
    Setting("GEO_GEOPLATEFORME_URL", "geoplateforme_url", "https://data.geopf.fr/geocodage",
            parse_url, "géocodeur de la Géoplateforme (ou une instance du même service)"),
    Setting("GEO_NOMINATIM_URL", "nominatim_url", "https://nominatim.openstreetmap.org",
            parse_url, "instance Nominatim de secours"),
    Setting("GEO_SUBMISSIONS_PER_SESSION", "submissions_per_session", 5, parse_count,
            "projets qu'une session de visiteur peut proposer"),
    Setting("GEO_SUBMISSIONS_PER_HOUR", "submissions_per_hour", 30, parse_count,
            "projets que le site accepte du formulaire en une heure"),
    Setting("GEO_REPORTS_TO_HIDE", "reports_to_hide", 3, parse_count,
            "signalements qui masquent un projet publié jusqu'à la décision d'un modérateur"),
    Setting("GEO_MODERATION_SESSION_MINUTES", "moderation_session_minutes", 60, parse_minutes,
            "durée d'inactivité en minutes après laquelle une session de modération se ferme"),
    Setting("GEO_WORKSHOP_PER_MINUTE", "workshop_per_minute", 3, parse_count,
            "idées qu'un participant d'atelier peut envoyer en une minute"),
    Setting("GEO_WORKSHOP_CAP", "workshop_cap", 300, parse_count,
            "idées qu'une session d'atelier accepte en tout"),
)  # fmt: skip
#: Setting names, in the order they are documented above (a test checks the docstring and README).
SETTING_NAMES = tuple(setting.name for setting in SETTINGS)


def _secrets_files() -> list[Path]:
    return [Path.cwd() / ".streamlit" / "secrets.toml", Path.home() / ".streamlit" / "secrets.toml"]


def read_secrets(paths: list[Path] | None = None) -> dict[str, Any]:
    """Merged top-level keys of the secrets files that exist (first file wins)."""
    merged: dict[str, Any] = {}
    for path in reversed(paths if paths is not None else _secrets_files()):
        try:
            with path.open("rb") as handle:
                merged.update(tomllib.load(handle))
        except FileNotFoundError:
            continue
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            # A broken secrets file must not stop the app: environment variables still apply.
            continue
    return merged


def read_settings(
    environ: Mapping[str, str] | None = None, secrets: Mapping[str, Any] | None = None
) -> tuple[Settings, list[str]]:
    """The settings, each invalid value replaced by its default, and a French message per
    invalid value (empty when all are valid)."""
    env = os.environ if environ is None else environ
    sec = read_secrets() if secrets is None else secrets
    values: dict[str, Any] = {}
    problems: list[str] = []
    for setting in SETTINGS:
        raw = env[setting.name] if setting.name in env else sec.get(setting.name, setting.default)
        try:
            values[setting.field] = setting.parse(raw)
        except (TypeError, ValueError) as error:
            problems.append(
                f"Valeur invalide pour {setting.name} : {raw!r} ({error}) ; "
                f"valeur par défaut utilisée."
            )
            values[setting.field] = setting.parse(setting.default)
    return Settings(**values), problems


def get_settings(
    environ: Mapping[str, str] | None = None, secrets: Mapping[str, Any] | None = None
) -> Settings:
    """Read the settings now (cheap: call it where needed rather than caching a global).
    Raises :class:`SettingsError` listing every invalid value."""
    settings, problems = read_settings(environ, secrets)
    if problems:
        raise SettingsError(" ".join(problems))
    return settings
