"""What the actor and commun pages show, without Streamlit.

:func:`actor_page` gathers an actor's published projects (for a map and a list), the
territories they are in, and the communs it uses, produced or maintains; :func:`commun_page`
the projects reusing a commun (for a map), counted by département and région, those that
produced it and its maintainers. Links to the Explorer use its URL state
(:func:`geo.explorer.state.permalink`): a project's sheet, or every project reusing a commun.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from geo.explorer.selection import PUBLIC_STATUSES
from geo.explorer.state import ExplorerState, permalink
from geo.store import ProjectFilter, ProjectStore
from geo.store.actors import ActorRow
from geo.store.communs import CommunRow
from geo.text import search_words

if TYPE_CHECKING:
    from geo.territory import Territories

#: What the pages say a commun is, to someone who has never heard the word.
COMMUN_MEANING = (
    "Un commun est une ressource que des acteurs produisent ensemble et partagent pour que "
    "d'autres la réutilisent et l'améliorent : un outil ou un logiciel, des données, une méthode "
    "ou un guide, une formation, les plans d'un matériel. Sa licence dit ce que chacun a le droit "
    "d'en faire ; ses mainteneurs le font vivre."
)


@dataclass(frozen=True)
class Place:
    """A territory and how many of the projects are in it."""

    level: str
    code: str
    nom: str
    count: int


@dataclass(frozen=True)
class ActorPage:
    actor: ActorRow
    projects: pd.DataFrame
    communes: list[str | None]
    places: list[Place]
    uses: list[CommunRow] = field(default_factory=list)
    produced: list[CommunRow] = field(default_factory=list)
    maintains: list[CommunRow] = field(default_factory=list)


@dataclass(frozen=True)
class CommunPage:
    commun: CommunRow
    reusing: pd.DataFrame
    communes: list[str | None]
    places: list[Place]
    producers: pd.DataFrame


#: The actors' index lists this many at most; a search or a type narrows it.
INDEX_LIMIT = 100


def find_actors(
    actors: Sequence[ActorRow], text: str = "", types: Iterable[str] = ()
) -> list[ActorRow]:
    """The actors whose name holds every word of ``text`` (case and accents aside: "energie"
    finds "Énergie Partagée") and whose type is one of ``types`` (any when none), in order."""
    words = search_words(text).split()
    wanted = set(types)
    return [
        actor
        for actor in actors
        if (not wanted or actor.type in wanted) and _name_holds(actor.name, words)
    ]


def _name_holds(name: str, words: list[str]) -> bool:
    """Every word in the name, folded once (not once per word)."""
    if not words:
        return True
    folded = search_words(name)
    return all(word in folded for word in words)


def project_link(project_id: int, *, base_path: str = "/") -> str:
    """The Explorer with the project's sheet open."""
    return permalink(ExplorerState(project=int(project_id)), base_path=base_path)


def explorer_link(commun_id: int, *, base_path: str = "/") -> str:
    """The Explorer filtered on the projects reusing the commun."""
    return permalink(ExplorerState(commun=int(commun_id)), base_path=base_path)


def _communes(frame: pd.DataFrame, territories: Territories | None) -> list[str | None]:
    if territories is None or frame.empty:
        return [None] * len(frame)
    return list(territories.names("commune", frame["code_commune"].tolist()))


def places(
    frame: pd.DataFrame, territories: Territories | None, levels: tuple[str, ...]
) -> list[Place]:
    """The territories of the given levels holding the projects, most projects first."""
    found: list[Place] = []
    if frame.empty:
        return found
    for level in levels:
        counts = Counter(code for code in frame[f"code_{level}"].tolist() if isinstance(code, str))
        codes = sorted(counts, key=lambda code: (-counts[code], code))
        names = territories.names(level, codes) if territories is not None else codes
        found += [Place(level, code, str(nom or code), counts[code])
                  for code, nom in zip(codes, names, strict=True)]  # fmt: skip
    return found


def actor_page(
    store: ProjectStore, actor_id: int, territories: Territories | None = None
) -> ActorPage:
    """Raises :class:`~geo.errors.EntityNotFoundError` for an actor the public may not see."""
    actor = store.actors.get(actor_id)
    frame = store.all_frame(ProjectFilter(actor=actor.id, statuses=PUBLIC_STATUSES))
    linked = store.communs.of_projects(frame["id"].tolist())
    uses: dict[int, CommunRow] = {}
    produced: dict[int, CommunRow] = {}
    for pairs in linked.values():
        for relation, commun in pairs:
            (uses if relation == "reuses" else produced)[commun.id] = commun
    return ActorPage(
        actor, frame, _communes(frame, territories),
        places(frame, territories, ("commune", "departement")),
        sorted(uses.values(), key=lambda c: c.title),
        sorted(produced.values(), key=lambda c: c.title),
        store.communs.maintained_by(actor.id),
    )  # fmt: skip


def commun_page(
    store: ProjectStore, commun_id: int, territories: Territories | None = None
) -> CommunPage:
    commun = store.communs.get(commun_id)
    reusing = store.all_frame(ProjectFilter(commun=commun.id, statuses=PUBLIC_STATUSES))
    producers = store.all_frame(ProjectFilter(statuses=PUBLIC_STATUSES))
    producers = producers[producers["id"].isin(commun.produced_by)]
    return CommunPage(
        commun, reusing, _communes(reusing, territories),
        places(reusing, territories, ("region", "departement")), producers,
    )  # fmt: skip


def bounds(frame: pd.DataFrame) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` around the projects (a little room around one)."""
    if frame.empty:
        return None
    lat, lon = frame["lat"].astype(float), frame["lon"].astype(float)
    # Metropolitan France when it holds some of them: an overseas point would zoom the map out
    # to the whole globe (it stays on the map, and the territories' list names it).
    mainland = lat.between(41.2, 51.2) & lon.between(-5.3, 9.7)
    if mainland.any():
        lat, lon = lat[mainland], lon[mainland]
    pad = 0.15
    return [[lat.min() - pad, lon.min() - pad], [lat.max() + pad, lon.max() + pad]]
