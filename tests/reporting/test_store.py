"""The results folder: writing, reading back, disclosure on write, provenance."""

from __future__ import annotations

import json
from dataclasses import dataclass

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from evaluation.errors import DisclosureError, EvaluationError
from evaluation.reporting.store import ResultsStore, slug
from evaluation.results import Result


@dataclass(frozen=True)
class _Reach(Result):
    table: pd.DataFrame
    count_columns = ("households",)
    n_column = "households"

    @property
    def title(self) -> str:
        return "Reach"

    @property
    def notes(self) -> tuple[str, ...]:
        return ("2 households excluded: no move-in date.",)

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()


def test_round_trip_of_every_kind_of_item(tmp_path):
    store = ResultsStore(tmp_path, strand="process", scope="Jindřichův Hradec")
    published = store.add_table(
        "reach", pd.DataFrame({"step": ["crisis", "social", "affordable", "total"],
                               "households": [3, 40, 50, 93]}),
        title_cs="Dosah", title_en="Reach", count_columns=["households"],
        notes=[("Poznámka", "Note")], column_labels={"households": ("Domácnosti", "Households")})
    assert published["households"].tolist() == ["<5", "x", 50, 93]
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0.5, 1.5])
    store.add_figure("arrears", fig, caption_cs="Dluhy – průměr", caption_en="Arrears", lang="cs")
    store.add_figure("arrears", fig, caption_cs="Dluhy – průměr", caption_en="Arrears")
    plt.close(fig)
    store.add_key_figure("housed", 0.87, label_cs="V bydlení", label_en="Housed", unit="%", n=48, ci=(0.8, 0.93))
    store.add_key_figure("tiny", 0.5, label_cs="Malá skupina", label_en="Small group", unit="%", n=4)
    store.add_key_figure("evicted", 3, label_cs="Vystěhováno", label_en="Evicted", is_count=True)
    store.add_text("headline", "Žluťoučký kůň", "Yellow horse")
    store.write_meta(data_fingerprint="f" * 64, parameters={"municipality": "Jindřichův Hradec"},
                     date="2026-11-23", study_period=["2019-01-01", "2023-12-31"])

    assert (tmp_path / "jindrichuv-hradec" / "process" / "tables" / "reach.csv").is_file()
    results = ResultsStore.read(tmp_path)
    strand = results.strand("Jindřichův Hradec", "process")
    assert strand is results.strand("jindrichuv-hradec", "process")
    table = strand.tables["reach"]
    assert table.data["households"].tolist() == ["<5", "x", "50", "93"]
    assert table.disclosure["threshold"] == 5 and table.disclosure["primary"] == 1
    assert table.notes[0] == {"cs": "Poznámka", "en": "Note"}
    assert table.column_labels["households"]["cs"] == "Domácnosti"
    figure = strand.figures["arrears"]
    assert figure.path("cs").name == "arrears.cs.png" and figure.path("en").name == "arrears.png"
    assert figure.path("cs", "svg").read_text().startswith("<?xml")
    with open(figure.path("en"), "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    assert strand.key_figures["housed"].value == pytest.approx(0.87)
    assert strand.key_figures["tiny"].suppressed and strand.key_figures["tiny"].value is None
    assert strand.key_figures["evicted"].suppressed
    assert strand.text("headline", "cs") == "Žluťoučký kůň"
    assert strand.meta["scope"] == "Jindřichův Hradec" and strand.meta["package_version"]
    assert strand.meta["disclosure"]["threshold"] == 5
    # the stored files are plain UTF-8 JSON a person can read
    raw = json.loads((strand.folder / "texts.json").read_text(encoding="utf-8"))
    assert raw["headline"]["cs"] == "Žluťoučký kůň"


def test_a_result_brings_its_own_counts_and_notes(tmp_path):
    result = _Reach(pd.DataFrame({"district": ["A", "B"], "households": [2, 30], "share": [0.5, 0.4]}))
    store = ResultsStore(tmp_path, strand="process")
    published = store.add_table("reach", result, title_cs="Dosah", title_en="Reach")
    assert published.loc[0].tolist() == ["A", "<5", "x"]
    stored = ResultsStore.read(tmp_path).strand("all", "process").tables["reach"]
    assert stored.count_columns == ("households",) and stored.n_column == "households"
    assert stored.notes[0]["en"].startswith("2 households excluded")


def test_household_level_tables_are_refused_before_anything_is_written(tmp_path):
    store = ResultsStore(tmp_path, strand="process")
    with pytest.raises(DisclosureError, match="household_id"):
        store.add_table("rows", pd.DataFrame({"household_id": ["H1", "H2"], "arrears": [10.0, 0.0]}),
                        title_cs="x", title_en="x")
    assert not (store.folder / "tables" / "rows.csv").exists()


def test_figures_resting_on_few_households_are_refused(tmp_path):
    fig, _ = plt.subplots()
    with pytest.raises(DisclosureError, match="fewer than 5"):
        ResultsStore(tmp_path, strand="retention").add_figure("km", fig, caption_cs="a", caption_en="b", n=3)
    plt.close(fig)


def test_bad_names_and_inputs_give_clear_errors(tmp_path):
    store = ResultsStore(tmp_path, strand="process")
    with pytest.raises(EvaluationError, match="file name"):
        store.add_text("../escape", "a", "b")
    with pytest.raises(EvaluationError, match="DataFrame or an evaluation Result"):
        store.add_table("t", [1, 2], title_cs="a", title_en="b")
    with pytest.raises(EvaluationError, match="strand name"):
        ResultsStore(tmp_path, strand="a/b")
    with pytest.raises(EvaluationError, match="does not exist"):
        ResultsStore.read(tmp_path / "missing")


def test_empty_folder_reads_as_no_results(tmp_path):
    assert ResultsStore.read(tmp_path).scopes == {}


def test_slug():
    assert slug("Jindřichův Hradec") == "jindrichuv-hradec"
    assert slug("Praha 7") == "praha-7"
