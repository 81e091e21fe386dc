"""The run record ``<output>/run.json``: what each notebook of a run did, and with which inputs.

Every notebook of the plan has an entry keyed ``<scope folder>/<strand>`` with its state
(``pending``, ``running``, ``done``, ``failed``, ``interrupted`` or ``skipped``), seconds,
attempts, the error or the reason it was skipped, and its *inputs*: the data fingerprint
(hash of the input files), the parameters, the package version and the code fingerprints
(SHA-256 of the notebook file and of the package's code and data contract). A notebook
whose entry is ``done`` with the same inputs, and whose results and executed notebook are
still there, is up to date: the next run keeps it instead of running it again.

The file is rewritten atomically (temporary file, then rename) whenever a notebook starts or
finishes, so a crash or Ctrl+C leaves a record that says how far the run got. It never holds
the pseudonymisation key (the key is not a notebook parameter).

Example
-------
>>> import tempfile, pathlib
>>> record = RunRecord(pathlib.Path(tempfile.mkdtemp()) / "run.json", config="run.yaml")
>>> record.add("all/need", {"strand": "need", "scope": "pooled"}, inputs={"data_fingerprint": "ab"})
>>> record.set("all/need", state="done", seconds=4.2)
>>> RunRecord.load(record.path)["jobs"]["all/need"]["state"]
'done'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1
STATES = ("pending", "running", "done", "failed", "interrupted", "skipped")


def now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def file_fingerprint(path: Path) -> str:
    """SHA-256 of one file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@lru_cache(maxsize=1)
def package_fingerprint() -> str:
    """SHA-256 of the package's Python code and the data contract (what a notebook's results
    depend on besides the notebook, the data and the parameters)."""
    import evaluation
    from evaluation.data.schema import schema_dir

    digest = hashlib.sha256()
    package = Path(evaluation.__file__).resolve().parent
    files = sorted(package.rglob("*.py")) + sorted(schema_dir().glob("*.json"))
    for path in files:
        digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def write_json_atomic(path: Path, payload: Any) -> None:
    """Write JSON to ``path`` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(payload, out, ensure_ascii=False, indent=1, default=_plain)
            out.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class RunRecord:
    """The record of the current run, written to ``path`` after every change."""

    def __init__(self, path: Path, *, config: str = "", data_fingerprint: str = "",
                 package_version: str = "") -> None:
        self.path = Path(path)
        self.data: dict[str, Any] = {
            "format_version": FORMAT_VERSION, "status": "running", "config": config,
            "started": now(), "finished": None, "package_version": package_version,
            "data_fingerprint": data_fingerprint, "jobs": {}, "reports": [], "notes": []}

    @staticmethod
    def load(path: Path) -> dict[str, Any] | None:
        """The record a run left in ``path``, or None (missing or unreadable: nothing to reuse)."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and data.get("format_version") == FORMAT_VERSION else None

    def add(self, key: str, entry: dict[str, Any], *, inputs: dict[str, Any], state: str = "pending",
            reason: str | None = None) -> None:
        """Enter a notebook of the plan (not written until the next :meth:`set` or :meth:`write`)."""
        self.data["jobs"][key] = {**entry, "state": state, "inputs": as_json(inputs), "seconds": None,
                                  "attempts": None, "started": None, "finished": None, "error": None,
                                  "reason": reason}

    def set(self, key: str, **values: Any) -> None:
        """Update one notebook's entry and write the record."""
        if values.get("state") not in (None, *STATES):
            raise ValueError(f"unknown state {values['state']!r}")
        self.data["jobs"][key].update(values)
        self.write()

    def keep(self, key: str, earlier: dict[str, Any]) -> None:
        """Carry over an up-to-date entry of an earlier run (state done, its seconds and times)."""
        entry = self.data["jobs"][key]
        for name in ("state", "seconds", "attempts", "started", "finished"):
            entry[name] = earlier.get(name)
        entry["reused"] = True

    def finish(self, status: str, **values: Any) -> None:
        """Close the record; a notebook still marked running when a run stops was interrupted."""
        if status != "finished":
            for entry in self.data["jobs"].values():
                if entry["state"] == "running":
                    entry["state"] = "interrupted"
        self.data.update(status=status, finished=now(), **values)
        self.write()

    def write(self) -> None:
        write_json_atomic(self.path, self.data)

    def counts(self) -> dict[str, int]:
        counts = {state: 0 for state in STATES}
        for entry in self.data["jobs"].values():
            counts[entry["state"]] += 1
        return counts


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return str(value)


def as_json(value: Any) -> Any:
    """``value`` as it reads back from JSON (tuples become lists, paths text), for comparisons."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=_plain))


def up_to_date(earlier: dict[str, Any] | None, inputs: dict[str, Any], *files: Path) -> bool:
    """Whether an earlier entry is done with the same inputs and its outputs are still there."""
    return (earlier is not None and earlier.get("state") == "done" and earlier.get("inputs") == as_json(inputs)
            and all(Path(f).exists() for f in files))
