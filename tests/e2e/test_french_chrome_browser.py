"""Streamlit's own texts seen by a French user (issue 22): typing in a field, in a form, in a
text area, hovering the sidebar's button, a copy button and a password's eye, no English text
of ``ui.french_chrome.TEXTS`` is visible, nor in an ``aria-label``, ``title``, ``placeholder``
or ``alt``; the page says it is French. A server of its own, on a store holding a project (its
sheet has a link with a copy button) and a moderator (the login form)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from explorer_seed import OPERATOR

from geo.settings import get_settings
from geo.store.project_store import ProjectStore
from geo.territory import load_territories
from ui.french_chrome import PATTERNS, TEXTS

pytestmark = pytest.mark.e2e

APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
HINTS = '[data-testid="InputInstructions"]'
TOOLTIP = '[data-testid="stTooltipContent"]'
TIMEOUT_MS = 60_000
TITLE = "Toits solaires des écoles"

#: Every English text of the table still in the page: a whole line of the visible text, or a
#: whole attribute, or the start of one ("Fullscreen: …"); and the patterns' texts.
ENGLISH_LEFT = """([texts, patterns]) => {
    const english = new Set(texts);
    const composed = patterns.map((source) => new RegExp(source));
    const left = [];
    const check = (where, value) => {
        const text = value.trim();
        if (english.has(text) || english.has(text.split(": ")[0])
            || composed.some((pattern) => pattern.test(text)) || text.includes("Press ")) {
            left.push(`${where}: ${text}`);
        }
    };
    document.body.innerText.split("\\n").forEach((line) => check("texte", line));
    for (const name of ["aria-label", "title", "placeholder", "alt"]) {
        document.querySelectorAll(`[${name}]`).forEach(
            (element) => check(name, element.getAttribute(name)));
    }
    return left;
}"""


@pytest.fixture
def served(
    app_with_env: Callable[[dict[str, str]], AbstractContextManager[str]], tmp_path: Path
) -> Iterator[tuple[str, str]]:
    """The app on a store of its own; its URL and the moderator's password."""
    url = f"sqlite:///{tmp_path / 'projets.sqlite'}"
    settings = get_settings()
    store = ProjectStore(url, settings=settings, locate=load_territories(settings))
    store.add_many(
        [{"title": TITLE, "themes": ["energie"], "lat": 45.1885, "lon": 5.7245,
          "source": "essai-chrome", "external_id": "1"}],
        actor=OPERATOR,
        status="publie",
    )  # fmt: skip
    password = store.moderators.add("modo", operator=OPERATOR)
    store.close()
    assert password
    env = dict(os.environ) | {"DATABASE_URL": url, "GEO_DEMO": "0", "GEO_OFFLINE": "1"}
    with app_with_env(env) as app:
        yield app, password


def _english(page: object) -> list[str]:
    return page.evaluate(ENGLISH_LEFT, [list(TEXTS), [source for source, _ in PATTERNS]])


def _go(page: object, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(APP_IDLE)


def _tooltip(page: object, button: object) -> str:
    """Hover ``button`` and return its tooltip's text (Streamlit shows it after a second)."""
    from playwright.sync_api import expect

    button.hover()
    tooltip = page.locator(TOOLTIP).last
    expect(tooltip).to_be_visible()
    return tooltip.inner_text().strip()


def test_streamlit_speaks_french_while_typing_and_on_hover(
    routed_context: Callable[..., tuple[object, object]],
    served: tuple[str, str],
    screenshots_dir: Path,
) -> None:
    from playwright.sync_api import expect

    app, _ = served
    context, network = routed_context(width=1280, height=800)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)

    # The Explorer: typing in the sidebar's field (not yet sent) shows how to apply it.
    _go(page, app)
    # Set by the page script once it runs: waited for, as a slow machine needs.
    expect(page.locator("html")).to_have_attribute("lang", "fr", timeout=30_000)
    field = page.locator(".st-key-f_territoire input")
    field.click()
    page.keyboard.type("Greno")
    expect(page.locator(HINTS).first).to_contain_text("Appuyez sur Entrée pour valider")
    assert _english(page) == []
    page.screenshot(path=screenshots_dir / "chrome-francais-saisie.png")
    field.press("Escape")

    # The sidebar's button, folded and unfolded, named in French for a screen reader.
    page.locator('[data-testid="stSidebar"]').hover()
    collapse = page.get_by_role("button", name="Replier le panneau latéral")
    expect(collapse).to_be_visible()
    collapse.click()
    expand = page.get_by_role("button", name="Déplier le panneau latéral")
    expand.hover()
    expect(expand).to_be_visible()
    assert _english(page) == []
    expand.click()
    expect(collapse).to_be_visible()

    # A project's sheet: its link has a copy button, named and tooltipped in French.
    page.locator(".st-key-liste-projets button").filter(has_text=TITLE).click()
    page.wait_for_selector(APP_IDLE)
    code = page.locator('.st-key-fiche-projet [data-testid="stCode"]').first
    code.scroll_into_view_if_needed()
    code.hover()
    copy = code.get_by_role("button", name="Copier dans le presse-papiers")
    assert _tooltip(page, copy) == "Copier dans le presse-papiers"
    assert _english(page) == []

    # The moderators' login form: the hint says the form is sent; the password's eye.
    _go(page, f"{app}/moderation")
    name = page.locator(".st-key-m_nom input")
    name.click()
    page.keyboard.type("modo")
    expect(page.locator(HINTS).first).to_contain_text(
        "Appuyez sur Entrée pour envoyer le formulaire"
    )
    page.locator(".st-key-m_mot_de_passe input").fill("secret")
    page.get_by_role("button", name="Afficher le mot de passe").click()
    expect(page.get_by_role("button", name="Masquer le mot de passe")).to_be_visible()
    assert _english(page) == []
    page.screenshot(path=screenshots_dir / "chrome-francais-formulaire.png")

    # A text area outside a form: Ctrl+Enter applies it.
    _go(page, f"{app}/proposer")
    area = page.locator("textarea").first
    area.click()
    page.keyboard.type("Une coopérative")
    expect(page.locator(HINTS).filter(has_text="Entrée").first).to_contain_text(
        "Appuyez sur Ctrl+Entrée pour valider"
    )
    assert _english(page) == []
    assert network.external == []
