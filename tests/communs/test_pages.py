"""What the actor and commun pages gather, without Streamlit: the actors' index search."""

from __future__ import annotations

from geo.communs.pages import find_actors
from geo.store.actors import ActorRow


def actor(ident: int, name: str, kind: str) -> ActorRow:
    return ActorRow(id=ident, name=name, type=kind, siren=None, website=None, seat=None,
                    vetted=True)  # fmt: skip


ACTORS = [
    actor(1, "Énergie Partagée", "association"),
    actor(2, "Coopérative Énergies du Grésivaudan", "cooperative"),
    actor(3, "Commune de Crolles", "collectivite"),
]


def test_every_word_of_the_search_is_in_the_name_case_and_accents_aside() -> None:
    assert [a.id for a in find_actors(ACTORS, "energie")] == [1, 2]
    assert [a.id for a in find_actors(ACTORS, "ÉNERGIES grésivaudan")] == [2]
    assert [a.id for a in find_actors(ACTORS, "  ")] == [1, 2, 3]
    assert find_actors(ACTORS, "chaufferie") == []


def test_types_narrow_the_list_and_combine_with_the_words() -> None:
    assert [a.id for a in find_actors(ACTORS, types=["collectivite"])] == [3]
    assert [a.id for a in find_actors(ACTORS, "energie", ["cooperative", "collectivite"])] == [2]
