"""Atomic, validated file transfers that never replace a good copy.

These primitives know nothing about sources, manifests or formats: they move bytes (over HTTP
with httpx, or from a local mirror) into a temporary file created next to its destination,
fsync it, check that nothing was truncated, and leave the caller to validate the result before
:func:`replace` renames it over the old file. Any failure raises :class:`geo.errors.FetchError`
and the temporary file is removed, so an interrupted or bad transfer can never leave a
half-written file where a good cached one used to be. :mod:`geo.sources.fetch` builds on them.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import tempfile
import time
from collections.abc import Collection, Iterator
from datetime import UTC
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple
from urllib.parse import urljoin, urlsplit

from tqdm import tqdm

from geo.errors import FetchError

if TYPE_CHECKING:
    import httpx

_CHUNK = 1 << 16
_MAX_REDIRECTS = 5
TEMP_SUFFIX = ".part"
#: Temp files older than this are leftovers of a killed run (younger ones may be in use).
STALE_TEMP_SECONDS = 3600


@contextlib.contextmanager
def temp_file(folder: Path, name: str, suffix: str) -> Iterator[Path]:
    """A temp path next to its destination (so the rename is atomic), always removed after."""
    folder.mkdir(parents=True, exist_ok=True)
    # The real extension goes before ".part" so GDAL can still recognise the format.
    handle, temp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=suffix + TEMP_SUFFIX)
    os.close(handle)
    try:
        yield Path(temp)
    finally:
        Path(temp).unlink(missing_ok=True)


def fsync_file(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; not possible on every platform, hence best effort.
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def replace(temp: Path, final: Path) -> None:
    """Atomically rename a checked temp file over ``final``, durably."""
    os.replace(temp, final)
    _fsync_dir(final.parent)


def clean_stale_temps(*folders: Path) -> None:
    """Remove temp files that a killed run left in ``folders`` (recent ones may be in use)."""
    now = time.time()
    for folder in folders:
        for temp in folder.glob(f".*{TEMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                if now - temp.stat().st_mtime > STALE_TEMP_SECONDS:
                    temp.unlink()


def _progress_bar(name: str, total: int | None, progress: bool) -> tqdm:
    # disable=None lets tqdm switch itself off when stderr is not a terminal (logs, CI).
    return tqdm(
        total=total,
        desc=name,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        file=sys.stderr,
        leave=False,
        disable=True if not progress else None,
    )


def _copy_chunks(
    chunks: Iterator[bytes], out: BinaryIO, bar: tqdm, digest: Any, *, until: float | None = None
) -> int:
    size = 0
    for chunk in chunks:
        out.write(chunk)
        digest.update(chunk)
        size += len(chunk)
        bar.update(len(chunk))
        if until is not None and time.monotonic() > until:
            raise _TooSlow
    return size


class _TooSlow(Exception):
    """The total deadline passed while the body was still coming."""


class Downloaded(NamedTuple):
    size: int
    sha256: str
    #: Whether the end of the body was signalled (a length that was checked, or chunked
    #: encoding); without either, a body cut by a closed connection looks complete, and only
    #: its content can tell (the caller checks).
    length_checked: bool
    #: The file's date as the server gives it (``Last-Modified``), ISO, or None.
    published: str | None = None


def redirect_allowed(origin: str, target: str, hosts: Collection[str]) -> bool:
    """A redirect stays within the origin of ``origin`` (scheme, host and port), or goes in
    https to its host or to one of ``hosts`` (the declared ones): never to http elsewhere,
    never to a host nobody declared."""
    before, after = urlsplit(origin), urlsplit(target)
    try:
        same = (after.scheme, after.hostname, after.port) == (
            before.scheme, before.hostname, before.port)  # fmt: skip
    except ValueError:
        return False
    if same:
        return True
    return (
        after.scheme == "https"
        and bool(after.hostname)
        and (after.hostname == before.hostname or after.hostname in hosts)
    )


def download(
    url: str,
    temp: Path,
    *,
    timeout: float,
    user_agent: str,
    name: str,
    progress: bool,
    deadline: float | None = None,
    hosts: Collection[str] = (),
) -> Downloaded:
    """GET ``url`` into ``temp`` (each wait for data bounded by ``timeout``, the whole by
    ``deadline`` seconds; redirects only as :func:`redirect_allowed` says, to ``hosts``).
    Raises FetchError on any failure."""
    # Imported on a download only: every page and command that reads the data imports this
    # package, few of them download.
    import httpx

    digest = hashlib.sha256()
    headers = {"User-Agent": user_agent}
    until = None if deadline is None else time.monotonic() + deadline
    try:
        with httpx.Client(timeout=timeout, headers=headers, follow_redirects=False) as client:
            return _follow(client, url, temp, name=name, progress=progress, digest=digest,
                           until=until, hosts=hosts)  # fmt: skip
    except _TooSlow:
        msg = (
            f"durée maximale dépassée ({deadline:g} s, GEO_HTTP_DEADLINE) : le serveur de {url} "
            "envoie le fichier trop lentement"
        )
        raise FetchError(msg) from None
    except httpx.TimeoutException as error:
        msg = f"délai dépassé ({timeout:g} s) en contactant {url}"
        raise FetchError(msg) from error
    except httpx.RemoteProtocolError as error:
        msg = f"réponse tronquée ou invalide du serveur ({error})"
        raise FetchError(msg) from error
    except httpx.HTTPError as error:
        msg = f"échec de connexion à {url} ({type(error).__name__} : {error})"
        raise FetchError(msg) from error


def _follow(
    client: httpx.Client,
    url: str,
    temp: Path,
    *,
    name: str,
    progress: bool,
    digest: Any,
    until: float | None,
    hosts: Collection[str],
) -> Downloaded:
    current = url
    for _ in range(_MAX_REDIRECTS + 1):
        with client.stream("GET", current) as response:
            if response.is_redirect:
                target = urljoin(current, response.headers.get("Location", ""))
                if not redirect_allowed(url, target, hosts):
                    where = urlsplit(target).hostname or target
                    msg = (
                        f"redirection refusée de {url} vers {urlsplit(target).scheme}://{where} "
                        "(seulement en https vers le même hôte ou un hôte déclaré)"
                    )
                    raise FetchError(msg)
                current = target
                continue
            return _receive(response, current, temp, name=name, progress=progress,
                            digest=digest, until=until)  # fmt: skip
    msg = f"trop de redirections (plus de {_MAX_REDIRECTS}) depuis {url}"
    raise FetchError(msg)


def _receive(
    response: httpx.Response,
    url: str,
    temp: Path,
    *,
    name: str,
    progress: bool,
    digest: Any,
    until: float | None,
) -> Downloaded:
    if response.status_code >= 400:
        msg = f"le serveur a répondu HTTP {response.status_code} pour {url}"
        raise FetchError(msg)
    length = response.headers.get("Content-Length")
    expected = int(length) if length and length.isdigit() else None
    encoded = response.headers.get("Content-Encoding", "identity") != "identity"
    with temp.open("wb") as out, _progress_bar(name, expected, progress) as bar:
        # Chunks as they arrive (no buffering to 64 KiB): the deadline is checked often.
        size = _copy_chunks(response.iter_bytes(), out, bar, digest, until=until)
        out.flush()
        os.fsync(out.fileno())
    # Content-Length counts bytes on the wire, which differ from ours when compressed.
    received = response.num_bytes_downloaded if encoded else size
    if expected is not None and received != expected:
        msg = f"réponse tronquée : {received} octets reçus sur {expected} annoncés"
        raise FetchError(msg)
    # A chunked body ends with its own terminal chunk (h11 fails without it): complete too.
    chunked = "chunked" in response.headers.get("Transfer-Encoding", "").lower()
    return Downloaded(
        size, digest.hexdigest(), expected is not None or chunked,
        _http_date(response.headers.get("Last-Modified")),
    )  # fmt: skip


def _http_date(value: str | None) -> str | None:
    """An HTTP date header as ISO 8601 (None when absent or unreadable)."""
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).astimezone(UTC).isoformat(timespec="seconds")
    except (TypeError, ValueError):
        return None


def copy_from_mirror(
    origin: Path, temp: Path, *, name: str, progress: bool, root: Path | None = None
) -> tuple[int, str]:
    """Copy a mirrored file into ``temp``; returns (size, sha256). Raises FetchError. With
    ``root``, a file that resolves outside it (a symbolic link to ``/etc/passwd``) is refused."""
    if root is not None and not origin.resolve().is_relative_to(root.resolve()):
        msg = f"fichier hors du miroir refusé : {origin} mène en dehors de {root}"
        raise FetchError(msg)
    if not origin.is_file():
        msg = f"fichier absent du miroir : {origin}"
        raise FetchError(msg)
    digest = hashlib.sha256()
    total = origin.stat().st_size
    with (
        origin.open("rb") as src,
        temp.open("wb") as out,
        _progress_bar(name, total, progress) as bar,
    ):
        size = _copy_chunks(iter(lambda: src.read(_CHUNK), b""), out, bar, digest)
        out.flush()
        os.fsync(out.fileno())
    if size != total:
        msg = f"copie tronquée depuis le miroir : {size} octets sur {total}"
        raise FetchError(msg)
    return size, digest.hexdigest()


def human_size(size: int | None) -> str:
    """A byte count in French units, e.g. ``1,5 Mo`` (``?`` when unknown)."""
    if size is None:
        return "?"
    value = float(size)
    for unit in ("o", "ko", "Mo", "Go"):
        if value < 1024 or unit == "Go":
            text = f"{value:.0f}" if unit == "o" else f"{value:.1f}"
            return f"{text.replace('.', ',')} {unit}"
        value /= 1024
    return f"{size} o"  # unreachable; keeps type checkers content
