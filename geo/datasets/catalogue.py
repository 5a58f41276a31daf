"""The public energy and mobility datasets, declared as data: one :class:`Dataset` each.

A :class:`Dataset` says what a dataset is (title, theme, producer, official URL and the kind
of file published there, licence and the attribution it requires, schema, whether the
schema's official example stands in for a producer file), how it is drawn (geometry kind,
colour, popup fields), what is counted per territory (:class:`Aggregate`) and which module of
:mod:`geo.datasets` loads it. Adding a dataset is adding its entry here and its loader module
(``geo/datasets/<loader>.py`` with ``load(path, *, territories, schema) -> Loaded``): the
fetched files (:mod:`geo.sources.declared`), the overlays, the indicators and the command
line all read this entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from geo.errors import UnknownDatasetError

Theme = Literal["énergie", "mobilité"]
GeometryKind = Literal["point", "line", "commune"]
AggregateKind = Literal["count", "sum", "count_distinct"]
Coverage = Literal["national", "local"]
#: How the published file is read and checked by the fetcher (the URL may have no extension).
FileKind = Literal["geojson", "json", "csv"]

THEMES: tuple[str, ...] = ("énergie", "mobilité")
GEOMETRY_KINDS: tuple[str, ...] = ("point", "line", "commune")
COVERAGES: tuple[str, ...] = ("national", "local")


@dataclass(frozen=True)
class Licence:
    name: str
    url: str
    #: The mention to show wherever the data is shown or exported.
    attribution: str
    share_alike: bool = False


LICENCE_OUVERTE = "Licence Ouverte 2.0"
LICENCE_OUVERTE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
ODBL_URL = "https://opendatacommons.org/licenses/odbl/1-0/"


def licence_ouverte(producer: str) -> Licence:
    return Licence(LICENCE_OUVERTE, LICENCE_OUVERTE_URL, f"Source : {producer}, {LICENCE_OUVERTE}")


@dataclass(frozen=True)
class PopupField:
    column: str
    label: str
    unit: str | None = None


@dataclass(frozen=True)
class Symbols:
    """How a commune table is drawn on the map: a circle per commune whose area is the sum
    of ``value`` (in ``unit``), coloured by its main ``category``."""

    value: str
    category: str
    label: str
    unit: str


@dataclass(frozen=True)
class Aggregate:
    """One per-territory figure: ``count`` rows, ``sum`` a column or ``count_distinct``
    values of a column, over the rows where ``where_column >= where_min`` if set, split by
    ``by`` (a column such as ``filiere``) if set."""

    name: str
    label: str
    kind: AggregateKind
    column: str | None = None
    unit: str | None = None
    where_column: str | None = None
    where_min: float | None = None
    by: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("count", "sum", "count_distinct"):
            msg = f"Agrégat {self.name} : type inconnu {self.kind!r}."
            raise ValueError(msg)
        if self.kind != "count" and not self.column:
            msg = f"Agrégat {self.name} : une colonne est requise pour {self.kind}."
            raise ValueError(msg)
        if (self.where_column is None) != (self.where_min is None):
            msg = f"Agrégat {self.name} : where_column et where_min vont ensemble."
            raise ValueError(msg)

    def columns(self) -> tuple[str, ...]:
        """Columns of the normalised frame this aggregate reads."""
        wanted = (self.column, self.where_column, self.by)
        return tuple(name for name in wanted if name)

    def compute(self, frame: pd.DataFrame, *, group: str) -> pd.Series:
        """The figure per value of ``group`` (a territory column such as ``code_commune``),
        indexed by ``(group, by)`` when ``by`` is set. Rows with a missing group are left out;
        a sum over only missing values is missing (``NA``), never 0."""
        rows = frame[frame[group].notna()]
        if self.where_column is not None:
            values = pd.to_numeric(rows[self.where_column], errors="coerce")
            rows = rows[(values >= self.where_min).fillna(False).to_numpy(dtype=bool)]
        keys = [group] if self.by is None else [group, self.by]
        grouped = rows.groupby(keys, dropna=True, sort=True)
        if self.kind == "count":
            return grouped.size().rename(self.name)
        column = grouped[self.column]
        if self.kind == "count_distinct":
            return column.nunique().rename(self.name)
        result = column.sum(min_count=1)
        return pd.to_numeric(result, errors="coerce").astype("Float64").rename(self.name)


@dataclass(frozen=True)
class Dataset:
    id: str
    title: str
    theme: Theme
    producer: str
    #: Where the file is published (also the :mod:`geo.sources.declared` entry named ``id``).
    url: str
    #: The dataset's page for people (description, editions).
    page_url: str
    licence: Licence
    geometry: GeometryKind
    loader: str
    #: What the official URL publishes (checked and stored by :mod:`geo.sources.fetch`).
    file_kind: FileKind
    popup_fields: tuple[PopupField, ...] = ()
    aggregates: tuple[Aggregate, ...] = ()
    schema_url: str | None = None
    #: Kind of schema at ``schema_url``: a Frictionless Table Schema, or a JSON Schema.
    schema_kind: Literal["table-schema", "json-schema"] | None = None
    #: Name of the :mod:`geo.sources.declared` entry of the schema (fetched with the data).
    schema_source: str | None = None
    description: str = ""
    #: ``national``: the file lists every place of France, so a territory without a row has
    #: none (0); ``local``: a producer's file, silent about territories it has no row for.
    coverage: Coverage = "national"
    #: Date column of the normalised frame whose latest value dates the data.
    date_column: str | None = None
    #: Column of the period of a yearly series: figures use the latest period only (years
    #: are never summed).
    period_column: str | None = None
    #: True when no national file exists yet and the official schema's example stands in.
    schema_example: bool = False
    #: Colour of the dataset's overlay and legend.
    colour: str = "#7048e8"
    #: The title in a legend or a menu (the full title goes with the sources).
    short_title: str = ""
    #: A commune table drawn as proportional symbols (point datasets are drawn as points).
    symbols: Symbols | None = None

    @property
    def label(self) -> str:
        return self.short_title or self.title

    def __post_init__(self) -> None:
        if self.coverage not in COVERAGES:
            msg = f"Jeu de données {self.id} : couverture inconnue {self.coverage!r}."
            raise ValueError(msg)
        if self.theme not in THEMES:
            msg = f"Jeu de données {self.id} : thème inconnu {self.theme!r}."
            raise ValueError(msg)
        if self.geometry not in GEOMETRY_KINDS:
            msg = f"Jeu de données {self.id} : géométrie inconnue {self.geometry!r}."
            raise ValueError(msg)
        if (self.schema_url is None) != (self.schema_kind is None):
            msg = f"Jeu de données {self.id} : schema_url et schema_kind vont ensemble."
            raise ValueError(msg)

    @property
    def source(self) -> str:
        """Name of the file's entry in :data:`geo.sources.declared.SOURCES`."""
        return self.id

    @property
    def loader_module(self) -> str:
        return f"geo.datasets.{self.loader}"

    def aggregate(self, name: str) -> Aggregate:
        for aggregate in self.aggregates:
            if aggregate.name == name:
                return aggregate
        msg = f"Agrégat inconnu pour {self.id} : {name!r}."
        raise KeyError(msg)


# --- the catalogue --------------------------------------------------------------------------------

#: Every dataset, by id, in display order (filled below).
CATALOGUE: dict[str, Dataset] = {}


def get_dataset(dataset_id: str) -> Dataset:
    """The dataset with that id, or :class:`UnknownDatasetError` listing the known ids."""
    try:
        return CATALOGUE[dataset_id]
    except KeyError:
        known = ", ".join(CATALOGUE)
        msg = f"Jeu de données inconnu : {dataset_id!r}. Jeux connus : {known}."
        raise UnknownDatasetError(msg) from None


def datasets_of_theme(theme: str) -> list[Dataset]:
    return [dataset for dataset in CATALOGUE.values() if dataset.theme == theme]


_GITHUB = "https://raw.githubusercontent.com/etalab"
_IRVE_PRODUCER = "Etalab (transport.data.gouv.fr), consolidation des fichiers des aménageurs"
_BNLC_PRODUCER = "Point d'accès national transport.data.gouv.fr et contributeurs de la BNLC"
_ODRE_PRODUCER = "ODRÉ (Open Data Réseaux Énergies) : RTE, Enedis, GRDF et les gestionnaires"
_ORE_PRODUCER = "Agence ORE (Opérateurs de Réseaux d'Énergie)"

IRVE = Dataset(
    id="irve",
    title="Bornes de recharge pour véhicules électriques (IRVE)",
    short_title="Bornes de recharge (IRVE)",
    theme="mobilité",
    producer=_IRVE_PRODUCER,
    url="https://www.data.gouv.fr/fr/datasets/r/2729b192-40ab-4454-904d-735084dca3a3",
    page_url="https://www.data.gouv.fr/fr/datasets/fichier-consolide-des-bornes-de-recharge-pour-vehicules-electriques/",
    licence=licence_ouverte(_IRVE_PRODUCER),
    geometry="point",
    loader="irve",
    file_kind="csv",  # the data.gouv.fr URL has no extension
    colour="#1c7ed6",
    schema_url=f"{_GITHUB}/schema-irve/v2.3.0/statique/schema-statique.json",
    schema_kind="table-schema",
    schema_source="schema-irve",
    popup_fields=(
        PopupField("nom_station", "Station"),
        PopupField("nom_operateur", "Opérateur"),
        PopupField("nom_amenageur", "Aménageur"),
        PopupField("puissance_kw", "Puissance", "kW"),
        PopupField("gratuit", "Gratuit"),
        PopupField("date_mise_en_service", "Mise en service"),
    ),
    aggregates=(
        Aggregate("points_de_charge", "Points de charge", "count", unit="points"),
        Aggregate("puissance_kw", "Puissance de recharge", "sum", "puissance_kw", unit="kW"),
        Aggregate("stations", "Stations", "count_distinct", "id_station_itinerance"),
        Aggregate(
            "points_de_charge_50kw",
            "Points de charge ≥ 50 kW",
            "count",
            unit="points",
            where_column="puissance_kw",
            where_min=50.0,
        ),
        Aggregate(
            "stations_50kw",
            "Stations avec un point de charge ≥ 50 kW",
            "count_distinct",
            "id_station_itinerance",
            where_column="puissance_kw",
            where_min=50.0,
        ),
    ),
    description="Un point par point de charge (les lignes par connecteur sont regroupées).",
    date_column="date_maj",
)

COVOITURAGE = Dataset(
    id="covoiturage",
    title="Lieux de covoiturage (Base nationale, BNLC)",
    short_title="Lieux de covoiturage (BNLC)",
    theme="mobilité",
    producer=_BNLC_PRODUCER,
    url=f"{_GITHUB}/transport-base-nationale-covoiturage/main/bnlc-.csv",
    page_url="https://transport.data.gouv.fr/datasets/base-nationale-des-lieux-de-covoiturage",
    licence=Licence(
        "ODbL 1.0",
        ODBL_URL,
        "Base nationale des lieux de covoiturage (BNLC), transport.data.gouv.fr, "
        "© les contributeurs de la BNLC, sous licence ODbL 1.0 : toute base de données "
        "dérivée doit être partagée sous la même licence.",
        share_alike=True,
    ),
    geometry="point",
    loader="covoiturage",
    file_kind="csv",
    colour="#2f9e44",
    schema_url=f"{_GITHUB}/schema-lieux-covoiturage/v0.2.0/schema.json",
    schema_kind="table-schema",
    schema_source="schema-covoiturage",
    popup_fields=(
        PopupField("nom_lieu", "Lieu"),
        PopupField("type", "Type"),
        PopupField("nbre_pl", "Places", "places"),
        PopupField("nbre_pmr", "Places PMR", "places"),
        PopupField("date_maj", "Mise à jour"),
    ),
    aggregates=(
        Aggregate("lieux", "Lieux de covoiturage", "count", unit="lieux"),
        Aggregate("places", "Places de covoiturage", "sum", "nbre_pl", unit="places"),
        Aggregate("places_pmr", "Places PMR", "sum", "nbre_pmr", unit="places"),
    ),
    date_column="date_maj",
)

PRODUCTION = Dataset(
    id="production",
    title="Installations de production et de stockage d'électricité (registre national)",
    short_title="Production d'électricité (ODRÉ)",
    theme="énergie",
    producer=_ODRE_PRODUCER,
    url=(
        "https://odre.opendatasoft.com/api/explore/v2.1/catalog/datasets/"
        "registre-national-installation-production-stockage-electricite-agrege/exports/json"
    ),
    page_url=(
        "https://odre.opendatasoft.com/explore/dataset/"
        "registre-national-installation-production-stockage-electricite-agrege/"
    ),
    licence=licence_ouverte(_ODRE_PRODUCER),
    geometry="commune",
    loader="production",
    file_kind="json",
    popup_fields=(
        PopupField("nom_installation", "Installation"),
        PopupField("filiere", "Filière"),
        PopupField("technologie", "Technologie"),
        PopupField("puissance_kw", "Puissance installée", "kW"),
        PopupField("nb_installations", "Installations"),
    ),
    aggregates=(
        Aggregate("puissance_kw", "Puissance installée", "sum", "puissance_kw", unit="kW"),
        Aggregate(
            "puissance_kw_par_filiere",
            "Puissance installée par filière",
            "sum",
            "puissance_kw",
            unit="kW",
            by="filiere",
        ),
        Aggregate(
            "installations_par_filiere",
            "Installations par filière",
            "sum",
            "nb_installations",
            unit="installations",
            by="filiere",
        ),
        Aggregate(
            "puissance_renouvelable_kw",
            "Puissance renouvelable installée",
            "sum",
            "puissance_kw",
            unit="kW",
            where_column="renouvelable",
            where_min=1.0,
        ),
        Aggregate(
            "puissance_renouvelable_kw_par_filiere",
            "Puissance renouvelable installée par filière",
            "sum",
            "puissance_kw",
            unit="kW",
            where_column="renouvelable",
            where_min=1.0,
            by="filiere",
        ),
    ),
    description="Situé par le code INSEE de la commune d'implantation (pas de coordonnées).",
    date_column="date_debut_version",
    colour="#f08c00",
    symbols=Symbols("puissance_kw", "filiere", "Puissance installée", "kW"),
)

CONSOMMATION = Dataset(
    id="consommation",
    title="Consommation annuelle d'électricité et de gaz par commune et secteur",
    short_title="Consommation d'énergie (Agence ORE)",
    theme="énergie",
    producer=_ORE_PRODUCER,
    url=(
        "https://opendata.agenceore.fr/api/explore/v2.1/catalog/datasets/"
        "conso-elec-gaz-annuelle-par-secteur-dactivite-agregee-commune/exports/csv"
    ),
    page_url=(
        "https://opendata.agenceore.fr/explore/dataset/"
        "conso-elec-gaz-annuelle-par-secteur-dactivite-agregee-commune/"
    ),
    licence=licence_ouverte(_ORE_PRODUCER),
    geometry="commune",
    loader="consommation",
    file_kind="csv",
    popup_fields=(
        PopupField("annee", "Année"),
        PopupField("filiere", "Énergie"),
        PopupField("conso_totale_mwh", "Consommation totale", "MWh"),
    ),
    aggregates=(
        Aggregate(
            "conso_totale_mwh",
            "Consommation d'électricité et de gaz",
            "sum",
            "conso_totale_mwh",
            unit="MWh",
        ),
        Aggregate(
            "conso_mwh_par_filiere",
            "Consommation par énergie",
            "sum",
            "conso_totale_mwh",
            unit="MWh",
            by="filiere",
        ),
        *(
            Aggregate(
                f"conso_{sector}_mwh_par_filiere",
                f"Consommation {label} par énergie",
                "sum",
                f"conso_{sector}_mwh",
                unit="MWh",
                by="filiere",
            )
            for sector, label in (
                ("residentiel", "résidentielle"),
                ("tertiaire", "tertiaire"),
                ("industrie", "industrielle"),
                ("agriculture", "agricole"),
                ("secteur_inconnu", "de secteur inconnu"),
            )
        ),
        Aggregate(
            "points_de_livraison_par_filiere",
            "Points de livraison par énergie",
            "sum",
            "pdl_total",
            unit="points",
            by="filiere",
        ),
    ),
    period_column="annee",
)

STATIONNEMENT_VELO = Dataset(
    id="stationnement_velo",
    title="Stationnement vélo (schéma stationnement cyclable)",
    short_title="Stationnement vélo",
    theme="mobilité",
    producer="Collectivités publiant au schéma stationnement cyclable (Etalab)",
    # No national file yet: the schema's own example stands in for a producer file.
    url=f"{_GITHUB}/schema-stationnement-cyclable/v1.1.2/exemple-valide.csv",
    page_url="https://schema.data.gouv.fr/etalab/schema-stationnement-cyclable/",
    licence=licence_ouverte("Etalab, schéma stationnement cyclable"),
    geometry="point",
    loader="stationnement_velo",
    file_kind="csv",
    schema_example=True,
    colour="#e8590c",
    schema_url=f"{_GITHUB}/schema-stationnement-cyclable/v1.1.2/schema.json",
    schema_kind="table-schema",
    schema_source="schema-stationnement-velo",
    popup_fields=(
        PopupField("mobilier", "Mobilier"),
        PopupField("capacite", "Places vélo", "places"),
        PopupField("acces", "Accès"),
        PopupField("couverture", "Couvert"),
    ),
    aggregates=(
        Aggregate("sites", "Sites de stationnement vélo", "count", unit="sites"),
        Aggregate("places_velo", "Places de stationnement vélo", "sum", "capacite", "places"),
    ),
    coverage="local",
    date_column="date_maj",
)

AMENAGEMENTS_CYCLABLES = Dataset(
    id="amenagements_cyclables",
    title="Aménagements cyclables (schéma aménagements cyclables)",
    short_title="Aménagements cyclables",
    theme="mobilité",
    producer="Collectivités publiant au schéma aménagements cyclables (Etalab)",
    # No national file in the mirror: the schema's example stands in for a producer file.
    url=f"{_GITHUB}/amenagements-cyclables/v0.3.5/exemple-valide.json",
    page_url="https://schema.data.gouv.fr/etalab/amenagements-cyclables/",
    licence=licence_ouverte("Etalab, schéma aménagements cyclables"),
    geometry="line",
    loader="amenagements_cyclables",
    file_kind="geojson",
    schema_example=True,
    schema_url=f"{_GITHUB}/amenagements-cyclables/v0.3.5/schema_amenagements_cyclables.json",
    schema_kind="json-schema",
    schema_source="schema-amenagements-cyclables",
    popup_fields=(
        PopupField("ame_d", "Aménagement (droite)"),
        PopupField("ame_g", "Aménagement (gauche)"),
        PopupField("longueur_m", "Longueur", "m"),
    ),
    aggregates=(
        Aggregate("longueur_m", "Longueur d'aménagements cyclables", "sum", "longueur_m", "m"),
    ),
    coverage="local",
    date_column="date_maj",
)

CATALOGUE.update(
    (dataset.id, dataset)
    for dataset in (
        IRVE,
        COVOITURAGE,
        PRODUCTION,
        CONSOMMATION,
        STATIONNEMENT_VELO,
        AMENAGEMENTS_CYCLABLES,
    )
)
