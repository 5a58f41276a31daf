"""Browser tests: the app run by ``streamlit run`` and driven by Playwright in the system Chromium.

Never ``playwright install``: Chromium comes from the system (``/usr/bin/chromium``). Every request
is routed: tiles get a local blank image, the app's own server is let through, anything else is
recorded and refused, so a test can assert that the page asked nothing of the internet.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import time
import urllib.request
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
TILE_PATH = re.compile(r"/\d+/\d+/\d+(@2x)?\.(png|jpe?g|webp)$")
STARTUP_TIMEOUT = 60.0


def blank_png(size: int = 256, rgb: tuple[int, int, int] = (242, 239, 233)) -> bytes:
    """A plain square PNG, built by hand (no imaging library needed)."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    row = b"\x00" + bytes(rgb) * size
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * size, 9))
        + chunk(b"IEND", b"")
    )


BLANK_TILE = blank_png()


@dataclass
class NetworkLog:
    """What the page asked for, sorted by where it went."""

    external: list[str] = field(default_factory=list)
    tiles: list[str] = field(default_factory=list)
    local: list[str] = field(default_factory=list)
    responses: dict[str, int] = field(default_factory=dict)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        message = "system Chromium not found (looked for `chromium` on PATH and /usr/bin/chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except OSError:
        return False


@contextlib.contextmanager
def running_app(log_dir: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """``streamlit run app.py`` on a free port; its URL while it runs, stopped afterwards."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = log_dir / f"streamlit-{port}.log"
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env or dict(os.environ), stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                output = log_path.read_text(encoding="utf-8", errors="replace")
                pytest.fail(f"streamlit did not start on {url}:\n{output}")
            time.sleep(0.2)  # polling a server that is starting: not a wait on the page
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def e2e_env(geo_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A project store of the browser tests' own (no demo projects): what other tests wrote
    in the session's store never changes what a browser test expects."""
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e-store') / 'projets.sqlite'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", url)
        patch.setenv("GEO_DEMO", "0")
        yield url


@pytest.fixture(scope="session")
def app_url(e2e_env: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with the mirror settings, shared by the session's browser tests."""
    with running_app(tmp_path_factory.mktemp("streamlit")) as url:
        yield url


@pytest.fixture
def fresh_app(
    e2e_env: str, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[], contextlib.AbstractContextManager[str]]:
    """Start a server of its own, whose first visit is the test's (not the session's)."""
    return lambda: running_app(tmp_path_factory.mktemp("streamlit-fresh"))


@pytest.fixture
def app_with_env(
    e2e_env: str, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[dict[str, str]], contextlib.AbstractContextManager[str]]:
    """Start a server of its own with these environment variables (a store of its own…)."""
    return lambda env: running_app(tmp_path_factory.mktemp("streamlit-own"), env)


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def routed_context(browser: object) -> Iterator[Callable[..., tuple[object, NetworkLog]]]:
    """Factory of browser contexts (one viewport each) whose every request is routed and logged.

    Tiles get :data:`BLANK_TILE`, the app's own server is let through, any other host is
    recorded in ``NetworkLog.external`` and refused. Contexts are closed after the test.
    """
    from playwright.sync_api import Route

    contexts = []

    def open_context(*, width: int, height: int, tiles: str = "blank") -> tuple[object, NetworkLog]:
        """``tiles``: ``blank`` (a local blank image) or ``aborted`` (as on bad wifi: every
        tile request fails)."""
        network = NetworkLog()
        context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR")
        contexts.append(context)

        def route(route: Route) -> None:
            url = route.request.url
            parts = urlsplit(url)
            if parts.hostname in LOCAL_HOSTS:
                network.local.append(url)
                route.continue_()
            elif TILE_PATH.search(parts.path):
                network.tiles.append(url)
                if tiles == "aborted":
                    route.abort()
                else:
                    route.fulfill(status=200, content_type="image/png", body=BLANK_TILE)
            else:
                network.external.append(url)
                route.abort()

        context.route("**/*", route)
        context.on("response", lambda r: network.responses.update({r.url: r.status}))
        return context, network

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def screenshots_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
