"""Fuzzing the importers and the dataset loaders with what real files become: random bytes,
files cut anywhere, wrong encodings, flipped bytes. Whatever comes in, the only exception is a
:class:`~geo.errors.GeoError` with a French message, and a refused file leaves the store as it
was (same projects, same audit log)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import territories

from geo.datasets import CATALOGUE, load_dataset
from geo.datasets.output import write_frame
from geo.errors import GeoError
from geo.projects.demo import DEMO_FILE
from geo.projects.exporter import export_projects
from geo.projects.importer import import_projects
from geo.sources.fetch import ensure_local
from geo.store.project_store import ProjectStore

FUZZ = settings(
    max_examples=60, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
#: Words that only French messages have (every GeoError we raise is written in French).
_FRENCH = ("é", "è", "à", "ç", "ê", " : ", "Fichier", "fichier", "ligne", "illisible")


def _mutations(seed: bytes) -> st.SearchStrategy[bytes]:
    def reencode(codec: str) -> bytes:
        return seed.decode("utf-8", errors="replace").encode(codec, errors="replace")

    def flipped(positions: list[int]) -> bytes:
        data = bytearray(seed)
        for position in positions:
            data[position % len(data)] ^= 0xFF
        return bytes(data)

    return st.one_of(
        st.binary(max_size=3000),
        st.integers(0, len(seed)).map(lambda cut: seed[:cut]),
        st.sampled_from(["cp1252", "latin-1", "utf-16", "utf-16-le", "utf-32"]).map(reencode),
        st.lists(st.integers(0, 10**9), min_size=1, max_size=8).map(flipped),
        st.binary(max_size=200).map(lambda junk: seed[: len(seed) // 2] + junk),
    )


def _assert_french(error: GeoError) -> None:
    message = str(error)
    assert message and any(word in message for word in _FRENCH), repr(message)


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """A real export of the demo projects in each format the importer reads."""
    folder = tmp_path_factory.mktemp("fuzz-seeds")
    store = ProjectStore(f"sqlite:///{folder / 'seed.sqlite'}", locate=territories())
    import_projects(DEMO_FILE, store, territories=territories())
    out = {}
    for suffix in ("csv", "geojson", "gpkg"):
        path = folder / f"projets.{suffix}"
        export_projects(store, path, file_format=suffix, territories=territories())
        out[suffix] = path.read_bytes()
    store.close()
    return out


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ProjectStore]:
    opened = ProjectStore(f"sqlite:///{tmp_path / 'fuzz.sqlite'}", locate=territories())
    import_projects(DEMO_FILE, opened, territories=territories())
    yield opened
    opened.close()


@pytest.mark.slow
@pytest.mark.parametrize("suffix", ["csv", "geojson", "gpkg"])
def test_importing_broken_files_raises_only_french_errors_and_keeps_the_store(
    suffix: str, seeds: dict[str, bytes], store: ProjectStore, tmp_path: Path
) -> None:
    @FUZZ
    @given(st.data())
    def check(data: st.DataObject) -> None:
        content = data.draw(_mutations(seeds[suffix]))
        path = tmp_path / f"fuzz.{suffix}"
        path.write_bytes(content)
        before = (store.count(), len(store.audit()))
        try:
            import_projects(path, store, territories=territories(), source="fuzz")
        except GeoError as error:
            _assert_french(error)
            assert (store.count(), len(store.audit())) == before

    check()


def _dataset_seed(dataset_id: str, folder: Path) -> bytes:
    """The mirror's file of a dataset, cut to a few hundred records (same shape, fast)."""
    dataset = CATALOGUE[dataset_id]
    path = ensure_local(dataset.source)
    if dataset.file_kind == "csv":
        return b"".join(path.read_bytes().splitlines(keepends=True)[:300])
    loaded = load_dataset(dataset, path, territories=territories(), schema=False)
    small = folder / f"{dataset_id}.geojson"
    write_frame(loaded.frame.head(200), small)
    return small.read_bytes() if dataset.file_kind == "geojson" else path.read_bytes()[:200_000]


@pytest.mark.slow
@pytest.mark.usefixtures("geo_env")
@pytest.mark.parametrize("dataset_id", sorted(CATALOGUE))
def test_loading_broken_files_raises_only_french_errors(dataset_id: str, tmp_path: Path) -> None:
    dataset = CATALOGUE[dataset_id]
    seed = _dataset_seed(dataset_id, tmp_path)

    @FUZZ
    @given(st.data())
    def check(data: st.DataObject) -> None:
        path = tmp_path / f"fuzz.{dataset.file_kind}"
        path.write_bytes(data.draw(_mutations(seed)))
        try:
            load_dataset(dataset, path, territories=territories())
        except GeoError as error:
            _assert_french(error)

    check()
