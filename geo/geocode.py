"""Address and place search for "près de" and the project form.

Three steps, each tried only when the previous one failed or found nothing:

1. the Géoplateforme geocoder (IGN, BAN addresses) at ``GEOPLATEFORME_URL + "/search"``,
   through geopy's ``BANFrance`` pointed at that domain;
2. Nominatim (OpenStreetMap) restricted to France, never more than one request per second in
   the whole process (:data:`NOMINATIM_RATE`), as its usage policy asks;
3. offline: the streets and house numbers of a local address file when one is there (the
   BAN's ``adresses-XX.csv`` or ``.csv.gz``, one per département, in
   ``GEO_DATA_DIR/adresses/``; an offline kit carries its area's lines: :mod:`geo.kit`), then
   a guess on the COG commune names and postal codes (:meth:`Territories.search`), whose
   point is a representative point of the commune's outline, marked ``approximate``.

With ``GEO_OFFLINE`` the first two steps are skipped and no request leaves the machine. Every
request carries the ``GEO_HTTP_TIMEOUT`` and ``GEO_USER_AGENT`` settings. Network errors,
timeouts, HTTP errors and malformed answers are logged and never raised: the next step runs.
Answers are cached in memory so that a Streamlit rerun does not query the services again.

Labels are returned as the services wrote them (plain text, not HTML): whoever renders them
escapes them, as for any other text coming from outside.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
from geopy.adapters import URLLibAdapter
from geopy.exc import GeopyError
from geopy.geocoders import BANFrance, Nominatim
from rapidfuzz import process
from rapidfuzz.distance import OSA

from geo.settings import Settings, get_settings
from geo.text import place_name_key

if TYPE_CHECKING:
    from geopy.location import Location

    from geo.territory import Territories

__all__ = [
    "ADDRESS_DIR",
    "GEOPLATEFORME_URL",
    "NOMINATIM_RATE",
    "NOMINATIM_URL",
    "GeocodeResult",
    "RateLimiter",
    "clear_cache",
    "geocode",
]

logger = logging.getLogger(__name__)

#: Base URL of the Géoplateforme geocoder; geopy appends ``/search``.
GEOPLATEFORME_URL = "https://data.geopf.fr/geocodage"
#: Base URL of Nominatim; geopy appends ``/search``.
NOMINATIM_URL = "https://nominatim.openstreetmap.org"
#: The Géoplateforme (like the BAN API) rejects queries shorter or longer than this.
_QUERY_LENGTH = (3, 200)

#: Seconds an answer stays cached; shorter after a failure, so a service back up is seen soon.
CACHE_SECONDS = 3600.0
CACHE_SECONDS_AFTER_FAILURE = 60.0
_CACHE_SIZE = 256

GeocoderT = TypeVar("GeocoderT", BANFrance, Nominatim)
Kind = Literal["adresse", "rue", "lieu", "commune"]
#: ``fichier-adresses``: a local BAN file, offline; ``hors-ligne``: the commune guess.
Source = Literal["geoplateforme", "nominatim", "fichier-adresses", "hors-ligne"]


@dataclass(frozen=True)
class GeocodeResult:
    """One candidate place. ``approximate`` means the point stands for an area (a street's or
    a commune's middle, or the offline guess) rather than the address or place itself."""

    label: str
    lat: float
    lon: float
    kind: Kind
    code_commune: str | None
    source: Source
    approximate: bool


class RateLimiter:
    """At most one request every ``min_interval`` seconds, across calls and threads.

    Each caller reserves the next free slot under a lock, then sleeps until that slot
    outside the lock. A caller whose slot is more than ``max_wait`` seconds away gets no slot
    (:meth:`acquire` returns False) rather than freezing the page behind a queue.
    """

    def __init__(
        self,
        min_interval: float,
        *,
        max_wait: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.min_interval = min_interval
        self.max_wait = max_wait
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_slot = -math.inf

    def acquire(self) -> bool:
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot)
            if slot - now > self.max_wait:
                return False
            self._next_slot = slot + self.min_interval
        if slot > now:
            self._sleep(slot - now)
        return True


#: Nominatim's usage policy: one request per second at most, for the whole process.
NOMINATIM_RATE = RateLimiter(1.0)


class _Cache:
    """A small thread-safe LRU dictionary whose entries expire."""

    def __init__(self, size: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._size = size
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[float, tuple[GeocodeResult, ...]]] = (
            OrderedDict()
        )

    def get(self, key: Hashable) -> tuple[GeocodeResult, ...] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] <= self._clock():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: Hashable, value: tuple[GeocodeResult, ...], seconds: float) -> None:
        with self._lock:
            self._entries[key] = (self._clock() + seconds, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_CACHE = _Cache(_CACHE_SIZE)


def clear_cache() -> None:
    """Forget every cached answer (tests, or after changing the settings)."""
    _CACHE.clear()
    with _ADDRESSES_LOCK:
        _ADDRESSES.clear()


class _ProviderFailed(Exception):
    """A provider could not answer (network, HTTP, rate limit or parse error)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def geocode(
    query: str,
    *,
    settings: Settings | None = None,
    territories: Territories | None = None,
    limit: int = 5,
    geoplateforme_url: str | None = None,
    nominatim_url: str | None = None,
) -> list[GeocodeResult]:
    """Places matching ``query``, best first, from the first step that finds any.

    ``territories`` enables the offline step and fills ``code_commune`` where a service does
    not give it (Nominatim) or gives an arrondissement (Paris, Lyon, Marseille). The URLs
    default to the settings ``GEO_GEOPLATEFORME_URL`` and ``GEO_NOMINATIM_URL`` (the official
    :data:`GEOPLATEFORME_URL` and :data:`NOMINATIM_URL`).
    """
    text = " ".join(str(query).split())[: _QUERY_LENGTH[1]]
    if not text or limit < 1:
        return []
    settings = settings if settings is not None else get_settings()
    geoplateforme_url = geoplateforme_url or settings.geoplateforme_url or GEOPLATEFORME_URL
    nominatim_url = nominatim_url or settings.nominatim_url or NOMINATIM_URL
    key = (
        text.casefold(),
        limit,
        settings.offline,
        settings.http_timeout,
        settings.user_agent,
        geoplateforme_url,
        nominatim_url,
        territories,  # hashed by identity: another reference, another answer
        str(settings.data_dir),  # its address files
    )
    cached = _CACHE.get(key)
    if cached is not None:
        return list(cached)

    failed = False
    results: list[GeocodeResult] = []
    steps = [] if settings.offline else [("nominatim", nominatim_url, _nominatim)]
    if steps and len(text) >= _QUERY_LENGTH[0]:
        steps.insert(0, ("geoplateforme", geoplateforme_url, _geoplateforme))
    for name, url, step in steps:
        try:
            results = step(text, url, settings, territories, limit)
        except _ProviderFailed as error:
            failed = True
            # The details may quote the URL, hence the address typed: debug level only.
            logger.warning(
                "Géocodeur %s en échec (%s) : passage à l'étape suivante", name, error.reason
            )
            logger.debug("Détail de l'échec du géocodeur %s : %s", name, error)
            continue
        if results:
            break
    if not results and territories is not None:
        results = _offline(text, territories, limit, settings.data_dir / ADDRESS_DIR)
    _CACHE.put(key, tuple(results), CACHE_SECONDS_AFTER_FAILURE if failed else CACHE_SECONDS)
    return results


# --- Géoplateforme -----------------------------------------------------------------------------

_BAN_KINDS: dict[str, Kind] = {
    "housenumber": "adresse",
    "street": "rue",
    "locality": "lieu",
    "municipality": "commune",
}


def _geoplateforme(
    text: str, url: str, settings: Settings, territories: Territories | None, limit: int
) -> list[GeocodeResult]:
    geocoder = _geocoder(BANFrance, url, settings)
    locations = _call(lambda: geocoder.geocode(text, limit=limit, exactly_one=False))
    results = []
    for location in locations:
        properties = _mapping(location.raw.get("properties"))
        kind = _BAN_KINDS.get(str(properties.get("type")), "lieu")
        code = properties.get("citycode")
        results.append(
            _result(
                location,
                label=properties.get("label"),
                kind=kind,
                code_commune=_current_code(code, territories) if code else None,
                source="geoplateforme",
            )
        )
    return [result for result in results if result is not None][:limit]


# --- Nominatim ---------------------------------------------------------------------------------

_COMMUNE_TYPES = {"city", "town", "village", "municipality"}


def _nominatim_kind(raw: dict[str, Any]) -> Kind:
    category = raw.get("class") or raw.get("category")
    place_type = raw.get("type")
    address_type = raw.get("addresstype")
    if (category == "boundary" and place_type == "administrative") or (
        address_type in _COMMUNE_TYPES
    ):
        return "commune"
    if category == "highway" or address_type == "road":
        return "rue"
    if (category == "place" and place_type == "house") or category == "building":
        return "adresse"
    return "lieu"


def _nominatim(
    text: str, url: str, settings: Settings, territories: Territories | None, limit: int
) -> list[GeocodeResult]:
    geocoder = _geocoder(Nominatim, url, settings)
    if not NOMINATIM_RATE.acquire():
        msg = "trop de requêtes en attente pour Nominatim (1 par seconde)"
        raise _ProviderFailed(msg)
    locations = _call(
        lambda: geocoder.geocode(text, exactly_one=False, limit=limit, country_codes="fr")
    )
    results = []
    for location in locations:
        raw = _mapping(location.raw)
        kind = _nominatim_kind(raw)
        results.append(
            _result(
                location,
                label=raw.get("display_name"),
                kind=kind,
                code_commune=None,
                source="nominatim",
            )
        )
    found = [result for result in results if result is not None][:limit]
    if territories is not None and found:
        codes = territories.locate([r.lat for r in found], [r.lon for r in found])
        found = [
            replace(result, code_commune=None if code is None else str(code))
            for result, code in zip(found, codes["code_commune"], strict=True)
        ]
    return found


# --- offline -----------------------------------------------------------------------------------

#: A window of words starting with one of these is a street, not a commune ("Rue" is one).
_STREET_WORDS = frozenset(
    "allee av avenue bd boulevard chemin cours impasse place quai route rue square".split()
)
_POSTAL_CODE = re.compile(r"(?<!\d)\d{5}(?!\d)")
_MAX_WINDOW = 4


def _offline(
    text: str, territories: Territories, limit: int, address_dir: Path | None = None
) -> list[GeocodeResult]:
    """The streets and addresses of the local address file the query names (when there is
    one), then the communes it names."""
    communes = _named_communes(text, territories, limit)
    results: list[GeocodeResult] = []
    index = load_addresses(address_dir) if address_dir is not None else None
    if index is not None:
        named = {code for code, _ in communes}
        results = index.search(text, territories, named_communes=named, limit=limit)
    points = territories.representative_points()
    for code, label in communes:
        if len(results) >= limit:
            break
        if code not in points.index:
            continue  # the commune is in the COG but its outline is not loaded
        point = points.loc[code]
        results.append(
            GeocodeResult(
                label=label,
                lat=float(point["lat"]),
                lon=float(point["lon"]),
                kind="commune",
                code_commune=code,
                source="hors-ligne",
                approximate=True,
            )
        )
    return results


def _named_communes(text: str, territories: Territories, limit: int) -> list[tuple[str, str]]:
    """Communes named in the query, as ``(code, label)`` best first: the whole query (typos
    allowed), then the commune names ending each comma-separated part ("10 rue des Arts,
    38000 Grenoble" → Grenoble), then the postal codes it holds."""
    codes: list[tuple[str, str]] = []

    def add(candidate: str, *, exact_only: bool) -> None:
        for match in territories.search(candidate, limit=limit):
            if match.level != "commune" or (exact_only and match.match != "exact"):
                continue
            if match.code not in {code for code, _ in codes}:
                codes.append((match.code, match.label))

    add(text, exact_only=False)
    for part in reversed(text.split(",")):
        words = place_name_key(part).split()
        for size in range(min(_MAX_WINDOW, len(words)), 0, -1):
            window = words[-size:]
            if window[0] in _STREET_WORDS or any(word.isdigit() for word in window):
                continue
            add(" ".join(window), exact_only=True)
    for postal_code in _POSTAL_CODE.findall(text):
        add(postal_code, exact_only=True)
    return codes


# --- local address file (BAN) ------------------------------------------------------------------

#: The folder of ``GEO_DATA_DIR`` where the offline search looks for address files.
ADDRESS_DIR = "adresses"
#: The BAN's files, one per département, as published (``adresses-38.csv.gz``) or unpacked.
ADDRESS_FILES = ("adresses-*.csv", "adresses-*.csv.gz")
#: The columns read, of the BAN's ``csv`` format (``id;id_fantoir;numero;rep;nom_voie;
#: code_postal;code_insee;nom_commune;…;lon;lat;…``).
_ADDRESS_COLUMNS = ["numero", "rep", "nom_voie", "code_postal", "code_insee", "nom_commune",
                    "lon", "lat"]  # fmt: skip
#: The BAN writes 99999 for a named place with no number (a lieu-dit): a street, not an address.
_NO_NUMBER = 99999
#: Words a street name does not need to be found by ("rue des Arts" = "rue Arts").
_STREET_STOP_WORDS = frozenset("a au aux d de des du en et l la le les sur sous".split())
#: Abbreviations typed for the words of street names, as the BAN spells them in full.
_STREET_ABBREVIATIONS = {
    "av": "avenue", "ave": "avenue", "bd": "boulevard", "bld": "boulevard", "bvd": "boulevard",
    "ch": "chemin", "che": "chemin", "crs": "cours", "imp": "impasse", "pl": "place",
    "pte": "porte", "qu": "quai", "r": "rue", "rte": "route", "sq": "square", "all": "allee",
}  # fmt: skip
_HOUSE_NUMBER = re.compile(r"^(\d{1,4})(bis|ter|quater|[a-h])?$")
_REPETITIONS = frozenset("bis ter quater a b c d e f g h".split())


def _typos_allowed(word: str) -> int:
    """Edits (a transposition is one) a typed word may be from a street's word: none for a
    short word, one up to 5 letters, two beyond."""
    return 0 if len(word) < 4 else 1 if len(word) <= 5 else 2


@dataclass(frozen=True)
class _Query:
    number: int | None
    repetition: str
    words: tuple[str, ...]
    postal_codes: frozenset[str]


def _parse_address(text: str) -> _Query:
    """The house number, its repetition, the words (abbreviations spelt out) and the postal
    codes of a query: "10 bis av. Alsace-Lorraine, 38000 Grenoble" → 10, "bis", "avenue
    alsace lorraine grenoble", {"38000"}."""
    postal_codes = frozenset(_POSTAL_CODE.findall(text))
    words = place_name_key(_POSTAL_CODE.sub(" ", text)).split()
    number, repetition = None, ""
    if words and (match := _HOUSE_NUMBER.match(words[0])):
        number, repetition = int(match.group(1)), match.group(2) or ""
        words = words[1:]
        if not repetition and words and words[0] in _REPETITIONS and len(words) > 1:
            repetition, words = words[0], words[1:]
    spelt = tuple(_STREET_ABBREVIATIONS.get(word, word) for word in words)
    return _Query(number, repetition, spelt, postal_codes)


class AddressIndex:
    """The streets of address files, searchable by their words, and their house numbers.

    A street is a name in a commune and postal code; its point is its address nearest to its
    middle (on the street, where a mean could fall beside a bent one). ``numbers`` holds
    every numbered address (``street``, ``numero``, ``rep``, ``lat``, ``lon``), sorted by
    street.
    """

    def __init__(self, addresses: pd.DataFrame) -> None:
        frame = addresses.dropna(subset=["nom_voie", "code_insee", "lon", "lat"])
        keys = ["code_insee", "code_postal", "nom_voie"]
        street = frame.groupby(keys, sort=False, observed=True, dropna=False).ngroup()
        frame = frame.assign(street=street.to_numpy(dtype="int64"))
        middle = frame.groupby("street")[["lat", "lon"]].transform("mean")
        gap = (frame["lat"] - middle["lat"]) ** 2 + (frame["lon"] - middle["lon"]) ** 2
        nearest = frame.loc[gap.groupby(frame["street"]).idxmin()].sort_values("street")
        self._names = nearest["nom_voie"].astype(str).tolist()
        self._codes = nearest["code_insee"].astype(str).tolist()
        self._postal_codes = nearest["code_postal"].astype(str).fillna("").tolist()
        self._communes = nearest["nom_commune"].astype(str).fillna("").tolist()
        self._points = nearest[["lat", "lon"]].to_numpy(dtype="float64")
        numbered = frame[frame["numero"].notna() & (frame["numero"] != _NO_NUMBER)]
        self.numbers = numbered[["street", "numero", "rep", "lat", "lon"]].sort_values(
            ["street", "numero"], kind="stable"
        )
        self._number_streets = self.numbers["street"].to_numpy()
        # Each street's significant words, and the streets each word is found in.
        self._street_words: list[frozenset[str]] = []
        self._by_word: dict[str, list[int]] = {}
        keyed: dict[str, frozenset[str]] = {}
        for index, name in enumerate(self._names):
            if name not in keyed:
                key = place_name_key(name).split()
                keyed[name] = frozenset(w for w in key if w not in _STREET_STOP_WORDS)
            words = keyed[name]
            self._street_words.append(words)
            for word in words:
                self._by_word.setdefault(word, []).append(index)
        self._vocabulary = list(self._by_word)

    def __len__(self) -> int:
        return len(self.numbers)

    def _matching_words(self, typed: str) -> set[str]:
        """Words of the streets within the typos allowed of a typed word."""
        found = {typed} if typed in self._by_word else set()
        allowed = _typos_allowed(typed)
        if allowed:
            for word, _, _ in process.extract(typed, self._vocabulary, scorer=OSA.distance,
                                              score_cutoff=allowed, limit=None):  # fmt: skip
                if _typos_allowed(word) >= 1:  # a short street word is never a typo's guess
                    found.add(word)
        return found

    def search(
        self,
        text: str,
        territories: Territories,
        *,
        named_communes: Iterable[str] = (),
        limit: int = 5,
    ) -> list[GeocodeResult]:
        """The streets every significant word of which the query holds (typos allowed),
        best first: in a commune the query names (or of a postal code it holds), then with
        the most words typed as they are spelt, then the longest names; with its house
        number when the query gives one the street has (an address point), else the street
        itself (``approximate``)."""
        query = _parse_address(text)
        typed = {w for w in query.words if w not in _STREET_STOP_WORDS}
        matches = {word: self._matching_words(word) for word in typed}
        near = set().union(*matches.values()) if matches else set()
        reached = {street for word in near for street in self._by_word[word]}
        named = set(named_communes)
        ranked = []
        for street in reached:
            words = self._street_words[street]
            if not words <= near:
                continue  # a word of the street's name is not in the query
            here = self._codes[street] in named or self._postal_codes[street] in query.postal_codes
            exact = len(words & typed)
            ranked.append((not here, -exact, -len(words), self._names[street], street))
        return [self._result(street, query, territories) for *_, street in sorted(ranked)[:limit]]

    def _result(self, street: int, query: _Query, territories: Territories) -> GeocodeResult:
        place = " ".join(
            f"{self._names[street]} {self._postal_codes[street]} {self._communes[street]}".split()
        )
        code = _current_code(self._codes[street], territories)
        address = self._number(street, query) if query.number is not None else None
        if address is None:
            lat, lon = self._points[street]
            return GeocodeResult(label=place, lat=float(lat), lon=float(lon), kind="rue",
                                 code_commune=code, source="fichier-adresses",
                                 approximate=True)  # fmt: skip
        number = f"{int(address['numero'])} {address['rep']}".strip()
        return GeocodeResult(label=f"{number} {place}", lat=float(address["lat"]),
                             lon=float(address["lon"]), kind="adresse", code_commune=code,
                             source="fichier-adresses", approximate=False)  # fmt: skip

    def _number(self, street: int, query: _Query) -> pd.Series | None:
        """The street's address of the query's number: with its repetition (bis, ter…) when
        typed, else the plain number first."""
        start = int(np.searchsorted(self._number_streets, street, side="left"))
        end = int(np.searchsorted(self._number_streets, street, side="right"))
        rows = self.numbers.iloc[start:end]
        rows = rows[rows["numero"] == query.number]
        if rows.empty:
            return None
        repetitions = rows["rep"].str.lower()
        wanted = rows[repetitions == query.repetition]
        if wanted.empty and query.repetition:
            return None  # "10 ter" where only 10 and 10 bis exist: the street, not another door
        return (wanted if not wanted.empty else rows).iloc[0]


def read_address_file(path: Path) -> pd.DataFrame:
    """The columns of a BAN ``csv`` file the search needs (``.gz`` read as it is)."""
    text = {name: "category" for name in ("nom_voie", "code_postal", "code_insee", "nom_commune")}
    # Only an empty field is missing ("NA" may be a street's name).
    frame = pd.read_csv(path, sep=";", usecols=_ADDRESS_COLUMNS, keep_default_na=False,
                        na_values=[""], encoding="utf-8",
                        dtype=text | {"rep": str, "numero": "float64", "lon": "float64",
                                      "lat": "float64"})  # fmt: skip
    frame["rep"] = frame["rep"].fillna("").astype(str).str.strip()
    inside = frame["lat"].between(-90, 90) & frame["lon"].between(-180, 180)
    return frame[inside]


_ADDRESSES_LOCK = threading.Lock()
_ADDRESSES: dict[Path, tuple[tuple[tuple[str, int, int], ...], AddressIndex | None]] = {}


def address_files(folder: Path) -> list[Path]:
    return sorted({p for pattern in ADDRESS_FILES for p in Path(folder).glob(pattern)})


def load_addresses(folder: Path) -> AddressIndex | None:
    """The index of the address files of ``folder``, or None when it has none; read once,
    again when a file changes. An unreadable file is logged and left out."""
    files = address_files(folder)
    try:
        signature = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    except OSError:
        return None
    with _ADDRESSES_LOCK:
        cached = _ADDRESSES.get(folder)
        if cached is not None and cached[0] == signature:
            return cached[1]
        frames = []
        for path in files:
            try:
                frames.append(read_address_file(path))
            except (OSError, ValueError, EOFError) as error:  # unreadable, not the BAN's columns
                logger.warning("Fichier d'adresses illisible, ignoré : %s (%s)", path.name, error)
        frames = [frame for frame in frames if not frame.empty]
        index = AddressIndex(pd.concat(frames, ignore_index=True)) if frames else None
        _ADDRESSES.clear()  # one data directory at a time: the memory of one index
        _ADDRESSES[folder] = (signature, index)
        return index


# --- helpers -----------------------------------------------------------------------------------


def _geocoder(cls: type[GeocoderT], url: str, settings: Settings) -> GeocoderT:
    scheme, domain = _split_url(url)
    return cls(
        domain=domain,
        scheme=scheme,
        timeout=settings.http_timeout,
        user_agent=settings.user_agent,
        # urllib does not retry: one user action is one request (requests would retry twice,
        # bypassing Nominatim's rate limit).
        adapter_factory=URLLibAdapter,
    )


def _split_url(url: str) -> tuple[str, str]:
    """geopy wants a scheme and a "domain" that may carry a path (``data.geopf.fr/geocodage``)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        msg = f"URL de géocodeur invalide : {url!r}"
        raise ValueError(msg)
    return parts.scheme, (parts.netloc + parts.path).rstrip("/")


#: What each geopy failure means, in French (the log line a server operator reads).
_FAILURES = {
    "GeocoderTimedOut": "délai de réponse dépassé",
    "GeocoderRateLimited": "trop de requêtes (limite du service)",
    "GeocoderUnavailable": "service injoignable",
    "GeocoderServiceError": "erreur du service",
    "GeocoderQuotaExceeded": "quota du service épuisé",
    "GeocoderAuthenticationFailure": "accès refusé par le service",
    "GeocoderInsufficientPrivileges": "accès refusé par le service",
    "GeocoderParseError": "réponse illisible",
    "GeocoderQueryError": "requête refusée par le service",
}


def _failure(error: Exception) -> str:
    """The French reason of a geocoder failure, with geopy's class name for the record."""
    name = type(error).__name__
    if name in _FAILURES:
        return f"{_FAILURES[name]}, {name}"
    if isinstance(error, OSError):
        return f"réseau injoignable, {name}"
    return f"échec du service, {name}"


def _call(request: Callable[[], list[Location] | None]) -> list[Location]:
    try:
        locations = request()
    except (GeopyError, OSError) as error:  # timeouts, HTTP errors, unreachable host, bad JSON
        raise _ProviderFailed(_failure(error), str(error)) from error
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as error:
        # geopy parses the JSON itself: a malformed answer ends up here.
        reason = f"réponse mal formée ({type(error).__name__})"
        raise _ProviderFailed(reason, str(error)) from error
    return list(locations or [])


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _result(
    location: Location,
    *,
    label: object,
    kind: Kind,
    code_commune: str | None,
    source: Source,
) -> GeocodeResult | None:
    """A result from a geopy location, or None when its coordinates are unusable."""
    lat, lon = location.latitude, location.longitude
    if not (math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180):
        return None
    text = " ".join(str(label if label is not None else location.address or "").split())
    if not text:
        return None
    return GeocodeResult(
        label=text,
        lat=float(lat),
        lon=float(lon),
        kind=kind,
        code_commune=code_commune,
        source=source,
        approximate=kind in ("rue", "commune"),
    )


def _current_code(code: object, territories: Territories | None) -> str:
    """The current commune code (an arrondissement or a former commune maps to its commune)."""
    text = str(code).strip()
    if territories is None:
        return text
    current = territories.hierarchy_of_communes([text])["code_commune"].iloc[0]
    return str(current) if current is not None else text
