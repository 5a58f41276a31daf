"""The Project model: a local initiative or commun, validated with French messages.

:func:`parse_project` is the entry point for anything a person or a file typed: it drops the
fields the application owns (``id``, the four territory codes, ``created_at``, ``updated_at``),
validates everything else and raises :class:`ProjectValidationError` listing **every** problem
at once, per field, in French. :class:`Project` itself is also used by the store to rebuild
trusted rows.

Field names are the exchange format (CSV columns, GeoJSON properties, ``projects add`` JSON):

========================  ======================================================================
``id``                    integer given by the store
``title``                 ≤ 120 characters, required, not blank-looking (invisible only)
``summary``               ≤ 280 characters
``description``           Markdown, ≤ 5,000 characters (rendered sanitised, never as raw HTML)
``themes``                ids from :data:`THEMES` (``energie``, ``mobilite``), at least one;
                          derived from the categories when left empty
``categories``            ids from ``data/categories.json``; each must fit one of the themes
``stage``                 id from :data:`STAGES`
``carriers``              list of ``{"name", "type", "siren"}``, type from :data:`CARRIER_TYPES`,
                          SIREN optional (9 digits, checked by its Luhn key)
``partners``              the same, for the project's partners
``website``               public http(s) URL
``contact_email``         **private**: never in :func:`public_dict`
``commons``               http(s) URLs of the communs reused
``commons_produced``      http(s) URLs of the communs the project produced
``licence``               licence of the project's resources
``start_year``            year
``lat``, ``lon``          WGS84 point in France (metropolitan or overseas); errors under
                          ``location``
``location_approximate``  true when placed at a commune centroid rather than typed
``address``               postal address as typed
``area``                  optional GeoJSON Polygon/MultiPolygon within one box of
                          :data:`FRANCE_BOXES` (not across the antimeridian)
``scope``                 id from :data:`SCOPES`
``power_kwc``, ``energy_mwh_year``, ``charging_points``, ``citizen_shareholders``,
``budget_eur``            impact figures, non-negative
``lessons``               lessons learned: ``[{"worked", "hard", "differently", "date"}]``
                          (Markdown ≤ 2,000 characters each, one at least; ISO date), 10 at most
``code_commune``, ``code_epci``, ``code_departement``, ``code_region``
                          filled by the territory engine, never from input
``status``                id from :data:`STATUSES`
``created_at``, ``updated_at``, ``last_confirmed_at``  UTC timestamps
``source``, ``external_id``  where an imported project comes from; unique together
========================  ======================================================================

One-line fields refuse line breaks, control characters and direction overrides (U+202A–U+202E,
U+2066–U+2069); NaN and infinities are "not a number", never "too small".

Vocabulary fields accept the id or the French label in any case and accents (``"Énergie"``,
``"en projet"``); lists accept a ``;``-separated string.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from datetime import date as date_type
from functools import cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import shapely
import shapely.geometry
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from geo.errors import ProjectValidationError
from geo.settings import PROJECT_ROOT
from geo.territory.ref import LEVEL_LABELS
from geo.text import identifier

CATEGORIES_FILE = PROJECT_ROOT / "data" / "categories.json"

# Labels as the app shows them on their own (filters, legend, lists, sheets), capitalised like
# the categories' (data/categories.json).
THEMES = {"energie": "Énergie", "mobilite": "Mobilité"}
STAGES = {
    "idee": "Idée",
    "en_projet": "En projet",
    "en_service": "En service",
    "termine": "Terminé",
}
STATUSES = {"propose": "proposé", "publie": "publié", "refuse": "refusé", "archive": "archivé"}
CARRIER_TYPES = {
    "collectivite": "Collectivité",
    "association": "Association",
    "cooperative": "Coopérative / SCIC",
    "entreprise": "Entreprise",
    "collectif_citoyen": "Collectif citoyen",
    "etablissement_public": "Établissement public",
}
#: The scale a project works at: a site, a territory of any level, or all of France.
SCOPES = {"site": "site", **LEVEL_LABELS, "epci": "intercommunalité (EPCI)", "national": "national"}
_ALIASES = {
    "scic": "cooperative",
    "scop": "cooperative",
    "collectivite_territoriale": "collectivite",
}

#: Set by the application, dropped from any input.
SERVER_FIELDS = ("id", "code_commune", "code_epci", "code_departement", "code_region",
                 "created_at", "updated_at")  # fmt: skip
#: Never exported publicly nor shown on the map.
PRIVATE_FIELDS = ("contact_email",)

FIELD_LABELS = {
    "id": "identifiant", "title": "titre", "summary": "résumé", "description": "description",
    "themes": "thèmes", "categories": "catégories", "stage": "étape", "carriers": "porteurs",
    "website": "site web", "contact_email": "e-mail de contact", "commons": "communs réutilisés",
    "licence": "licence", "start_year": "année de démarrage", "location": "localisation",
    "location_approximate": "localisation approximative", "address": "adresse",
    "area": "périmètre", "scope": "échelle", "power_kwc": "puissance (kWc)",
    "energy_mwh_year": "production (MWh/an)", "charging_points": "points de recharge",
    "citizen_shareholders": "actionnaires citoyens", "budget_eur": "budget (€)",
    "status": "statut", "last_confirmed_at": "date de confirmation", "source": "source",
    "external_id": "identifiant externe", "partners": "partenaires",
    "commons_produced": "communs produits", "lessons": "retours d'expérience",
}  # fmt: skip
#: The parts of a lesson learned, as the sheet and the form name them.
LESSON_LABELS = {
    "worked": "Ce qui a marché",
    "hard": "Ce qui a été difficile",
    "differently": "Ce que nous ferions autrement",
    "date": "Date",
}

# Metropolitan France with Corsica, then overseas départements and collectivités:
# (name, min_lat, max_lat, min_lon, max_lon).
FRANCE_BOXES = (
    ("France métropolitaine", 41.2, 51.2, -5.3, 9.7),
    ("Guadeloupe", 15.8, 16.6, -61.9, -60.9),
    ("Martinique", 14.35, 14.95, -61.3, -60.75),
    ("Guyane", 2.1, 5.85, -54.7, -51.5),
    ("La Réunion", -21.45, -20.85, 55.2, 55.9),
    ("Mayotte", -13.05, -12.6, 44.95, 45.35),
    ("Saint-Pierre-et-Miquelon", 46.7, 47.2, -56.5, -56.1),
    ("Saint-Barthélemy et Saint-Martin", 17.85, 18.15, -63.2, -62.75),
    ("Wallis-et-Futuna", -14.4, -13.1, -178.3, -176.0),
    ("Polynésie française", -28.0, -7.8, -155.0, -134.0),
    ("Nouvelle-Calédonie", -23.0, -18.0, 158.0, 169.0),
)


def _inline(label: str) -> str:
    """A label inside a sentence: "Coopérative / SCIC" → "coopérative / SCIC"."""
    return label[:1].lower() + label[1:]


def carriers_text(carriers: object) -> str:
    """``"Énergie Citoyenne (association), Ville (collectivité)"``: carriers with their type."""
    names = []
    for carrier in carriers if isinstance(carriers, (list, tuple)) else []:
        name = (
            carrier.get("name") if isinstance(carrier, Mapping) else getattr(carrier, "name", None)
        )
        kind = (
            carrier.get("type") if isinstance(carrier, Mapping) else getattr(carrier, "type", None)
        )
        if name:
            names.append(
                f"{name} ({_inline(CARRIER_TYPES.get(str(kind), str(kind)))})"
                if kind
                else str(name)
            )
    return ", ".join(names)


@cache
def categories() -> dict[str, dict[str, Any]]:
    """The controlled vocabulary: ``{id: {"label", "themes"}}``, in file order."""
    with Path(CATEGORIES_FILE).open(encoding="utf-8") as handle:
        rows = json.load(handle)["categories"]
    return {row["id"]: {"label": row["label"], "themes": list(row["themes"])} for row in rows}


def _error(message: str) -> PydanticCustomError:
    # Custom errors keep the French message as is (a ValueError would be prefixed "Value error").
    return PydanticCustomError("geo", message)


def _lookup(labels: Mapping[str, str], what: str) -> Any:
    keys = {identifier(label): ident for ident, label in labels.items()}
    keys.update({ident: ident for ident in labels})

    def lookup(value: object) -> str:
        if value is None or (isinstance(value, str) and not value.strip()):
            # A list left on "Choisir…" in the form, an empty cell in a file.
            raise _error(f"à choisir (parmi : {', '.join(labels.values())}).")
        if not isinstance(value, str):
            raise _error("Texte attendu.")
        if value in labels:
            return value
        key = identifier(value)
        ident = keys.get(_ALIASES.get(key, key))
        if ident is not None:
            return ident
        allowed = ", ".join(labels.values())
        raise _error(f"« {value} » : {what} (attendu : {allowed}).")

    return lookup


def _vocabulary(labels: Mapping[str, str], what: str) -> BeforeValidator:
    return BeforeValidator(_lookup(labels, what))


@cache
def _category_lookup() -> Any:
    labels = {ident: row["label"] for ident, row in categories().items()}
    return _lookup(labels, "catégorie inconnue")


def _category(value: object) -> str:
    return _category_lookup()(value)


def _split(value: object) -> object:
    """``"a; b"`` → ``["a", "b"]``; empty or missing → ``[]``."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    return value


def _unique(values: list[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


#: Embeddings, overrides and isolates: they reverse how the rest of a line reads
#: ("txt.exe" shown as "exe.txt"). The marks U+200E/U+200F, which Arabic or Hebrew text needs,
#: stay allowed.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
#: Letters that draw nothing (Hangul fillers, the blank Braille pattern).
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _no_control_characters(multiline: bool) -> Any:
    forbidden = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]" if multiline else r"[\x00-\x1f]")

    def check(value: str | None) -> str | None:
        if value is not None and forbidden.search(value):
            what = (
                "caractère de contrôle" if multiline else "retour à la ligne ou caractère spécial"
            )
            raise _error(f"Le texte contient un {what} interdit.")
        if value is not None and not multiline and (found := _BIDI_CONTROLS.search(value)):
            raise _error(
                f"Le texte contient un caractère qui change le sens d'écriture "
                f"(U+{ord(found.group()):04X}) : retirez-le."
            )
        return value

    return AfterValidator(check)


def looks_blank(text: str) -> bool:
    """Whether ``text`` draws nothing: only spaces, format characters (zero-width space,
    joiners, bidi controls, soft hyphen), combining marks or blank letters."""
    return all(
        char in _BLANK_LETTERS or unicodedata.category(char)[0] in "ZC" or
        unicodedata.category(char) in ("Mn", "Me")
        for char in text
    )  # fmt: skip


def _visible(value: str) -> str:
    if looks_blank(value):
        raise _error("Le titre ne peut pas être vide (caractères invisibles seulement).")
    return value


def _url(value: object) -> str:
    text = str(value).strip()
    if "://" not in text and re.match(r"^[\w-]+(\.[\w-]+)+(/|$)", text):
        text = f"https://{text}"  # "www.exemple.fr" as people type it
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or " " in text:
        raise _error(f"« {value} » n'est pas une adresse web (http:// ou https:// attendu).")
    return text


_NOT_FINITE = {"nan": "nombre", "+nan": "nombre", "-nan": "nombre", "inf": "nombre fini",
               "+inf": "nombre fini", "-inf": "nombre fini", "infinity": "nombre fini",
               "+infinity": "nombre fini", "-infinity": "nombre fini"}  # fmt: skip


def _number(value: object) -> object:
    """French decimal commas and spaces as thousands separators: ``"1 234,5"`` → ``1234.5``;
    NaN and infinities are refused as what they are (not as "too small")."""
    if isinstance(value, str):
        text = value.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
        if text.lower() in _NOT_FINITE:
            raise _error(f"« {value.strip()} » n'est pas un {_NOT_FINITE[text.lower()]}.")
        return text.replace(",", ".") if text else None
    if isinstance(value, float) and not math.isfinite(value):
        raise _error(f"« {value} » n'est pas un {_NOT_FINITE[str(value)]}.")
    return value


def _email(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\".]+", value):
        raise _error(f"« {value} » n'est pas une adresse e-mail valide.")
    return value


def _area(value: object) -> dict[str, Any] | None:
    if value is None or value == "":
        return None
    try:
        data = json.loads(value) if isinstance(value, str) else dict(value)  # type: ignore[arg-type]
        if data.get("type") == "Feature":
            data = data["geometry"]
        geometry = shapely.geometry.shape(data)
    except Exception as error:  # noqa: BLE001 - any parse failure is the same user mistake
        raise _error("Le périmètre n'est pas une géométrie GeoJSON lisible.") from error
    if geometry.geom_type not in ("Polygon", "MultiPolygon") or geometry.is_empty:
        raise _error("Le périmètre doit être un polygone GeoJSON (Polygon ou MultiPolygon).")
    if shapely.get_num_coordinates(geometry) > 10_000:
        raise _error("Le périmètre a trop de sommets (10 000 au plus).")
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise _error("Le périmètre doit être en longitude/latitude WGS84 (EPSG:4326).")
    if not geometry.is_valid:
        raise _error("Le périmètre se recoupe lui-même : dessinez un polygone simple.")
    if not any(
        box_lat0 <= min_lat and max_lat <= box_lat1 and box_lon0 <= min_lon and max_lon <= box_lon1
        for _, box_lat0, box_lat1, box_lon0, box_lon1 in FRANCE_BOXES
    ):
        raise _error(
            "Le périmètre doit tenir dans une seule partie de la France (la métropole ou un "
            "territoire d'outre-mer) : il ne peut ni franchir l'antiméridien (longitude ±180°), "
            "ni couvrir plusieurs territoires."
        )
    return shapely.geometry.mapping(geometry)


def siren_is_valid(digits: str) -> bool:
    """Whether nine digits are a SIREN: its Luhn key (every second digit from the right
    doubled, the sum a multiple of 10). La Poste's exception concerns its SIRET numbers only;
    its SIREN 356 000 000 passes the key."""
    if len(digits) != 9 or not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _siren(value: object) -> str | None:
    if value is None:
        return None
    text = re.sub(r"[\s\u00a0\u202f.]", "", str(value))
    if not text:
        return None
    if not (len(text) == 9 and text.isascii() and text.isdigit()):
        raise _error(f"« {value} » n'est pas un SIREN (9 chiffres attendus).")
    if not siren_is_valid(text):
        raise _error(
            f"« {value} » n'est pas un SIREN valide (sa clé de contrôle ne correspond pas)."
        )
    return text


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def france_region(lat: float, lon: float) -> str | None:
    """Name of the part of France whose box holds the point, or None."""
    for name, min_lat, max_lat, min_lon, max_lon in FRANCE_BOXES:
        if min_lat <= lat <= max_lat and min_lon <= lon <= max_lon:
            return name
    return None


def _lessons(value: object) -> object:
    """Lessons as a JSON text (a CSV cell) or a list."""
    if value is None:
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise _error(
                'Liste JSON attendue : [{"worked": …, "hard": …, "differently": …, '
                '"date": "AAAA-MM-JJ"}].'
            ) from None
    if isinstance(value, Mapping):
        return [value]
    return value


_Line = _no_control_characters(False)
_Summary = Annotated[str, Field(max_length=280), _Line]
# Markdown keeps its whitespace exactly as typed (indented code, trailing line breaks).
_Description = Annotated[
    str, StringConstraints(strip_whitespace=False, max_length=5000), _no_control_characters(True)
]
_Source = Annotated[str, Field(max_length=200), _Line]
_Licence = Annotated[str, Field(max_length=100), _Line] | None
_Address = Annotated[str, Field(max_length=300), _Line] | None
_ExternalId = Annotated[str, Field(max_length=200), _Line] | None
_Figure = Annotated[
    Annotated[float, Field(ge=0, allow_inf_nan=False)] | None, BeforeValidator(_number)
]
_Count = Annotated[Annotated[int, Field(ge=0)] | None, BeforeValidator(_number)]
_Url = Annotated[str, BeforeValidator(_url), Field(max_length=2000)]
_Category = Annotated[str, BeforeValidator(_category)]
_Theme = Annotated[str, _vocabulary(THEMES, "thème inconnu")]


_Siren = Annotated[str | None, BeforeValidator(_siren)]


class Carrier(BaseModel):
    """An organisation carrying the project (or its partner); its SIREN is optional."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[str, Field(min_length=1, max_length=200), _no_control_characters(False)]
    type: Annotated[str, _vocabulary(CARRIER_TYPES, "type de porteur inconnu")]
    siren: _Siren = None

    @model_serializer(mode="wrap")
    def _without_empty_siren(self, handler: Any) -> Any:
        # ``{"name", "type"}`` as before SIRENs existed, unless one is given.
        data = handler(self)
        if isinstance(data, dict) and data.get("siren") is None:
            data.pop("siren", None)
        return data


_LessonText = Annotated[
    str, StringConstraints(strip_whitespace=False, max_length=2000), _no_control_characters(True)
]


class Lesson(BaseModel):
    """A lesson learned ("retour d'expérience"): what worked, what was hard, what the
    carriers would do differently (Markdown, shown sanitised), and when it was written."""

    model_config = ConfigDict(extra="forbid")

    worked: _LessonText = ""
    hard: _LessonText = ""
    differently: _LessonText = ""
    date: date_type

    @model_validator(mode="before")
    @classmethod
    def _blanks(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            data = {k: ("" if v is None and k != "date" else v) for k, v in data.items()}
            if isinstance(data.get("date"), str) and not data["date"].strip():
                data["date"] = None
        return data

    @model_validator(mode="after")
    def _something_said(self) -> Lesson:
        if not (self.worked.strip() or self.hard.strip() or self.differently.strip()):
            raise _error(
                "Un retour d'expérience dit au moins ce qui a marché, ce qui a été difficile "
                "ou ce que vous feriez autrement."
            )
        return self

    def text(self) -> str:
        """Its three parts as one text (what the text search reads)."""
        return " ".join((self.worked, self.hard, self.differently))


class Project(BaseModel):
    """One project. Build it from input with :func:`parse_project`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_default=False)

    id: int | None = None
    title: Annotated[
        str, Field(min_length=1, max_length=120), AfterValidator(_visible),
        _no_control_characters(False),
    ]  # fmt: skip
    summary: _Summary = ""
    description: _Description = ""
    themes: Annotated[list[_Theme], BeforeValidator(_split), AfterValidator(_unique)] = Field(
        min_length=1
    )
    categories: Annotated[list[_Category], BeforeValidator(_split), AfterValidator(_unique)] = []
    stage: Annotated[str, _vocabulary(STAGES, "étape inconnue")] = "idee"
    carriers: Annotated[list[Carrier], Field(max_length=20)] = []
    partners: Annotated[list[Carrier], Field(max_length=20)] = []
    website: _Url | None = None
    contact_email: Annotated[str, Field(max_length=254), AfterValidator(_email)] | None = None
    commons: Annotated[list[_Url], BeforeValidator(_split), Field(max_length=50)] = []
    commons_produced: Annotated[list[_Url], BeforeValidator(_split), Field(max_length=50)] = []
    licence: _Licence = None
    start_year: Annotated[int | None, BeforeValidator(_number)] = None
    lat: Annotated[float, BeforeValidator(_number), Field(ge=-90, le=90, allow_inf_nan=False)]
    lon: Annotated[float, BeforeValidator(_number), Field(ge=-180, le=180, allow_inf_nan=False)]
    location_approximate: bool = False
    address: _Address = None
    area: Annotated[dict[str, Any] | None, BeforeValidator(_area)] = None
    scope: Annotated[str, _vocabulary(SCOPES, "échelle inconnue")] | None = None
    power_kwc: _Figure = None
    energy_mwh_year: _Figure = None
    charging_points: _Count = None
    citizen_shareholders: _Count = None
    budget_eur: _Figure = None
    lessons: Annotated[list[Lesson], BeforeValidator(_lessons), Field(max_length=10)] = []
    code_commune: str | None = None
    code_epci: str | None = None
    code_departement: str | None = None
    code_region: str | None = None
    status: Annotated[str, _vocabulary(STATUSES, "statut inconnu")] = "propose"
    created_at: Annotated[datetime | None, AfterValidator(_utc)] = None
    updated_at: Annotated[datetime | None, AfterValidator(_utc)] = None
    last_confirmed_at: Annotated[datetime | None, AfterValidator(_utc)] = None
    source: _Source = ""
    external_id: _ExternalId = None

    @model_validator(mode="before")
    @classmethod
    def _blanks_and_themes(cls, data: Any) -> Any:
        """Empty strings are missing values; themes come from the categories when left empty."""
        if not isinstance(data, Mapping):
            return data
        data = {k: (None if isinstance(v, str) and not v.strip() else v) for k, v in data.items()}
        for name, empty in (("summary", ""), ("description", ""), ("source", ""), ("carriers", []),
                            ("partners", []), ("lessons", [])):  # fmt: skip
            if name in data and data[name] is None:
                data[name] = empty
        if not _split(data.get("themes")) and data.get("categories") is not None:
            themes: list[str] = []
            for value in _split(data["categories"]) or []:
                try:
                    themes.extend(categories()[_category(value)]["themes"][:1])
                except PydanticCustomError:
                    continue  # reported by the categories field itself
            data["themes"] = _unique(themes)
        return data

    @field_validator("start_year")
    @classmethod
    def _plausible_year(cls, year: int | None) -> int | None:
        last = datetime.now(UTC).year + 20
        if year is not None and not 1900 <= year <= last:
            raise _error(f"Année entre 1900 et {last} attendue (reçu : {year}).")
        return year

    @field_validator("lon")
    @classmethod
    def _in_france(cls, lon: float, info: ValidationInfo) -> float:
        lat = info.data.get("lat")
        if lat is not None and france_region(lat, lon) is None:
            raise _error(
                f"Le point ({lat:.5f}, {lon:.5f}) est hors de France (métropole et outre-mer)."
            )
        return lon

    @field_validator("categories")
    @classmethod
    def _categories_fit_themes(cls, values: list[str], info: ValidationInfo) -> list[str]:
        themes = info.data.get("themes")
        if not themes:
            return values
        table = categories()
        misfits = [c for c in values if not set(table[c]["themes"]) & set(themes)]
        if misfits:
            names = ", ".join(f"« {table[c]['label']} »" for c in misfits)
            wanted = " ou ".join(_inline(THEMES[t]) for t in table[misfits[0]]["themes"])
            raise _error(f"{names} relève du thème {wanted}, absent des thèmes du projet.")
        return values


def parse_project(data: Mapping[str, Any]) -> Project:
    """Validate input (form, JSON, import row); server-owned fields in it are ignored."""
    if not isinstance(data, Mapping):
        msg = {"projet": ["Un objet JSON (clé : valeur) est attendu."]}
        raise ProjectValidationError(msg)
    cleaned = {k: v for k, v in data.items() if k not in SERVER_FIELDS}
    try:
        return Project.model_validate(cleaned)
    except ValidationError as error:
        raise ProjectValidationError(french_errors(error, cleaned), FIELD_LABELS) from None


def public_dict(project: Project) -> dict[str, Any]:
    """The JSON-ready fields anyone may see (no contact e-mail)."""
    return project.model_dump(mode="json", exclude=set(PRIVATE_FIELDS))


def private_dict(project: Project) -> dict[str, Any]:
    """Every field, JSON-ready: for moderators, the audit log and the edit form."""
    return project.model_dump(mode="json")


# --- French messages for pydantic's errors ---------------------------------------------------


def french_errors(error: ValidationError, data: Mapping[str, Any]) -> dict[str, list[str]]:
    """``{field: [messages]}`` in French; lat/lon problems are reported under ``location``."""
    errors: dict[str, list[str]] = {}
    for item in error.errors(include_url=False):
        loc = item["loc"]
        field = str(loc[0]) if loc else "projet"
        field = "location" if field in ("lat", "lon") else field
        message = _translate(item, data)
        if field == "themes" and len(loc) == 1 and item["type"] == "too_short":
            message = "Choisissez au moins un thème."  # the field named (several forms)
        if field == "location" and loc and loc[0] in ("lat", "lon") and item["type"] != "geo":
            message = f"{'latitude' if loc[0] == 'lat' else 'longitude'} : {message}"
        if field in ("carriers", "partners") and len(loc) > 1 and isinstance(loc[1], int):
            part = (
                {"name": "nom", "type": "type", "siren": "SIREN"}.get(str(loc[2]), str(loc[2]))
                if len(loc) > 2
                else ""
            )
            who = "porteur" if field == "carriers" else "partenaire"
            message = f"{who} n°{loc[1] + 1}{f', {part}' if part else ''} : {message}"
        elif field == "lessons" and len(loc) > 1 and isinstance(loc[1], int):
            part = LESSON_LABELS.get(str(loc[2]), "") if len(loc) > 2 else ""
            message = f"retour n°{loc[1] + 1}{f', {part.lower()}' if part else ''} : {message}"
        elif (
            len(loc) > 1
            and isinstance(loc[1], int)
            and field in ("themes", "categories", "commons", "commons_produced")
        ):
            message = f"élément n°{loc[1] + 1} : {message}"
        errors.setdefault(field, [])
        if message not in errors[field]:
            errors[field].append(message)
    return errors


def _translate(item: Any, data: Mapping[str, Any]) -> str:
    kind, ctx = item["type"], item.get("ctx") or {}
    if kind == "geo":
        return item["msg"]
    if kind == "missing" or (
        item.get("input", "") is None and kind.endswith(("_type", "_parsing"))
    ):
        return "Champ obligatoire."
    if kind == "extra_forbidden":
        return "Champ inconnu."
    if kind == "string_too_long":
        length = len(item["input"]) if isinstance(item.get("input"), str) else None
        given = f" (ici {length})" if length is not None else ""
        return f"{ctx.get('max_length')} caractères au plus{given}."
    if kind == "string_too_short":
        return "Ne peut pas être vide."
    if kind == "too_short":
        return "Au moins un élément est attendu." if ctx.get("min_length") == 1 else (
            f"Au moins {ctx.get('min_length')} éléments sont attendus.")  # fmt: skip
    if kind == "too_long":
        return f"Au plus {ctx.get('max_length')} éléments."
    if kind in ("greater_than_equal", "greater_than"):
        return "Doit être positif ou nul." if ctx.get("ge") == 0 else (
            f"Doit être au moins {ctx.get('ge', ctx.get('gt'))}.")  # fmt: skip
    if kind in ("less_than_equal", "less_than"):
        return f"Doit être au plus {ctx.get('le', ctx.get('lt'))}."
    if kind in ("finite_number",):
        return "Nombre fini attendu."
    if kind.startswith("int_"):
        return f"Nombre entier attendu (reçu : {_shown(item.get('input'))})."
    if kind.startswith("float_"):
        return f"Nombre attendu (reçu : {_shown(item.get('input'))})."
    if kind.startswith("bool_"):
        return "Oui ou non attendu."
    if kind.startswith(("string_", "str_")):
        return "Texte attendu."
    if kind in ("list_type", "tuple_type"):
        return "Liste attendue."
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "Objet attendu (clé : valeur)."
    if kind.startswith(("datetime_", "date_", "timezone_")):
        return "Date invalide (format attendu : AAAA-MM-JJ ou AAAA-MM-JJTHH:MM:SS)."
    return "Valeur invalide."


def _shown(value: object) -> str:
    text = repr(value) if not isinstance(value, str) else f"« {value} »"
    return text if len(text) <= 40 else text[:39] + "…"
