"""What the holder of an edit link learns after a refusal (:func:`geo.store.contributions.refusal`):
the moderator's reason for a refused project or a refused change, nothing once it is answered;
a refused project corrected goes back to the inbox, sent again unchanged it stays refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from store_helpers import fake_locate, project

from geo.errors import EditDeniedError
from geo.settings import get_settings
from geo.store.contributions import refusal
from geo.store.identity import Moderator, Operator
from geo.store.project_store import ProjectStore

OPERATOR = Operator("essai")


@pytest.fixture
def store(store_url: str, tmp_path: Path) -> ProjectStore:
    settings = get_settings({"GEO_DATA_DIR": str(tmp_path)}, secrets={})
    opened = ProjectStore(store_url, settings=settings, locate=fake_locate)
    yield opened
    opened.close()


def _moderator(store: ProjectStore) -> Moderator:
    password = store.moderators.add("camille", operator=OPERATOR)
    return store.moderators.log_in("camille", password)


def test_a_refused_project_gives_its_reason_until_it_is_corrected(store: ProjectStore) -> None:
    pid, token = store.add(project(), actor="formulaire")
    assert refusal(store, pid, token=token) is None
    moderator = _moderator(store)
    store.moderation.reject(pid, "Ajoutez le site de la coopérative.", moderator)
    refused = refusal(store, pid, token=token)
    assert refused is not None and refused.reason == "Ajoutez le site de la coopérative."
    assert refused.proposed is None and refused.at.tzinfo is not None

    same = store.submit_change(pid, project(), token=token)
    assert same.kind == "unchanged" and store.get(pid).status == "refuse"
    assert store.moderation.inbox(moderator) == []

    done = store.submit_change(pid, project(website="https://toits.exemple.fr"), token=token)
    assert done.kind == "updated" and done.project.status == "propose"
    assert refusal(store, pid, token=token) is None
    assert [item.id for item in store.moderation.inbox(moderator)] == [pid]


def test_an_operator_refusal_has_no_reason_but_is_said(store: ProjectStore) -> None:
    pid, token = store.add(project(), actor="formulaire")
    store.set_status(pid, "refuse", operator=OPERATOR)
    refused = refusal(store, pid, token=token)
    assert refused is not None and refused.reason is None


def test_a_refused_change_is_given_back_until_another_is_proposed(store: ProjectStore) -> None:
    pid, token = store.add(project(), actor="formulaire")
    store.set_status(pid, "publie", operator=OPERATOR)
    moderator = _moderator(store)
    store.submit_change(pid, {"title": "Toits solaires de la métropole"}, token=token)
    store.moderation.reject(pid, "Gardez le nom local.", moderator)
    refused = refusal(store, pid, token=token)
    assert refused is not None and refused.reason == "Gardez le nom local."
    assert refused.proposed is not None
    assert refused.proposed.title == "Toits solaires de la métropole"
    assert store.get(pid).title == "Toits solaires citoyens"
    again = store.submit_change(pid, {"title": "Toits solaires citoyens (métropole)"},
                                token=token)  # fmt: skip
    assert again.kind == "pending" and refusal(store, pid, token=token) is None
    store.moderation.approve(pid, moderator)
    assert refusal(store, pid, token=token) is None


def test_the_reason_is_only_for_the_token_holder(store: ProjectStore) -> None:
    pid, _ = store.add(project(), actor="formulaire")
    _, other = store.add(project(title="Autre"), actor="formulaire")
    with pytest.raises(EditDeniedError):
        refusal(store, pid, token=other)
