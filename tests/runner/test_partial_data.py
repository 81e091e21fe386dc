"""Contact-point data alone (applications, no households or tenancies) runs: the strands that need
other tables are not started, and the technical report says what could not be done and why.

The data contract still marks households and tenancies as required (the data layer is being
changed to load partial data sets); this test loads through a copy of the contract with every
table optional (EVALUATION_SCHEMA_DIR), which is what the runner must cope with either way.
The notebooks are the real ones.
"""

import json
import re
import shutil

import pytest

from evaluation.data.schema import get_schema, schema_dir
from evaluation.runner.config import parse_config
from evaluation.runner.run import run_config
from tests.runner.conftest import read_record


@pytest.fixture
def optional_tables(tmp_path, monkeypatch):
    contract = tmp_path / "contract"
    shutil.copytree(schema_dir(), contract)
    package = json.loads((contract / "datapackage.json").read_text("utf-8"))
    for resource in package["resources"]:
        resource["required"] = False
    (contract / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False), "utf-8")
    monkeypatch.setenv("EVALUATION_SCHEMA_DIR", str(contract))  # the kernels inherit it
    get_schema.cache_clear()
    yield contract
    monkeypatch.undo()
    get_schema.cache_clear()


def test_contact_point_data_alone_runs_and_the_report_says_what_is_missing(tmp_path, synthetic, optional_tables):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(synthetic / "applications.parquet", data)
    config = parse_config({"data": "data", "output": "out", "report_formats": ["html"], "workers": 2,
                           "strands": ["process", "retention", "need"]}, base_dir=tmp_path)
    summary = run_config(config, progress=False)
    assert summary.ok, str(summary)
    assert sorted(o.job.strand for o in summary.outcomes) == ["need", "process"]
    assert [job.strand for job, _ in summary.skipped] == ["retention"]
    assert "03_retention.ipynb in pooled: the data of this scope have no rows in table “Tenancies”" in str(summary)
    assert read_record(tmp_path / "out")["jobs"]["all/retention"]["state"] == "skipped"

    stored = tmp_path / "out" / "published" / "results" / "all"
    assert (stored / "process" / "tables" / "processing_time.csv").is_file()  # the contact-point analyses ran
    report = re.sub(r"<[^>]+>|\s+", " ", (tmp_path / "out" / "published" / "reports" / "technical_cs.html").read_text("utf-8"))
    assert ("Analýza „Udržení bydlení“ nebyla provedena: v datech tohoto rozsahu nejsou záznamy v tabulce "
            "„Nájemní vztahy“") in report
    assert "Analýza „Dosah oproti plánu“ nebyla provedena" in report  # process: the housing analyses
