"""Proposer un projet: a citizen collective puts its project on the map, pending moderation.

UI only, in named steps: the form's fields come from :mod:`geo.contribute.form` (declared from
the project model), placement from :mod:`geo.contribute.placement`, limits from
:mod:`geo.contribute.limits`; the widgets are in :mod:`ui.contribute_form` and
:mod:`ui.contribute_place`. Nothing typed is lost: every value lives in the session state.
Opened with ``?projet=ID&jeton=TOKEN`` (the private edit link), the same form edits that
project: a proposed one at once, a published one through moderation. After a refusal the link
shows the moderator's reason and what to do; the corrected project is proposed again (back in
the moderators' inbox), a refused change is loaded into the form to be corrected.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import streamlit as st

from geo.contribute import limits
from geo.contribute.form import from_project, still_wrong, to_input, too_long
from geo.errors import EditDeniedError, ProjectValidationError, SubmissionLimitError
from geo.explorer import state as url_state
from geo.projects.model import STATUSES, parse_project
from geo.store import ProjectStore
from geo.store.contributions import Refusal, refusal
from geo.territory import Territories
from geo.text import french_date, plain_markdown
from ui import clipboard, keys, page, resources
from ui import contribute_form as form
from ui import contribute_place as place_step

PAGE_PATH = "proposer"


def edit_link(project_id: int, token: str) -> str:
    query = urlencode({"projet": project_id, "jeton": token})
    return page.absolute(f"{page.base_path()}{PAGE_PATH}?{query}")


def _reset() -> None:
    for name in list(st.session_state):
        if str(name).startswith(keys.CONTRIBUTION_PREFIX) and name not in (
            keys.SUBMISSIONS, keys.EDITS,
        ):  # fmt: skip
            del st.session_state[name]


def _edit_target(store: ProjectStore) -> tuple[int, str] | None:
    """The project of the edit link in the URL, its values loaded into the form once; a link
    that is not valid is said in French and nothing else is shown."""
    raw_id, token = st.query_params.get("projet"), st.query_params.get("jeton")
    if raw_id is None and token is None:
        if st.session_state.get(keys.EDITING):
            _reset()  # left the edit link for a new proposal
        return None
    try:
        project_id = int(str(raw_id))
    except ValueError:
        project_id = -1
    if project_id < 0 or not token or not store.verify_token(project_id, str(token)):
        raise EditDeniedError(
            "Ce lien d'édition n'est pas valable : il est incomplet, il a été remplacé, ou il "
            "appartient à un autre projet. Vérifiez que vous l'avez copié en entier ; pour "
            "un nouveau projet, ouvrez « Proposer un projet » sans lien."
        )
    if st.session_state.get(keys.EDITING) != (project_id, token):
        _reset()
        stored = store.get(project_id)
        pending = store.pending_change(project_id, token=str(token))
        refused = refusal(store, project_id, token=str(token))
        # A refused change is what its author wants to correct, not the published version.
        values, carriers, where = from_project(
            pending or (refused.proposed if refused else None) or stored
        )
        form.load(values, carriers)
        st.session_state[keys.ADDRESS] = where["address"]
        st.session_state[keys.PLACE] = where
        st.session_state[keys.EDITING] = (project_id, str(token))
        form.save_draft()
    return project_id, str(token)


def _refusal_notice(box: Any, refused: Refusal) -> None:
    """The moderator's reason, and what to do to be published after all."""
    when = french_date(refused.at.astimezone().date())
    change = refused.proposed is not None  # a change of the published project
    what = "Votre modification proposée a été refusée" if change else "Votre projet a été refusé"
    reason = (
        f"Raison donnée par la modération : « {plain_markdown(refused.reason)} »"
        if refused.reason
        else "Aucune raison n'a été indiquée."
    )
    if change:
        todo = (
            "Le formulaire ci-dessous reprend cette modification : corrigez-la selon cette "
            "raison, puis cliquez sur « Proposer à nouveau ». Elle retournera en modération ; "
            "la version publiée reste affichée sur la carte d'ici là."
        )
    else:
        todo = (
            "Le projet n'est pas visible sur la carte. Corrigez ci-dessous ce que demande la "
            "modération, puis cliquez sur « Proposer à nouveau » : le projet retournera en "
            "modération et un modérateur le relira."
        )
    box.warning(f"**{what} par la modération le {when}.**\n\n{reason}\n\n{todo}")


def _submitted() -> bool:
    """After a proposal: the private edit link, shown once."""
    done = st.session_state.get(keys.SUBMITTED)
    if not done:
        return False
    with st.container(border=True, key="projet-envoye"):
        st.success(
            f"Merci ! « {plain_markdown(done['title'])} » est enregistré (n°{done['id']}) : il "
            "sera visible sur la carte dès qu'un modérateur l'aura publié.",
        )
        st.markdown("**Votre lien privé pour modifier ce projet plus tard :**")
        st.code(done["link"], language=None, wrap_lines=True)
        clipboard.copy_button(done["link"], key="lien-prive")
        st.warning(
            "Copiez ce lien maintenant (bouton « Copier le lien ») et gardez-le : il ne sera "
            "plus jamais affiché, et personne ne pourra vous le renvoyer. Quiconque l'a peut "
            "modifier le projet : ne le publiez pas.",
        )
    if st.button("Proposer un autre projet", key="c_nouveau"):
        del st.session_state[keys.SUBMITTED]
        st.rerun()
    return True


def _duplicates(store: ProjectStore, editing: int | None) -> None:
    values, where = form.values(), place_step.current()
    title = str(values.get("title") or "").strip()
    website = str(values.get("website") or "").strip() or None
    if not title and not website:
        return
    found = store.duplicates(
        title=title, lat=where["lat"] if where else None, lon=where["lon"] if where else None,
        website=website, exclude=editing,
    )  # fmt: skip
    if not found:
        return
    with st.container(border=True, key="doublons-possibles"):
        st.warning(
            "Ces projets déjà sur la carte lui ressemblent (titre proche à moins de 5 km, ou "
            "même site web). Vérifiez qu'il ne s'agit pas du même ; vous pouvez tout de même "
            "envoyer le vôtre.",
        )
        for project in found:
            link = url_state.permalink(url_state.ExplorerState(project=project.id),
                                       base_path=page.base_path())  # fmt: skip
            st.markdown(f"- [{plain_markdown(project.title)}]({link})")


def _problems(data: dict[str, Any], territories: Territories | None) -> dict[str, list[str]]:
    """Every problem at once: sizes, the place, and all the model says."""
    problems: dict[str, list[str]] = {}
    try:
        parse_project(data)
    except ProjectValidationError as error:
        problems.update(error.errors)
    problems.update(too_long(form.values(), form.carriers()))
    where = place_step.current()
    if where is None:
        problems["location"] = ["Choisissez une adresse ou cliquez sur la carte."]
    else:
        located = place_step.placement.locate_point(where["lat"], where["lon"], territories)
        if located.problem:
            problems["location"] = [located.problem]
    return problems


def _send(store: ProjectStore, settings: Any, territories: Territories | None,
          editing: tuple[int, str] | None, *, refused: bool = False) -> None:  # fmt: skip
    """Validate everything typed; store it, or list every problem next to its field.
    ``refused``: the project edited was refused (sent, it goes back to moderation)."""
    data = to_input(form.values(), form.carriers(), place_step.current())
    try:
        limits.check_honeypot(st.session_state.get(keys.HONEYPOT))
        if editing is None:
            limits.check_new(
                settings,
                in_session=int(st.session_state.get(keys.SUBMISSIONS, 0)),
                in_last_hour=store.recent_count(action="create", actor=limits.FORM_ACTOR),
            )
        else:
            limits.check_edit(settings, in_session=int(st.session_state.get(keys.EDITS, 0)))
    except SubmissionLimitError as error:
        st.session_state[keys.FORM_ERRORS] = {"projet": [str(error)]}
        return
    problems = _problems(data, territories)
    if problems:
        st.session_state[keys.FORM_ERRORS] = problems
        return
    try:
        if editing is None:
            pid, token = store.add(data, actor=limits.FORM_ACTOR)
            st.session_state[keys.SUBMISSIONS] = int(st.session_state.get(keys.SUBMISSIONS, 0)) + 1
            _reset()
            st.session_state[keys.SUBMITTED] = {"id": pid, "title": data["title"],
                                                "link": edit_link(pid, token)}  # fmt: skip
            return
        outcome = store.submit_change(editing[0], data, token=editing[1])
    except ProjectValidationError as error:
        st.session_state[keys.FORM_ERRORS] = error.errors
        return
    st.session_state[keys.EDITS] = int(st.session_state.get(keys.EDITS, 0)) + 1
    st.session_state[keys.FORM_ERRORS] = {}
    kind = "resubmitted" if refused and outcome.kind == "updated" else outcome.kind
    still_refused = refused and kind == "unchanged"
    st.session_state["c_resultat"] = (not still_refused, {
        "pending": (
            "Votre modification est enregistrée : elle attend la validation d'un modérateur. "
            "La version publiée reste affichée sur la carte d'ici là."
        ),
        "updated": (
            "Vos modifications sont enregistrées ; le projet attend toujours sa publication."
        ),
        "resubmitted": (
            "Votre projet corrigé est renvoyé en modération : un modérateur va le relire. Il "
            "apparaîtra sur la carte dès qu'il sera publié."
        ),
        "unchanged": (
            "Rien n'a changé depuis le refus : corrigez ce que demande la modération avant "
            "de proposer à nouveau le projet." if still_refused else
            "Rien n'a changé par rapport à la version enregistrée."
        ),
    }[kind])  # fmt: skip


def render() -> None:
    settings = page.start("Proposer un projet")
    loaded = resources.territories(settings)
    territories = loaded if isinstance(loaded, Territories) else None
    if territories is None:
        st.warning(
            "Les territoires ne peuvent pas être chargés : la commune du projet ne pourra pas "
            "être vérifiée (`python -m geo data fetch territoires`)."
        )
    store = resources.open_store(settings)
    if store is None:
        return
    editing = _edit_target(store)
    if editing is None and _submitted():
        return
    refused = None
    if editing is not None:
        status = store.get(editing[0]).status
        refused = refusal(store, editing[0], token=editing[1])
        tail = {
            "publie": "Vos changements seront publiés après accord d'un modérateur ; la "
            "version actuelle reste affichée d'ici là.",
            "refuse": "",
            "archive": "Il a été archivé par la modération : ce lien ne le modifie plus.",
        }.get(status, "Vos changements sont enregistrés dès que vous les envoyez.")
        label = STATUSES.get(status, status)
        st.info(f"Vous modifiez le projet n°{editing[0]} ({label}). {tail}".strip())
        # Always one element, so that the placement map below keeps its place when the
        # refusal is answered (ui.contribute_form.slot).
        notice_box = form.slot()
        if refused is not None:
            _refusal_notice(notice_box, refused)
    else:
        st.markdown(
            "Présentez votre projet d'énergie ou de mobilité : il apparaîtra sur la carte "
            "après relecture par un modérateur. Les champs marqués * sont obligatoires."
        )
    form.restore()
    errors = st.session_state.get(keys.FORM_ERRORS) or {}
    if any(name != "projet" for name in errors):
        # Checked again at every run: a message goes as soon as its field is corrected.
        typed = to_input(form.values(), form.carriers(), place_step.current())
        errors = still_wrong(errors, _problems(typed, territories))
        st.session_state[keys.FORM_ERRORS] = errors
    # A constant number of elements above the placement map (ui.contribute_form.slot).
    limit_box, result_box = form.slot(), form.slot()
    if errors.get("projet"):
        limit_box.error("\n\n".join(plain_markdown(m) for m in errors["projet"]))
    form.error_summary({k: v for k, v in errors.items() if k != "projet"})
    result = st.session_state.pop("c_resultat", None)
    if result:
        ok, message = result
        (result_box.success if ok else result_box.warning)(message)
    form.sections(errors, before="Le projet",
                  place=lambda: place_step.step(settings, territories, errors))  # fmt: skip
    form.honeypot()
    form.save_draft()
    _duplicates(store, editing[0] if editing else None)
    send = "Proposer à nouveau" if refused else (
        "Enregistrer les modifications" if editing else "Envoyer le projet")  # fmt: skip
    if st.button(send, key="c_envoyer", type="primary"):
        _send(store, settings, territories, editing,
              refused=refused is not None and refused.proposed is None)  # fmt: skip
        st.rerun()


page.run(render)
