"""The Project model: what is accepted, normalised, refused, and how it is said in French."""

from __future__ import annotations

from typing import Any

import pytest

from geo.errors import ProjectValidationError
from geo.projects.model import (
    CARRIER_TYPES,
    PRIVATE_FIELDS,
    STAGES,
    categories,
    france_region,
    parse_project,
    private_dict,
    public_dict,
)
from geo.text import identifier, search_words

GRENOBLE = {"lat": 45.1885, "lon": 5.7245}


def minimal(**changes: Any) -> dict[str, Any]:
    return {"title": "Toits solaires citoyens", "themes": ["energie"], **GRENOBLE, **changes}


def errors_of(data: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(ProjectValidationError) as caught:
        parse_project(data)
    return caught.value.errors


@pytest.mark.parametrize(
    ("changes", "field", "expected"),
    [
        ({"themes": "Énergie"}, "themes", ["energie"]),
        ({"themes": "énergie; MOBILITÉ"}, "themes", ["energie", "mobilite"]),
        ({"themes": ["mobilite", "mobilité"]}, "themes", ["mobilite"]),
        ({"themes": [], "categories": ["covoiturage"]}, "themes", ["mobilite"]),
        ({"themes": None, "categories": "solaire;Vélo"}, "themes", ["energie", "mobilite"]),
        ({"categories": "Réseau de chaleur"}, "categories", ["reseau_de_chaleur"]),
        ({"categories": ["rénovation / sobriété"]}, "categories", ["renovation_sobriete"]),
        ({"stage": "En projet"}, "stage", "en_projet"),
        ({"stage": "terminé"}, "stage", "termine"),
        ({"status": "Publié"}, "status", "publie"),
        ({"scope": "Département"}, "scope", "departement"),
        ({"website": "www.exemple.fr"}, "website", "https://www.exemple.fr"),
        ({"website": "HTTP://exemple.fr/a?b=1"}, "website", "HTTP://exemple.fr/a?b=1"),
        ({"website": ""}, "website", None),
        (
            {"commons": "https://a.fr; https://b.fr/x"},
            "commons",
            ["https://a.fr", "https://b.fr/x"],
        ),
        ({"power_kwc": "1 234,5"}, "power_kwc", 1234.5),
        ({"charging_points": "12"}, "charging_points", 12),
        ({"lat": "45,1885"}, "lat", 45.1885),
        ({"title": "  Espaces autour  "}, "title", "Espaces autour"),
        ({"summary": None}, "summary", ""),
        ({"start_year": "2024"}, "start_year", 2024),
        ({"contact_email": "contact@coop-soleil.fr"}, "contact_email", "contact@coop-soleil.fr"),
        (
            {"carriers": [{"name": "Énergies du Grésivaudan", "type": "Coopérative/SCIC"}]},
            "carriers",
            [{"name": "Énergies du Grésivaudan", "type": "cooperative"}],
        ),
        ({"carriers": [{"name": "Mairie", "type": "SCIC"}]}, "carriers", None),
    ],
)
def test_accepted_and_normalised(changes: dict[str, Any], field: str, expected: Any) -> None:
    project = parse_project(minimal(**changes))
    value = private_dict(project)[field]
    if field == "carriers" and expected is None:
        assert value[0]["type"] == "cooperative"
    else:
        assert value == expected


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"title": "  "}, "title", "obligatoire"),
        ({"title": None}, "title", "obligatoire"),
        ({"title": "x" * 121}, "title", "120 caractères au plus (ici 121)"),
        ({"summary": "x" * 281}, "summary", "280 caractères au plus"),
        ({"description": "x" * 5001}, "description", "5000 caractères au plus"),
        ({"title": "deux\nlignes"}, "title", "retour à la ligne"),
        ({"description": "nul \x00 octet"}, "description", "caractère de contrôle"),
        ({"themes": []}, "themes", "Choisissez au moins un thème."),
        ({"themes": ["transport"]}, "themes", "« transport » : thème inconnu"),
        ({"categories": ["fusion"]}, "categories", "catégorie inconnue"),
        ({"themes": ["mobilite"], "categories": ["solaire"]}, "categories", "thème énergie"),
        ({"stage": "abandonné"}, "stage", "étape inconnue"),
        ({"status": "en ligne"}, "status", "statut inconnu"),
        ({"carriers": [{"name": "X", "type": "club"}]}, "carriers", "porteur n°1, type"),
        ({"carriers": [{"name": "", "type": "association"}]}, "carriers", "porteur n°1, nom"),
        ({"carriers": [{"name": "X"}]}, "carriers", "obligatoire"),
        # The form's list left on "Choisir…".
        ({"carriers": [{"name": "X", "type": None}]}, "carriers", "type : à choisir (parmi : "),
        ({"stage": ""}, "stage", "à choisir (parmi : "),
        ({"website": "javascript:alert(1)"}, "website", "http:// ou https://"),
        ({"website": "ftp://exemple.fr"}, "website", "http:// ou https://"),
        ({"commons": ["data:text/html,x"]}, "commons", "élément n°1"),
        ({"contact_email": "pas-une-adresse"}, "contact_email", "e-mail"),
        ({"power_kwc": -1}, "power_kwc", "positif ou nul"),
        ({"budget_eur": "beaucoup"}, "budget_eur", "Nombre attendu"),
        ({"energy_mwh_year": float("inf")}, "energy_mwh_year", "fini"),
        ({"charging_points": 2.5}, "charging_points", "entier"),
        ({"citizen_shareholders": -3}, "citizen_shareholders", "positif ou nul"),
        ({"start_year": 1789}, "start_year", "Année entre 1900"),
        ({"lat": 40.4168, "lon": -3.7038}, "location", "hors de France"),
        ({"lat": 95}, "location", "latitude : Doit être au plus 90"),
        ({"lat": None}, "location", "latitude : Champ obligatoire"),
        ({"lon": "est"}, "location", "longitude : Nombre attendu"),
        ({"area": {"type": "Point", "coordinates": [5.7, 45.2]}}, "area", "polygone"),
        ({"area": "{pas du json"}, "area", "lisible"),
        (
            {
                "area": {
                    "type": "Polygon",
                    "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]],
                }
            },
            "area",
            "se recoupe",
        ),
        ({"scope": "planète"}, "scope", "échelle inconnue"),
        ({"nom": "inconnu"}, "nom", "Champ inconnu"),
        ({"created_by": "x"}, "created_by", "Champ inconnu"),
    ],
)
def test_refused_with_a_french_message(changes: dict[str, Any], field: str, fragment: str) -> None:
    errors = errors_of(minimal(**changes))
    assert field in errors, errors
    assert any(fragment in message for message in errors[field]), errors[field]


def test_every_problem_is_listed_at_once() -> None:
    errors = errors_of(
        {
            "title": "x" * 200,
            "themes": ["énergie"],
            "website": "javascript:alert(1)",
            "power_kwc": -5,
            "lat": 40.4,
            "lon": -3.7,
            "contact_email": "non",
            "categories": ["covoiturage"],
        }
    )
    assert set(errors) == {
        "title",
        "website",
        "power_kwc",
        "location",
        "contact_email",
        "categories",
    }
    assert "titre" in str(ProjectValidationError(errors, {"title": "titre"}))


@pytest.mark.parametrize(
    ("lat", "lon", "where"),
    [
        (45.1885, 5.7245, "France métropolitaine"),
        (41.9192, 8.7386, "France métropolitaine"),  # Ajaccio
        (16.2411, -61.5331, "Guadeloupe"),
        (14.6161, -61.0588, "Martinique"),
        (4.9372, -52.326, "Guyane"),
        (-20.8823, 55.4504, "La Réunion"),
        (-12.7806, 45.2278, "Mayotte"),
        (46.7811, -56.1764, "Saint-Pierre-et-Miquelon"),
        (-17.5516, -149.5585, "Polynésie française"),
        (-22.2758, 166.458, "Nouvelle-Calédonie"),
        (-13.2825, -176.1745, "Wallis-et-Futuna"),
        (40.4168, -3.7038, None),  # Madrid
        (0.0, 0.0, None),
        (-33.8688, 151.2093, None),  # Sydney
    ],
)
def test_france_includes_overseas(lat: float, lon: float, where: str | None) -> None:
    assert france_region(lat, lon) == where
    if where is not None:
        assert parse_project(minimal(lat=lat, lon=lon)).lon == lon


def test_every_optional_field_accepts_null() -> None:
    optional = [
        "summary", "description", "categories", "carriers", "website", "contact_email",
        "commons", "licence", "start_year", "address", "area", "scope", "power_kwc",
        "energy_mwh_year", "charging_points", "citizen_shareholders", "budget_eur",
        "last_confirmed_at", "source", "external_id",
    ]  # fmt: skip
    project = parse_project(minimal(**dict.fromkeys(optional)))
    assert project.power_kwc is None and project.summary == "" and project.carriers == []
    assert parse_project(minimal(**dict.fromkeys(optional, ""))).charging_points is None


def test_server_fields_are_ignored_from_input() -> None:
    project = parse_project(
        minimal(
            id=42,
            code_commune="75056",
            code_epci="200054781",
            code_departement="75",
            code_region="11",
            created_at="2020-01-01T00:00:00",
            updated_at="2020-01-01T00:00:00",
        )
    )
    assert project.id is None
    assert (project.code_commune, project.code_epci, project.code_region) == (None, None, None)
    assert project.created_at is None


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert('x')</script>",
        '<img src=x onerror="alert(1)">',
        "[cliquez](javascript:alert(1))",
        "Énergie & « mobilité » — 100 % citoyenne ; l'été",
    ],
)
def test_user_text_is_kept_exactly_as_typed(text: str) -> None:
    project = parse_project(minimal(title=text[:120], summary=text, description=f"# T\n\n{text}"))
    assert project.summary == text
    assert project.description == f"# T\n\n{text}"


def test_public_dict_has_no_private_field() -> None:
    project = parse_project(minimal(contact_email="porteur@exemple.fr"))
    public = public_dict(project)
    assert "contact_email" in PRIVATE_FIELDS
    assert all(field not in public for field in PRIVATE_FIELDS)
    assert private_dict(project)["contact_email"] == "porteur@exemple.fr"
    assert "token" not in " ".join(public)


def test_area_polygon_is_kept_as_geojson() -> None:
    ring = [[5.70, 45.18], [5.74, 45.18], [5.74, 45.20], [5.70, 45.20], [5.70, 45.18]]
    feature = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    project = parse_project(minimal(area=feature))
    assert project.area is not None and project.area["type"] == "Polygon"


def test_vocabulary_file_covers_the_issue_list() -> None:
    table = categories()
    assert len(table) == 16
    assert {"solaire", "covoiturage", "donnees_outils", "communaute_energetique"} <= set(table)
    for ident, row in table.items():
        assert ident == identifier(ident)
        assert row["label"] and set(row["themes"]) <= {"energie", "mobilite"}
    assert set(STAGES) == {"idee", "en_projet", "en_service", "termine"}
    assert len(CARRIER_TYPES) == 6


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Énergie", "energie"),
        ("  Auto-partage  à l'Île ", "auto partage a l ile"),
        ("SCIC «Soleil»", "scic soleil"),
    ],
)
def test_search_words(text: str, expected: str) -> None:
    assert search_words(text) == expected


def test_not_an_object() -> None:
    with pytest.raises(ProjectValidationError) as caught:
        parse_project(["pas", "un", "objet"])  # type: ignore[arg-type]
    assert "objet" in str(caught.value)


# --- input that looks like something else (issue 11) --------------------------------------


@pytest.mark.parametrize(
    "title", ["\u200b", "\u200b\u200c\u200d\ufeff", "\u2060 \u3164", "\u202e", " \u00ad\u2800 "]
)
def test_a_title_that_looks_blank_is_refused(title: str) -> None:
    errors = errors_of(minimal(title=title))
    assert errors["title"] == ["Le titre ne peut pas être vide (caractères invisibles seulement)."]


@pytest.mark.parametrize("field", ["title", "summary", "address", "licence", "source"])
@pytest.mark.parametrize("override", ["\u202e", "\u202d", "\u202a", "\u2066", "\u2069"])
def test_direction_overrides_are_refused_in_one_line_fields(field: str, override: str) -> None:
    errors = errors_of(minimal(**{field: f"Toits {override}seriaflos"}))
    assert any("sens d'écriture" in message for message in errors[field]), errors


def test_direction_overrides_are_refused_in_carrier_names() -> None:
    errors = errors_of(minimal(carriers=[{"name": "A\u202eB", "type": "association"}]))
    assert "sens d'écriture" in " ".join(errors["carriers"])


def test_arabic_or_hebrew_text_with_its_marks_is_accepted() -> None:
    project = parse_project(minimal(title="طاقة شمسية \u200f(تعاونية)", summary="שמש \u200e2024"))
    assert project.title.startswith("طاقة")


def _square(min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> dict[str, Any]:
    ring = [[min_lon, min_lat], [max_lon, min_lat], [max_lon, max_lat], [min_lon, max_lat],
            [min_lon, min_lat]]  # fmt: skip
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.mark.parametrize(
    "area",
    [
        _square(-179.5, -14.0, 179.5, -13.5),  # meant to cross the antimeridian: 359° wide
        _square(-5.0, 41.0, 60.0, 51.0),  # from Brittany to the Urals
        _square(5.0, 45.0, 5.5, 45.5) | {"coordinates": [[[5, 45], [-60, 16], [5, 46], [5, 45]]]},
    ],
)
def test_an_area_across_the_antimeridian_or_larger_than_france_is_refused(
    area: dict[str, Any],
) -> None:
    errors = errors_of(minimal(area=area))
    assert "antiméridien" in " ".join(errors["area"]), errors


@pytest.mark.parametrize(
    "area",
    [
        _square(5.6, 45.1, 5.8, 45.3),
        _square(-5.2, 41.4, 9.6, 51.1),
        _square(-178.2, -14.4, -176.1, -13.2),
    ],
)
def test_areas_within_one_part_of_france_are_accepted(area: dict[str, Any]) -> None:
    assert parse_project(minimal(area=area)).area is not None


@pytest.mark.parametrize("value", [float("nan"), "nan", "NaN", float("inf"), "-inf"])
@pytest.mark.parametrize("field", ["lat", "lon", "power_kwc"])
def test_not_a_number_is_said_so(field: str, value: object) -> None:
    errors = errors_of(minimal(**{field: value}))
    messages = " ".join(errors["location" if field in ("lat", "lon") else field])
    assert "n'est pas un nombre" in messages and "au moins" not in messages, messages
