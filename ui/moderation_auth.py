"""Who is moderating: Streamlit's OpenID Connect login when an ``[auth]`` section is in the
secrets, else a moderator account of the store (name and password); with neither, the page
says how to configure moderation. The :class:`~geo.store.identity.Moderator` lives in the
session state and is checked by the store at every action (session expiry, account removed).
"""

from __future__ import annotations

import streamlit as st

from geo.errors import EditDeniedError, GeoError, LoginError
from geo.store import ProjectStore
from geo.store.identity import Moderator
from geo.store.moderators import LoginThrottle, scope_text
from geo.text import plain_markdown
from ui import keys

NOT_CONFIGURED = """La modération n'est pas configurée : aucun compte de modérateur n'existe
et aucune connexion par un fournisseur d'identité n'est déclarée. Il n'existe pas de mot de
passe par défaut.

Pour la configurer, un opérateur (sur le serveur) :

- crée un compte : `python -m geo moderators add NOM` (ajoutez `--scope departement:38` pour
  limiter le compte à un territoire) ; la commande affiche le mot de passe, une seule fois ;
- ou déclare une connexion OpenID Connect dans la section `[auth]` de
  `.streamlit/secrets.toml` (voir la documentation de `st.login`), puis ajoute chaque
  modérateur par son e-mail : `python -m geo moderators add E-MAIL --oidc`."""


def oidc_configured() -> bool:
    """Whether the secrets hold an ``[auth]`` section (a missing secrets file raises, even on
    ``in``: it simply means no)."""
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - FileNotFoundError, StreamlitSecretNotFoundError, parse errors
        return False


def current(store: ProjectStore) -> Moderator | None:
    """The moderator of this session, still valid; an expired or revoked session is said."""
    moderator = st.session_state.get(keys.MODERATOR)
    if moderator is None:
        return None
    try:
        store.moderators.verify(moderator)
    except EditDeniedError as error:
        del st.session_state[keys.MODERATOR]
        st.session_state[keys.LOGIN_NOTICE] = str(error)
        return None
    return moderator


def _throttle() -> LoginThrottle:
    if keys.LOGIN_THROTTLE not in st.session_state:
        st.session_state[keys.LOGIN_THROTTLE] = LoginThrottle()
    return st.session_state[keys.LOGIN_THROTTLE]


def _password_form(store: ProjectStore) -> None:
    with st.form("connexion-moderation", border=True):
        st.markdown("**Connexion des modérateurs**")
        name = st.text_input("Nom de modérateur", key="m_nom", max_chars=200)
        password = st.text_input("Mot de passe", type="password", key="m_mot_de_passe",
                                 max_chars=200)  # fmt: skip
        sent = st.form_submit_button("Se connecter", type="primary")
    if not sent:
        return
    throttle = _throttle()
    refused = throttle.refuse()
    if refused is not None:
        st.error(plain_markdown(refused))
        return
    try:
        moderator = store.moderators.log_in(name, password)
    except LoginError as error:
        throttle.failed()
        st.error(plain_markdown(error))
        return
    throttle.succeeded()
    st.session_state[keys.MODERATOR] = moderator
    st.session_state.pop(keys.LOGIN_NOTICE, None)
    st.rerun()


def _oidc_login(store: ProjectStore) -> None:
    user = st.user
    if not getattr(user, "is_logged_in", False):
        st.markdown("Les modérateurs se connectent avec le compte de leur organisation.")
        st.button("Se connecter", key="m_oidc", type="primary", on_click=st.login)
        return
    try:
        moderator = store.moderators.log_in_oidc(str(getattr(user, "email", "") or ""))
    except LoginError as error:
        st.error(plain_markdown(error))
        st.button("Se déconnecter", key="m_oidc_sortie", on_click=st.logout)
        return
    st.session_state[keys.MODERATOR] = moderator
    st.rerun()


def login(store: ProjectStore) -> Moderator | None:
    """The moderator of this session, or the login (or the configuration notice) drawn."""
    moderator = current(store)
    if moderator is not None:
        return moderator
    notice = st.session_state.pop(keys.LOGIN_NOTICE, None)
    if notice:
        st.warning(plain_markdown(notice))
    if oidc_configured():
        _oidc_login(store)
    elif store.moderators.any_password_account():
        _password_form(store)
    else:
        st.info(NOT_CONFIGURED)
    return None


def log_out(store: ProjectStore, moderator: Moderator) -> None:
    store.moderators.log_out(moderator)
    st.session_state.pop(keys.MODERATOR, None)
    if oidc_configured():
        st.logout()


def banner(store: ProjectStore, moderator: Moderator) -> None:
    me = store.moderators.verify(moderator)
    text_col, button_col = st.columns([4, 1], vertical_alignment="center")
    text_col.markdown(
        f"Connecté : **{plain_markdown(me.name)}** — territoire : "
        f"{plain_markdown(scope_text(me.scopes))}"
    )
    if button_col.button("Se déconnecter", key="m_sortie", use_container_width=True):
        log_out(store, moderator)
        st.rerun()


def navigation_title(store: object) -> str:
    """ "Modération (3)" for a logged-in moderator with 3 items waiting, else "Modération"."""
    moderator = st.session_state.get(keys.MODERATOR)
    if moderator is None or not isinstance(store, ProjectStore):
        return "Modération"
    try:
        count = store.moderation.count(moderator)
    except GeoError:  # expired session, store away: the page itself says it
        return "Modération"
    return f"Modération ({count})" if count else "Modération"
