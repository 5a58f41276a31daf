"""The contribution form declared from the project model: every model field is either in the
form or knowingly left out, labels, required marks, limits and vocabularies come from the
model, and what the form sends (and fills back from a stored project) is what the model reads."""

from __future__ import annotations

import pytest

from geo.contribute.form import (
    CARRIER_NAME_MAX,
    CARRIERS_MAX,
    FIELDS,
    FORM_FIELDS,
    LINKS_MAX,
    NOT_IN_FORM,
    ORDER,
    SECTIONS,
    empty_values,
    from_project,
    max_length,
    still_wrong,
    to_input,
    too_long,
    upper_first,
)
from geo.errors import ProjectValidationError
from geo.projects.model import FIELD_LABELS, STAGES, THEMES, Project, categories, parse_project

PLACE = {"lat": 45.1885, "lon": 5.7245, "address": " 10 rue des Arts, Grenoble ",
         "approximate": True}  # fmt: skip


def test_every_model_field_is_in_the_form_or_knowingly_left_out() -> None:
    in_form = [name for name, _, _ in ORDER]
    assert len(in_form) == len(set(in_form))
    assert set(in_form).isdisjoint(NOT_IN_FORM)
    assert set(in_form) | NOT_IN_FORM == set(Project.model_fields)


def test_labels_required_marks_and_limits_come_from_the_model() -> None:
    title = FIELDS["title"]
    assert title.label == FIELD_LABELS["title"] and title.required
    assert title.shown_label == f"{upper_first(FIELD_LABELS['title'])} *"
    assert FIELDS["themes"].required and FIELDS["themes"].shown_label.endswith(" *")
    assert not FIELDS["summary"].required and not FIELDS["summary"].shown_label.endswith("*")
    # The limits are the model's own constraints, not copies.
    for name in ("title", "summary", "description", "licence"):
        info = Project.model_fields[name]
        assert FIELDS[name].max_chars == max_length(info.annotation, info.metadata)
        assert FIELDS[name].max_chars, name
    assert FIELDS["summary"].max_chars == 280
    assert CARRIER_NAME_MAX and CARRIER_NAME_MAX > 0
    # Vocabularies with their French labels.
    assert FIELDS["themes"].options == dict(THEMES)
    assert FIELDS["stage"].options == dict(STAGES)
    assert set(FIELDS["categories"].options or {}) == set(categories())
    assert all(f.help for f in FORM_FIELDS)
    assert SECTIONS[0] == "Le projet" and len(SECTIONS) == 3


def test_number_fields_show_examples_of_their_own() -> None:
    numbers = [f for f in FORM_FIELDS if f.kind in ("number", "integer")]
    assert numbers and all(f.example and f.example.startswith("ex. ") for f in numbers)
    assert FIELDS["charging_points"].example != FIELDS["start_year"].example


def test_a_blank_form_gives_every_problem_at_once() -> None:
    with pytest.raises(ProjectValidationError) as raised:
        parse_project(to_input(empty_values(), [{"name": "", "type": None}], None))
    assert set(raised.value.errors) == {"title", "themes", "location"}


def test_what_the_form_sends_is_what_the_model_reads() -> None:
    values = empty_values() | {
        "title": "  Covoiturage du Trièves ",
        "description": "  Indenté\n\n- liste  ",
        "themes": ["mobilite"],
        "commons": "https://communs.test/a\n\n  https://communs.test/b  \n",
        "budget_eur": "25 000",
        "start_year": "2024",
    }
    carriers = [{"name": " Mobil'Trièves ", "type": "association"}, {"name": "", "type": None}]
    data = to_input(values, carriers, PLACE)
    assert data["title"] == "Covoiturage du Trièves"
    assert data["description"] == "  Indenté\n\n- liste  "  # Markdown kept exactly as typed
    assert data["commons"] == ["https://communs.test/a", "https://communs.test/b"]
    assert data["carriers"] == [{"name": "Mobil'Trièves", "type": "association"}]
    assert data["address"] == "10 rue des Arts, Grenoble" and data["location_approximate"]
    project = parse_project(data)
    assert project.budget_eur == 25000 and project.start_year == 2024
    assert (project.lat, project.lon) == (PLACE["lat"], PLACE["lon"])


def test_a_carrier_with_a_type_and_no_name_is_sent_so_the_model_names_the_problem() -> None:
    data = to_input(empty_values(), [{"name": "", "type": "association"}], PLACE)
    assert data["carriers"] == [{"name": "", "type": "association"}]
    with pytest.raises(ProjectValidationError) as raised:
        parse_project(data | {"title": "x", "themes": ["energie"]})
    assert "carriers" in raised.value.errors


def test_a_stored_project_fills_the_form_back_and_sends_the_same_project() -> None:
    stored = parse_project({
        "title": "Toits solaires", "themes": ["energie"], "summary": "Des panneaux.",
        "carriers": [{"name": "Énergies du Drac", "type": "association"}],
        "commons": ["https://communs.test/a"], "power_kwc": 36.5, "charging_points": 4,
        "budget_eur": 25000.0, "lat": 45.19, "lon": 5.72, "address": "Grenoble",
        "location_approximate": True,
    })  # fmt: skip
    values, carriers, place = from_project(stored)
    assert values["power_kwc"] == "36,5" and values["budget_eur"] == "25000"
    assert values["charging_points"] == "4" and values["commons"] == "https://communs.test/a"
    assert values["website"] == ""
    assert carriers == [{"name": "Énergies du Drac", "type": "association", "siren": ""}]
    again = parse_project(to_input(values, carriers, place))
    assert again.model_dump() == stored.model_dump()


def test_sizes_are_checked_before_the_store() -> None:
    limit = FIELDS["title"].max_chars or 0
    values = {"title": "x" * (limit + 1), "commons": "\n".join(["https://a.test"] * 51)}
    carriers = [{"name": "n" * (CARRIER_NAME_MAX + 1), "type": None}] * (CARRIERS_MAX + 1)
    problems = too_long(values, carriers)
    assert problems["title"] == [f"{limit} caractères au plus (ici {limit + 1})."]
    assert problems["commons"] == [f"Au plus {LINKS_MAX} liens."]
    assert problems["carriers"][0] == f"Au plus {CARRIERS_MAX} porteurs."
    assert "porteur n°1, nom" in problems["carriers"][1]
    assert too_long({"title": "x" * limit}, [{"name": "ok", "type": None}]) == {}


def test_partners_sirens_and_a_lesson_from_the_form() -> None:
    from geo.contribute.form import empty_values, lessons_input, to_input, too_long

    values = empty_values() | {
        "title": "Projet", "themes": ["energie"],
        "partners": [{"name": " Métropole ", "type": "collectivite", "siren": "200040715"},
                     {"name": "", "type": None, "siren": ""}],
        "lessons": [{"worked": "Le porte-à-porte", "hard": "", "differently": "", "date": ""}],
        "commons_produced": "https://guide.example.org/b\n",
    }  # fmt: skip
    carriers = [{"name": "Coop", "type": "cooperative", "siren": " 213801855 "}]
    data = to_input(values, carriers, {"lat": 45.19, "lon": 5.72})
    assert data["carriers"] == [{"name": "Coop", "type": "cooperative", "siren": "213801855"}]
    assert data["partners"] == [{"name": "Métropole", "type": "collectivite",
                                 "siren": "200040715"}]  # fmt: skip
    assert data["commons_produced"] == ["https://guide.example.org/b"]
    (lesson,) = data["lessons"]
    assert lesson["worked"] == "Le porte-à-porte" and len(lesson["date"]) == 10  # today
    assert parse_project(data).lessons[0].worked == "Le porte-à-porte"
    assert lessons_input([{"worked": " ", "hard": "", "differently": "", "date": ""}]) == []
    long = values | {"lessons": [{"worked": "x" * 2001}]}
    assert too_long(long, carriers)["lessons"] == [
        "retour n°1 : 2000 caractères au plus par partie."
    ]


def test_only_the_problems_shown_and_still_there_stay_after_a_correction() -> None:
    shown = {"title": ["Champ obligatoire."], "start_year": ["Un nombre entier est attendu."],
             "projet": ["Limite atteinte."]}  # fmt: skip
    found = {"start_year": ["Entre 1900 et 2100."], "themes": ["Au moins un élément."]}
    assert still_wrong(shown, found) == {
        "start_year": ["Entre 1900 et 2100."],  # still wrong: today's problem
        "projet": ["Limite atteinte."],  # a sending limit waits for the next send
    }  # the title corrected, the themes not flagged before the next send
    assert still_wrong({}, found) == {}
