"""Write the synthetic pilots to a folder: ``evaluation synth --out DIR --seed N --scale S``;
with ``--national`` (``national=True``) the national roll-out of contact points instead.

Layout of ``out_dir``::

    truth.json              the known truth (see evaluation.synthetic.truth)
    datapackage.json        the data contract with the synthetic study period
    parquet/                households.parquet, tenancies.parquet, ... + datapackage.json
    csv/                    households.csv, ... in Czech conventions + datapackage.json

Each format folder holds one file per table of the data set (the pilots: every table but the
national ``orp_panel``; the national set: ``households``, ``support_contacts``, ``applications``,
``orp_panel``) and is a data folder on its own
(``evaluation validate DIR/csv``; ``load_folder`` reads it). The folders do not hold
``truth.json`` so that the loader does not meet a file that is not a table.

Example
-------
>>> import tempfile
>>> out = generate(tempfile.mkdtemp(), seed=1, scale=0.2, formats=("csv",))
>>> sorted(p.name for p in out.iterdir())
['csv', 'datapackage.json', 'truth.json']
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from evaluation.data.schema import get_schema
from evaluation.data.writers import FORMATS, write_tables
from evaluation.errors import ConfigError
from evaluation.synthetic.simulate import SyntheticData, simulate


def datapackage(data: SyntheticData, fmt: str | None = None) -> dict:
    """The contract's datapackage.json with the synthetic study period and, for ``fmt``, file paths."""
    contract = get_schema()
    package = json.loads((contract.folder / "datapackage.json").read_text(encoding="utf-8"))
    start, end = (str(d.date()) for d in data.study_period)
    package["studyPeriod"] = {"start": start, "end": end}
    package["synthetic"] = {"seed": data.seed, "scale": data.scale, "truth": "truth.json",
                            "generator": "evaluation.synthetic", "national": data.national}
    package["resources"] = [r for r in package["resources"] if r["name"] in data.tables]  # the files there are
    for resource in package["resources"]:
        schema_file = contract.folder / resource["schema"]
        resource["schema"] = json.loads(schema_file.read_text(encoding="utf-8"))  # self-contained package
        if fmt is not None:
            resource["path"] = f"{resource['name']}.{fmt}"
            if fmt == "csv":
                resource["dialect"] = {"delimiter": ";", "decimalChar": ",", "lineTerminator": "\r\n"}
                resource["encoding"] = "windows-1250"
            else:
                resource["format"] = "parquet"
    return package


def _write_json(obj: dict, path: Path) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def generate(out_dir: str | Path, *, seed: int = 2019, scale: float = 1.0,
             formats: Sequence[str] = ("parquet", "csv"), national: bool = False) -> Path:
    """Simulate the pilots (or, ``national=True``, the national roll-out of contact points) and write
    them to ``out_dir`` (see the module docstring); returns the folder.

    The same seed, scale and ``national`` give byte-identical files.
    """
    formats = tuple(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ConfigError(f"unknown or no file format {unknown or formats}; use parquet and/or csv")
    out = Path(out_dir)
    data = simulate(seed=seed, scale=scale, national=national)
    out.mkdir(parents=True, exist_ok=True)
    for fmt in formats:
        folder = out / fmt
        write_tables(data.tables, folder, fmt=fmt, lang="cs")
        _write_json(datapackage(data, fmt), folder / "datapackage.json")
    _write_json(datapackage(data), out / "datapackage.json")
    data.truth.to_json(out / "truth.json")
    return out
