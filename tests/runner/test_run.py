"""A run never loses work: the run record, up-to-date notebooks kept, --resume after a failure,
--force, stale reports moved aside, strands not run where the scope's data cannot support them.

The notebooks here are stand-ins (tests/runner/conftest.py) that declare each strand's
parameters and store a minimal result, so these tests measure the runner, not the analyses;
the data are the synthetic pilots (evaluation.synthetic, seed 2019).
"""

import functools
import importlib
import itertools
import warnings

import pytest

from evaluation.data.dataset import Dataset
from evaluation.errors import ConfigError
from evaluation.runner.config import parse_config
from evaluation.runner.registry import STRANDS
from evaluation.runner.run import run_config
from evaluation.runner.selection import pilot_municipalities
from tests.runner.conftest import read_record


def configure(tmp_path, synthetic, stand_ins, **values):
    raw = {"data": str(synthetic), "output": "out", "notebooks": str(stand_ins.folder), "report_formats": [],
           "strands": ["process", "need"], "workers": 2, **values}
    return parse_config(raw, base_dir=tmp_path, source=str(tmp_path / "run.yaml"))


def test_a_rerun_keeps_what_is_up_to_date_and_reruns_what_changed(tmp_path, synthetic, stand_ins):
    first = run_config(configure(tmp_path, synthetic, stand_ins), progress=False)
    assert first.ok and len(first.outcomes) == 2
    record = read_record(tmp_path / "out")
    assert record["status"] == "finished"
    entry = record["jobs"]["all/need"]
    assert entry["state"] == "done" and entry["seconds"] > 0 and entry["attempts"] == 1
    assert entry["inputs"]["data_fingerprint"] and entry["inputs"]["parameters"]["seed"] == 2019
    assert set(entry["inputs"]["code_fingerprint"]) == {"notebook", "package"}
    executed = tmp_path / "out" / "internal" / "notebooks" / "all" / "06_need.ipynb"
    stamp = executed.stat().st_mtime_ns

    again = run_config(configure(tmp_path, synthetic, stand_ins), progress=False)
    assert again.ok and again.outcomes == () and len(again.up_to_date) == 2
    assert executed.stat().st_mtime_ns == stamp  # kept, not run again
    assert "2 up to date (kept from an earlier run)" in str(again)
    assert read_record(tmp_path / "out")["jobs"]["all/need"]["reused"] is True

    stand_ins("need", "x = 1")  # the need notebook changed: only it runs again
    changed = run_config(configure(tmp_path, synthetic, stand_ins), progress=False)
    assert [o.job.strand for o in changed.outcomes] == ["need"] and len(changed.up_to_date) == 1

    reseeded = run_config(configure(tmp_path, synthetic, stand_ins, seed=7), progress=False)
    assert len(reseeded.outcomes) == 2  # a parameter changed: every notebook runs
    forced = run_config(configure(tmp_path, synthetic, stand_ins, seed=7), progress=False, force=True)
    assert len(forced.outcomes) == 2 and not forced.up_to_date


def test_resume_continues_after_a_failure_and_stale_reports_are_set_aside(tmp_path, synthetic, stand_ins):
    config = configure(tmp_path, synthetic, stand_ins, report_formats=["html"])
    assert run_config(config, progress=False).ok
    reports = tmp_path / "out" / "published" / "reports"
    assert (reports / "brief_cs.html").is_file()

    stand_ins("need", "raise ValueError('broken export')")
    stand_ins("process", "x = 2")  # changed too, so it runs again (and succeeds) in the failed run
    failed = run_config(config, progress=False)
    assert not failed.ok and failed.status == "failed"
    record = read_record(tmp_path / "out")
    assert record["status"] == "failed"
    assert record["jobs"]["all/need"]["state"] == "failed" and "broken export" in record["jobs"]["all/need"]["error"]
    assert record["jobs"]["all/process"]["state"] == "done"
    # the earlier reports no longer match the results: moved aside, with a note, and the summary says so
    stale = tmp_path / "out" / "published" / "reports-stale"
    assert not reports.exists() and (stale / "brief_cs.html").is_file()
    assert "do not match the current results" in (stale / "STALE.txt").read_text("utf-8")
    text = str(failed)
    assert f"the reports of an earlier run are in {stale}" in text
    assert "evaluation run CONFIG --resume" in text  # the configuration was not read from a file

    stand_ins("need")  # fixed
    resumed = run_config(config, progress=False, resume=True)
    assert resumed.ok, str(resumed)
    assert [o.job.strand for o in resumed.outcomes] == ["need"]  # process was done: kept
    assert [j.strand for j in resumed.up_to_date] == ["process"]
    assert (reports / "brief_cs.html").is_file() and not stale.exists()
    assert read_record(tmp_path / "out")["status"] == "finished"


def test_resume_needs_an_earlier_run_and_excludes_force(tmp_path, synthetic, stand_ins):
    config = configure(tmp_path, synthetic, stand_ins)
    with pytest.raises(ConfigError, match="nothing to resume: .*run.json does not exist"):
        run_config(config, progress=False, resume=True)
    with pytest.raises(ConfigError, match="give one of them"):
        run_config(config, progress=False, resume=True, force=True)


def test_a_batch_runs_a_strand_only_where_the_data_support_it(tmp_path, synthetic, synthetic_dataset, stand_ins):
    """14 of the 16 pilots have only municipality-panel data: the retention notebook (tenancies) runs
    in the pooled scope, Brno and Ostrava, and the others get a limitation text instead of a notebook."""
    pilots = pilot_municipalities(synthetic_dataset)
    assert len(pilots) == 16 and {"Brno", "Ostrava", "Vír"} <= set(pilots)
    summary = run_config(configure(tmp_path, synthetic, stand_ins, strands=["retention"], municipalities="all"),
                         progress=False)
    assert summary.ok
    assert sorted(o.job.scope for o in summary.outcomes) == ["Brno", "Ostrava", "pooled"]
    assert len(summary.skipped) == len(pilots) - 2
    record = read_record(tmp_path / "out")
    assert record["jobs"]["vir/retention"]["state"] == "skipped"
    assert "no rows in table “Tenancies”" in record["jobs"]["vir/retention"]["reason"]
    texts = (tmp_path / "out" / "internal" / "results" / "vir" / "retention" / "texts.json").read_text("utf-8")
    assert "Analýza „Udržení bydlení“ nebyla provedena" in texts and "“Tenancies”" in texts
    assert not (tmp_path / "out" / "internal" / "notebooks" / "vir").exists()
    assert "03_retention.ipynb in" in str(summary) and "no rows in table “Tenancies”" in str(summary)

    # the same output folder with fewer municipalities: results of the others are removed
    narrower = run_config(configure(tmp_path, synthetic, stand_ins, strands=["retention"],
                                    municipalities=["brno"]), progress=False)
    assert narrower.ok and len(narrower.up_to_date) == 2  # pooled and Brno ('brno' is taken as 'Brno')
    assert not (tmp_path / "out" / "internal" / "results" / "vir").exists()
    assert any("removed results no longer in the configuration" in n for n in narrower.notes)
    assert any("'brno' was taken as 'Brno'" in n for n in narrower.notes)


def test_a_municipality_not_in_the_data_is_named_with_the_closest(tmp_path, synthetic, stand_ins):
    with pytest.raises(ConfigError, match="municipality 'Ostrawa' is not in the data; did you mean 'Ostrava'"):
        run_config(configure(tmp_path, synthetic, stand_ins, municipalities=["Ostrawa"]), progress=False)


def _without(dataset, tables):
    return Dataset.from_frames({t: f for t, f in dataset.tables.items() if t not in tables},
                               study_period=dataset.study_period)


@functools.lru_cache(maxsize=1)
def _national() -> Dataset:
    from evaluation.synthetic import simulate

    return simulate(seed=7, scale=0.05, national=True).to_dataset()


@pytest.mark.parametrize("name", [s for s in STRANDS if s != "data_quality"])
def test_each_strand_declares_the_tables_it_needs(name, synthetic_dataset):
    """Every declared set of tables is enough for the strand to compute something, and data with no
    declared set complete lets it compute nothing: the runner's gate neither starts a notebook
    that can only print "not computed" nor keeps out one that could compute a result."""
    strand = importlib.import_module(f"evaluation.runner.strands.{name}")
    options = {"bootstrap_draws": 100} if name == "impact" else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for tables in STRANDS[name].needs:
            # a table only national data have (the impact strand's orp_panel) comes from a small national set
            source = synthetic_dataset if all(synthetic_dataset.has(t) for t in tables) else _national()
            only = Dataset.from_frames({t: source[t] for t in tables}, study_period=source.study_period)
            assert strand.analyse(only, **options).results, tables
        for removed in itertools.product(*STRANDS[name].needs):
            lacking = _without(synthetic_dataset, set(removed))
            assert STRANDS[name].missing_tables(t for t in lacking.tables)
            assert not strand.analyse(lacking, **options).results, removed


def test_a_batch_is_the_pilots_and_a_list_may_name_any_municipality_with_data(tmp_path, synthetic,
                                                                               synthetic_dataset, stand_ins):
    from evaluation.runner.plan import scopes
    from evaluation.runner.selection import municipalities_with_data

    pilots, with_data = pilot_municipalities(synthetic_dataset), municipalities_with_data(synthetic_dataset)
    batch, _ = scopes(configure(tmp_path, synthetic, stand_ins, municipalities="all"), pilots, with_data)
    assert batch[0] is None and batch[1:] == sorted(pilots) and "Praha" not in batch  # Praha: applications only
    listed, notes = scopes(configure(tmp_path, synthetic, stand_ins, municipalities=["praha"], pooled=False),
                           pilots, with_data)
    assert listed == ["Praha"] and notes == ["municipality 'praha' was taken as 'Praha', its spelling in the data"]
    only_pooled, notes = scopes(configure(tmp_path, synthetic, stand_ins, municipalities="all"), [], with_data)
    assert only_pooled == [None] and "runs only the pooled scope" in notes[0]
