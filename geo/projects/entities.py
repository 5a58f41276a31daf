"""Actors and communs: the people and the shared resources around the projects.

An :class:`Actor` is an organisation (the carriers' vocabulary gives its type), with an
optional SIREN checked by its Luhn key, a website and the territory of its seat
(``"commune:38185"``). A :class:`Commun` is a shared resource — a tool or software, a dataset,
a method or guide, a training, hardware — with its URL, its licence (an SPDX id, the French
public licences by their usual names), its description (Markdown, shown sanitised), its
maintainers (actors, named like carriers) and its themes.

Projects point at communs by URL (``commons``: reused, ``commons_produced``: produced) and at
actors by name and SIREN (``carriers``, ``partners``); the store links them
(:mod:`geo.store.links`), comparing URLs by :func:`url_key` and names by :func:`name_key`.
:func:`parse_actor` and :func:`parse_commun` validate input like
:func:`~geo.projects.model.parse_project`: every problem at once, in French.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from geo.errors import EntityValidationError
from geo.projects.model import (
    CARRIER_TYPES,
    THEMES,
    Carrier,
    _error,
    _no_control_characters,
    _Siren,
    _split,
    _unique,
    _url,
    _visible,
    _vocabulary,
    french_errors,
)
from geo.text import identifier, search_words

COMMUN_KINDS = {
    "outil": "Outil / logiciel",
    "donnees": "Jeu de données",
    "methode": "Méthode / guide",
    "formation": "Formation",
    "materiel": "Matériel",
}
#: What each kind means, said to someone who has never heard the word "commun".
COMMUN_KIND_HELP = {
    "outil": "un logiciel ou un outil en ligne que chacun peut utiliser, copier et améliorer",
    "donnees": "des données ouvertes que chacun peut réutiliser",
    "methode": "une méthode ou un guide écrit par ceux qui l'ont pratiqué",
    "formation": "une formation dont les supports sont partagés",
    "materiel": "un matériel dont les plans sont publiés",
}
_KIND_ALIASES = {
    "logiciel": "outil",
    "outil_logiciel": "outil",
    "tool": "outil",
    "software": "outil",
    "jeu_de_donnees": "donnees",
    "dataset": "donnees",
    "data": "donnees",
    "guide": "methode",
    "methode_guide": "methode",
    "method": "methode",
    "training": "formation",
    "hardware": "materiel",
}

#: Licences by SPDX id (https://spdx.org/licenses/), and the names people give them.
LICENCES = (
    "etalab-2.0",
    "ODbL-1.0",
    "ODC-By-1.0",
    "PDDL-1.0",
    "CC0-1.0",
    "CC-BY-4.0",
    "CC-BY-SA-4.0",
    "CC-BY-NC-4.0",
    "CC-BY-NC-SA-4.0",
    "CC-BY-ND-4.0",
    "CC-BY-3.0",
    "CC-BY-SA-3.0",
    "MIT",
    "Apache-2.0",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "GPL-2.0-or-later",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
    "AGPL-3.0-only",
    "AGPL-3.0-or-later",
    "LGPL-2.1-or-later",
    "LGPL-3.0-or-later",
    "MPL-2.0",
    "EUPL-1.2",
    "CECILL-2.1",
    "CECILL-B",
    "CECILL-C",
    "CERN-OHL-S-2.0",
    "CERN-OHL-W-2.0",
    "CERN-OHL-P-2.0",
)
_LICENCE_NAMES = {
    "licence_ouverte": "etalab-2.0",
    "licence_ouverte_2_0": "etalab-2.0",
    "licence_ouverte_v2_0": "etalab-2.0",
    "lo_2_0": "etalab-2.0",
    "etalab": "etalab-2.0",
    "open_licence_2_0": "etalab-2.0",
    "odbl": "ODbL-1.0",
    "odbl_1_0": "ODbL-1.0",
    "cc0": "CC0-1.0",
    "cc_by": "CC-BY-4.0",
    "cc_by_sa": "CC-BY-SA-4.0",
    "cc_by_nc": "CC-BY-NC-4.0",
    "cc_by_nc_sa": "CC-BY-NC-SA-4.0",
    "gpl": "GPL-3.0-or-later",
    "gplv3": "GPL-3.0-or-later",
    "gpl_v3": "GPL-3.0-or-later",
    "agpl": "AGPL-3.0-or-later",
    "agplv3": "AGPL-3.0-or-later",
    "lgpl": "LGPL-3.0-or-later",
    "cecill": "CECILL-2.1",
}
#: How a licence is shown: its French name where there is one, else its SPDX id.
LICENCE_LABELS = {
    "etalab-2.0": "Licence Ouverte 2.0 (Etalab)", "ODbL-1.0": "ODbL 1.0",
    "CC0-1.0": "CC0 (domaine public)", "CC-BY-4.0": "Creative Commons BY 4.0",
    "CC-BY-SA-4.0": "Creative Commons BY-SA 4.0", "CC-BY-NC-4.0": "Creative Commons BY-NC 4.0",
    "CC-BY-NC-SA-4.0": "Creative Commons BY-NC-SA 4.0", "AGPL-3.0-or-later": "GNU AGPL 3.0",
    "GPL-3.0-or-later": "GNU GPL 3.0", "CERN-OHL-S-2.0": "CERN OHL 2.0 réciproque",
}  # fmt: skip
#: What a licence lets anyone do, in one sentence, by family (the SPDX id's start).
_LICENCE_MEANINGS = (
    ("etalab", "chacun peut le réutiliser librement, même commercialement, en citant la source"),
    ("ODbL", "chacun peut réutiliser les données en citant la source et en partageant ses "
     "améliorations sous la même licence"),
    ("CC0", "chacun peut le réutiliser sans condition"),
    ("CC-BY-NC-SA", "chacun peut le copier et l'adapter sans usage commercial, en citant "
     "l'auteur et en partageant sous la même licence"),
    ("CC-BY-NC", "chacun peut le copier et l'adapter sans usage commercial, en citant l'auteur"),
    ("CC-BY-SA", "chacun peut le copier et l'adapter, en citant l'auteur et en partageant ses "
     "modifications sous la même licence"),
    ("CC-BY", "chacun peut le copier et l'adapter, en citant l'auteur"),
    ("AGPL", "logiciel libre : chacun peut l'utiliser, l'étudier, le modifier et le "
     "redistribuer, y compris en ligne, en publiant ses modifications"),
    ("GPL", "logiciel libre : chacun peut l'utiliser, le modifier et le redistribuer en "
     "publiant ses modifications"),
    ("CERN-OHL", "matériel libre : chacun peut le fabriquer, le modifier et le vendre, en "
     "partageant les plans modifiés"),
    ("MIT", "logiciel libre : chacun peut l'utiliser et le modifier, en gardant la mention de "
     "l'auteur"),
)  # fmt: skip
_LICENCE_KEYS = {identifier(spdx): spdx for spdx in LICENCES} | _LICENCE_NAMES


def licence_id(value: object) -> str:
    """``"Licence Ouverte 2.0"`` → ``"etalab-2.0"``, ``"cc by-sa 4.0"`` → ``"CC-BY-SA-4.0"``;
    an unknown licence raises the French message listing what is understood."""
    key = identifier(str(value))
    found = _LICENCE_KEYS.get(key)
    if found is None:
        examples = "etalab-2.0 (Licence Ouverte), ODbL-1.0, CC-BY-SA-4.0, MIT, AGPL-3.0-or-later"
        raise _error(f"« {value} » : licence inconnue (un identifiant SPDX, ex. {examples}).")
    return found


def licence_label(spdx: str | None) -> str:
    return "" if not spdx else LICENCE_LABELS.get(spdx, spdx)


def licence_meaning(spdx: str | None) -> str:
    """What the licence lets anyone do, in French (empty for a licence we do not describe)."""
    for start, meaning in _LICENCE_MEANINGS:
        if spdx and spdx.startswith(start):
            return meaning
    return ""


def url_key(url: object) -> str:
    """How two addresses of one resource compare: scheme and ``www.`` ignored, host in lower
    case, no fragment, no trailing slash (``https://www.Exemple.fr/outil/#a`` →
    ``exemple.fr/outil``)."""
    text = str(url or "").strip()
    if not text:
        return ""
    parts = urlsplit(text if "://" in text else f"https://{text}")
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port:
        host = f"{host}:{parts.port}"
    path = parts.path.rstrip("/")
    return urlunsplit(("", host, path, parts.query, ""))[2:]


def name_key(name: object) -> str:
    """How two names of one organisation compare: case, accents and punctuation ignored
    (``"Énergie-Citoyenne du Trièves"`` → ``"energie citoyenne du trieves"``)."""
    return search_words(str(name or ""))


def _kind(value: object) -> str:
    key = identifier(str(value))
    key = _KIND_ALIASES.get(key, key)
    if key in COMMUN_KINDS:
        return key
    labels = {identifier(label): ident for ident, label in COMMUN_KINDS.items()}
    if key in labels:
        return labels[key]
    raise _error(
        f"« {value} » : type de commun inconnu (attendu : {', '.join(COMMUN_KINDS.values())})."
    )


def _seat(value: object) -> str | None:
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    if not re.fullmatch(r"(commune|epci|departement|region):[0-9AB]{2,9}", text):
        raise _error(
            f"« {value} » : territoire attendu sous la forme niveau:code (ex. commune:38185)."
        )
    return text


_Line = _no_control_characters(False)
_Markdown = Annotated[
    str, StringConstraints(strip_whitespace=False, max_length=5000), _no_control_characters(True)
]
_OptionalUrl = Annotated[str, BeforeValidator(_url), Field(max_length=2000)] | None


class Actor(BaseModel):
    """An organisation: carrier or partner of projects, maintainer of communs."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: int | None = None
    name: Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_visible), _Line]
    type: Annotated[str, _vocabulary(CARRIER_TYPES, "type d'acteur inconnu")]
    siren: _Siren = None
    website: _OptionalUrl = None
    seat: Annotated[str | None, BeforeValidator(_seat)] = None

    @model_validator(mode="before")
    @classmethod
    def _blanks(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            data = {
                k: (None if isinstance(v, str) and not v.strip() else v) for k, v in data.items()
            }
        return data


class Commun(BaseModel):
    """A shared resource. ``source`` + ``external_id`` (a wiki page's URL) identify an
    imported one, so that importing again updates it; ``lat``/``lon`` is where it is made,
    when its page says."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: int | None = None
    title: Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_visible), _Line]
    kind: Annotated[str, BeforeValidator(_kind)] = "methode"
    url: _OptionalUrl = None
    licence: Annotated[
        str | None, BeforeValidator(lambda v: None if v is None else licence_id(v))
    ] = None
    summary: Annotated[str, Field(max_length=300), _Line] = ""
    description: _Markdown = ""
    maintainers: Annotated[list[Carrier], Field(max_length=20)] = []
    themes: Annotated[
        list[Annotated[str, _vocabulary(THEMES, "thème inconnu")]],
        BeforeValidator(_split),
        AfterValidator(_unique),
    ] = []
    tags: Annotated[
        list[Annotated[str, Field(max_length=80), _Line]],
        BeforeValidator(_split),
        AfterValidator(_unique),
        Field(max_length=30),
    ] = []
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    source: Annotated[str, Field(max_length=200), _Line] = ""
    external_id: Annotated[str, Field(max_length=2000), _Line] | None = None

    @model_validator(mode="before")
    @classmethod
    def _blanks(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            data = {
                k: (None if isinstance(v, str) and not v.strip() else v) for k, v in data.items()
            }
            for name, empty in (
                ("summary", ""),
                ("description", ""),
                ("source", ""),
                ("maintainers", []),
                ("themes", []),
                ("tags", []),
            ):
                if name in data and data[name] is None:
                    data[name] = empty
        return data

    @model_validator(mode="after")
    def _point(self) -> Commun:
        if (self.lat is None) != (self.lon is None):
            raise _error("Latitude et longitude vont ensemble (ou aucune des deux).")
        return self


ACTOR_LABELS = {
    "name": "nom",
    "type": "type",
    "siren": "SIREN",
    "website": "site web",
    "seat": "siège",
}
COMMUN_LABELS = {
    "title": "titre",
    "kind": "type de commun",
    "url": "adresse",
    "licence": "licence",
    "summary": "résumé",
    "description": "description",
    "maintainers": "mainteneurs",
    "themes": "thèmes",
    "tags": "mots-clés",
    "lat": "latitude",
    "lon": "longitude",
    "source": "source",
    "external_id": "identifiant externe",
}


def _parse(
    model: type[BaseModel], data: Mapping[str, Any], labels: dict[str, str], what: str
) -> Any:
    if not isinstance(data, Mapping):
        msg = {"objet": ["Un objet JSON (clé : valeur) est attendu."]}
        raise EntityValidationError(msg, labels, what)
    cleaned = {k: v for k, v in data.items() if k != "id"}
    try:
        return model.model_validate(cleaned)
    except ValidationError as error:
        errors = french_errors(error, cleaned)
        if "carriers" in errors:  # french_errors names list items after the carriers
            errors["maintainers"] = errors.pop("carriers")
        raise EntityValidationError(errors, labels, what) from None


def parse_actor(data: Mapping[str, Any]) -> Actor:
    return _parse(Actor, data, ACTOR_LABELS, "Acteur")


def parse_commun(data: Mapping[str, Any]) -> Commun:
    return _parse(Commun, data, COMMUN_LABELS, "Commun")
