"""The results folders: what notebooks store (internal), what publication writes (published)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
import pytest

from evaluation.errors import DisclosureError, EvaluationError
from evaluation.reporting.publication import publish_results
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


def _reach_plan() -> pd.DataFrame:
    return pd.DataFrame({"step": ["crisis", "crisis", "social", "social"],
                         "measure": ["units", "households", "units", "households"],
                         "planned": [30.0, 30.0, 50.0, 50.0], "actual": [30, 3, 50, 47],
                         "percent_of_plan": [100.0, 10.0, 100.0, 94.0]})


def test_round_trip_of_every_kind_of_item(tmp_path):
    internal, published = tmp_path / "internal", tmp_path / "published"
    store = ResultsStore(internal, strand="process", scope="Jindřichův Hradec")
    raw = store.add_table(
        "reach", pd.DataFrame({"step": ["crisis", "social", "affordable", "total"], "households": [3, 40, 50, 93],
                               "share": [3 / 93, 40 / 93, 50 / 93, 1.0]}),
        title_cs="Dosah", title_en="Reach", count_columns=["households"],
        notes=[("Poznámka", "Note")], column_labels={"households": ("Domácnosti", "Households")})
    assert raw["households"].tolist() == [3, 40, 50, 93]  # internal: as computed
    store.add_table("plan", _reach_plan(), title_cs="Plán", title_en="Plan", count_columns=["actual"],
                    public=["planned"], placement="folder")
    store.add_figure("plan", table="plan", plotter="evaluation.process.reach:draw_reach",
                     caption_cs="Dosah", caption_en="Reach", alt_cs="Sloupce", alt_en="Bars")
    store.add_key_figure("households", table="reach", row={"step": "total"}, column="households",
                         label_cs="Domácnosti", label_en="Households", is_count=True)
    store.add_key_figure("crisis_share", table="reach", row={"step": "crisis"}, column="share",
                         n_column="households", label_cs="Podíl", label_en="Share", unit="%", decimals=0)
    store.add_key_figure("social_share", table="reach", row={"step": "affordable"}, column="share",
                         n_column="households", label_cs="Podíl", label_en="Share", unit="%", decimals=0)
    store.add_text("headline", "Do programu vstoupilo {households} domácností.",
                   "{households} households entered.")
    store.add_text("crisis", "Krize {crisis_share}.", "Crisis {crisis_share}.",
                   fallback=("Podíl krize se neuvádí.", "The crisis share is not given."))
    store.add_text("social", "Sociální {social_share} z {social_share.n}.", "Social {social_share} of "
                   "{social_share.n}.")
    store.write_meta(data_fingerprint="f" * 64, parameters={"municipality": "Jindřichův Hradec"},
                     date="2026-11-23", study_period=["2019-01-01", "2023-12-31"])
    with pytest.raises(DisclosureError, match="internal results"):
        ResultsStore.read(internal)  # reports are never made from internal results

    summary = publish_results(internal, published)
    assert summary.counts["primary"] >= 1
    results = ResultsStore.read(published)
    strand = results.strand("Jindřichův Hradec", "process")
    assert strand is results.strand("jindrichuv-hradec", "process")
    table = strand.tables["reach"]
    assert table.data["households"].tolist() == ["<5", "x", "50", "93"]
    assert table.data["share"].tolist()[2:] == ["0.538", "1.0"]  # rounded to what the reports show
    assert table.data["share"].tolist()[:2] == ["x", "x"]  # share x 93 would give the hidden counts back
    assert table.disclosure["threshold"] == 5 and table.disclosure["primary"] == 1
    assert table.notes[0] == {"cs": "Poznámka", "en": "Note"}
    assert table.column_labels["households"]["cs"] == "Domácnosti"
    plan = strand.tables["plan"]
    assert plan.data["planned"].tolist() == ["30.0", "30.0", "50.0", "50.0"]  # settings are never hidden
    figure = strand.figures["plan"]
    assert figure.path("cs").name == "plan.cs.png" and figure.alt("cs") == "Sloupce"
    assert figure.path("cs", "svg").read_text().startswith("<?xml")
    with open(figure.path("en"), "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    assert strand.key_figures["households"].value == 93
    assert strand.key_figures["crisis_share"].suppressed and strand.key_figures["crisis_share"].value is None
    assert strand.key_figures["social_share"].value == pytest.approx(0.54)  # 54 %, as the text quotes it
    assert strand.text("headline", "cs") == "Do programu vstoupilo 93 domácností."
    assert strand.text("crisis", "en") == "The crisis share is not given."
    assert strand.text("social", "cs") == "Sociální 54\u00a0% z 50."
    assert strand.meta["scope"] == "Jindřichův Hradec" and strand.meta["package_version"]
    assert strand.meta["disclosure"]["threshold"] == 5 and strand.meta["kind"] == "published"
    raw = json.loads((strand.folder / "texts.json").read_text(encoding="utf-8"))
    assert raw["headline"]["cs"] == "Do programu vstoupilo 93 domácností."


def test_a_result_brings_its_own_counts_and_notes(tmp_path):
    result = _Reach(pd.DataFrame({"district": ["A", "B"], "households": [2, 30], "share": [0.5, 0.4]}))
    store = ResultsStore(tmp_path / "internal", strand="process")
    store.add_table("reach", result, title_cs="Dosah", title_en="Reach")
    info = json.loads((store.folder / "tables" / "reach.json").read_text("utf-8"))
    assert info["count_columns"] == ["households"] and info["n_column"] == "households"
    publish_results(tmp_path / "internal", tmp_path / "published")
    stored = ResultsStore.read(tmp_path / "published").strand("all", "process").tables["reach"]
    assert stored.data.loc[0].tolist() == ["A", "<5", "x"]
    assert stored.count_columns == ("households",) and stored.n_column == "households"
    assert stored.notes[0]["en"].startswith("<5 households excluded")  # a small count in a note, too


def test_household_level_tables_are_refused_before_anything_is_written(tmp_path):
    store = ResultsStore(tmp_path, strand="process")
    with pytest.raises(DisclosureError, match="household_id"):
        store.add_table("rows", pd.DataFrame({"household_id": ["H1", "H2"], "arrears": [10.0, 0.0]}),
                        title_cs="x", title_en="x")
    assert not (store.folder / "tables" / "rows.csv").exists()


def test_a_figure_is_drawn_from_its_protected_table_or_left_out_in_words(tmp_path):
    store = ResultsStore(tmp_path / "internal", strand="process")
    store.add_table("plan", _reach_plan(), title_cs="Plán", title_en="Plan", count_columns=["actual"],
                    public=["planned"])
    store.add_figure("plan", table="plan", plotter="evaluation.process.reach:draw_reach", caption_cs="Dosah",
                     caption_en="Reach")
    store.add_figure("broken", table="plan", plotter="evaluation.process.reach:no_such_drawing",
                     caption_cs="Rozbitý", caption_en="Broken")
    publish_results(tmp_path / "internal", tmp_path / "published")
    strand = ResultsStore.read(tmp_path / "published").strand("all", "process")
    assert "plan" in strand.figures and "broken" not in strand.figures
    said = [text["en"] for key, text in strand.texts.items() if key.startswith("limitation_publication")]
    assert any("“Broken” could not be drawn" in text for text in said), said
    # the crisis households (3 of 30) are hidden in the table, so its bar is not drawn either
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from evaluation.process.reach import draw_reach
    from evaluation.reporting.publication.figures import numeric_table

    table = numeric_table(strand.tables["plan"].data, ["step", "measure"])
    assert table["percent_of_plan"].isna().sum() == 1
    fig, ax = plt.subplots()
    draw_reach(table, ax=ax, lang="en")
    bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() > 0]
    assert len(bars) == 3 and sorted(round(b.get_width()) for b in bars) == [94, 100, 100]
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
    with pytest.raises(EvaluationError, match="has not stored"):
        store.add_figure("f", table="missing", plotter="a.b:c", caption_cs="a", caption_en="b")
    with pytest.raises(EvaluationError, match="has not stored"):
        store.add_key_figure("k", table="missing", column="x", label_cs="a", label_en="b")
    store.add_table("t", pd.DataFrame({"a": [1]}), title_cs="a", title_en="b")
    with pytest.raises(EvaluationError, match="no column"):
        store.add_key_figure("k", table="t", column="x", label_cs="a", label_en="b")


def test_empty_folder_reads_as_no_results(tmp_path):
    assert ResultsStore.read(tmp_path).scopes == {}


def test_slug():
    assert slug("Jindřichův Hradec") == "jindrichuv-hradec"
    assert slug("Praha 7") == "praha-7"
