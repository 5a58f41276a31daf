"""The sheet as a PDF: the self-contained HTML printed by the system Chromium (A4 portrait, as
the sheet's print CSS lays it out), driven by Playwright.

Chromium because it prints the sheet's CSS as the browser shows it (page-margin boxes for the
footer, page breaks, inline SVG) and is already what the browser tests use; it is a system
package (``apt-get install chromium``), never downloaded by Playwright. Every request the page
would make is refused (the sheet needs none): printing never touches the network. The work
runs in a thread of its own, so Playwright's synchronous API never meets an event loop of the
caller (Streamlit's script threads, for one).
"""

from __future__ import annotations

import logging
import shutil
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

from geo.errors import SheetError

log = logging.getLogger(__name__)

#: Where Chromium is looked for, in order (names on PATH, then paths).
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "/usr/bin/chromium")
TIMEOUT_SECONDS = 60.0
_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NO_CHROMIUM = (
    "Le PDF ne peut pas être produit : Chromium est introuvable sur ce serveur (paquet système "
    "« chromium »). La fiche HTML reste disponible et s'imprime en PDF depuis un navigateur."
)


def find_chromium() -> str:
    """The path of the system Chromium, or :class:`SheetError` in French."""
    for candidate in CHROMIUM_CANDIDATES:
        found = shutil.which(candidate) or (candidate if Path(candidate).is_file() else None)
        if found:
            return found
    raise SheetError(NO_CHROMIUM)


def _print(html: str, executable: str, timeout_ms: float) -> bytes:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=_ARGS)
        try:
            context = browser.new_context()
            context.route("**/*", lambda route: route.abort())
            page = context.new_page()
            page.set_default_timeout(timeout_ms)
            page.set_content(html, wait_until="load")
            return page.pdf(prefer_css_page_size=True, print_background=True, format="A4")
        finally:
            browser.close()


def sheet_pdf(html: str, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """The PDF of a sheet (its bytes), or :class:`SheetError` in French."""
    executable = find_chromium()
    try:
        import playwright  # noqa: F401 - said in French below when it is missing
    except ImportError as error:
        msg = "Le PDF ne peut pas être produit : le paquet Python « playwright » manque."
        raise SheetError(msg) from error
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="fiche-pdf") as pool:
        future = pool.submit(_print, html, executable, timeout * 1000)
        try:
            return future.result(timeout=timeout + 30)
        except FutureTimeout as error:
            msg = "Le PDF n'a pas pu être produit à temps ; réessayez dans un moment."
            raise SheetError(msg) from error
        except SheetError:
            raise
        except Exception as error:
            log.warning("Impression PDF de la fiche impossible", exc_info=True)
            msg = (
                "Le PDF n'a pas pu être produit (le navigateur Chromium du serveur a échoué) ; "
                "la fiche HTML reste disponible."
            )
            raise SheetError(msg) from error
