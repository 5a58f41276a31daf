"""What a moderator reads of a project (:mod:`geo.contribute.review`): every filled field in
French, figures with their units; and the description's headings written as paragraphs
(:func:`geo.text.safe_markdown` with ``headings=False``), so none is larger than the card's
title."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from geo.contribute.review import Fact, facts, field_text
from geo.projects.model import parse_project
from geo.text import safe_markdown

BASE = {"title": "Toits solaires", "themes": ["energie"], "lat": 45.1885, "lon": 5.7245}


def test_every_filled_field_is_read_in_french_in_the_form_order() -> None:
    project = parse_project(BASE | {
        "categories": ["solaire"], "stage": "en_projet", "start_year": 2024, "scope": "epci",
        "carriers": [{"name": "Coop", "type": "cooperative", "siren": "123456782"}],
        "partners": [{"name": "Ville", "type": "collectivite"}], "commons": ["https://a.fr", "https://b.fr"],
        "contact_email": "contact@exemple.fr", "power_kwc": 1250.5, "charging_points": 0,
    })  # fmt: skip
    assert facts(project) == [
        Fact("Thèmes", "Énergie"),
        Fact("Catégories", "Solaire"),
        Fact("Étape", "En projet"),
        Fact("Année de démarrage", "2024"),
        Fact("Échelle", "intercommunalité (EPCI)"),
        Fact("Porteurs", "Coop (coopérative / SCIC, SIREN 123456782)"),
        Fact("Partenaires", "Ville (collectivité)"),
        Fact("Communs réutilisés", "https://a.fr, https://b.fr"),
        Fact("E-mail de contact (privé, jamais publié)", "contact@exemple.fr"),
        Fact("Puissance installée", "1\u202f250,5\u00a0kWc"),
        Fact("Points de recharge", "0"),  # a zero given is shown, a figure not given is not
    ]


@pytest.mark.parametrize(
    ("name", "value", "text"),
    [
        ("themes", [], "—"),
        ("stage", "termine", "Terminé"),
        ("budget_eur", 25000.0, "25\u202f000\u00a0€"),
        ("lat", 45.1885, "45,18850"),
        ("location_approximate", True, "oui"),
        ("lessons", [{"worked": "x", "date": "2025-01-01"}, {"hard": "y", "date": "2025-06-30"}],
         "2 retours (le dernier du 30 juin 2025)"),
        ("title", "<b>Toits</b>", "<b>Toits</b>"),  # as typed: the inbox shows it as text
    ],
)  # fmt: skip
def test_one_field_as_read(name: str, value: object, text: str) -> None:
    assert field_text(name, value) == text


def _headings(markdown: str) -> list[str]:
    return [t.tag for t in MarkdownIt("commonmark").parse(markdown) if t.type == "heading_open"]


def test_headings_can_be_written_as_paragraphs_anywhere_in_the_text() -> None:
    text = "## Grand\n\nTexte **gras**.\n\n> # Cité\n\n- ### Dans une liste\n\nSous\n===\n"
    assert _headings(safe_markdown(text)) == ["h2", "h1", "h3", "h1"]
    kept = safe_markdown(text, headings=False)
    assert _headings(kept) == []
    assert kept == "Grand\n\nTexte **gras**\\.\n\n> Cité\n\n- Dans une liste\n\nSous"
