"""Moderation in the store: accounts and sessions, scopes enforced in queries and actions,
pending revisions of published projects, reports, merges, batches, the audit trail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from store_helpers import POSTGRESQL_ONLY_COLUMNS, fake_locate, project

from geo.errors import EditDeniedError, LoginError, ModerationError, ProjectValidationError
from geo.settings import get_settings
from geo.store.db import metadata, moderators
from geo.store.identity import Moderator, Operator
from geo.store.moderation import InboxFilter
from geo.store.moderators import FIRST_DELAY, FREE_FAILURES, LoginThrottle, lock_delay
from geo.store.project_store import ProjectFilter, ProjectStore
from geo.territory import TerritoryRef

OPERATOR = Operator("essai")
ISERE = TerritoryRef("departement", "38")
PARIS = {"lat": 48.8566, "lon": 2.3522}


@pytest.fixture
def store(store_url: str, tmp_path: Path) -> ProjectStore:
    settings = get_settings({"GEO_DATA_DIR": str(tmp_path)}, secrets={})
    opened = ProjectStore(store_url, settings=settings,
                          locate=fake_locate)  # fmt: skip
    yield opened
    opened.close()


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def moderator(store: ProjectStore, name: str = "camille", scopes=()) -> Moderator:
    password = store.moderators.add(name, scopes, operator=OPERATOR)
    assert password is not None
    return store.moderators.log_in(name, password)


def proposed(store: ProjectStore, **changes: object) -> tuple[int, str]:
    return store.add(project(**changes), actor="formulaire")


def published(store: ProjectStore, admin: Moderator, **changes: object) -> tuple[int, str]:
    pid, token = proposed(store, **changes)
    store.moderation.approve(pid, admin)
    return pid, token


def inbox_ids(store: ProjectStore, who: Moderator, **criteria: object) -> list[int]:
    return [item.id for item in store.moderation.inbox(who, InboxFilter(**criteria))]


# --- accounts, passwords, sessions -------------------------------------------------------------


def test_no_account_exists_until_an_operator_adds_one(store: ProjectStore) -> None:
    assert store.moderators.list() == []
    assert not store.moderators.any_password_account()
    for name, password in [("admin", "admin"), ("moderateur", ""), ("", "")]:
        with pytest.raises(LoginError, match="incorrect"):
            store.moderators.log_in(name, password)
    with pytest.raises(EditDeniedError, match="opérateur"):
        store.moderators.add("camille", operator="essai")  # type: ignore[arg-type]


def test_only_the_password_hash_is_stored(store: ProjectStore) -> None:
    password = store.moderators.add("camille", [ISERE], operator=OPERATOR)
    assert password and len(password) >= 20
    with store.engine.connect() as connection:
        stored = connection.execute(sa.select(moderators.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and password not in stored
    (account,) = store.moderators.list()
    assert (account.name, account.scopes, account.oidc) == ("camille", (ISERE,), False)
    assert store.moderators.log_in("camille", password).name == "camille"
    with pytest.raises(ModerationError, match="déjà"):
        store.moderators.add("camille", operator=OPERATOR)


def test_wrong_passwords_lock_the_account_for_a_growing_delay(store: ProjectStore) -> None:
    clock = Clock()
    store.moderators.clock = clock
    password = store.moderators.add("camille", operator=OPERATOR)
    for _ in range(FREE_FAILURES - 1):
        with pytest.raises(LoginError, match="incorrect"):
            store.moderators.log_in("camille", "devine")
    with pytest.raises(LoginError, match="incorrect"):
        store.moderators.log_in("camille", "devine")  # this one starts the delay
    with pytest.raises(LoginError, match="Trop de tentatives") as locked:
        store.moderators.log_in("camille", password)  # even the right one, unchecked
    assert locked.value.retry_after == pytest.approx(FIRST_DELAY)
    clock.advance(seconds=FIRST_DELAY + 1)
    with pytest.raises(LoginError, match="incorrect"):
        store.moderators.log_in("camille", "encore")
    with pytest.raises(LoginError) as longer:
        store.moderators.log_in("camille", password)
    assert longer.value.retry_after == pytest.approx(2 * FIRST_DELAY)
    clock.advance(seconds=2 * FIRST_DELAY + 1)
    assert store.moderators.log_in("camille", password).name == "camille"
    with pytest.raises(LoginError, match="incorrect"):  # the count started again
        store.moderators.log_in("camille", "devine")


def test_the_session_throttle_grows_the_same_way() -> None:
    now = [100.0]
    throttle = LoginThrottle(clock=lambda: now[0])
    for _ in range(FREE_FAILURES):
        assert throttle.refuse() is None
        throttle.failed()
    refused = throttle.refuse()
    assert refused is not None and "réessayez dans 5 s" in str(refused)
    now[0] += FIRST_DELAY
    assert throttle.refuse() is None
    throttle.failed()
    assert throttle.refuse().retry_after == pytest.approx(2 * FIRST_DELAY)
    assert lock_delay(100) == 900.0
    throttle.succeeded()
    assert throttle.refuse() is None


def test_sessions_expire_after_idle_minutes_and_end_at_logout(store: ProjectStore) -> None:
    clock = Clock()
    store.moderators.clock = clock
    me = moderator(store)
    clock.advance(minutes=50)
    assert store.moderation.count(me) == 0  # in use: the expiry slides
    clock.advance(minutes=50)
    assert store.moderation.count(me) == 0
    clock.advance(minutes=61)
    with pytest.raises(EditDeniedError, match="expiré après 60 minutes"):
        store.moderation.count(me)
    with pytest.raises(EditDeniedError, match="reconnectez-vous"):
        store.moderation.count(me)  # an expired session is not revived by trying again
    again = store.moderators.log_in("camille", _reset_password(store, "camille"))
    store.moderators.log_out(again)
    with pytest.raises(EditDeniedError, match="plus valable"):
        store.moderation.count(again)  # a session token reused after logout


def _reset_password(store: ProjectStore, name: str) -> str:
    scopes = next(a.scopes for a in store.moderators.list() if a.name == name)
    store.moderators.remove(name, operator=OPERATOR)
    password = store.moderators.add(name, scopes, operator=OPERATOR)
    assert password is not None
    return password


def test_forged_or_revoked_moderators_are_refused(store: ProjectStore) -> None:
    me = moderator(store)
    pid, _ = proposed(store)
    forged = [Moderator("camille", "x" * 43), Moderator("dominique", me.session), "camille",
              Operator("camille"), None]  # fmt: skip
    for who in forged:
        with pytest.raises(EditDeniedError):
            store.moderation.approve(pid, who)  # type: ignore[arg-type]
    store.moderators.remove("camille", operator=OPERATOR)
    with pytest.raises(EditDeniedError, match="plus valable"):
        store.moderation.approve(pid, me)
    assert store.get(pid).status == "propose"


def test_oidc_accounts_log_in_by_their_email_only(store: ProjectStore) -> None:
    assert store.moderators.add("camille@exemple.fr", operator=OPERATOR, oidc=True) is None
    assert store.moderators.log_in_oidc("Camille@Exemple.fr").name == "camille@exemple.fr"
    with pytest.raises(LoginError, match="incorrect"):
        store.moderators.log_in("camille@exemple.fr", "")
    with pytest.raises(LoginError, match="moderators add inconnu@exemple.fr --oidc"):
        store.moderators.log_in_oidc("inconnu@exemple.fr")
    store.moderators.add("dominique", operator=OPERATOR)
    with pytest.raises(LoginError, match="n'est pas modérateur"):
        store.moderators.log_in_oidc("dominique")  # a password account is not an OIDC one


# --- scopes ------------------------------------------------------------------------------------


def test_a_moderator_scoped_to_isere_never_sees_nor_decides_paris(store: ProjectStore) -> None:
    isere = moderator(store, "isere", [ISERE])
    everywhere = moderator(store, "france")
    grenoble, _ = proposed(store)
    paris, _ = proposed(store, title="Chaleur de Paris", **PARIS)
    assert inbox_ids(store, isere) == [grenoble]
    assert store.moderation.count(isere) == 1
    assert sorted(inbox_ids(store, everywhere)) == [grenoble, paris]
    for action in (
        lambda: store.moderation.approve(paris, isere),
        lambda: store.moderation.reject(paris, "hors sujet", isere),
        lambda: store.moderation.archive(paris, isere),
        lambda: store.moderation.edit(paris, {"title": "Autre"}, isere),
        lambda: store.moderation.get(paris, isere),
        lambda: store.moderation.history(paris, isere),
        lambda: store.moderation.merge(grenoble, paris, isere),
    ):
        with pytest.raises(EditDeniedError, match="hors de votre territoire"):
            action()
    assert store.get(paris).status == "propose"
    assert store.get(grenoble).status == "propose"
    assert store.moderation.approve(grenoble, isere).status == "publie"
    # A new scope applies to the open session at once.
    store.moderators.set_scopes("isere", [TerritoryRef("departement", "75")], operator=OPERATOR)
    assert inbox_ids(store, isere) == [paris]


def test_a_revision_moving_a_project_out_of_scope_is_not_approved_there(
    store: ProjectStore,
) -> None:
    isere = moderator(store, "isere", [ISERE])
    pid, token = published(store, moderator(store, "france"))
    store.submit_change(pid, PARIS, token=token)
    assert inbox_ids(store, isere) == [pid]  # still theirs to see (published in Isère)
    with pytest.raises(EditDeniedError, match="hors de votre territoire"):
        store.moderation.approve(pid, isere)
    with pytest.raises(EditDeniedError, match="hors de votre territoire"):
        store.moderation.edit(pid, {"lat": 48.85, "lon": 2.35}, isere)
    assert store.get(pid).code_departement == "38"


def test_inbox_filters_and_order(store: ProjectStore) -> None:
    clock = Clock()
    clock.now = datetime.now(UTC)
    store.moderators.clock = clock
    me = moderator(store)
    first, _ = proposed(store, title="Vélos de Grenoble", themes=["mobilite"],
                        categories=["velo"])  # fmt: skip
    second, _ = proposed(store, title="Chaleur de Paris", **PARIS)
    assert inbox_ids(store, me) == [first, second]  # oldest first
    assert inbox_ids(store, me, themes=("mobilite",)) == [first]
    assert inbox_ids(store, me, territory=TerritoryRef("commune", "75056")) == [second]
    assert inbox_ids(store, me, min_days=1) == []
    clock.advance(days=2)
    later = moderator(store, "dominique")  # two days later: a new session
    assert inbox_ids(store, later, min_days=1) == [first, second]


# --- revisions of published projects -----------------------------------------------------------


def test_a_change_of_a_published_project_waits_and_the_published_text_stays(
    store: ProjectStore,
) -> None:
    me = moderator(store)
    pid, token = published(store, me, title="Toits solaires citoyens")
    outcome = store.submit_change(pid, {"title": "Toits solaires, saison 2"}, token=token)
    assert outcome.kind == "pending" and outcome.revision_id
    public = store.query(ProjectFilter(statuses=("publie",))).items
    assert [p.title for p in public] == ["Toits solaires citoyens"]
    assert store.pending_change(pid, token=token).title == "Toits solaires, saison 2"
    (item,) = store.moderation.inbox(me)
    assert item.kinds == ("modification",)
    assert item.project.title == "Toits solaires citoyens"
    assert item.revision.project.title == "Toits solaires, saison 2"
    # A second change replaces the first one waiting.
    store.submit_change(pid, {"title": "Toits solaires, saison 3"}, token=token)
    (item,) = store.moderation.inbox(me)
    assert item.revision.project.title == "Toits solaires, saison 3"
    assert store.moderation.approve(pid, me).title == "Toits solaires, saison 3"
    assert store.get(pid).status == "publie"
    assert store.moderation.inbox(me) == []
    assert store.pending_change(pid, token=token) is None


def test_a_rejected_change_leaves_the_published_version(store: ProjectStore) -> None:
    me = moderator(store)
    pid, token = published(store, me)
    store.submit_change(pid, {"summary": "Publicité"}, token=token)
    with pytest.raises(ModerationError, match="raison"):
        store.moderation.reject(pid, "  ", me)
    store.moderation.reject(pid, "Hors sujet : publicité.", me)
    assert store.get(pid).summary == project()["summary"]
    assert store.get(pid).status == "publie"
    entry = store.moderation.history(pid, me)[-1]
    assert (entry.action, entry.actor, entry.note) == (
        "reject",
        "moderateur:camille",
        "Hors sujet : publicité.",
    )


def test_token_edits_by_status(store: ProjectStore) -> None:
    me = moderator(store)
    pid, token = proposed(store)
    assert store.submit_change(pid, {"summary": "Plus précis"}, token=token).kind == "updated"
    assert store.get(pid).summary == "Plus précis"
    assert store.submit_change(pid, {"summary": "Plus précis"}, token=token).kind == "unchanged"
    store.moderation.reject(pid, "Manque le porteur.", me)
    again = store.submit_change(pid, {"summary": "Avec le porteur"}, token=token)
    assert (again.kind, again.project.status) == ("updated", "propose")  # back to the inbox
    assert inbox_ids(store, me) == [pid]
    store.moderation.archive(pid, me)
    with pytest.raises(EditDeniedError, match="archivé"):
        store.submit_change(pid, {"summary": "Encore"}, token=token)


def test_forged_other_projects_and_replaced_tokens_are_refused(store: ProjectStore) -> None:
    me = moderator(store)
    first, token = published(store, me)
    second, other = proposed(store, title="Autre projet")
    replaced = token
    fresh = store.new_token(first, operator=OPERATOR)
    for pid, candidate in [(first, "forge" * 9), (first, other), (second, token),
                           (first, replaced), (first, "")]:  # fmt: skip
        with pytest.raises(EditDeniedError, match="pas valable"):
            store.submit_change(pid, {"title": "Piraté"}, token=candidate)
        with pytest.raises(EditDeniedError, match="pas valable"):
            store.pending_change(pid, token=candidate)
    assert store.submit_change(first, {"title": "Légitime"}, token=fresh).kind == "pending"
    assert {p.title for p in store.query().items} == {project()["title"], "Autre projet"}


def test_invalid_changes_list_every_problem_and_store_nothing(store: ProjectStore) -> None:
    me = moderator(store)
    pid, token = published(store, me)
    with pytest.raises(ProjectValidationError) as caught:
        store.submit_change(pid, {"title": "", "website": "javascript:alert(1)", "lat": 0.0},
                            token=token)  # fmt: skip
    assert {"title", "website", "location"} <= set(caught.value.errors)
    assert store.moderation.inbox(me) == []


def test_a_moderator_corrects_a_proposal_or_a_revision_before_deciding(
    store: ProjectStore,
) -> None:
    me = moderator(store)
    pid, token = proposed(store, title="toits solaire")
    assert store.moderation.edit(pid, {"title": "Toits solaires"}, me).title == "Toits solaires"
    store.moderation.approve(pid, me)
    store.submit_change(pid, {"summary": "coquile"}, token=token)
    store.moderation.edit(pid, {"summary": "Coquille corrigée"}, me)
    assert store.get(pid).summary == project()["summary"]  # still the published one
    assert store.moderation.approve(pid, me).summary == "Coquille corrigée"


# --- reports -----------------------------------------------------------------------------------


def test_reports_flag_then_hide_until_a_moderator_decides(store: ProjectStore) -> None:
    me = moderator(store)
    pid, _ = published(store, me)
    first = store.report(pid, "Contenu publicitaire", reporter="visiteur-1", threshold=2)
    assert (first.recorded, first.reports, first.hidden) == (True, 1, False)
    assert store.report(pid, "Encore", reporter="visiteur-1", threshold=2).reports == 1
    (item,) = store.moderation.inbox(me)
    assert item.kinds == ("signalement",) and "signalé" in item.attention
    assert store.count(ProjectFilter(statuses=("publie",))) == 1
    hidden = store.report(pid, "Faux projet", reporter="visiteur-2", threshold=2)
    assert hidden.hidden
    assert store.count(ProjectFilter(statuses=("publie",))) == 0
    assert store.all_frame(ProjectFilter(statuses=("publie",))).empty
    assert store.count(ProjectFilter(include_hidden=True)) == 1
    with pytest.raises(ModerationError, match="signalé"):
        store.report(pid, "Encore", reporter="visiteur-3", threshold=2)
    (item,) = store.moderation.inbox(me)
    assert [r.reason for r in item.reports] == ["Contenu publicitaire", "Faux projet"]
    store.moderation.approve(pid, me)  # the reports are dismissed, the project shows again
    assert store.count(ProjectFilter(statuses=("publie",))) == 1
    assert store.moderation.inbox(me) == []
    with pytest.raises(ModerationError, match="raison"):
        store.report(pid, " ", reporter="visiteur-4", threshold=2)


def test_a_reported_project_can_be_refused(store: ProjectStore) -> None:
    me = moderator(store)
    pid, _ = published(store, me)
    store.report(pid, "Arnaque", reporter="v", threshold=5)
    store.moderation.reject(pid, "Arnaque avérée.", me)
    assert store.get(pid).status == "refuse"
    with pytest.raises(ModerationError, match="n'est pas"):
        store.report(pid, "Arnaque", reporter="w", threshold=5)


def test_proposals_cannot_be_reported(store: ProjectStore) -> None:
    pid, _ = proposed(store)
    with pytest.raises(ModerationError):
        store.report(pid, "Spam", reporter="v", threshold=3)


# --- merges, batches, flags, history -------------------------------------------------------------


def test_merge_a_duplicate_into_another_project(store: ProjectStore) -> None:
    me = moderator(store)
    kept, _ = published(store, me, website=None)
    duplicate, token = proposed(
        store,
        title="Toits solaires citoyens (bis)",
        website="https://toits.exemple.fr",
        carriers=[{"name": "Mairie de Grenoble", "type": "collectivite"}],
    )
    (item,) = store.moderation.inbox(me)
    assert item.duplicates[0].id == kept and "doublon possible" in item.attention
    merged = store.moderation.merge(duplicate, kept, me)
    assert merged.website == "https://toits.exemple.fr"
    assert [c.name for c in merged.carriers] == ["Énergies Citoyennes Grenobloises",
                                                 "Mairie de Grenoble"]  # fmt: skip
    assert store.get(duplicate).status == "archive"
    assert store.get(kept).status == "publie"
    with pytest.raises(ModerationError, match="lui-même"):
        store.moderation.merge(kept, kept, me)
    with pytest.raises(ModerationError, match="déjà archivé"):
        store.moderation.merge(duplicate, kept, me)
    notes = [e.note for e in store.moderation.history(duplicate, me)]
    assert f"fusionné dans le projet n°{kept}" in notes
    assert [e.action for e in store.audit(kept)][-1] == "merge"
    with pytest.raises(EditDeniedError, match="archivé"):
        store.submit_change(duplicate, {"summary": "x"}, token=token)


def test_batch_decisions_report_each_project(store: ProjectStore) -> None:
    isere = moderator(store, "isere", [ISERE])
    a, _ = proposed(store, title="Premier")
    b, _ = proposed(store, title="Deuxième", lat=45.3, lon=5.9)
    paris, _ = proposed(store, title="Troisième", **PARIS)
    outcomes = store.moderation.approve_many([a, paris, b], isere)
    assert [(o.id, o.done) for o in outcomes] == [(a, True), (paris, False), (b, True)]
    assert "hors de votre territoire" in outcomes[1].message
    with pytest.raises(ModerationError, match="raison"):
        store.moderation.reject_many([paris], "", isere)
    (again,) = store.moderation.reject_many([a], "Doublon", isere)
    assert not again.done and "aucune décision" in again.message  # already published


def test_nothing_to_decide_is_said(store: ProjectStore) -> None:
    me = moderator(store)
    pid, _ = published(store, me)
    with pytest.raises(ModerationError, match="rien à approuver"):
        store.moderation.approve(pid, me)
    with pytest.raises(ModerationError, match="rien à refuser"):
        store.moderation.reject(pid, "raison", me)


def test_an_approximate_point_needs_attention(store: ProjectStore) -> None:
    me = moderator(store)
    proposed(store, location_approximate=True)
    (item,) = store.moderation.inbox(me)
    assert item.attention == ("position approximative",)


def test_every_decision_is_in_the_history(store: ProjectStore) -> None:
    me = moderator(store)
    pid, token = proposed(store)
    store.moderation.approve(pid, me)
    store.submit_change(pid, {"summary": "Nouveau"}, token=token)
    store.moderation.approve(pid, me)
    store.report(pid, "Périmé", reporter="v", threshold=3)
    store.moderation.archive(pid, me, "Projet terminé depuis 2020.")
    history = [(e.action, e.actor) for e in store.moderation.history(pid, me)]
    assert history == [
        ("create", "formulaire"),
        ("approve", "moderateur:camille"),
        ("revision", "lien d'édition"),
        ("approve", "moderateur:camille"),
        ("report", "visiteur"),
        ("archive", "moderateur:camille"),
    ]
    revision = store.moderation.history(pid, me)[2]
    assert revision.after["summary"] == "Nouveau" and set(revision.after) == {"summary", "revision"}


def test_possible_duplicates_for_the_form(store: ProjectStore) -> None:
    me = moderator(store)
    near, _ = published(store, me, title="Toits Solaires Citoyens", website="https://www.toits.fr/")
    far, _ = published(store, me, title="Toits solaires citoyens", lat=45.32, lon=5.9)
    proposed(store, title="Toits solaires citoyens")  # not public: never shown to the public
    found = store.duplicates(title="toits solaires citoyen", lat=45.19, lon=5.72)
    assert [p.id for p in found] == [near]
    by_site = store.duplicates(title="Autre chose", lat=None, lon=None, website="toits.fr")
    assert [p.id for p in by_site] == [near]
    assert store.duplicates(title="Covoiturage du Vercors", lat=45.19, lon=5.72) == []
    assert far not in [p.id for p in store.duplicates(title="Toits solaires", lat=45.19,
                                                      lon=5.72)]  # fmt: skip


def test_recent_submissions_are_counted_from_the_log(store: ProjectStore) -> None:
    for i in range(3):
        proposed(store, title=f"Projet {i}")
    store.add(project(title="Par la commande"), actor="cli:camille")
    assert store.recent_count(action="create", actor="formulaire") == 3


def test_the_tables_declared_are_the_migrated_ones(store: ProjectStore) -> None:
    inspector = sa.inspect(store.engine)
    for table in metadata.sorted_tables:
        migrated = {c["name"] for c in inspector.get_columns(table.name)}
        migrated -= {name for t, name in POSTGRESQL_ONLY_COLUMNS if t == table.name}
        assert migrated == {c.name for c in table.columns}, table.name
