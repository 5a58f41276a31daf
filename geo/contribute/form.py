"""The contribution form, declared from the project model (:class:`geo.projects.model.Project`).

:data:`FORM_FIELDS` lists the fields a contributor fills, in order, each with its French label
(:data:`~geo.projects.model.FIELD_LABELS`), whether the model requires it, its character limit
(read from the model's constraints), its vocabulary (French labels) and a help sentence.
Carriers are a repeatable list of name + type; the place (address, point) has its own step
(:mod:`geo.contribute.placement`). A field added to the model must be placed in :data:`ORDER`
or :data:`NOT_IN_FORM` (a test checks it), so the form grows with the model: future fields
(actors, communs linked to a project) get a widget by declaring their kind here.

:func:`to_input` turns what was typed into the input :func:`~geo.projects.model.parse_project`
validates (every problem at once, per field); :func:`from_project` fills the form again from a
stored project (the edit link).
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from geo.projects.model import (
    CARRIER_TYPES,
    FIELD_LABELS,
    SCOPES,
    STAGES,
    THEMES,
    Carrier,
    Project,
    categories,
)

Kind = Literal["text", "textarea", "choice", "choices", "number", "integer", "links", "email"]

#: Fields of the form, in order, with their widget kind; sections group them on the page.
ORDER: tuple[tuple[str, Kind, str], ...] = (
    ("title", "text", "Le projet"),
    ("summary", "textarea", "Le projet"),
    ("description", "textarea", "Le projet"),
    ("themes", "choices", "Le projet"),
    ("categories", "choices", "Le projet"),
    ("stage", "choice", "Le projet"),
    ("start_year", "integer", "Le projet"),
    ("scope", "choice", "Le projet"),
    ("website", "text", "Liens et contact"),
    ("commons", "links", "Liens et contact"),
    ("commons_produced", "links", "Liens et contact"),
    ("licence", "text", "Liens et contact"),
    ("contact_email", "email", "Liens et contact"),
    ("power_kwc", "number", "Chiffres clés (facultatif)"),
    ("energy_mwh_year", "number", "Chiffres clés (facultatif)"),
    ("charging_points", "integer", "Chiffres clés (facultatif)"),
    ("citizen_shareholders", "integer", "Chiffres clés (facultatif)"),
    ("budget_eur", "number", "Chiffres clés (facultatif)"),
)
#: Fields of the model the form does not show: set by the store or the moderation, filled by
#: the placement step (address, point), or not offered to contributors (area, import ids).
NOT_IN_FORM = frozenset({
    "id", "code_commune", "code_epci", "code_departement", "code_region", "status",
    "created_at", "updated_at", "last_confirmed_at", "source", "external_id", "area",
    "carriers", "address", "lat", "lon", "location_approximate",
    # Drawn by widgets of their own: partners as the carriers, one lesson learned.
    "partners", "lessons",
})  # fmt: skip

HELP = {
    "title": "Le nom sous lequel le projet est connu localement.",
    "summary": "Une ou deux phrases : ce que fait le projet, pour qui.",
    "description": "Tout ce qui aide à comprendre le projet. Mise en forme simple possible "
    "(**gras**, listes, liens http) ; aucune image ni code HTML n'est affiché.",
    "themes": "Énergie, mobilité, ou les deux.",
    "categories": "Les catégories qui décrivent le projet (selon les thèmes choisis).",
    "stage": "Où en est le projet aujourd'hui.",
    "start_year": "L'année où le projet a démarré (ou démarrera).",
    "scope": "L'échelle à laquelle le projet agit : un site, une commune, un territoire…",
    "website": "L'adresse publique du projet (https://…).",
    "commons": "Les ressources partagées (communs) que le projet réutilise : une adresse "
    "https://… par ligne.",
    "commons_produced": "Les communs que le projet a produits et partage (outil, données, "
    "guide…) : une adresse https://… par ligne.",
    "licence": "La licence des ressources produites (ex. CC BY-SA 4.0, Licence Ouverte).",
    "contact_email": "Privée : seuls les modérateurs la voient, elle n'est jamais publiée.",
    "power_kwc": "Puissance installée, en kilowatts-crête.",
    "energy_mwh_year": "Énergie produite ou économisée par an, en MWh.",
    "charging_points": "Nombre de points de recharge.",
    "citizen_shareholders": "Nombre de citoyens actionnaires ou sociétaires.",
    "budget_eur": "Budget total, en euros.",
}
#: What a number field's empty box shows (French decimal comma, spaces in thousands).
EXAMPLES = {
    "start_year": "ex. 2024",
    "power_kwc": "ex. 36,5",
    "energy_mwh_year": "ex. 42",
    "charging_points": "ex. 12",
    "citizen_shareholders": "ex. 150",
    "budget_eur": "ex. 25 000",
}
CARRIER_HELP = (
    "Les organisations qui portent le projet : nom, type et, si vous le connaissez, leur "
    "SIREN (9 chiffres), qui évite de les confondre avec une autre (20 au plus)."
)
PARTNER_HELP = "Les organisations partenaires du projet, de la même façon (facultatif)."
#: The lesson learned the form edits (a project's latest; the older ones are kept as they are).
LESSON_PARTS = ("worked", "hard", "differently")
LESSON_HELP = (
    "Ce que d'autres porteurs gagneraient à savoir : ce qui a marché, ce qui a été difficile, "
    "ce que vous feriez autrement. Mise en forme simple possible ; la date est celle "
    "d'aujourd'hui si vous la laissez vide."
)
LESSON_MAX = 2000
LESSON_SECTION = "Retour d'expérience (facultatif)"
CARRIERS_MAX = 20
LINKS_MAX = 50


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: Kind
    section: str
    required: bool
    max_chars: int | None
    options: dict[str, str] | None
    help: str
    example: str | None = None

    @property
    def shown_label(self) -> str:
        label = upper_first(self.label)
        return f"{label} *" if self.required else label


def upper_first(text: str) -> str:
    """``"puissance (kWc)"`` → ``"Puissance (kWc)"`` (``str.capitalize`` would lower the rest)."""
    return text[:1].upper() + text[1:]


def max_length(annotation: Any, metadata: list[Any] | tuple[Any, ...] = ()) -> int | None:
    """The ``max_length`` constraint of a model field, however deep in its annotation."""
    for item in metadata:
        value = getattr(item, "max_length", None)
        if isinstance(value, int):
            return value
        nested = getattr(item, "metadata", None)  # a pydantic Field(...) inside Annotated
        if isinstance(nested, list) and (found := max_length(None, nested)) is not None:
            return found
    if typing.get_origin(annotation) is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        return max_length(base, extra) or max_length(base)
    for arg in typing.get_args(annotation):
        found = max_length(arg)
        if found is not None:
            return found
    return None


def _options(name: str) -> dict[str, str] | None:
    if name == "themes":
        return dict(THEMES)
    if name == "categories":
        return {ident: row["label"] for ident, row in categories().items()}
    if name == "stage":
        return dict(STAGES)
    if name == "scope":
        return dict(SCOPES)
    return None


def _field(name: str, kind: Kind, section: str) -> FormField:
    info = Project.model_fields[name]
    limit = None if kind in ("choice", "choices", "links") else max_length(
        info.annotation, info.metadata
    )  # fmt: skip
    return FormField(name, FIELD_LABELS[name], kind, section, info.is_required(), limit,
                     _options(name), HELP[name], EXAMPLES.get(name))  # fmt: skip


FORM_FIELDS: tuple[FormField, ...] = tuple(_field(*item) for item in ORDER)
FIELDS = {field.name: field for field in FORM_FIELDS}
SECTIONS = tuple(dict.fromkeys(field.section for field in FORM_FIELDS))
CARRIER_NAME_MAX = max_length(
    Carrier.model_fields["name"].annotation, Carrier.model_fields["name"].metadata
)
ADDRESS_MAX = max_length(Project.model_fields["address"].annotation) or 300
TEXT_LIMITS = {f.name: f.max_chars for f in FORM_FIELDS if f.max_chars}


def empty_values() -> dict[str, Any]:
    """What a blank form holds."""
    values: dict[str, Any] = {}
    for field in FORM_FIELDS:
        if field.kind == "choices":
            values[field.name] = []
        elif field.kind == "choice":
            values[field.name] = "idee" if field.name == "stage" else None
        else:
            values[field.name] = ""
    return values


def to_input(
    values: Mapping[str, Any],
    carriers: list[Mapping[str, Any]],
    place: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """What the model validates, from the form: blank means missing, links one per line,
    carriers without a name left out, the place's point, address and approximation."""
    data: dict[str, Any] = {}
    for field in FORM_FIELDS:
        value = values.get(field.name)
        if field.kind == "links":
            data[field.name] = [line.strip() for line in str(value or "").splitlines()
                                if line.strip()]  # fmt: skip
        elif field.kind == "choices":
            data[field.name] = list(value or [])
        elif isinstance(value, str):
            data[field.name] = value if field.name == "description" else value.strip()
        else:
            data[field.name] = value
    data["carriers"] = organisations(carriers)
    data["partners"] = organisations(values.get("partners") or [])
    data["lessons"] = lessons_input(values.get("lessons") or [])
    if place:
        data.update(
            lat=place.get("lat"),
            lon=place.get("lon"),
            address=(place.get("address") or "").strip() or None,
            location_approximate=bool(place.get("approximate")),
        )
    return data


def organisations(rows: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Carrier or partner rows as typed: blank rows left out, a SIREN only when given."""
    out = []
    for row in rows:
        name, siren = str(row.get("name") or "").strip(), str(row.get("siren") or "").strip()
        if name or row.get("type") or siren:
            out.append(
                {"name": name, "type": row.get("type")} | ({"siren": siren} if siren else {})
            )
    return out


def lessons_input(rows: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Lessons as typed: an empty one left out, today's date when none is given."""
    out = []
    for row in rows:
        parts = {name: str(row.get(name) or "") for name in LESSON_PARTS}
        if not any(text.strip() for text in parts.values()):
            continue
        when = str(row.get("date") or "").strip() or date.today().isoformat()
        out.append(parts | {"date": when})
    return out


def from_project(project: Project) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    """(values, carriers, place) filling the form from a stored project."""
    values = empty_values()
    for field in FORM_FIELDS:
        value = getattr(project, field.name)
        if field.kind == "links":
            values[field.name] = "\n".join(value or [])
        elif field.kind == "choices":
            values[field.name] = list(value or [])
        elif field.kind == "choice":
            values[field.name] = value
        elif value is None:
            values[field.name] = ""
        elif field.kind in ("number", "integer"):
            values[field.name] = _number_text(value)
        else:
            values[field.name] = str(value)
    carriers = [{"name": c.name, "type": c.type, "siren": c.siren or ""} for c in project.carriers]
    values["partners"] = [
        {"name": c.name, "type": c.type, "siren": c.siren or ""} for c in project.partners
    ]
    values["lessons"] = [lesson.model_dump(mode="json") for lesson in project.lessons]
    place = {
        "lat": project.lat,
        "lon": project.lon,
        "address": project.address or "",
        "approximate": bool(project.location_approximate),
        "source": "enregistré",
    }
    return values, carriers, place


def _number_text(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace(".", ",")


def carrier_types() -> dict[str, str]:
    return dict(CARRIER_TYPES)


def too_long(values: Mapping[str, Any], carriers: list[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Size limits checked before anything reaches the store (a browser can send more than a
    widget allows): ``{field: [message]}``."""
    problems: dict[str, list[str]] = {}
    for name, limit in TEXT_LIMITS.items():
        text = values.get(name)
        if isinstance(text, str) and len(text) > limit:
            problems[name] = [f"{limit} caractères au plus (ici {len(text)})."]
    for field in ("commons", "commons_produced"):
        links = str(values.get(field) or "")
        if len(links) > LINKS_MAX * 2000 or len(links.splitlines()) > LINKS_MAX:
            problems[field] = [f"Au plus {LINKS_MAX} liens."]
    for field, who, rows in (("carriers", "porteur", carriers),
                             ("partners", "partenaire", values.get("partners") or [])):  # fmt: skip
        if len(rows) > CARRIERS_MAX:
            problems[field] = [f"Au plus {CARRIERS_MAX} {who}s."]
        for index, row in enumerate(rows):
            name = str(row.get("name") or "")
            if CARRIER_NAME_MAX and len(name) > CARRIER_NAME_MAX:
                problems.setdefault(field, []).append(
                    f"{who} n°{index + 1}, nom : {CARRIER_NAME_MAX} caractères au plus."
                )
    for index, row in enumerate(values.get("lessons") or []):
        for name in LESSON_PARTS:
            if len(str(row.get(name) or "")) > LESSON_MAX:
                problems.setdefault("lessons", []).append(
                    f"retour n°{index + 1} : {LESSON_MAX} caractères au plus par partie."
                )
    return problems


def still_wrong(
    shown: Mapping[str, list[str]], found: Mapping[str, list[str]]
) -> dict[str, list[str]]:
    """The problems shown since the last send, as they are now (``found``: every problem of
    the form as typed now): a field corrected loses its message at once, a field still wrong
    shows its current problem, a field never flagged stays quiet until the next send (no one
    is told off while typing). ``projet`` (a sending limit) stays until the next send."""
    kept = {name: list(found[name]) for name in shown if name in found}
    if "projet" in shown:
        kept["projet"] = list(shown["projet"])
    return kept
