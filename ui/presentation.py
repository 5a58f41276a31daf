"""Pieces of the presentation page: the keyboard, the stop's card, the workshop panel, and the
two timers (the room's ideas polled every :data:`POLL_SECONDS`, the autoplay).

Both timers are ``st.fragment(run_every=…)``: between two ticks nothing runs on the server;
at a tick only the fragment runs (one small query for the ideas), and the whole page reruns
only when something changed (a new idea, the next stop), so the map is not rebuilt for
nothing.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from geo.portrait import Portrait
from geo.portrait.view import standing
from geo.projects.model import STAGES, THEMES, carriers_text
from geo.store import ProjectStore
from geo.store.workshops import WorkshopSession
from geo.text import french_count, french_number, html_text, plain_markdown
from geo.workshop import room
from ui import keys, page

STYLE = Path(__file__).with_name("presentation.css")
#: The room's screen asks for new ideas this often (the issue's budget: within 5 s).
POLL_SECONDS = 2.0
NEXT_KEY = "presentation-suivant"
PREVIOUS_KEY = "presentation-precedent"

#: ←/PageUp: previous stop; →/space/PageDown: next. A fixed script, no user text: it clicks
#: the page's own buttons, and leaves the keys alone while one types in a field. A click on
#: the map gives its frame the focus, and the keys then went to the map (arrows panned it):
#: the same listener goes into every frame of the page this document may reach (the map's
#: is served by the app itself), first to see the key, and takes it from the map.
KEYBOARD = """<script>
(function () {
  if (window.__cartePresentationClavier) { return; }
  window.__cartePresentationClavier = true;
  var NEXT = ".st-key-presentation-suivant button";
  var PREVIOUS = ".st-key-presentation-precedent button";
  function onKey(event, inFrame) {
    var target = event.target;
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
      return;
    }
    var key = event.key, selector = null;
    if (key === "ArrowRight" || key === " " || key === "Spacebar" || key === "PageDown") {
      selector = NEXT;
    } else if (key === "ArrowLeft" || key === "PageUp") {
      selector = PREVIOUS;
    }
    if (!selector) { return; }
    var button = document.querySelector(selector);
    if (!button) { return; }
    event.preventDefault();
    if (inFrame) { event.stopPropagation(); }  // the map does not pan as well
    if (button.disabled) { return; }
    // A focused button would also take the space bar itself: one step, not two.
    if (!inFrame && document.activeElement && document.activeElement.blur) {
      document.activeElement.blur();
    }
    button.click();
  }
  document.addEventListener("keydown", function (event) { onKey(event, false); });
  function listen(frame) {
    var inner = null;
    try { inner = frame.contentWindow; if (inner) { inner.document; } } catch (error) { return; }
    if (!inner || inner.__cartePresentationClavier) { return; }
    inner.__cartePresentationClavier = true;
    inner.addEventListener("keydown", function (event) { onKey(event, true); }, true);
  }
  function listenInFrames() {
    if (!document.querySelector(NEXT)) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("iframe"), function (frame) {
      listen(frame);
      // A frame loading a new document (the map redrawn) gets the listener at once.
      if (!frame.__cartePresentationChargement) {
        frame.__cartePresentationChargement = true;
        frame.addEventListener("load", function () { listen(frame); });
      }
    });
  }
  listenInFrames();
  // Frames come and go with the page's reruns.
  new MutationObserver(listenInFrames).observe(document.body, {childList: true, subtree: true});
})();
</script>"""


def keyboard() -> None:
    st.html(KEYBOARD, unsafe_allow_javascript=True)


# --- the stop's card -----------------------------------------------------------------------------


def project_card(row: pd.Series, commune: str | None) -> None:
    """The project a stop puts forward: every text plain."""
    st.subheader(plain_markdown(row["title"]), anchor=False)
    facts = [
        " · ".join(THEMES.get(t, t) for t in row["themes"]),
        STAGES.get(row["stage"], row["stage"]),
    ]
    if commune:
        facts.append(commune)
    st.markdown(f"*{plain_markdown(' · '.join(facts))}*")
    if row["summary"]:
        st.markdown(plain_markdown(row["summary"]))
    who = carriers_text(row["carriers"])
    if who:
        st.markdown(f"**Porté par** : {plain_markdown(who)}")


def figure(value: str, label: str) -> None:
    """A figure read from the back of the room: the value large, its label under it."""
    with st.container(key=f"chiffre-{abs(hash(label)) % 10**8}"):
        st.markdown(f"### {plain_markdown(value)}")
        st.caption(plain_markdown(label))


def count_card(count: int, territory: str | None) -> None:
    if territory:
        st.subheader(plain_markdown(territory), anchor=False)
    figure(french_number(count), "projet publié" if count < 2 else "projets publiés")


def portrait_card(portrait: Portrait, indicator: str | None, reference: str | None) -> None:
    """A portrait stop: the territory's key figures, and the indicator the stop chose."""
    st.subheader(plain_markdown(portrait.place.nom), anchor=False)
    st.caption(plain_markdown(portrait.level_label))
    people = portrait.population
    figure("n. d." if people is None else french_number(people), "habitants")
    total = portrait.projects.total
    figure(french_number(total), "projet publié" if total < 2 else "projets publiés")
    if portrait.area_km2 is not None:
        figure(f"{french_number(portrait.area_km2)} km²", "superficie")
    chosen = next((i for i in portrait.indicators if i.id == indicator), None)
    if chosen is None:
        chosen = next((i for i in portrait.indicators if i.available and i.headline), None)
    if chosen is not None:
        st.markdown(f"**{plain_markdown(chosen.title)}** : {plain_markdown(chosen.text())}")
        if chosen.available:
            sentence = standing(portrait, chosen, reference or "voisins", per_10k=True)
            st.markdown(plain_markdown(sentence))


# --- the workshop ---------------------------------------------------------------------------------


def workshop_panel(session: WorkshopSession, *, origin: str, base_path: str) -> None:
    """The QR code, the code in large letters and the link: what the room needs to join."""
    url = room.participant_url(session.code, origin=origin, base_path=base_path)
    with st.container(border=True, key="presentation-atelier"):
        if not session.open:
            st.warning("Atelier clos : il ne reçoit plus d'idées.")
        st.markdown("**Vos idées sur la carte** : scannez ou tapez le code")
        st.html(room.qr_image(url))
        st.html(f'<p class="code-atelier">{html_text(session.code)}</p>')
        st.html(f'<p class="lien-atelier">{link_html(url)}</p>')


def link_html(url: str) -> str:
    """The link escaped, with line-break chances after its slashes and before its query
    (``…/atelier`` then ``?code=ABC346`` rather than a code cut in two)."""
    parts = re.split(r"(?<=/)(?=[^/])|(?=\?)", url)
    return "<wbr>".join(html_text(part) for part in parts if part)


def latest_ideas(ideas: list[room.Idea]) -> None:
    """How many ideas the room sent, and the last three, newest first (the screen's foot
    may cut the oldest of them, never the newest)."""
    with st.container(key="presentation-idees"):
        if not ideas:
            st.markdown("**Aucune idée pour l'instant**")
        else:
            st.markdown(f"**{french_count(len(ideas), 'idée')}**")
        for idea in reversed(ideas[-3:]):
            st.caption(plain_markdown(idea.label()))


def known_ideas(code: str) -> dict[int, Any]:
    """The ideas this screen knows for ``code`` (reset when the code changes)."""
    if st.session_state.get(keys.ROOM_CODE) != code:
        st.session_state[keys.ROOM_CODE] = code
        st.session_state[keys.ROOM_ITEMS] = {}
        st.session_state[keys.ROOM_VERSION] = 0
    return st.session_state[keys.ROOM_ITEMS]


def refresh_ideas(store: ProjectStore, code: str) -> bool:
    """Ask the store what changed since the version this screen has; whether anything did."""
    known = known_ideas(code)
    since = int(st.session_state.get(keys.ROOM_VERSION, 0))
    changes = store.workshops.changes(code, since)
    if changes.version == since:
        return False
    st.session_state[keys.ROOM_ITEMS] = room.merge_changes(known, changes.items)
    st.session_state[keys.ROOM_VERSION] = changes.version
    return True


def poll_ideas(store: ProjectStore, code: str) -> None:
    """Every :data:`POLL_SECONDS`: the ideas changed since the last poll; the page reruns to
    draw them when there are any."""

    @page.fragment(run_every=POLL_SECONDS)
    def poll() -> None:
        if refresh_ideas(store, code):
            st.rerun(scope="app")

    poll()


def autoplay(delay: int, advance: Callable[[], None]) -> None:
    """Every ``delay`` seconds, the next stop (the first after the last)."""

    @page.fragment(run_every=delay)
    def tick() -> None:
        moved = float(st.session_state.get(keys.PRESENT_MOVED_AT) or time.monotonic())
        if time.monotonic() - moved >= delay - 0.5:
            advance()
            st.rerun(scope="app")

    tick()
