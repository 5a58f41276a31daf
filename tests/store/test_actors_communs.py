"""Actors and communs in the store, on both engines: carriers matched into actors (SIREN,
else the folded name), never merged silently (the duplicates review), who sees an actor,
merges, communs linked by URL whichever comes first, the Explorer's commun filter in SQL,
lessons in the text search, the audit log, a store of 0006 upgraded with its carriers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from store_helpers import fake_locate, project

from geo.errors import EditDeniedError, EntityValidationError, GeoError
from geo.store import ProjectFilter, ProjectStore
from geo.store.db import make_engine, migrate
from geo.store.identity import Operator

OP = Operator("test")
#: A project row as revision 0006 stored it.
OLD_ROW = (
    "INSERT INTO projects (id, title, summary, description, themes, categories, stage, "
    "carriers, commons, lat, lon, location_approximate, status, created_at, updated_at, "
    "source, token_hash, search_text, hidden) VALUES (:id, 't', '', '', '[\"energie\"]', "
    "'[]', 'idee', :carriers, :commons, 45.1, 5.7, false, 'publie', '2025-01-01', "
    "'2025-01-01', 's', 'x', 't', false)"
)
SIREN = "200040715"  # Grenoble-Alpes Métropole's, a valid Luhn key


@pytest.fixture
def store(store_url: str):
    opened = ProjectStore(store_url, locate=fake_locate)
    yield opened
    opened.close()


def carrier(name: str, siren: str | None = None, kind: str = "association") -> dict:
    return {"name": name, "type": kind} | ({"siren": siren} if siren else {})


def test_carriers_are_matched_by_folded_name_and_by_siren(store: ProjectStore) -> None:
    a, _ = store.add(
        project(carriers=[carrier("Énergie Citoyenne du Trièves")]), actor=OP, status="publie"
    )
    b, _ = store.add(
        project(
            title="Autre",
            carriers=[carrier("ENERGIE citoyenne du trieves !")],
            partners=[carrier("Métropole", SIREN, "collectivite")],
        ),
        actor=OP,
        status="publie",
    )
    c, _ = store.add(
        project(
            title="Troisième", carriers=[carrier("Grenoble-Alpes Métropole", SIREN, "collectivite")]
        ),
        actor=OP,
        status="publie",
    )
    actors = {a_.name: a_ for a_ in store.actors.list()}
    assert set(actors) == {"Énergie Citoyenne du Trièves", "Métropole"}
    assert sorted(actors["Énergie Citoyenne du Trièves"].projects) == [a, b]
    # Same SIREN, other name: the same actor (the SIREN decides), as carrier and as partner.
    assert actors["Métropole"].roles == {c: ["carrier"], b: ["partner"]}
    assert store.count(ProjectFilter(actor=actors["Métropole"].id)) == 2


def test_look_alikes_are_listed_never_merged(store: ProjectStore) -> None:
    store.add(
        project(carriers=[carrier("Centrales Villageoises du Grésivaudan")]),
        actor=OP,
        status="publie",
    )
    store.add(
        project(title="B", carriers=[carrier("Centrales villageoises Grésivaudan")]),
        actor=OP,
        status="publie",
    )
    store.add(
        project(title="C", carriers=[carrier("Enercoop", "732829320"), carrier("Enercoop", SIREN)]),
        actor=OP,
        status="publie",
    )
    assert len(store.actors.list()) == 4
    pairs = store.actors.duplicates()
    names = [(p.first.name, p.second.name, p.reason) for p in pairs]
    assert (
        "Centrales Villageoises du Grésivaudan",
        "Centrales villageoises Grésivaudan",
        "noms très proches",
    ) in names
    # Two SIRENs: two organisations, not listed.
    assert not any(p.first.name == p.second.name == "Enercoop" for p in pairs)
    first, second = pairs[0].first.id, pairs[0].second.id
    store.actors.distinct(first, second, operator=OP)
    assert all({p.first.id, p.second.id} != {first, second} for p in store.actors.duplicates())


def test_merge_moves_projects_names_and_refuses_two_sirens(store: ProjectStore) -> None:
    a, _ = store.add(project(carriers=[carrier("Vélo Cargo Grenoble")]), actor=OP, status="publie")
    b, _ = store.add(
        project(title="B", carriers=[carrier("Velo-Cargo de Grenoble")]), actor=OP, status="publie"
    )
    keep, other = (x.id for x in store.actors.list())
    merged = store.actors.merge(keep, other, operator=OP)
    assert sorted(merged.projects) == [a, b] and len(store.actors.list()) == 1
    # The merged name now finds the kept actor.
    c, _ = store.add(
        project(title="C", carriers=[carrier("Velo-Cargo de Grenoble")]), actor=OP, status="publie"
    )
    assert sorted(store.actors.get(keep).projects) == [a, b, c]
    assert [e.action for e in store.audit() if e.subject == f"actor:{keep}"] == ["actor_merge"]
    store.add(
        project(title="D", carriers=[carrier("X", "732829320"), carrier("Y", SIREN)]),
        actor=OP,
        status="publie",
    )
    x, y = (r.id for r in store.actors.list() if r.name in ("X", "Y"))
    with pytest.raises(GeoError, match="deux SIREN différents"):
        store.actors.merge(x, y, operator=OP)
    with pytest.raises(EditDeniedError):
        store.actors.merge(x, y, operator="moderateur:x")  # type: ignore[arg-type]


def test_an_actor_of_a_proposal_waits_for_its_publication(store: ProjectStore) -> None:
    pid, _ = store.add(project(carriers=[carrier("Collectif des Pentes")]), actor="formulaire")
    assert store.actors.list() == []  # the public does not see it
    assert [a.name for a in store.actors.list(public=False)] == ["Collectif des Pentes"]
    store.set_status(pid, "publie", operator=OP)
    assert [a.name for a in store.actors.list()] == ["Collectif des Pentes"]
    # An actor an operator records is public at once, and vetted.
    ident, action = store.actors.save(
        {
            "name": "Atelier Solaire",
            "type": "association",
            "siren": "732829320",
            "seat": "commune:38185",
        },
        operator=OP,
    )
    assert action == "created" and store.actors.get(ident).seat == "commune:38185"
    again = store.actors.save({"name": "ATELIER solaire", "type": "association"}, operator=OP)
    assert again[0] == ident
    with pytest.raises(EntityValidationError, match="SIREN"):
        store.actors.save({"name": "Z", "type": "association", "siren": "123456789"}, operator=OP)


def test_communs_link_by_url_whichever_comes_first(store: ProjectStore) -> None:
    before, _ = store.add(
        project(commons=["https://www.outil-commun.fr/app/"]), actor=OP, status="publie"
    )
    report = store.communs.save_many(
        [
            {
                "title": "Outil commun",
                "kind": "logiciel",
                "url": "https://outil-commun.fr/app",
                "licence": "Licence Ouverte 2.0",
                "maintainers": [carrier("Atelier Solaire")],
                "themes": ["énergie"],
            }
        ],
        operator=OP,
    )
    (cid,) = report.ids
    after, _ = store.add(
        project(
            title="Après", lat=48.85, lon=2.35, commons_produced=["http://outil-commun.fr/app"]
        ),
        actor=OP,
        status="publie",
    )
    hidden, _ = store.add(
        project(title="Proposé", commons=["https://outil-commun.fr/app"]), actor="formulaire"
    )
    commun = store.communs.get(cid)
    assert (commun.licence, commun.kind, commun.themes) == ("etalab-2.0", "outil", ["energie"])
    assert commun.reused_by == [before] and commun.produced_by == [after]
    assert store.communs.get(cid, public=False).reused_by == [hidden, before]
    assert [name for _, name in commun.maintainers] == ["Atelier Solaire"]
    assert store.actors.get(commun.maintainers[0][0]).vetted  # an operator named it
    # The Explorer's filter, in SQL, with the others.
    public = ProjectFilter(commun=cid, statuses=("publie",))
    assert store.count(public) == 1
    assert list(store.all_frame(public)["id"]) == [before]
    assert store.count(ProjectFilter(commun=cid, statuses=("publie",), themes=("mobilite",))) == 0
    assert store.count(ProjectFilter(commun=cid + 99)) == 0
    links = store.communs.of_projects([before, after])
    assert [(r, c.id) for r, c in links[before]] == [("reuses", cid)]
    assert [(r, c.id) for r, c in links[after]] == [("produces", cid)]
    # A commun imported later changes the filter's answer: the data version moves.
    version = store.data_version()
    store.communs.save_many([{"title": "Autre", "url": "https://autre.fr"}], operator=OP)
    assert store.data_version() > version


def test_a_commun_import_is_all_or_nothing(store: ProjectStore) -> None:
    with pytest.raises(EntityValidationError, match="licence"):
        items = [
            {"title": "Bon", "url": "https://bon.fr"},
            {"title": "Mauvais", "licence": "comme on veut"},
        ]
        store.communs.save_many(items, operator=OP)
    assert store.communs.list() == []
    with pytest.raises(EditDeniedError):
        store.communs.save_many([{"title": "Bon"}], operator="formulaire")  # type: ignore[arg-type]


def test_lessons_are_stored_and_found_by_the_text_search(store: ProjectStore) -> None:
    lesson = {
        "worked": "La **permanence** du samedi",
        "hard": "Le raccordement Enedis",
        "differently": "Associer la mairie plus tôt",
        "date": "2025-03-01",
    }
    pid, _ = store.add(project(lessons=[lesson]), actor=OP, status="publie")
    stored = store.get(pid)
    assert stored.lessons[0].hard == "Le raccordement Enedis"
    assert stored.lessons[0].date.isoformat() == "2025-03-01"
    assert store.count(ProjectFilter(text="raccordement enedis")) == 1
    assert store.count(ProjectFilter(text="mairie plus tot")) == 1
    frame = store.all_frame()
    assert frame.iloc[0]["lessons"][0]["worked"] == "La **permanence** du samedi"


def test_a_store_of_0006_gets_its_carriers_as_actors(store_url: str) -> None:
    engine = make_engine(store_url)
    migrate(engine, "0006")
    with engine.begin() as connection:
        for pid, name in ((1, "Énergie Partagée"), (2, "energie partagee")):
            connection.execute(
                sa.text(OLD_ROW),
                {
                    "id": pid,
                    "carriers": f'[{{"name": "{name}", "type": "cooperative"}}]',
                    "commons": '["https://outil.fr/"]',
                },
            )
    engine.dispose()
    upgraded = ProjectStore(store_url, locate=fake_locate)
    (actor,) = upgraded.actors.list()
    assert actor.name == "Énergie Partagée" and sorted(actor.projects) == [1, 2]
    cid = upgraded.communs.save_many(
        [{"title": "Outil", "url": "https://outil.fr"}], operator=OP
    ).ids[0]
    assert sorted(upgraded.communs.get(cid).reused_by) == [1, 2]
    assert upgraded.get(1).partners == [] and upgraded.get(1).lessons == []
    upgraded.close()
