"""Tours in the store: created with a private key, edited by it or a moderator only, stops
ordered, duplicated, deleted, every change in the audit log."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from store_helpers import fake_locate

from geo.errors import EditDeniedError, TourError, TourNotFoundError
from geo.settings import get_settings
from geo.store.db import tours
from geo.store.identity import Moderator, Operator
from geo.store.project_store import ProjectStore
from geo.store.tours import NOTE_MAX, TITLE_MAX

OPERATOR = Operator("essai")
GRENOBLE = {"territoire": "epci:200040715", "themes": "energie"}


@pytest.fixture
def store(store_url: str, tmp_path: Path) -> ProjectStore:
    settings = get_settings({"GEO_DATA_DIR": str(tmp_path)}, secrets={})
    opened = ProjectStore(store_url, settings=settings,
                          locate=fake_locate)  # fmt: skip
    yield opened
    opened.close()


def three_stops(store: ProjectStore, token: str, tour_id: int) -> list[int]:
    ids = []
    for title in ("Les toits", "Le vent", "Les vélos"):
        stop = store.tours.add_stop(
            tour_id, kind="explorer", title=title, note=f"*{title}*", params=GRENOBLE, token=token
        )
        ids.append(stop.id)
    return ids


def test_a_tour_is_created_as_a_draft_with_a_private_key_stored_hashed(
    store: ProjectStore,
) -> None:
    tour_id, token = store.tours.create("  Atelier   PCAET  ", territory="epci:200040715")
    tour = store.tours.get(tour_id)
    assert (tour.title, tour.territory, tour.status, tour.stops) == (
        "Atelier PCAET", "epci:200040715", "brouillon", ()
    )  # fmt: skip
    assert len(token) >= 40 and store.tours.verify(tour_id, token)
    assert not store.tours.verify(tour_id, token + "x") and not store.tours.verify(tour_id, "")
    with store.engine.connect() as connection:
        stored = connection.execute(sa.select(tours.c.token_hash)).scalar_one()
    assert token not in stored and len(stored) == 64


def test_stops_keep_their_order_title_note_and_view(store: ProjectStore) -> None:
    tour_id, token = store.tours.create("Parcours")
    first, second, third = three_stops(store, token, tour_id)
    tour = store.tours.get(tour_id)
    assert [(s.position, s.title) for s in tour.stops] == [
        (1, "Les toits"), (2, "Le vent"), (3, "Les vélos"),
    ]  # fmt: skip
    assert tour.stops[0].params == GRENOBLE and tour.stops[0].note == "*Les toits*"
    moved = store.tours.move_stop(tour_id, third, -2, token=token)
    assert [s.id for s in moved.stops] == [third, first, second]
    assert [s.position for s in moved.stops] == [1, 2, 3]
    # Past either end, a stop stays at that end.
    assert [s.id for s in store.tours.move_stop(tour_id, third, -5, token=token).stops][0] == third
    store.tours.update_stop(tour_id, first, title="Toits solaires", note="Deux écoles", token=token)
    remaining = store.tours.delete_stop(tour_id, second, token=token)
    assert [(s.position, s.title) for s in remaining.stops] == [(1, "Les vélos"),
                                                                (2, "Toits solaires")]  # fmt: skip
    assert remaining.stops[1].note == "Deux écoles"


def test_only_the_key_a_moderator_or_an_operator_may_change_a_tour(
    store: ProjectStore,
) -> None:
    tour_id, token = store.tours.create("Parcours")
    other_id, other_token = store.tours.create("Un autre")
    stop = store.tours.add_stop(
        tour_id, kind="portrait", title="Portrait", params={"territoire": "commune:38185"},
        token=token,
    )  # fmt: skip
    for attempt in (
        lambda: store.tours.rename(tour_id, "Pirate"),
        lambda: store.tours.rename(tour_id, "Pirate", token=other_token),
        lambda: store.tours.add_stop(
            tour_id, kind="explorer", title="x", params={}, token="faux"
        ),  # fmt: skip
        lambda: store.tours.delete_stop(tour_id, stop.id, token=other_token),
        lambda: store.tours.delete(tour_id, token=None),
        lambda: store.tours.duplicate(tour_id, token=other_token),
        lambda: store.tours.set_status(tour_id, "publie", moderator=Moderator("x", "faux")),
    ):
        with pytest.raises(EditDeniedError):
            attempt()
    assert store.tours.get(tour_id).title == "Parcours" and len(store.tours.get(tour_id).stops) == 1
    # A moderator's real session, and an operator, may.
    store.moderators.add("camille", operator=OPERATOR)
    moderator = store.moderators.session_for("camille", operator=OPERATOR)
    assert store.tours.rename(tour_id, "Par la modération", moderator=moderator).title == (
        "Par la modération"
    )
    assert store.tours.set_status(other_id, "publie", operator=OPERATOR).published
    assert store.tours.may_edit(tour_id, token=token)
    assert store.tours.may_edit(tour_id, moderator=moderator)
    assert not store.tours.may_edit(tour_id, token=other_token)
    assert not store.tours.may_edit(999, token=token)


def test_duplicate_copies_the_stops_into_a_draft_with_its_own_key(store: ProjectStore) -> None:
    tour_id, token = store.tours.create("Parcours")
    three_stops(store, token, tour_id)
    store.tours.set_status(tour_id, "publie", token=token)
    copy_id, copy_token = store.tours.duplicate(tour_id, token=token)
    copy = store.tours.get(copy_id)
    assert copy.title == "Copie de Parcours" and copy.status == "brouillon"
    assert copy.copied_from == tour_id
    assert [s.title for s in copy.stops] == ["Les toits", "Le vent", "Les vélos"]
    assert store.tours.verify(copy_id, copy_token) and not store.tours.verify(copy_id, token)
    # Editing the copy leaves the original alone.
    store.tours.delete_stop(copy_id, copy.stops[0].id, token=copy_token)
    assert len(store.tours.get(tour_id).stops) == 3


def test_delete_removes_the_tour_and_its_stops(store: ProjectStore) -> None:
    tour_id, token = store.tours.create("Parcours")
    three_stops(store, token, tour_id)
    store.tours.delete(tour_id, token=token)
    with pytest.raises(TourNotFoundError, match="Aucun parcours"):
        store.tours.get(tour_id)
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT COUNT(*) FROM tour_stops").scalar_one() == 0


@pytest.mark.parametrize(
    ("title", "note", "expected"),
    [
        ("", "", "est vide"),
        ("   ", "", "est vide"),
        ("x" * (TITLE_MAX + 1), "", f"{TITLE_MAX} au plus"),
        ("Titre", "n" * (NOTE_MAX + 1), f"{NOTE_MAX} au plus"),
    ],
)
def test_bad_titles_and_notes_are_refused_in_french(
    store: ProjectStore, title: str, note: str, expected: str
) -> None:
    tour_id, token = store.tours.create("Parcours")
    with pytest.raises(TourError, match=expected):
        store.tours.add_stop(tour_id, kind="explorer", title=title, note=note, params={},
                             token=token)  # fmt: skip
    assert store.tours.get(tour_id).stops == ()


def test_a_note_is_stored_as_typed_less_invisible_controls(store: ProjectStore) -> None:
    tour_id, token = store.tours.create("Parcours")
    note = "<script>alert(1)</script>\n\n**gras** \u202eà l'envers"
    stop = store.tours.add_stop(tour_id, kind="explorer", title="T", note=note, params={},
                                token=token)  # fmt: skip
    assert stop.note == "<script>alert(1)</script>\n\n**gras** à l'envers"


def test_unknown_kind_and_status_are_refused(store: ProjectStore) -> None:
    tour_id, token = store.tours.create("Parcours")
    with pytest.raises(TourError, match="Type d'arrêt inconnu"):
        store.tours.add_stop(tour_id, kind="carte", title="T", params={}, token=token)
    with pytest.raises(TourError, match="Statut de parcours inconnu"):
        store.tours.set_status(tour_id, "public", token=token)


def test_every_change_is_in_the_tours_history(store: ProjectStore) -> None:
    tour_id, token = store.tours.create("Parcours")
    first, *_ = three_stops(store, token, tour_id)
    store.tours.rename(tour_id, "Parcours du PCAET", token=token)
    store.tours.move_stop(tour_id, first, 1, token=token)
    store.tours.set_status(tour_id, "publie", token=token)
    store.tours.rename(tour_id, "Parcours du PCAET", token=token)  # no change: no entry
    actions = [(e.actor, e.action) for e in store.tours.history(tour_id)]
    assert actions == [
        ("auteur du parcours", "parcours_creation"),
        *[("auteur du parcours", "arret_ajout")] * 3,
        ("auteur du parcours", "parcours_titre"),
        ("auteur du parcours", "arret_deplacement"),
        ("auteur du parcours", "parcours_statut"),
    ]
    renamed = store.tours.history(tour_id)[4]
    assert renamed.before == {"title": "Parcours"} and renamed.after == {
        "title": "Parcours du PCAET"
    }
    assert store.audit() and all(e.project_id is None for e in store.audit())
