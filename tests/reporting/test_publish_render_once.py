"""Publishing and rendering without repeated or serial work, and the same files: the strands of a run
are published side by side in forked processes with the files of one after another; a stored table
is laid out once for every report and format that shows it (the same Markdown each time)."""

import os
import re

import pandas as pd

from evaluation import forked
from evaluation.reporting import assemble, publication
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


PLOTTER = """
import os
def bars(table, ax, lang):
    with open(os.environ["DRAWN_BY"], "a") as record:
        record.write(f"{os.getpid()}\\n")
    ax.bar(table["step"].astype(str), table["households"].fillna(0))
    ax.set_title("Domácnosti" if lang == "cs" else "Households")
"""
STAMPS = re.compile(rb'"(?:written|date|published)": "[^"]*"|"seconds": [0-9.eE+-]+')


def published_files(folder):
    return {str(p.relative_to(folder)): STAMPS.sub(b"", p.read_bytes()) for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_strands_published_side_by_side_give_the_files_of_one_after_another(tmp_path, monkeypatch):
    (tmp_path / "plots_for_test.py").write_text(PLOTTER, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    for strand, counts in (("need", [12, 3, 40]), ("process", [7, 25, 9]), ("retention", [2, 30, 11])):
        store = ResultsStore(tmp_path / "internal", strand=strand, scope="all", threshold=5)
        store.add_table("households", pd.DataFrame({"step": ["crisis", "social", "affordable"],
                                                    "households": counts}), title_cs="Domácnosti",
                        title_en="Households")
        store.add_figure("households", table="households", plotter="plots_for_test:bars", caption_cs="Domácnosti",
                         caption_en="Households")
        store.write_meta(parameters={}, notebook="x.ipynb")
    monkeypatch.setattr(forked, "available_cores", lambda: 1)
    monkeypatch.setenv("DRAWN_BY", str(tmp_path / "one.pids"))
    publication.publish_results(tmp_path / "internal", tmp_path / "one", threshold=5)
    monkeypatch.setattr(forked, "available_cores", lambda: 2)
    monkeypatch.setenv("DRAWN_BY", str(tmp_path / "two.pids"))
    publication.publish_results(tmp_path / "internal", tmp_path / "two", threshold=5)
    one, two = published_files(tmp_path / "one"), published_files(tmp_path / "two")
    assert {"all/need/figures/households.cs.svg", "all/process/figures/households.en.png"} <= set(one)
    assert sorted(one) == sorted(two) and [name for name in one if one[name] != two[name]] == []
    # one after another in this process; side by side in forked processes (three strands, two at a time)
    drawn_here = {int(pid) for pid in (tmp_path / "one.pids").read_text().split()}
    drawn_apart = {int(pid) for pid in (tmp_path / "two.pids").read_text().split()}
    assert drawn_here == {os.getpid()} and os.getpid() not in drawn_apart and len(drawn_apart) >= 1
