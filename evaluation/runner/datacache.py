"""The run's data, loaded and validated once: a cache the notebooks of the run read instead of the data folder.

``evaluation run`` validates the data folder before any notebook starts. It then writes the
validated :class:`~evaluation.data.dataset.Dataset` (tables, ledger, validation report,
study period, fingerprint, the warnings loading gave) into a cache folder and names that
folder to its kernels in the environment variable :data:`RUN_CACHE_ENV`. A notebook's
:func:`~evaluation.runner.session.open_session` then takes the data from the cache when the
cache was made from the same folder with the same ``on_error``, instead of reading and
validating the folder again (a Windows-1250 CSV export takes seconds to check, and a batch
runs hundreds of notebooks). A warm kernel template (:mod:`evaluation.runner.pool`) loads the
cache once, so the kernels forked from it find the data already in memory.

Without the variable -- a notebook run by hand with papermill or opened in Jupyter -- nothing
changes: the notebook loads its data folder itself.

The cache is an exact copy of the validated data in memory (pickle: categories, nullable
integers, source row numbers and the report come back as they were), written by the runner
for its own kernels, in a folder only this user can read, and removed when the run ends. It
holds pseudonymised rows, never the key: kernels that read it do not need the key.

Example
-------
>>> import pandas as pd, tempfile
>>> from evaluation.data.dataset import Dataset
>>> data = Dataset.from_frames({"units": pd.DataFrame({"unit_id": ["U1"]})}, source="/data", fingerprint="ab")
>>> cache = write_cache(data, tempfile.mkdtemp(), data_dir="/data", on_error="raise")
>>> read_cache(cache).dataset.fingerprint
'ab'
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from evaluation.data.dataset import Dataset

#: Environment variable naming the run's data cache folder (set by the runner in its kernels).
RUN_CACHE_ENV = "EVALUATION_RUN_CACHE"
#: Bumped when the cache layout changes; a cache of another version is not read.
CACHE_VERSION = 1
_MANIFEST = "manifest.json"
_DATA = "dataset.pickle"


def _mapping_proxy(items: dict[str, Any]) -> MappingProxyType:
    return MappingProxyType(items)


class _Pickler(pickle.Pickler):
    """A Dataset holds read-only mappings (``MappingProxyType``), which pickle cannot store as such."""

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is MappingProxyType:
            return _mapping_proxy, (dict(obj),)
        return NotImplemented


@dataclass(frozen=True)
class CachedData:
    """The data of a run: the dataset, the folder and ``on_error`` it was loaded with, and the
    warnings loading gave (category and message), which a notebook shows again."""

    dataset: Dataset
    data_dir: str
    on_error: str
    warnings: tuple[tuple[type[Warning], str], ...] = ()

    def matches(self, data_dir: str | os.PathLike[str], on_error: str) -> bool:
        return on_error == self.on_error and _same_folder(data_dir, self.data_dir)


def _same_folder(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False


def write_cache(dataset: Dataset, folder: str | os.PathLike[str], *, data_dir: str | os.PathLike[str],
                on_error: str, caught: Sequence[warnings.WarningMessage] = ()) -> Path:
    """Write ``dataset`` into ``folder`` (created, readable by this user only); return the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    replay = tuple((w.category, str(w.message)) for w in caught)
    with (folder / _DATA).open("wb") as out:
        _Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(
            CachedData(dataset, str(Path(data_dir).resolve()), on_error, replay))
    manifest = {"version": CACHE_VERSION, "data_dir": str(Path(data_dir).resolve()), "on_error": on_error,
                "fingerprint": dataset.fingerprint}
    (folder / _MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return folder


def read_cache(folder: str | os.PathLike[str]) -> CachedData:
    """Read a cache :func:`write_cache` wrote (OSError or ValueError when it is not one)."""
    folder = Path(folder)
    manifest = json.loads((folder / _MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("version") != CACHE_VERSION:
        raise ValueError(f"{folder} is a data cache of another version ({manifest.get('version')})")
    with (folder / _DATA).open("rb") as handle:
        cached = pickle.load(handle)
    if not isinstance(cached, CachedData):
        raise ValueError(f"{folder / _DATA} does not hold a run's data")
    return cached


#: Caches loaded in this process, by folder (a kernel template loads its run's cache before it forks).
_LOADED: dict[str, CachedData] = {}


def preload(folder: str | os.PathLike[str]) -> CachedData:
    """Load the cache in ``folder`` into this process, so that :func:`cached_data` finds it in memory."""
    key = str(Path(folder).resolve())
    if key not in _LOADED:
        _LOADED[key] = read_cache(key)
    return _LOADED[key]


def cached_data(data_dir: str | os.PathLike[str], on_error: str) -> Dataset | None:
    """The run's data when the environment names a cache made from ``data_dir`` with ``on_error``;
    None otherwise (no cache named, another folder, a cache that cannot be read), and the caller
    loads the folder itself. The warnings loading gave are shown again."""
    folder = os.environ.get(RUN_CACHE_ENV)
    if not folder:
        return None
    try:
        cached = preload(folder)
    except (OSError, ValueError, pickle.UnpicklingError, EOFError, AttributeError):
        warnings.warn(f"the run's data cache {folder} could not be read; the notebook reads the data folder "
                      "itself", UserWarning, stacklevel=2)
        return None
    if not cached.matches(data_dir, on_error):
        return None
    for category, message in cached.warnings:
        warnings.warn(message, category, stacklevel=3)
    return cached.dataset


@contextmanager
def run_cache(dataset: Dataset, *, data_dir: str | os.PathLike[str], on_error: str,
              caught: Sequence[warnings.WarningMessage] = (), parent: str | os.PathLike[str] | None = None
              ) -> Iterator[Path]:
    """The run's cache in a new private folder (under ``parent``, else the temporary folder),
    removed when the block ends however it ends."""
    if parent is not None:
        Path(parent).mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="evaluation-run-cache-", dir=parent))
    try:
        yield write_cache(dataset, folder, data_dir=data_dir, on_error=on_error, caught=caught)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        _LOADED.pop(str(folder.resolve()), None)
