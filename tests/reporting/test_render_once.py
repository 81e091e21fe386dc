"""Rendering does each piece of work once: a stored table is laid out once for every report and
format that shows it (the same Markdown each time), and the formats of a report are converted side
by side with the same files as one after another."""

import pandas as pd

from evaluation.reporting import assemble
from evaluation.reporting.publication import publish_results
from evaluation.reporting.store import ResultsStore


def stored_table(tmp_path):
    store = ResultsStore(tmp_path / "internal", strand="need", scope="all", threshold=5)
    store.add_table("households", pd.DataFrame({"step": ["crisis", "social"], "households": [12, 40]}),
                    title_cs="Domácnosti", title_en="Households")
    store.write_meta(parameters={}, notebook="06_need.ipynb")
    publish_results(tmp_path / "internal", tmp_path / "published", threshold=5)
    return ResultsStore.read(tmp_path / "published").scopes["all"]["need"].tables["households"]


def test_a_table_is_laid_out_once_inside_the_block_and_the_same_as_outside(tmp_path, monkeypatch):
    table = stored_table(tmp_path)
    expected = assemble.markdown_table(table, "cs", "need/households")
    calls = []
    real = assemble._markdown_table
    monkeypatch.setattr(assemble, "_markdown_table", lambda *a: calls.append(a) or real(*a))
    with assemble.tables_laid_out_once():
        texts = [assemble.markdown_table(table, "cs", "need/households") for _ in range(3)]
        english = assemble.markdown_table(table, "en", "need/households")
    assert texts == [expected] * 3 and english != expected
    assert len(calls) == 2  # Czech once, English once
    assert assemble.markdown_table(table, "cs", "need/households") == expected and len(calls) == 3  # no memo outside
