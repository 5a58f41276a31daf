"""Parcours: a facilitator's tours (stops ordered, retitled, deleted; the tour published,
duplicated, deleted) and the workshops run with them (code and QR code for the room, ideas
hidden or shown, the session closed, exported, handed to moderation).

UI only: the tours and sessions are :mod:`geo.store.tours` and :mod:`geo.store.workshops`,
links and files :mod:`geo.workshop`. A tour is edited with its private key (the link
``/parcours?parcours=ID&jeton=KEY`` given when it was created, remembered by this browser) or
by a logged-in moderator.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

import streamlit as st

from geo.errors import EditDeniedError, GeoError
from geo.projects.exporter import commune_names
from geo.settings import Settings
from geo.store import ProjectStore
from geo.store.identity import Moderator
from geo.store.tours import NOTE_MAX, STOP_KINDS, TITLE_MAX, TOUR_STATUSES, Tour
from geo.store.workshops import SESSION_STATUSES, RoomItem, WorkshopSession
from geo.territory import LEVEL_LABELS, Territories, TerritoryRef
from geo.text import french_count, french_number, plain_markdown, safe_markdown
from geo.workshop import export, room, stops
from ui import embed, keys, page, resources, tours
from ui.clipboard import copy_button

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")


def _moderator(store: ProjectStore) -> Moderator | None:
    moderator = st.session_state.get(keys.MODERATOR)
    if moderator is None:
        return None
    try:
        store.moderators.verify(moderator)
    except GeoError:
        return None
    return moderator


def _open_private_link(store: ProjectStore) -> None:
    """``?parcours=ID&jeton=KEY``: remembered by this browser, then the key leaves the address."""
    raw, token = str(st.query_params.get("parcours") or ""), st.query_params.get("jeton")
    if not token:
        return
    if raw.isdigit() and store.tours.verify(int(raw), str(token)):
        tours.remember(int(raw), str(token))
        st.session_state[keys.TOUR_EDITED] = int(raw)
    else:
        st.error("Ce lien privé de parcours n'est pas valable (parcours supprimé, ou lien erroné).")
    del st.query_params["jeton"]


def _choose(store: ProjectStore, moderator: Moderator | None) -> tuple[Tour | None, dict[str, Any]]:
    mine = {t.id: t for t in tours.editable(store)}
    shown = dict(mine)
    if moderator is not None:
        shown |= {t.id: t for t in store.tours.list()}
    if not shown:
        st.info(
            "Aucun parcours sur ce navigateur. Dans l'Explorer ou un portrait de territoire, "
            "« Ajouter au parcours » enregistre la vue comme premier arrêt d'un nouveau "
            "parcours ; ou créez-le ici."
        )
        return None, {}
    wanted = st.query_params.get("parcours")
    if wanted and str(wanted).isdigit() and int(wanted) in shown:
        st.session_state.setdefault(keys.TOUR_EDITED, int(wanted))
    if st.session_state.get(keys.TOUR_EDITED) not in shown:
        st.session_state[keys.TOUR_EDITED] = next(iter(shown))
    chosen = st.selectbox(
        "Parcours",
        list(shown),
        key=keys.TOUR_EDITED,
        filter_mode=None,
        # Options are plain text (never Markdown).
        format_func=lambda i: (
            f"{shown[i].title} — {_stops_text(len(shown[i].stops))}, "
            f"{TOUR_STATUSES[shown[i].status]}"
        ),
    )
    st.query_params["parcours"] = str(chosen)
    auth: dict[str, Any] = {"token": tours.known()[chosen]} if chosen in mine else {}
    if not auth and moderator is not None:
        auth = {"moderator": moderator}
    return shown[chosen], auth


def _stops_text(count: int) -> str:
    return f"{count} arrêt" if count < 2 else f"{count} arrêts"


def _new_tour(store: ProjectStore) -> None:
    with st.expander("Créer un parcours vide", icon=":material/add:"):
        with st.form("nouveau-parcours", clear_on_submit=True, border=False):
            title = st.text_input("Titre du parcours *", max_chars=TITLE_MAX)
            if st.form_submit_button("Créer"):
                try:
                    tour_id, token = store.tours.create(title)
                except GeoError as error:
                    st.error(plain_markdown(error))
                    return
                tours.remember(tour_id, token)
                st.session_state[keys.TOUR_EDITED] = tour_id
                st.session_state[keys.TOUR_NEW_LINK] = page.origin() + tours.private_link(
                    tour_id, token
                )
                st.session_state[keys.TOUR_NOTICE] = (f"Parcours « {title.strip()} » créé.", None)
                st.rerun()


def _act(action: Any, notice: str | None = None) -> None:
    """Run a store action from a button; its French refusal is shown on the next run."""
    try:
        action()
    except (GeoError, EditDeniedError) as error:
        st.session_state[keys.TOUR_NOTICE] = None
        st.session_state["parcours_erreur"] = str(error)
        return
    if notice:
        st.session_state[keys.TOUR_NOTICE] = (notice, None)


def _links(tour: Tour, auth: dict[str, Any]) -> None:
    origin = page.origin()
    token = auth.get("token")
    present = stops.presentation_url(
        tour.id, base_path=page.base_path(), key=None if tour.published else token
    )
    left, right = st.columns(2)
    left.link_button(
        "Présenter en plein écran",
        present,
        icon=":material/slideshow:",
        type="primary",
        width="stretch",
    )
    if tour.published:
        right.caption("Lien de présentation (sans connexion) :")
        right.code(
            origin + stops.presentation_url(tour.id, base_path=page.base_path()),
            language=None,
            wrap_lines=True,
        )
    else:
        right.caption("Brouillon : publiez-le pour que d'autres puissent le présenter.")
    if token:
        with st.expander("Lien privé (pour modifier ce parcours ailleurs)"):
            link = origin + tours.private_link(tour.id, token)
            st.code(link, language=None, wrap_lines=True)
            copy_button(link, key=f"copier-prive-{tour.id}")
    embed.tour_button(tour)


def _header(
    store: ProjectStore, tour: Tour, auth: dict[str, Any], territories: Territories | None
) -> None:
    st.subheader(plain_markdown(tour.title), anchor=False)
    facts = [TOUR_STATUSES[tour.status].capitalize(), _stops_text(len(tour.stops))]
    if tour.territory and territories is not None:
        try:
            ref = territories.parse(tour.territory)
            facts.append(territories.nom(ref.level, ref.code))
        except GeoError:
            pass
    st.caption(plain_markdown(" · ".join(facts)))
    _links(tour, auth)
    rename, status, copy, delete = st.columns([3, 1.3, 1.3, 1.3], vertical_alignment="bottom")
    title = rename.text_input(
        "Titre", value=tour.title, max_chars=TITLE_MAX, key=f"titre-parcours-{tour.id}"
    )
    if title.strip() != tour.title:
        rename.button(
            "Renommer",
            key=f"renommer-{tour.id}",
            on_click=_act,
            args=(lambda: store.tours.rename(tour.id, title, **auth), "Parcours renommé."),
        )
    target = "brouillon" if tour.published else "publie"
    status.button(
        "Repasser en brouillon" if tour.published else "Publier",
        key=f"statut-{tour.id}",
        on_click=_act,
        width="stretch",
        args=(
            lambda: store.tours.set_status(tour.id, target, **auth),
            "Parcours publié : son lien de présentation s'ouvre sans connexion."
            if target == "publie"
            else "Parcours repassé en brouillon.",
        ),
    )

    def duplicate() -> None:
        copy_id, token = store.tours.duplicate(tour.id, **auth)
        tours.remember(copy_id, token)
        st.session_state[keys.TOUR_EDITED] = copy_id

    copy.button(
        "Dupliquer",
        key=f"dupliquer-{tour.id}",
        width="stretch",
        on_click=_act,
        args=(duplicate, f"Copie de « {tour.title} » créée (brouillon)."),
    )
    if delete.button("Supprimer", key=f"supprimer-{tour.id}", width="stretch"):
        st.session_state[keys.TOUR_CONFIRM_DELETE] = tour.id
    if st.session_state.get(keys.TOUR_CONFIRM_DELETE) == tour.id:
        st.warning(
            "Supprimer ce parcours, ses arrêts et ses ateliers ? Les idées de ses ateliers "
            "restent des propositions, transmises à la modération."
        )

        def remove() -> None:
            store.tours.delete(tour.id, **auth)
            tours.forget(tour.id)
            st.session_state.pop(keys.TOUR_EDITED, None)
            st.session_state.pop(keys.TOUR_CONFIRM_DELETE, None)

        yes, no = st.columns(2)
        yes.button(
            "Oui, supprimer",
            key=f"confirmer-suppression-{tour.id}",
            type="primary",
            on_click=_act,
            args=(remove, "Parcours supprimé."),
        )
        no.button(
            "Non",
            key=f"annuler-suppression-{tour.id}",
            on_click=lambda: st.session_state.pop(keys.TOUR_CONFIRM_DELETE, None),
        )


def _stop_link(kind: str, params: dict[str, str]) -> str:
    if kind == "portrait":
        return f"{page.base_path()}portrait?{urlencode(params)}"
    return f"{page.base_path()}?{urlencode(params)}" if params else page.base_path()


def _stops(store: ProjectStore, tour: Tour, auth: dict[str, Any]) -> None:
    st.markdown("**Arrêts**")
    if not tour.stops:
        st.info("Aucun arrêt : dans l'Explorer ou un portrait, « Ajouter au parcours ».")
    count = len(tour.stops)
    for stop in tour.stops:
        with st.container(border=True, key=f"arret-{stop.id}"):
            head, up, down, remove = st.columns([8, 1, 1, 1.4], vertical_alignment="center")
            head.markdown(
                f"**{stop.position}. {plain_markdown(stop.title)}** — "
                f"{plain_markdown(STOP_KINDS[stop.kind])} · "
                f"[ouvrir la vue]({_stop_link(stop.kind, stop.params)})"
            )
            up.button(
                "↑",
                key=f"monter-{stop.id}",
                disabled=stop.position == 1,
                help="Monter",
                on_click=_act,
                args=(lambda s=stop: store.tours.move_stop(tour.id, s.id, -1, **auth),),
            )
            down.button(
                "↓",
                key=f"descendre-{stop.id}",
                disabled=stop.position == count,
                help="Descendre",
                on_click=_act,
                args=(lambda s=stop: store.tours.move_stop(tour.id, s.id, 1, **auth),),
            )
            remove.button(
                "Retirer",
                key=f"retirer-{stop.id}",
                on_click=_act,
                args=(
                    lambda s=stop: store.tours.delete_stop(tour.id, s.id, **auth),
                    f"Arrêt « {stop.title} » retiré.",
                ),
            )
            if stop.note:
                st.markdown(safe_markdown(stop.note))
            with st.expander("Modifier le titre ou la note"):
                title = st.text_input(
                    "Titre de l'arrêt",
                    value=stop.title,
                    max_chars=TITLE_MAX,
                    key=f"arret-titre-{stop.id}",
                )
                note = st.text_area(
                    "Note (Markdown)",
                    value=stop.note,
                    max_chars=NOTE_MAX,
                    key=f"arret-note-{stop.id}",
                )
                st.button(
                    "Enregistrer",
                    key=f"arret-enregistrer-{stop.id}",
                    on_click=_act,
                    args=(
                        lambda s=stop, t=title, n=note: store.tours.update_stop(
                            tour.id, s.id, title=t, note=n, **auth
                        ),
                        "Arrêt enregistré.",
                    ),
                )


def _territories_of(tour: Tour, territories: Territories) -> dict[str, str]:
    """The territories a workshop may be bound to: the tour's, then its stops'."""
    refs = [tour.territory] if tour.territory else []
    refs += [s.params.get("territoire") for s in tour.stops if s.params.get("territoire")]
    out: dict[str, str] = {}
    for raw in dict.fromkeys(r for r in refs if r):
        try:
            ref = territories.parse(str(raw))
        except GeoError:
            continue
        out[str(ref)] = f"{territories.nom(ref.level, ref.code)} ({LEVEL_LABELS[ref.level]})"
    return out


def _workshops(
    store: ProjectStore,
    tour: Tour,
    auth: dict[str, Any],
    settings: Settings,
    territories: Territories | None,
) -> None:
    st.markdown("**Ateliers avec la salle**")
    st.caption(
        "Un atelier donne un code et un QR code : les participants proposent leurs idées "
        "depuis leur téléphone, elles s'affichent sur la carte de la présentation (jamais "
        "publiques avant la modération)."
    )
    if territories is None:
        st.warning("Les territoires ne sont pas chargés : pas d'atelier possible.")
        return
    choices = _territories_of(tour, territories)
    if not choices:
        st.info("Ajoutez d'abord un arrêt sur un territoire : l'atelier porte sur un territoire.")
    else:
        pick, open_col = st.columns([3, 1], vertical_alignment="bottom")
        chosen = pick.selectbox(
            "Territoire de l'atelier",
            list(choices),
            filter_mode=None,
            format_func=choices.__getitem__,
            key=f"{keys.WORKSHOP_TERRITORY}-{tour.id}",
        )

        def start() -> None:
            store.workshops.open(
                tour.id,
                territory=TerritoryRef(*chosen.split(":", 1)),
                per_minute=settings.workshop_per_minute,
                cap=settings.workshop_cap,
                **auth,
            )

        open_col.button(
            "Ouvrir un atelier",
            key=f"ouvrir-atelier-{tour.id}",
            type="primary",
            on_click=_act,
            args=(start, "Atelier ouvert."),
            width="stretch",
        )
    for session in store.workshops.sessions(tour.id):
        _session(store, tour, session, auth, territories)


def _session(
    store: ProjectStore,
    tour: Tour,
    session: WorkshopSession,
    auth: dict[str, Any],
    territories: Territories,
) -> None:
    rows = store.workshops.contributions(session.code, **auth)
    name = territories.nom(session.territory.level, session.territory.code)
    status = SESSION_STATUSES[session.status]
    ideas = french_count(len(rows), "idée")
    label = f"Atelier {session.code} — {name}, {status}, {ideas}"
    # Its open or folded state is kept by the server: ticking an idea (a rerun) never folds it.
    with st.expander(
        plain_markdown(label),
        expanded=session.open,
        icon=":material/groups:",
        key=f"atelier-{session.code}",
        on_change="rerun",
    ):
        origin = page.origin()
        url = room.participant_url(session.code, origin=origin, base_path=page.base_path())
        qr_col, info_col = st.columns([1, 2])
        qr_col.html(room.qr_image(url))
        info_col.markdown(f"Code : **{session.code}** · lien des participants :")
        info_col.code(url, language=None, wrap_lines=True)
        if urlsplit(origin).hostname in LOCAL_HOSTS:
            info_col.warning(
                "Ce lien pointe vers cet ordinateur (localhost) : un téléphone ne l'ouvrira pas. "
                "Ouvrez l'application par l'adresse de cet ordinateur sur le réseau de la "
                "salle (ex. http://192.168.1.20:8501) pour que le QR code y mène."
            )
        token = auth.get("token")
        info_col.link_button(
            "Présenter avec cet atelier",
            stops.presentation_url(
                tour.id, base_path=page.base_path(), key=token, workshop=session.code
            ),
            icon=":material/slideshow:",
            disabled=token is None,
            help=None if token else "Avec le lien privé du parcours seulement.",
        )
        state, hand, csv_col, geo_col = st.columns(4)
        if session.open:
            state.button(
                "Clore l'atelier",
                key=f"clore-{session.code}",
                on_click=_act,
                args=(
                    lambda: store.workshops.close(session.code, **auth),
                    f"Atelier {session.code} clos.",
                ),
            )
        else:
            state.button(
                "Rouvrir",
                key=f"rouvrir-{session.code}",
                on_click=_act,
                args=(
                    lambda: store.workshops.reopen(session.code, **auth),
                    f"Atelier {session.code} rouvert.",
                ),
            )
        waiting = sum(1 for item, _ in rows if not item.hidden and not item.handed)
        hand.button(
            f"Transmettre à la modération ({waiting})",
            key=f"transmettre-{session.code}",
            disabled=waiting == 0,
            on_click=_act,
            args=(
                lambda: store.workshops.hand_over(session.code, **auth),
                f"{french_count(waiting, 'idée transmise', 'idées transmises')} à la modération.",
            ),
        )
        communes = commune_names([p for _, p in rows], territories)
        for column, file_format in ((csv_col, "csv"), (geo_col, "geojson")):
            column.download_button(
                f"Exporter ({file_format.upper() if file_format == 'csv' else 'GeoJSON'})",
                lambda f=file_format: export.session_file(f, session.code, rows, communes),
                file_name=f"atelier-{session.code}.{file_format}",
                mime=export.FORMATS[file_format],
                on_click="ignore",
                key=f"export-{file_format}-{session.code}",
                disabled=not rows,
            )
        _ideas(store, session, [item for item, _ in rows], auth)


def _choice_key(code: str, number: int) -> str:
    return f"choisir-{code}-{number}"


def _ideas(
    store: ProjectStore, session: WorkshopSession, items: list[RoomItem], auth: dict[str, Any]
) -> None:
    """The session's ideas, each with its text, to hide or show (one or the ticked ones at
    once) and to block the phone that sent it."""
    if not items:
        return
    code = session.code
    chosen = [i.number for i in items if st.session_state.get(_choice_key(code, i.number))]

    def hide_chosen(hidden: bool) -> None:
        store.workshops.hide_many(code, chosen, hidden, **auth)
        for number in chosen:  # done: the ticks go (a callback runs before the boxes are drawn)
            st.session_state[_choice_key(code, number)] = False

    hide_col, show_col = st.columns(2)
    for column, hidden, verb, done in ((hide_col, True, "Masquer", "masquée"),
                                       (show_col, False, "Afficher", "affichée")):  # fmt: skip
        column.button(
            f"{verb} la sélection ({len(chosen)})",
            key=f"{verb.lower()}-selection-{code}",
            disabled=not chosen,
            width="stretch",
            help=None if chosen else "Cochez d'abord les idées, dans la liste ci-dessous.",
            on_click=_act,
            args=(
                lambda h=hidden: hide_chosen(h),
                french_count(len(chosen), f"idée {done}", f"idées {done}s") + ".",
            ),
        )
    for item in items:
        with st.container(key=f"idee-{code}-{item.number}"):
            pick, hide, block = st.columns([6, 1.3, 1.3], vertical_alignment="center")
            who = f" ({item.name})" if item.name else ""
            flags = [f"téléphone {item.device}{' bloqué' if item.blocked else ''}"]
            flags += ["masquée"] if item.hidden else []
            flags += ["transmise"] if item.handed else []
            pick.checkbox(
                f"**n° {item.number}** {plain_markdown(item.title + who)} · "
                f"{plain_markdown(' · '.join(flags))}",
                key=_choice_key(code, item.number),
            )
            if item.summary:  # what the idea says, to decide on it (as typed: plain text)
                pick.caption(plain_markdown(item.summary))
            hide.button(
                "Afficher" if item.hidden else "Masquer",
                key=f"masquer-{code}-{item.number}",
                width="stretch",
                on_click=_act,
                args=(
                    lambda n=item.number, h=not item.hidden: store.workshops.hide(
                        code, n, h, **auth
                    ),
                ),
            )
            notice = (
                f"Téléphone {item.device} débloqué : il peut de nouveau envoyer des idées."
                if item.blocked
                else f"Téléphone {item.device} bloqué : ses prochaines idées seront refusées. "
                "Celles qu'il a envoyées restent : cochez-les pour les masquer."
            )
            block.button(
                "Débloquer" if item.blocked else "Bloquer",
                key=f"bloquer-{code}-{item.number}",
                width="stretch",
                help="Refuser les prochaines idées du téléphone qui a envoyé celle-ci."
                if not item.blocked
                else "Accepter de nouveau les idées de ce téléphone.",
                on_click=_act,
                args=(
                    lambda n=item.number, b=not item.blocked: store.workshops.block(
                        code, n, b, **auth
                    ),
                    notice,
                ),
            )


def render() -> None:
    settings = page.start("Parcours")
    store = resources.open_store(settings)
    if store is None:
        return
    loaded = resources.territories(settings)
    territories = None if isinstance(loaded, GeoError) else loaded
    st.caption(
        "Un parcours enchaîne des vues de l'Explorer et des portraits de territoire, à "
        "présenter en plein écran ; un atelier y ajoute les idées de la salle."
    )
    _open_private_link(store)
    error = st.session_state.pop("parcours_erreur", None)
    if error:
        st.error(plain_markdown(error))
    tours.show_notice()
    moderator = _moderator(store)
    tour, auth = _choose(store, moderator)
    _new_tour(store)
    if tour is None:
        return
    if not auth:
        st.warning("Ce parcours ne peut être modifié qu'avec son lien privé.")
        return
    _header(store, tour, auth, territories)
    _stops(store, tour, auth)
    _workshops(store, tour, auth, settings, territories)
    st.caption(plain_markdown(f"Parcours n° {french_number(tour.id)}"))


page.run(render)
