"""Modération: the inbox of proposals, pending changes and reported projects, for
authenticated moderators only (OpenID Connect when configured, else store accounts).

UI only: authentication in :mod:`ui.moderation_auth`, the inbox in :mod:`ui.moderation_inbox`;
every rule (sessions, scopes, decisions, audit) is enforced by :mod:`geo.store.moderation`.
"""

from __future__ import annotations

import streamlit as st

from geo.territory import Territories
from ui import keys, page, resources
from ui import moderation_auth as auth
from ui import moderation_inbox as inbox


def render() -> None:
    settings = page.start("Modération")
    store = resources.open_store(settings)
    if store is None:
        return
    moderator = auth.login(store)
    if moderator is None:
        return
    auth.banner(store, moderator)
    loaded = resources.territories(settings)
    territories = loaded if isinstance(loaded, Territories) else None
    inbox.show_notices()
    criteria = inbox.filters(territories)
    items = store.moderation.inbox(moderator, criteria)
    st.subheader(f"À modérer : {len(items)}", anchor=False)
    if not items:
        st.info("Rien à modérer pour ces filtres dans votre territoire.")
        return
    inbox.batch(store, items, moderator)
    for item in items:
        inbox.card(store, item, moderator, territories)
    st.session_state.setdefault(keys.MODERATION_NOTICES, [])


page.run(render)
