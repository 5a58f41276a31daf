"""Import communs from a Fabrique wiki (``python -m geo communs import-wiki BASE_URL``).

Both Fabrique wikis are Semantic MediaWiki sites whose commun pages fill a template with fields
such as ``Titre``, ``shortDescription``, ``description``, ``url``, ``Coordonnées géo``,
``Tags`` and ``Theme``. The pages of a category are read through the MediaWiki Action API, in
as many requests as its continuation asks::

    api.php?action=query&format=json&formatversion=2&generator=categorymembers
           &gcmtitle=Category:Commun&gcmnamespace=0&gcmlimit=50
           &prop=revisions|info&rvprop=content&rvslots=main&inprop=url
           [&continue=…&gcmcontinue=…&rvcontinue=…]   (the previous answer's "continue")

A page may come back in several answers (its content in a later one when a batch was too big:
``rvcontinue``); parts are merged by ``pageid``. The wikitext is parsed by mwparserfromhell:
the first template having one of those fields is the commun. Its page URL (``fullurl``) is
its stable id (``external_id``, ``source`` ``wiki:<host>``), so importing again updates the
same communs and creates nothing. A field missing is left empty (a missing ``Titre`` takes the
page's title); a page without coordinates has no point; a page with no such template, or whose
fields do not validate, is skipped with its reason.

All or nothing: every answer is read before anything is written, then the communs are written
in one transaction (:meth:`geo.store.communs.Communs.save_many`). A network failure, an API
error or an unreadable answer raises :class:`~geo.errors.WikiImportError` in French, and the
store is left as it was.

``recorded`` replays answers saved earlier instead of asking the network: the files
``0001.json``, ``0002.json``… of a folder, the API's answers in the order of the requests
(the second answers the first one's ``continue``, and so on).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

import httpx
import mwparserfromhell

from geo.errors import EntityValidationError, GeoError, WikiImportError
from geo.projects.entities import Commun, licence_id, parse_commun
from geo.settings import Settings, get_settings
from geo.store.identity import Operator
from geo.text import identifier

if TYPE_CHECKING:
    from geo.store.project_store import ProjectStore

#: Template fields read, and the commun field each fills.
FIELDS = {
    "titre": "title",
    "shortdescription": "summary",
    "description": "description",
    "url": "url",
    "coordonnees_geo": "point",
    "tags": "tags",
    "theme": "themes",
    "licence": "licence",
    "license": "licence",
}
#: Words of a page's tags, theme or title that tell what kind of commun it is.
KIND_WORDS = {
    "outil": ("logiciel", "outil", "application", "plateforme", "code", "software", "api"),
    "donnees": ("donnees", "donnee", "dataset", "open_data", "jeu_de_donnees", "base_de_donnees"),
    "formation": ("formation", "mooc", "cours", "atelier"),
    "materiel": ("materiel", "hardware", "prototype", "vehicule", "velo", "kit"),
    "methode": ("methode", "guide", "methodologie", "retour_d_experience", "boite_a_outils"),
}
MAX_REQUESTS = 1000
_PAGE_SIZE = 50


@dataclass
class WikiReport:
    base_url: str
    category: str
    requests: int = 0
    pages: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "category": self.category,
            "requests": self.requests,
            "pages": self.pages,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "warnings": self.warnings,
        }


def api_url(base_url: str) -> str:
    """``https://wiki.exemple.fr`` → ``https://wiki.exemple.fr/api.php`` (an address ending
    in ``api.php`` is kept)."""
    text = base_url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        msg = f"« {base_url} » n'est pas l'adresse d'un wiki (http:// ou https:// attendu)."
        raise WikiImportError(msg)
    return text if parts.path.endswith("api.php") else text.rstrip("/") + "/api.php"


def query_params(category: str) -> dict[str, str]:
    return {
        "action": "query",
        "format": "json",
        "formatversion": "2",
        "generator": "categorymembers",
        "gcmtitle": f"Category:{category}",
        "gcmnamespace": "0",
        "gcmlimit": str(_PAGE_SIZE),
        "prop": "revisions|info",
        "rvprop": "content",
        "rvslots": "main",
        "inprop": "url",
    }


Asker = Callable[[dict[str, str]], Any]


def network_asker(url: str, settings: Settings) -> tuple[Asker, Callable[[], None]]:
    if settings.offline:
        msg = (
            "Import du wiki impossible hors connexion (GEO_OFFLINE) : rien n'a été importé. "
            "Relancez-le connecté, ou avec --recorded DOSSIER (réponses enregistrées)."
        )
        raise WikiImportError(msg)
    client = httpx.Client(
        timeout=settings.http_timeout,
        headers={"User-Agent": settings.user_agent},
        follow_redirects=True,
    )

    def ask(params: dict[str, str]) -> Any:
        try:
            response = client.get(url, params=params)
            response.raise_for_status()
            return response.json()
        except httpx.HTTPStatusError as error:
            code = error.response.status_code
            msg = f"Le wiki a répondu par une erreur HTTP {code} : rien n'a été importé."
            raise WikiImportError(msg) from error
        except (httpx.HTTPError, OSError) as error:
            msg = (
                f"Le wiki ({urlsplit(url).hostname}) ne répond pas ou la connexion a été "
                f"coupée ({type(error).__name__}) : rien n'a été importé. Vérifiez l'adresse "
                "et la connexion, puis relancez l'import."
            )
            raise WikiImportError(msg) from error
        except ValueError as error:
            msg = "La réponse du wiki n'est pas du JSON lisible : rien n'a été importé."
            raise WikiImportError(msg) from error

    return ask, client.close


def recorded_asker(folder: Path) -> Asker:
    count = {"n": 0}

    def ask(params: dict[str, str]) -> Any:
        count["n"] += 1
        path = Path(folder) / f"{count['n']:04d}.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            msg = (
                f"Réponse enregistrée manquante : {path.name} (la réponse précédente demandait "
                "une suite) ; rien n'a été importé."
            )
            raise WikiImportError(msg) from None
        except (OSError, ValueError) as error:
            msg = f"Réponse enregistrée illisible : {path.name} ; rien n'a été importé."
            raise WikiImportError(msg) from error

    return ask


def fetch_pages(ask: Asker, category: str, report: WikiReport) -> list[dict[str, Any]]:
    """Every page of the category, its parts of every answer merged (by ``pageid``)."""
    pages: dict[int, dict[str, Any]] = {}
    base = query_params(category)
    extra: dict[str, str] = {}
    while True:
        if report.requests >= MAX_REQUESTS:
            msg = f"Le wiki demande plus de {MAX_REQUESTS} requêtes : import arrêté, rien écrit."
            raise WikiImportError(msg)
        data = ask(base | extra)
        report.requests += 1
        if not isinstance(data, Mapping):
            raise WikiImportError("Réponse du wiki inattendue : rien n'a été importé.")
        if "error" in data:
            error = data["error"] if isinstance(data["error"], Mapping) else {}
            msg = (
                f"Le wiki a refusé la requête ({error.get('code', '?')} : "
                f"{error.get('info', '')}) : rien n'a été importé."
            )
            raise WikiImportError(msg)
        found = (data.get("query") or {}).get("pages") or []
        if isinstance(found, Mapping):  # formatversion=1: {"12": {...}}
            found = list(found.values())
        for page in found:
            if not isinstance(page, Mapping) or "pageid" not in page:
                continue
            merged = pages.setdefault(int(page["pageid"]), {})
            for key, value in page.items():
                if key == "revisions" and merged.get("revisions"):
                    continue
                merged[key] = value
        follow = data.get("continue")
        if not isinstance(follow, Mapping) or not follow:
            break
        extra = {str(k): str(v) for k, v in follow.items()}
    report.pages = len(pages)
    return [pages[key] for key in sorted(pages)]


def _content(page: Mapping[str, Any]) -> str | None:
    revisions = page.get("revisions") or []
    if not revisions:
        return None
    revision = revisions[0]
    slots = revision.get("slots") or {}
    main = slots.get("main") or {}
    content = main.get("content", main.get("*", revision.get("content", revision.get("*"))))
    return content if isinstance(content, str) else None


def _value_text(value: Any, *, keep_url: bool = False) -> str:
    if keep_url:
        links = value.filter_external_links()
        if links:
            return str(links[0].url).strip()
        return str(value.strip_code()).strip() or str(value).strip()
    return " ".join(str(value.strip_code(normalize=True, collapse=True)).split(" ")).strip()


def _point(text: str) -> tuple[float, float] | None:
    numbers = re.findall(r"-?\d+(?:[.,]\d+)?", text)
    if len(numbers) != 2:
        return None
    lat, lon = (float(n.replace(",", ".")) for n in numbers)
    return (lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 else None


def _words(values: list[str]) -> list[str]:
    return [v.strip() for text in values for v in re.split(r"[,;]", text) if v.strip()]


def _kind(words: list[str]) -> str:
    keys = " ".join(identifier(w) for w in words)
    for kind, signs in KIND_WORDS.items():
        if any(re.search(rf"(^|_| ){re.escape(sign)}($|_| |s)", keys) for sign in signs):
            return kind
    return "methode"


def page_url(page: Mapping[str, Any], api: str) -> str:
    url = page.get("fullurl") or page.get("canonicalurl")
    if isinstance(url, str) and url.startswith(("http://", "https://")):
        return url
    root = api.rsplit("/", 1)[0]
    return f"{root}/index.php?title={quote(str(page.get('title', '')).replace(' ', '_'))}"


def parse_page(page: Mapping[str, Any], *, source: str, api: str) -> tuple[Commun, list[str]]:
    """The commun of one page, and its warnings; :class:`GeoError` when it holds none."""
    text = _content(page)
    title = str(page.get("title") or "").strip()
    if text is None:
        raise GeoError("page sans contenu lisible")
    template = None
    for candidate in mwparserfromhell.parse(text).filter_templates(recursive=False):
        names = {identifier(str(p.name)) for p in candidate.params}
        if names & set(FIELDS):
            template = candidate
            break
    if template is None:
        raise GeoError("aucun modèle de commun (Titre, description, url…) dans la page")
    values: dict[str, Any] = {}
    for param in template.params:
        target = FIELDS.get(identifier(str(param.name)))
        if target is not None and target not in values:
            values[target] = _value_text(param.value, keep_url=target == "url")
    warnings = []
    data: dict[str, Any] = {
        "title": values.get("title") or title,
        "summary": (values.get("summary") or "")[:300],
        "description": (values.get("description") or "")[:5000],
        "url": values.get("url") or None,
        "source": source,
        "external_id": page_url(page, api),
    }
    point = _point(values.get("point") or "") if values.get("point") else None
    if values.get("point") and point is None:
        warnings.append(f"coordonnées illisibles « {values['point'][:60]} » : sans point")
    if point is not None:
        data["lat"], data["lon"] = point
    themes, tags = [], _words([values.get("tags", "")])
    for word in _words([values.get("themes", "")]):
        key = identifier(word)
        if "energie" in key:
            themes.append("energie")
        elif "mobilit" in key:
            themes.append("mobilite")
        else:
            tags.append(word)
    data["themes"], data["tags"] = themes, list(dict.fromkeys(t[:80] for t in tags))[:30]
    data["kind"] = _kind([*tags, *_words([values.get("themes", "")]), data["title"]])
    if values.get("licence"):
        try:
            data["licence"] = licence_id(values["licence"])
        except ValueError:
            warnings.append(f"licence non reconnue « {values['licence'][:60]} » : laissée vide")
    try:
        commun = parse_commun(data)
    except EntityValidationError as error:
        if "url" in error.errors:
            warnings.append(f"adresse « {str(data['url'])[:80]} » illisible : laissée vide")
            data["url"] = None
            commun = parse_commun(data)
        else:
            raise GeoError(str(error)) from None
    return commun, warnings


def import_wiki(
    base_url: str,
    store: ProjectStore,
    *,
    category: str = "Commun",
    operator: Operator,
    settings: Settings | None = None,
    recorded: Path | None = None,
) -> WikiReport:
    """Read every page of the category, then write its communs in one transaction."""
    settings = settings or get_settings()
    api = api_url(base_url)
    category = category.strip().removeprefix("Category:").removeprefix("Catégorie:")
    report = WikiReport(base_url=base_url, category=category)
    source = f"wiki:{urlsplit(api).hostname}"
    if recorded is not None:
        if not Path(recorded).is_dir():
            msg = f"Dossier de réponses enregistrées introuvable : {recorded}."
            raise WikiImportError(msg)
        pages = fetch_pages(recorded_asker(Path(recorded)), category, report)
    else:
        ask, close = network_asker(api, settings)
        try:
            pages = fetch_pages(ask, category, report)
        finally:
            close()
    communs: dict[str, Commun] = {}
    for page in pages:
        name = str(page.get("title") or page.get("pageid"))
        try:
            commun, warnings = parse_page(page, source=source, api=api)
        except GeoError as error:
            report.skipped.append({"page": name, "reason": str(error)})
            continue
        report.warnings += [{"page": name, "warning": w} for w in warnings]
        communs[commun.external_id or name] = commun
    saved = store.communs.save_many(list(communs.values()), operator=operator)
    report.created, report.updated, report.unchanged = saved.created, saved.updated, saved.unchanged
    return report
