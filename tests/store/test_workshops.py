"""Workshop sessions in the store: codes, participants' ideas as numbered proposals inside
the session's territory, limits, what changed since a version, hiding, closing, handing over
to the moderators' inbox."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from store_helpers import fake_locate

from geo.errors import EditDeniedError, ProjectValidationError, WorkshopError
from geo.settings import get_settings
from geo.store.identity import Operator
from geo.store.project_store import ProjectFilter, ProjectStore
from geo.store.workshops import CODE_ALPHABET, CODE_LENGTH, normalise_code
from geo.territory import TerritoryRef

OPERATOR = Operator("essai")
METRO = TerritoryRef("epci", "200040715")
IDEA = {"title": "Des bornes au marché", "summary": "Pour les artisans", "themes": ["mobilite"],
        "lat": 45.19, "lon": 5.72}  # fmt: skip


@pytest.fixture
def store(store_url: str, tmp_path: Path) -> ProjectStore:
    settings = get_settings({"GEO_DATA_DIR": str(tmp_path)}, secrets={})
    opened = ProjectStore(store_url, settings=settings,
                          locate=fake_locate)  # fmt: skip
    yield opened
    opened.close()


@pytest.fixture
def session(store: ProjectStore) -> tuple[str, str]:
    """(code, the tour's key) of an open session on Grenoble-Alpes Métropole."""
    tour_id, token = store.tours.create("Atelier mobilité", territory=str(METRO))
    opened = store.workshops.open(tour_id, territory=METRO, per_minute=3, cap=5, token=token)
    return opened.code, token


def test_codes_are_six_unambiguous_characters(store: ProjectStore) -> None:
    tour_id, token = store.tours.create("Atelier")
    codes = {store.workshops.open(tour_id, territory=METRO, per_minute=3, cap=5,
                                  token=token).code for _ in range(20)}  # fmt: skip
    assert len(codes) == 20
    for code in codes:
        assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
    assert not set("0O1IL2Z5S8B") & set(CODE_ALPHABET)
    assert normalise_code(" ac d\tef ") == "ACDEF"


def test_an_idea_becomes_a_numbered_proposal_never_public(
    store: ProjectStore, session: tuple[str, str]
) -> None:
    code, _ = session
    first = store.workshops.contribute(code.lower(), IDEA, participant="p1", name=" Camille ")
    second = store.workshops.contribute(code, IDEA | {"title": "Un vélobus"}, participant="p2")
    assert (first.number, second.number) == (1, 2)
    project = store.get(first.project_id)
    assert project.status == "propose" and project.stage == "idee"
    assert (project.source, project.external_id) == ("atelier", f"{code}-1")
    assert project.code_epci == "200040715"
    assert store.count(ProjectFilter(statuses=("publie",))) == 0
    (created,) = [e for e in store.audit(first.project_id) if e.action == "create"]
    assert created.actor == f"atelier:{code}"
    room = store.workshops.changes(code)
    assert [(i.number, i.title, i.name) for i in room.items] == [
        (1, "Des bornes au marché", "Camille"), (2, "Un vélobus", None)
    ]  # fmt: skip


def test_every_problem_of_an_idea_is_said_at_once_and_nothing_is_stored(
    store: ProjectStore, session: tuple[str, str]
) -> None:
    code, _ = session
    with pytest.raises(ProjectValidationError) as raised:
        store.workshops.contribute(code, {"title": "", "themes": [], "lat": 45.19, "lon": 5.72},
                                   participant="p1")  # fmt: skip
    assert {"title", "themes"} <= set(raised.value.errors)
    with pytest.raises(ProjectValidationError, match="hors du territoire"):
        store.workshops.contribute(code, IDEA | {"lat": 48.85, "lon": 2.35}, participant="p1")
    with pytest.raises(ProjectValidationError, match="80 au plus"):
        store.workshops.contribute(code, IDEA, participant="p1", name="n" * 81)
    assert store.count() == 0 and store.workshops.changes(code).version == 0


def test_limits_per_participant_per_minute_and_per_session(
    store: ProjectStore, session: tuple[str, str]
) -> None:
    code, _ = session
    for _ in range(3):
        store.workshops.contribute(code, IDEA, participant="rapide")
    with pytest.raises(WorkshopError, match="dans la dernière minute"):
        store.workshops.contribute(code, IDEA, participant="rapide")
    store.workshops.contribute(code, IDEA, participant="autre")
    store.workshops.contribute(code, IDEA, participant="encore")
    with pytest.raises(WorkshopError, match="reçu 5 idées : c'est le maximum"):
        store.workshops.contribute(code, IDEA, participant="dernier")
    assert store.count() == 5


@pytest.mark.parametrize("code", ["", "ABC", "AAAAAAA", "OOOOOO", "<b>x</b>", "AC DE F9"])
def test_unknown_codes_are_said_in_french(store: ProjectStore, code: str) -> None:
    with pytest.raises(WorkshopError, match="code d'atelier est inconnu"):
        store.workshops.contribute(code, IDEA, participant="p")
    with pytest.raises(WorkshopError, match="inconnu"):
        store.workshops.by_code(code)


def test_a_closed_session_refuses_ideas_and_can_reopen(
    store: ProjectStore, session: tuple[str, str]
) -> None:
    code, token = session
    with pytest.raises(EditDeniedError):
        store.workshops.close(code, token="faux")
    closed = store.workshops.close(code, token=token)
    assert not closed.open and closed.closed_at is not None
    with pytest.raises(WorkshopError, match="atelier est clos"):
        store.workshops.contribute(code, IDEA, participant="p")
    assert store.workshops.changes(code).status == "fermee"
    assert store.workshops.reopen(code, token=token).open
    store.workshops.contribute(code, IDEA, participant="p")


def test_changes_since_a_version_are_only_what_changed(
    store: ProjectStore, session: tuple[str, str]
) -> None:
    code, token = session
    store.workshops.contribute(code, IDEA, participant="p1")
    store.workshops.contribute(code, IDEA, participant="p2")
    seen = store.workshops.changes(code)
    assert seen.version == 2 and len(seen.items) == 2
    assert store.workshops.changes(code, seen.version).items == ()  # nothing new
    store.workshops.contribute(code, IDEA | {"title": "Troisième"}, participant="p3")
    store.workshops.hide(code, 1, token=token)
    later = store.workshops.changes(code, seen.version)
    assert sorted((i.number, i.hidden) for i in later.items) == [(1, True), (3, False)]
    store.workshops.hide(code, 1, False, token=token)
    assert [(i.number, i.hidden) for i in store.workshops.changes(code, later.version).items] == [
        (1, False)
    ]
    with pytest.raises(WorkshopError, match="n° 9 n'existe pas"):
        store.workshops.hide(code, 9, token=token)


def test_ideas_wait_in_the_room_until_handed_to_moderation(
    store: ProjectStore, session: tuple[str, str]
) -> None:
    code, token = session
    store.moderators.add("camille", operator=OPERATOR)
    moderator = store.moderators.session_for("camille", operator=OPERATOR)
    visible = store.workshops.contribute(code, IDEA, participant="p1")
    hidden = store.workshops.contribute(code, IDEA | {"title": "Blague"}, participant="p2")
    store.workshops.hide(code, hidden.number, token=token)
    form, _ = store.add({"title": "Par le formulaire", "themes": ["energie"], "lat": 45.19,
                         "lon": 5.72}, actor="formulaire")  # fmt: skip
    assert [i.id for i in store.moderation.inbox(moderator)] == [form]
    with pytest.raises(EditDeniedError):
        store.workshops.hand_over(code, token="faux")
    assert store.workshops.hand_over(code, token=token) == 1
    assert store.workshops.hand_over(code, token=token) == 0  # nothing left to hand over
    assert sorted(i.id for i in store.moderation.inbox(moderator)) == sorted(
        [form, visible.project_id]
    )
    handed = {i.number: i.handed for i in store.workshops.changes(code).items}
    assert handed == {1: True, 2: False}
    entries = [e for e in store.audit(visible.project_id) if e.action == "atelier_remise"]
    assert entries and entries[0].actor == "auteur du parcours"


def test_the_facilitators_export_has_every_idea_with_its_project(
    store: ProjectStore, session: tuple[str, str]
) -> None:
    code, token = session
    store.workshops.contribute(code, IDEA, participant="p1", name="Camille")
    store.workshops.contribute(code, IDEA | {"title": "Deux"}, participant="p2")
    store.workshops.hide(code, 2, token=token)
    rows = store.workshops.contributions(code, token=token)
    assert [(item.number, item.hidden, project.title) for item, project in rows] == [
        (1, False, "Des bornes au marché"), (2, True, "Deux")
    ]  # fmt: skip
    with pytest.raises(EditDeniedError):
        store.workshops.contributions(code, token=None)


def test_deleting_the_tour_sends_its_ideas_to_the_inbox(
    store: ProjectStore, session: tuple[str, str]
) -> None:
    code, token = session
    store.moderators.add("camille", operator=OPERATOR)
    moderator = store.moderators.session_for("camille", operator=OPERATOR)
    idea = store.workshops.contribute(code, IDEA, participant="p1")
    tour_id = store.workshops.by_code(code).tour_id
    store.tours.delete(tour_id, token=token)
    assert [i.id for i in store.moderation.inbox(moderator)] == [idea.project_id]
    with pytest.raises(WorkshopError):
        store.workshops.by_code(code)


def test_concurrent_participants_get_distinct_numbers(
    store: ProjectStore, session: tuple[str, str]
) -> None:
    code, token = session
    tour_id = store.workshops.by_code(code).tour_id
    big = store.workshops.open(tour_id, territory=METRO, per_minute=3, cap=100, token=token)
    errors: list[BaseException] = []

    def participant(n: int) -> None:
        try:
            store.workshops.contribute(big.code, IDEA | {"title": f"Idée {n}"},
                                       participant=f"p{n}")  # fmt: skip
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=participant, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(i.number for i in store.workshops.changes(big.code).items)
    assert numbers == list(range(1, 13))


def test_several_ideas_are_hidden_at_once_in_one_change(
    store: ProjectStore, session: tuple[str, str]
) -> None:
    code, token = session
    for n in range(4):
        store.workshops.contribute(code, IDEA | {"title": f"Idée {n + 1}"}, participant=f"p{n}")
    before = store.workshops.changes(code).version
    hidden = store.workshops.hide_many(code, [3, 1, 3], token=token)
    assert [(i.number, i.hidden) for i in hidden] == [(1, True), (3, True)]
    later = store.workshops.changes(code, before)
    assert later.version == before + 1  # one change of the session, whatever the count
    assert sorted(i.number for i in later.items) == [1, 3]
    assert [i.number for i in store.workshops.changes(code).items if not i.hidden] == [2, 4]
    entries = [e.action for e in store.audit(hidden[0].project_id)]
    assert "atelier_masquage" in entries
    shown = store.workshops.hide_many(code, [1, 2], False, token=token)  # 2 was visible
    assert [(i.number, i.hidden) for i in shown] == [(1, False), (2, False)]
    with pytest.raises(WorkshopError, match="Les idées n° 8, n° 9 n'existent pas"):
        store.workshops.hide_many(code, [2, 8, 9], token=token)
    assert not store.workshops.changes(code).items[1].hidden  # refused whole: 2 unchanged
    with pytest.raises(EditDeniedError):
        store.workshops.hide_many(code, [2], token="faux")
    assert store.workshops.hide_many(code, [], token=token) == []


def test_a_blocked_device_sends_no_further_idea(
    store: ProjectStore, session: tuple[str, str]
) -> None:
    code, token = session
    store.workshops.contribute(code, IDEA, participant="troll")
    store.workshops.contribute(code, IDEA, participant="p2")
    store.workshops.contribute(code, IDEA | {"title": "Encore"}, participant="troll")
    items = store.workshops.changes(code).items
    assert [(i.number, i.device, i.blocked) for i in items] == [
        (1, 1, False), (2, 2, False), (3, 1, False)
    ]  # fmt: skip
    before = store.workshops.changes(code).version
    with pytest.raises(EditDeniedError):
        store.workshops.block(code, 3, token="faux")
    theirs = store.workshops.block(code, 3, token=token)
    assert [(i.number, i.blocked, i.hidden) for i in theirs] == [(1, True, False),
                                                                 (3, True, False)]  # fmt: skip
    assert store.workshops.is_blocked(code, "troll") and not store.workshops.is_blocked(code, "p2")
    # The room's screen sees the change of both ideas of that device.
    assert sorted(i.number for i in store.workshops.changes(code, before).items) == [1, 3]
    with pytest.raises(WorkshopError, match="L'animateur a bloqué les idées de ce téléphone"):
        store.workshops.contribute(code, IDEA, participant="troll")
    store.workshops.contribute(code, IDEA, participant="p2")  # others still send
    # Per session: the same phone sends to another workshop.
    tour_id = store.workshops.by_code(code).tour_id
    other = store.workshops.open(tour_id, territory=METRO, per_minute=3, cap=5, token=token)
    store.workshops.contribute(other.code, IDEA, participant="troll")
    assert store.workshops.block(code, 1, token=token)[0].blocked  # twice: still blocked
    store.workshops.block(code, 1, False, token=token)
    store.workshops.contribute(code, IDEA, participant="troll")
    assert [e.action for e in store.audit(theirs[1].project_id)].count("atelier_blocage") == 1
    with pytest.raises(WorkshopError, match="n° 9 n'existe pas"):
        store.workshops.block(code, 9, token=token)
    store.tours.delete(tour_id, token=token)  # the blocks go with the sessions


def test_the_device_secret_is_made_once_and_shared(store: ProjectStore, store_url: str) -> None:
    secret = store.workshops.device_secret()
    assert len(secret) == 64 and secret == store.workshops.device_secret()
    other = ProjectStore(store_url, locate=fake_locate)  # another process of the deployment
    try:
        assert other.workshops.device_secret() == secret
    finally:
        other.close()
