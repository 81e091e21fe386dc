"""Every chart the reports show: in the report's language, without raw codes, readable.

The results are computed by the report strands themselves (evaluation.runner.strands.*.analyse)
on a small synthetic pilot (evaluation.synthetic.simulate, scale 0.3), and each figure is drawn
with the function publication draws it with (``Result.figure_drawer`` on the result's own tables:
a 7 x 4.2 inch figure, ``plot(ax=..., lang=...)``); tests/reporting/test_publication.py draws them
from the protected tables.
"""
from __future__ import annotations

import itertools
import re
import warnings

import matplotlib.pyplot as plt
import pytest
from matplotlib.text import Text

from evaluation.data.schema import get_schema
from evaluation.economics.words import OFFSET_ITEMS, PARAMETERS, PERSPECTIVES, SCENARIOS, word
from evaluation.reporting.labels import column_title
from evaluation.reporting.plot_labels import text

#: (strand, result name, how to get the plotted result) of every figure the reports store.
FIGURES = [
    ("process", "reach"), ("process", "occupancy"), ("process", "support_dose"), ("process", "rent_arrears"),
    ("process", "processing_time"), ("retention", "retention"), ("retention", "retention_by_step"),
    ("retention", "exits"), ("impact", "event_study"), ("impact", "staggered_households"),
    ("impact", "staggered_municipalities"), ("economics", "offsets"), ("economics", "one_way"),
    ("economics", "probabilistic"),
    ("need", "ethos_counts"), ("need", "stock_flow"), ("data_quality", "participant_flow"),
]


def _step(code: str, lang: str) -> str:
    return get_schema().label("tenancies", "step", code, lang)


#: Words each figure must show, by language (fixed phrases or labels of the data contract).
EXPECTED = {
    "reach": lambda lang: [column_title("percent_of_plan", lang), _step("crisis", lang), text("plan", lang)],
    "occupancy": lambda lang: [text("occupancy", lang), _step("social", lang)],
    "support_dose": lambda lang: [text("months_since_move_in", lang), text("support_hours", lang)],
    "rent_arrears": lambda lang: [text("share_in_arrears", lang), _step("affordable", lang)],
    "processing_time": lambda lang: [text("days_since_submission", lang), text("share_undecided", lang)],
    "retention": lambda lang: [text("months_since_move_in", lang), text("share_still_housed", lang),
                               text("at_risk", lang)],
    "retention_by_step": lambda lang: [text("months_since_move_in", lang), _step("housing_first", lang),
                                       _step("crisis", lang)],
    "exits": lambda lang: [text("months_since_move_in", lang), text("cumulative_incidence", lang),
                           {"cs": "ztráta bydlení", "en": "home lost"}[lang]],
    "event_study": lambda lang: [text("estimated_effect", lang), text("relative_period", lang)],
    "staggered_households": lambda lang: [text("average_effect", lang), text("before_entry", lang)],
    "staggered_municipalities": lambda lang: [text("average_effect", lang), text("after_entry", lang)],
    "offsets": lambda lang: [word(OFFSET_ITEMS, "shelter_nights", lang), word(OFFSET_ITEMS, "children_in_care", lang)],
    "one_way": lambda lang: [word(PARAMETERS, "discount_rate", lang), word(PARAMETERS, "programme_cost", lang)],
    "probabilistic": lambda lang: [word(SCENARIOS, "established", lang), word(PERSPECTIVES, "municipal", lang)],
    "ethos_counts": lambda lang: [text("households_in_need", lang),
                                  get_schema().label("households", "ethos_category", "rough_sleeping", lang)],
    "stock_flow": lambda lang: [text("periods_from_last", lang), text("additional_flats", lang)],
    "participant_flow": lambda lang: [{"cs": "Vstoupily do programu", "en": "Entered the programme"}[lang],
                                      _step("social", lang)],
}

#: Codes that must never reach a reader (snake_case codes are caught by a pattern as well).
RAW_CODES = {"left", "positive", "crisis", "social", "affordable", "missing", "units", "households", "cohorts",
             "censored", "measure", "ATT", "effect", "months"}
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")


@pytest.fixture(scope="module")
def outputs():
    from evaluation.data.dataset import Dataset
    from evaluation.runner.strands import data_quality, economics, impact, need, process, retention
    from evaluation.synthetic import simulate

    data = Dataset.from_frames(simulate(seed=2019, scale=0.3).tables)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {"data_quality": data_quality.analyse(data), "process": process.analyse(data),
                "retention": retention.analyse(data), "impact": impact.analyse(data, bootstrap_draws=100),
                "economics": economics.analyse(data), "need": need.analyse(data)}


def _plotted(outputs, strand, name):
    result = outputs[strand][name]
    if name.startswith("staggered_"):  # the impact strand stores the event-study aggregation
        result = result.aggregate("dynamic")
    return result


def draw(result, lang):
    """As publication draws a figure (the result's drawing function, here on its own tables)."""
    fig, ax = plt.subplots(figsize=(7, 4.2))
    assert result.figure_drawer, f"{type(result).__name__} has no drawing function"
    result.plot(ax=ax, lang=lang)
    fig.canvas.draw()
    return fig, ax


def visible_texts(fig):
    out = []
    for artist in fig.findobj(Text):
        if artist.get_visible() and artist.get_text().strip() and artist.figure is not None:
            out.append(artist)
    return out


def x_tick_labels(ax):
    lo, hi = sorted(ax.get_xlim())
    return [t for t, loc in zip(ax.get_xticklabels(), ax.get_xticks())
            if t.get_visible() and t.get_text().strip() and lo - 1e-9 <= loc <= hi + 1e-9]


def y_tick_labels(ax):
    lo, hi = sorted(ax.get_ylim())
    return [t for t, loc in zip(ax.get_yticklabels(), ax.get_yticks())
            if t.get_visible() and t.get_text().strip() and lo - 1e-9 <= loc <= hi + 1e-9]


def overlapping(labels, renderer, axis):
    boxes = sorted((label.get_window_extent(renderer) for label in labels),
                   key=lambda b: b.x0 if axis == "x" else b.y0)
    hits = []
    for a, b in itertools.pairwise(boxes):
        if (axis == "x" and a.x1 > b.x0 + 0.5) or (axis == "y" and a.y1 > b.y0 + 0.5):
            hits.append((a, b))
    return hits


@pytest.mark.parametrize("lang", ["cs", "en"])
@pytest.mark.parametrize("strand, name", FIGURES, ids=[f[1] for f in FIGURES])
def test_figure_language_codes_and_ticks(outputs, strand, name, lang):
    fig, ax = draw(_plotted(outputs, strand, name), lang)
    try:
        renderer = fig.canvas.get_renderer()
        shown = [t.get_text() for t in visible_texts(fig)]
        joined = "\n".join(shown) + "\n" + " ".join(w.replace("\n", " ") for w in shown)
        for phrase in EXPECTED[name](lang):
            assert phrase in joined, f"{name} ({lang}) does not show {phrase!r}; it shows {shown}"
        for words in shown:
            assert not SNAKE.search(words), f"{name} ({lang}) shows a raw code in {words!r}"
            if lang == "cs":  # (some English labels are spelled like their codes, e.g. "households")
                assert words.strip() not in RAW_CODES, f"{name} ({lang}) shows the raw code {words!r}"
        if lang == "cs":  # nothing left in English on a Czech chart
            english = {text(key, "en") for key in ("months_since_move_in", "estimated_effect", "at_risk",
                                                   "cumulative_incidence", "share_still_housed")}
            assert not english & set(shown)
        if name != "participant_flow":
            xs = x_tick_labels(ax)
            assert 2 <= len(xs) <= 15, f"{name}: {len(xs)} x tick labels"
            assert not overlapping(xs, renderer, "x"), f"{name} ({lang}): x tick labels overlap"
            assert not overlapping(y_tick_labels(ax), renderer, "y"), f"{name} ({lang}): y tick labels overlap"
            assert not ax.get_title(), "the report's caption carries the title"
            legend = ax.get_legend()
            if legend is not None and legend.get_bbox_to_anchor().y0 >= ax.get_window_extent(renderer).y1 - 1:
                assert legend.get_window_extent(renderer).y0 >= ax.get_window_extent(renderer).y1 - 1
    finally:
        plt.close(fig)


def test_czech_figures_use_decimal_commas_and_czech_dates(outputs):
    fig, ax = draw(_plotted(outputs, "process", "occupancy"), "cs")
    ticks = [t.get_text() for t in x_tick_labels(ax)]
    assert all(re.fullmatch(r"(\d{1,2}/)?\d{4}", t) for t in ticks), ticks  # 1/2018 or 2018
    assert any(t.get_text().endswith("\u00a0%") for t in y_tick_labels(ax))  # Czech per cent
    plt.close(fig)
    fig, ax = draw(_plotted(outputs, "economics", "offsets"), "cs")
    assert any("\u00a0" in t.get_text() for t in x_tick_labels(ax))  # 200 000, not 200000 or 1e6
    plt.close(fig)
    fig, ax = draw(_plotted(outputs, "economics", "offsets"), "en")
    assert any("," in t.get_text() for t in x_tick_labels(ax))  # 200,000
    plt.close(fig)


def test_event_study_keeps_reference_and_marks_binned_ends(outputs):
    result = _plotted(outputs, "impact", "event_study")
    fig, ax = draw(result, "cs")
    labels = [t.get_text() for t in x_tick_labels(ax)]
    assert "−1" in labels  # the reference period is always labelled
    assert labels[0].startswith("≤") and labels[-1].startswith("≥")  # binned end points
    assert len(result.tidy()) > 15  # many event times, yet few labels (asserted above)
    plt.close(fig)
    with pytest.raises(Exception, match="time_unit"):
        result.plot(lang="cs", time_unit="fortnight")
    fig, ax = plt.subplots()
    result.plot(ax=ax, lang="cs", time_unit="month")
    assert ax.get_xlabel().startswith(text("relative_month", "cs"))
    plt.close(fig)


# ------------------------------------------------------------------------ participant flow
def _flow_boxes(fig, ax):
    from matplotlib.patches import FancyBboxPatch

    renderer = fig.canvas.get_renderer()
    patches = [p.get_window_extent(renderer) for p in ax.patches if isinstance(p, FancyBboxPatch)]
    texts = [t.get_window_extent(renderer) for t in ax.texts if t.get_text().strip()]
    return patches, texts


@pytest.mark.parametrize("lang", ["cs", "en"])
@pytest.mark.parametrize("shared", [False, True], ids=["own figure", "one of two axes"])
def test_flow_boxes_fit_their_text_and_do_not_overlap(lang, shared):
    from evaluation.process import participant_flow
    from evaluation.synthetic import simulate

    tables = simulate(seed=3, scale=0.3).tables
    # an early as-of date: households not yet housed and with short follow-up are excluded too
    flow = participant_flow(tables, as_of="2017-06-30")
    table = flow.tidy()
    n_side = table.loc[table["kind"] == "excluded", "box"].nunique()
    assert n_side >= 2 and (table["kind"] == "excluded").sum() >= 3
    if shared:
        fig, (ax, _) = plt.subplots(1, 2, figsize=(9, 5))
    else:
        fig, ax = plt.subplots(figsize=(7, 4.2))
    flow.plot(ax=ax, lang=lang)
    fig.canvas.draw()
    patches, texts = _flow_boxes(fig, ax)
    assert len(patches) == 5 + n_side  # five main boxes and the exclusion boxes
    for a, b in itertools.combinations(patches, 2):
        assert not a.overlaps(b), "two boxes of the flow diagram overlap"
    for t in texts:  # every text lies inside one box
        assert any(p.x0 <= t.x0 + 0.5 and t.x1 <= p.x1 + 0.5 and p.y0 <= t.y0 + 0.5 and t.y1 <= p.y1 + 0.5
                   for p in patches), "a text of the flow diagram runs out of its box"
    axes_box = ax.get_window_extent(fig.canvas.get_renderer())
    for p in patches:  # and the diagram stays within its axes
        assert axes_box.x0 - 1 <= p.x0 and p.x1 <= axes_box.x1 + 1 and axes_box.y0 - 1 <= p.y0
        assert p.y1 <= axes_box.y1 + 1
    words = "\n".join(t.get_text() for t in ax.texts)
    assert {"cs": "Vyřazeno", "en": "Excluded"}[lang] in words
    assert len(ax.texts) - len(texts) == 4 + n_side  # arrows (annotations without text): down and aside
    plt.close(fig)
