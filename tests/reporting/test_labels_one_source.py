"""One source of labels for people: tables and figures word every code the same way.

evaluation.reporting.labels holds the labels of codes and columns; the charts
(``plot(lang=...)``) and the report tables (``assemble.cell_text``) both read it. These tests
check that every code the analyses derive has exactly one label per language, that a column
whose codes differ from result to result is read in its result's context, and that a figure
shows the very words the table of the same result shows.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from evaluation.data.schema import get_schema
from evaluation.errors import ConfigError
from evaluation.reporting import labels as L
from evaluation.reporting.assemble import cell_text
from evaluation.retention.episodes import OUTCOME_OF_REASON

LANGS = ("cs", "en")


def _derived_sources() -> list[tuple[str, dict[str, tuple[str, str]]]]:
    return [("VALUES", L.VALUES), *L.DERIVED_CATEGORIES.items()]


def _derived_codes_of_results() -> dict[str, str]:
    """Derived codes the results publish -> the column they are published in."""
    from evaluation.process.reach import reach_against_plan
    from evaluation.synthetic import simulate

    codes = {code: "outcome" for code in set(OUTCOME_OF_REASON.values())}  # episodes (and exits' causes)
    codes.update({"step": "kind", "exit": "kind"})  # evaluation.retention.transitions
    codes.update({"within_support": "period", "after_support": "period", "missing": "category"})
    codes.update({term: "term" for term in ("net cost", "programme cost", "no-system scenario cost",
                                            "with-system cost", "offset: total", "offset: evictions",
                                            "offset: shelter_nights", "offset: children_in_care")})
    reach = reach_against_plan(simulate(seed=5, scale=0.05).tables)
    codes.update({str(m): "measure" for m in reach.tidy()["measure"].unique()})
    return codes


def test_every_derived_code_has_exactly_one_label_per_language():
    seen: dict[str, list[str]] = {}
    for name, vocabulary in _derived_sources():
        for code, pair in vocabulary.items():
            seen.setdefault(code, []).append(name)
            assert len(pair) == 2 and all(isinstance(t, str) and t.strip() for t in pair), (name, code, pair)
    twice = {code: where for code, where in seen.items() if len(where) > 1}
    assert twice == {}, f"codes labelled in more than one place: {twice}"
    # a derived code that is also a code of the data contract reads the same in both
    for table in get_schema().tables:
        for field in table.fields:
            if field.is_categorical:
                for code in set(field.codes) & set(seen):
                    derived = L.value_label(code, "", "cs"), L.value_label(code, "", "en")
                    assert derived == (field.label(code, "cs"), field.label(code, "en")), (table.name, code)


def test_every_derived_code_of_the_results_is_labelled():
    for code, column in _derived_codes_of_results().items():
        for lang in LANGS:
            label = L.value_label(code, column, lang)
            assert label, f"{code!r} in column {column!r} has no {lang} label"
            assert "_" not in label and label != "total", (code, lang, label)
            # the table and the chart read it the same
            assert L.category_label(column, code, lang) == label == cell_text(code, column, lang)


def test_reconciled_wordings():
    # "positive" exists only in programme episodes: a move up the staircase or a standard lease
    assert L.value_label("positive", "cause", "cs") == "pozitivní odchod (posun výš, standardní nájem)"
    assert L.value_label("positive", "outcome", "en", result="episodes") == "positive exit (moved up, standard lease)"
    assert L.value_label("censored", "outcome", "cs", result="episodes") == "dosud bydlí (cenzurováno)"
    assert L.column_label("positive_exit")[1] == "Positive exit (moved up, standard lease)"
    # the offsets total was shown as a half-translated code
    assert L.value_label("offset: total", "term", "cs") == "úspory celkem"


def test_a_column_is_read_in_the_context_of_its_result():
    # "group" holds first steps in the log-rank test, programme/comparison in a fit by group
    assert L.code_field("group") is None
    assert L.code_field("group", result="logrank_by_step") == ("tenancies", "step")
    assert L.value_label("crisis", "group", "cs", result="logrank_by_step") == "krizové bydlení"
    assert L.value_label("comparison", "group", "en") == "comparison group"
    # "outcome" holds decisions on applications in one result and episode outcomes in another
    assert L.code_field("outcome", result="decisions") == ("applications", "outcome")
    assert L.code_field("outcome", result="episodes") == (L.DERIVED, "episode_outcome")
    assert L.value_label("referred", "outcome", "en", result="decisions") == "referred elsewhere"
    assert L.value_label("left", "outcome", "cs", result="episodes") == "jiný odchod"
    # the schema table of a field under its own name wins over the column map
    assert L.code_field("ethos_category", table="applications") == ("applications", "ethos_category")
    # a code the result's field does not define still finds its label (a step in the "to" column)
    assert L.value_label("social", "to", "cs") == "sociální bydlení"
    assert L.category_label("district", "Praha 10", "cs") == "Praha 10"
    with pytest.raises(ConfigError, match="lang"):
        L.value_label("crisis", "step", "de")


def test_stored_table_cells_take_their_result_context():
    assert cell_text("crisis", "group", "en", result="logrank_by_step") == "crisis housing"
    assert cell_text("lost_home", "outcome", "cs", result="episodes") == "ztráta bydlení"


# ------------------------------------------------------------------ figures == tables
@pytest.fixture(scope="module")
def tables():
    from evaluation.synthetic import simulate

    return simulate(seed=2019, scale=0.1).tables


def _legend_texts(ax):
    legend = ax.get_legend()
    return [t.get_text().replace("\n", " ") for t in legend.get_texts()] if legend is not None else []


def _drawn(result, lang):
    fig, ax = plt.subplots(figsize=(7, 4.2))
    result.plot(ax=ax, lang=lang)
    fig.canvas.draw()
    return fig, ax


def _wrapped(texts):
    """Legend labels as one line each (legend_above wraps long labels)."""
    return {" ".join(t.split()) for t in texts}


@pytest.mark.parametrize("lang", LANGS)
def test_exit_types_read_the_same_in_the_figure_and_the_table(tables, lang):
    from evaluation.retention import AalenJohansen, housing_episodes

    episodes = housing_episodes(tables["tenancies"], definition="programme")
    fit = AalenJohansen(times=(6.0, 12.0)).fit_episodes(episodes.data)
    causes = [str(c) for c in fit.tidy()["cause"].unique()]
    assert "positive" in causes and "lost_home" in causes
    fig, ax = _drawn(fit, lang)
    try:
        shown = _wrapped(_legend_texts(ax))
        for cause in causes:
            assert cell_text(cause, "cause", lang, result="exits") in shown, (cause, shown)
    finally:
        plt.close(fig)


@pytest.mark.parametrize("lang", LANGS)
def test_reach_measures_and_steps_read_the_same_in_the_figure_and_the_table(tables, lang):
    from evaluation.process.reach import reach_against_plan

    result = reach_against_plan(tables)
    fig, ax = _drawn(result, lang)
    try:
        shown = _wrapped(_legend_texts(ax))
        ticks = {t.get_text() for t in ax.get_yticklabels()}
        table = result.tidy()
        for measure in table["measure"].unique():
            assert cell_text(str(measure), "measure", lang, result="reach") in shown
        for step in table["step"].unique():
            assert cell_text(str(step), "step", lang, result="reach") in ticks
        assert ax.get_xlabel() == L.column_title("percent_of_plan", lang)  # the table's header
    finally:
        plt.close(fig)


@pytest.mark.parametrize("lang", LANGS)
def test_first_steps_read_the_same_in_the_figure_and_the_log_rank_table(tables, lang):
    from evaluation.retention import KaplanMeier, housing_episodes, logrank_test

    frame = housing_episodes(tables["tenancies"]).data
    fit = KaplanMeier(times=(12.0,)).fit_episodes(frame, by="first_step")
    test = logrank_test(frame["exit_time"], frame["event"], frame["first_step"], entry=frame["entry"])
    fig, ax = _drawn(fit, lang)
    try:
        shown = _wrapped(_legend_texts(ax))
        groups = pd.Series(test.tidy()["group"]).astype(str)
        published = {cell_text(g, "group", lang, result="logrank_by_step") for g in groups}
        assert published == shown, (published, shown)
        assert not any("_" in g for g in published)
    finally:
        plt.close(fig)
