"""How the reports present tables: Czech and English headers, translated codes, shares as per
cent, one language of a bilingual column, the appendix and the results-folder placements,
numbering in order of appearance, labelled n of key figures, the parameter table."""

import sys
from pathlib import Path

import pandas as pd
import pytest

from evaluation.errors import EvaluationError
from evaluation.reporting.assemble import build_context, cell_text, parameter_rows, render_markdown
from evaluation.reporting.labels import column_labels, missing_labels, value_label
from evaluation.reporting.store import ResultsStore

sys.path.insert(0, str(Path(__file__).parent))
from stores import internal_store, key_figure, published  # noqa: E402

NBSP = "\u00a0"


def test_labels_of_columns_and_codes():
    labels = column_labels(["unit_days_occupied", "n_risk", "conf_low", "household_size", "crisis"])
    assert labels["unit_days_occupied"] == ("Obsazené bytodny", "Flat-days occupied")
    assert labels["household_size"] == ("Velikost domácnosti", "Household size")  # from the data contract
    assert labels["crisis"][0] == "Krizové bydlení"  # a pivoted column named by a code
    assert missing_labels(["n_risk", "no_such_column"]) == ["no_such_column"]
    # codes of the data contract, by the column's field and in general
    assert value_label("lost_home", "cause", "cs") == "ztráta bydlení"
    assert value_label("housing_first", "entry_step", "cs") == "Housing First"
    assert value_label("granted", "outcome", "en") == "granted"
    assert value_label("eviction", "to", "cs") == "vystěhování"
    assert value_label("households", "table", "cs") == "Domácnosti"  # a table name in a 'table' column
    # codes the analyses make
    assert value_label("F_lost_home(12)", "term", "cs") == "ztráta bydlení: 12 měsíců"
    assert value_label("e=-3", "term", "cs") == "−3"
    assert value_label("offset: shelter_nights", "term", "en") == "offset: shelter nights"
    assert value_label("Praha 10", "district", "cs") is None and value_label("12.5", "x", "cs") is None


def test_cells_in_the_report_language():
    assert cell_text("0.256", "share_in_arrears", "cs", percent=True) == f"25,6{NBSP}%"
    assert cell_text("0.256", "share_in_arrears", "en", percent=True) == "25.6%"
    assert cell_text("101.48", "percent_of_planned_hours", "cs") == f"101{NBSP}%"
    assert cell_text("841974.64", "cost_per_household", "cs") == f"841{NBSP}975"
    assert cell_text("25.000000000000004", "sustained", "cs") == "25"
    assert cell_text("2020-12-01", "month", "cs") == "12/2020"
    assert cell_text("<5", "households", "cs") == "<5" and cell_text("x", "share", "cs") == "x"
    assert cell_text("total", "step", "cs") == "Celkem"
    assert cell_text("within_support", "period", "cs") == "v období podpory"


@pytest.fixture
def folder(tmp_path):
    store = internal_store(tmp_path, "process")
    store.add_table("flow", pd.DataFrame({"stage_cs": ["Přijaté", "Vstoupily"], "stage_en": ["Received", "Entered"],
                                          "all": [120, 80]}), title_cs="Tok", title_en="Flow",
                    count_columns=["all"])
    store.add_table("monthly", pd.DataFrame({"step": ["crisis"] * 60, "month": ["2020-01-01"] * 60,
                                             "units_available": range(60)}),
                    title_cs="Po měsících", title_en="By month", placement="folder")
    store.add_table("long", pd.DataFrame({"step": ["social"] * 50, "event_time": range(50),
                                          "estimate": [0.5] * 50}), title_cs="Dlouhá", title_en="Long")
    store.add_table("arrears", pd.DataFrame({"step": ["crisis", "social"], "households": [30, 40],
                                             "share_in_arrears": [0.1, 0.25], "mean_balance": [1.0, 2.0]}),
                    title_cs="Dluhy", title_en="Arrears", count_columns=["households"], n_column="households",
                    report_columns=["step", "share_in_arrears", "households"])
    key_figure(store, "lost_share", 0.051, label_cs="Ztracené žádosti", label_en="Lost applications",
               unit="%", n=2483, ci=(0.043, 0.061), decimals=1, n_unit="applications")
    store.write_meta(parameters={"municipality": None, "seed": 2019, "event_window": [-12, 24],
                                 "data_dir": "/secret/path", "unit_costs": {"shelter_night": 450}})
    published(tmp_path)
    return tmp_path / "published"


def test_placement_and_report_columns(folder):
    markdown = render_markdown(build_context(ResultsStore.read(folder), kind="technical", scope="all", lang="cs",
                                             fmt="html", threshold=5, figure_paths={}))
    main, appendix = markdown.split("# Příloha B")
    # one language of a bilingual column, under the base name's header
    assert "| Fáze | Celkem |" in main and "Přijaté" in main and "Received" not in markdown
    # the report columns, in their order; the others stay in the CSV
    assert "| Stupeň | Podíl s dluhem | Domácnosti |" in main and "Průměrný zůstatek" not in markdown
    assert f"25,0{NBSP}%" in main
    # a table for the results folder is named with its path, not printed
    assert "all/process/tables/monthly.csv" in main and "Po měsících" in main and "| 59 |" not in markdown
    # a long table goes to the appendix, shortened, with the path of the whole table
    assert "Dlouhá" in appendix and "Zobrazeno prvních 40 z 50 řádků" in appendix
    assert "all/process/tables/long.csv" in appendix and "| 39 |" in appendix and "| 40 |" not in appendix


def test_tables_are_numbered_in_order_of_appearance(folder):
    markdown = render_markdown(build_context(ResultsStore.read(folder), kind="technical", scope="all", lang="cs",
                                             fmt="html", threshold=5, figure_paths={}))
    numbers = [int(line.split()[2].rstrip(":")) for line in markdown.splitlines() if line.startswith(": Tabulka ")]
    # the three tables of the strand, the pilot plan and the comparison with earlier evidence
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) == 5


def test_key_figure_n_says_what_it_counts(folder):
    context = build_context(ResultsStore.read(folder), kind="technical", scope="all", lang="cs", fmt="html",
                            threshold=5, figure_paths={})
    [figure] = context["all_key_figures"]
    assert figure["n"] == f"2{NBSP}483{NBSP}žádostí" and figure["value"] == f"5,1{NBSP}%"
    assert figure["ci"] == f"4,3–6,1{NBSP}%"
    english = build_context(ResultsStore.read(folder), kind="technical", scope="all", lang="en", fmt="html",
                            threshold=5, figure_paths={})
    assert english["all_key_figures"][0]["n"] == f"2,483{NBSP}applications"


def test_parameters_as_a_clean_table():
    rows = dict(parameter_rows({"municipality": None, "seed": 2019, "event_window": [-12, 24],
                                "data_dir": "/secret", "lang": "cs", "horizons_months": [6, 12, 20],
                                "unit_costs": {"shelter_night": 450}}, "cs"))
    assert rows == {"Obec": "—", "Počáteční hodnota generátoru náhodných čísel": "2019",
                    "Okno studie událostí (měsíce před a po nastěhování)": "−12 až 24",
                    "Horizonty udržení bydlení (měsíce)": "6, 12, 20",
                    "Jednotkové náklady (Kč)": "shelter_night = 450"}


def test_bad_placement_and_report_columns_are_refused(tmp_path):
    store = ResultsStore(tmp_path, strand="process")
    frame = pd.DataFrame({"step": ["crisis"], "households": [10]})
    with pytest.raises(EvaluationError, match="placement"):
        store.add_table("t", frame, title_cs="T", title_en="T", placement="sidebar")
    with pytest.raises(EvaluationError, match="report column"):
        store.add_table("t", frame, title_cs="T", title_en="T", report_columns=["nope"])


def test_consort_table_from_a_flow():
    from evaluation.process import participant_flow
    from evaluation.runner.strands.data_quality import consort_table

    frames = {
        "households": pd.DataFrame({"household_id": [f"H{i}" for i in range(20)],
                                    "group": ["programme"] * 12 + ["comparison"] * 8}),
        "tenancies": pd.DataFrame({"household_id": [f"H{i}" for i in range(12)],
                                   "step": ["crisis"] * 5 + ["social"] * 7,
                                   "start_date": pd.to_datetime(["2018-01-01"] * 12)}),
    }
    table = consort_table(participant_flow(frames, as_of="2020-12-31"))
    assert table["stage_en"].tolist()[:3] == ["Household records received", "Households loaded for analysis",
                                              "– excluded: comparison group"]
    entered = table.loc[table["stage_en"] == "Entered the programme"].iloc[0]
    assert (entered["all"], entered["crisis"], entered["social"]) == (12, 5, 7)
    # the columns the reports show, then the keys that tie each row to the flow's boxes
    assert list(table.columns) == ["stage_cs", "stage_en", "all", "crisis", "social", "box", "kind", "rule"]
