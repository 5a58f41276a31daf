"""The demo projects: a valid, varied, clearly fictional set, loaded once into an empty store."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from reference import ROOT, territories
from store_helpers import fake_locate, project

from geo.projects.demo import DEMO_FILE, DEMO_SOURCE, ensure_demo_projects
from geo.projects.model import CARRIER_TYPES, STAGES, THEMES, categories
from geo.settings import get_settings
from geo.store.project_store import ProjectFilter, ProjectStore

EXAMPLE_DOMAINS = {"exemple.org", "exemple.fr", "exemple.com", "example.org", "example.com"}
ON = get_settings(environ={"GEO_DEMO": "1"}, secrets={})
OFF = get_settings(environ={"GEO_DEMO": "0"}, secrets={})


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> ProjectStore:
    folder = tmp_path_factory.mktemp("demo")
    store = ProjectStore(f"sqlite:///{folder / 'projets.sqlite'}", locate=territories())
    report = ensure_demo_projects(store, territories(), ON)
    assert report is not None and report.rejected == 0, report and report.rejections
    yield store
    store.close()


def rows() -> list[dict[str, str]]:
    with DEMO_FILE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_about_forty_valid_projects_all_marked_exemple(loaded: ProjectStore) -> None:
    assert 38 <= len(rows()) <= 45
    items = loaded.query(limit=100).items
    assert len(items) == len(rows())
    assert {p.source for p in items} == {DEMO_SOURCE} == {"exemple"}
    assert len({p.external_id for p in items}) == len(items)
    assert {p.status for p in items} == {"publie"}
    assert not any(p.location_approximate for p in items)  # every one has its own point


def test_every_theme_category_stage_and_carrier_type(loaded: ProjectStore) -> None:
    items = loaded.query(limit=100).items
    assert {t for p in items for t in p.themes} == set(THEMES)
    assert {c for p in items for c in p.categories} == set(categories())
    assert {p.stage for p in items} == set(STAGES)
    assert {c.type for p in items for c in p.carriers} == set(CARRIER_TYPES)


def test_spread_over_isere_paris_and_elsewhere(loaded: ProjectStore) -> None:
    items = loaded.query(limit=100).items
    departements = Counter(p.code_departement for p in items)
    assert departements["38"] > len(items) / 2
    assert departements["75"] >= 3
    assert 3 <= departements[None] <= 6  # outside the mirror's outlines: other départements
    # Every point falls in the commune the row names, where the outline is loaded.
    names = territories().names("commune", [p.code_commune for p in items])
    named = {r["external_id"]: r["commune"] for r in rows()}
    for item, name in zip(items, names, strict=True):
        assert name is None or name == named[item.external_id], item.external_id
    assert len({p.code_commune for p in items if p.code_departement == "38"}) >= 20


def test_plausible_figures_and_french_text(loaded: ProjectStore) -> None:
    items = loaded.query(limit=100).items
    solar = [p for p in items if "solaire" in p.categories and p.power_kwc]
    assert solar and all(10 <= p.power_kwc <= 5000 for p in solar)
    assert any(p.citizen_shareholders for p in items)
    assert any(p.charging_points for p in items)
    assert all(p.budget_eur is None or 1000 <= p.budget_eur <= 50_000_000 for p in items)
    assert all(len(p.summary) >= 60 and len(p.description) >= 100 for p in items)
    assert all(re.search(r"\b(le|la|les|des|du|un|une)\b", p.summary) for p in items)


def test_no_real_person_data() -> None:
    text = DEMO_FILE.read_text(encoding="utf-8")
    emails = re.findall(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)", text)
    assert emails and set(emails) <= EXAMPLE_DOMAINS
    for url in re.findall(r"https?://([^/\s,;\"]+)", text):
        # Project websites are examples; only public communs may point to real sites.
        assert url in EXAMPLE_DOMAINS or url.endswith(("data.gouv.fr",)), url
    assert not re.search(r"\b(M\.|Mme|Monsieur|Madame)\s", text)
    assert not re.search(r"(?<!\d)0[1-9](?:[ .]?\d\d){4}(?!\d)", text)  # no phone number


def test_loaded_once_into_an_empty_store_only(tmp_path: Path) -> None:
    store = ProjectStore(f"sqlite:///{tmp_path / 'a.sqlite'}", locate=fake_locate)
    first = ensure_demo_projects(store, None, ON)
    assert first is not None and first.created == len(rows())
    assert ensure_demo_projects(store, None, ON) is None
    assert store.count() == len(rows())
    store.close()

    busy = ProjectStore(f"sqlite:///{tmp_path / 'b.sqlite'}", locate=fake_locate)
    busy.add(project(), actor="test")
    assert ensure_demo_projects(busy, None, ON) is None
    assert busy.count() == 1
    busy.close()


def test_geo_demo_0_disables_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = ProjectStore(f"sqlite:///{tmp_path / 'c.sqlite'}", locate=fake_locate)
    assert ensure_demo_projects(store, None, OFF) is None
    monkeypatch.setenv("GEO_DEMO", "0")
    assert ensure_demo_projects(store) is None  # read from the environment by default
    assert store.count() == 0
    store.close()


def test_concurrent_first_starts_load_them_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    script = (
        "import sys; from store_helpers import fake_locate; "
        "from geo.store import ProjectStore; "
        "from geo.projects.demo import ensure_demo_projects; "
        "from geo.settings import get_settings; "
        "store = ProjectStore(sys.argv[1], locate=fake_locate); "
        "report = ensure_demo_projects(store, None, get_settings(environ={}, secrets={})); "
        "print(0 if report is None else report.created)"
    )
    path = os.pathsep.join([str(ROOT), str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")])
    procs = [
        subprocess.Popen([sys.executable, "-c", script, url], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=os.environ | {"PYTHONPATH": path})
        for _ in range(3)
    ]  # fmt: skip
    created = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        created.append(int(out.strip()))
    assert sum(created) == len(rows())
    store = ProjectStore(url, locate=fake_locate)
    assert store.count() == store.count(ProjectFilter(source="exemple")) == len(rows())
    store.close()


def test_demo_communs_are_examples_reused_in_several_territories(loaded: ProjectStore) -> None:
    communs = loaded.communs.list()
    assert 5 <= len(communs) <= 10
    assert {c.source for c in communs} == {"exemple"}
    assert all(c.url and c.url.startswith("https://example.org/") for c in communs)
    assert all("exemple" in c.description.lower() for c in communs)
    assert {c.kind for c in communs} == {"outil", "donnees", "methode", "formation", "materiel"}
    for commun in communs:
        departements = {loaded.get(pid).code_departement for pid in commun.reused_by}
        assert len(departements) >= 2, (commun.title, departements)
        assert commun.maintainers, commun.title
    # Every maintainer carries demo projects: its page shows them.
    for commun in communs:
        for actor_id, _ in commun.maintainers:
            assert loaded.actors.get(actor_id).projects
    lessons = [p for p in loaded.query(limit=100).items if p.lessons]
    assert len(lessons) >= 8
