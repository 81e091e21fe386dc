"""Participant flow in the style of a CONSORT diagram, counted in households.

Boxes, top to bottom, with the exclusions branching off to the right:

1. *received* — household records in the input files (``dataset.ledger``; without a ledger the
   rows of the households table, with a note);
2. excluded at loading, one box line per rule of the ledger;
3. *loaded* — households that passed validation;
4. excluded: comparison-group households, programme households not (yet) housed by ``as_of``;
5. *entered* — programme households with a first spell by ``as_of``, broken down by entry step;
6. excluded: entered fewer than ``follow_up_months`` before ``as_of`` (follow-up too short);
7. *followed up* — entered at least ``follow_up_months`` before ``as_of``;
8. excluded: no outcome record at or after ``follow_up_months`` since entry (only when the
   ``household_outcomes`` table is present; otherwise every followed-up household is analysed
   and the notes say so);
9. *analysed*.

Example
-------
>>> import pandas as pd
>>> frames = {
...     "households": pd.DataFrame({"household_id": ["H1", "H2", "H3"],
...                                 "group": ["programme", "programme", "comparison"]}),
...     "tenancies": pd.DataFrame({"household_id": ["H1"], "step": ["crisis"],
...                                "start_date": pd.to_datetime(["2019-01-01"])}),
... }
>>> flow = participant_flow(frames, as_of="2020-12-31")
>>> flow.count("received"), flow.count("entered"), flow.count("analysed")
(3, 1, 1)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd

from evaluation.process._tables import (
    Tables,
    as_timestamp,
    check_lang,
    codes,
    default_as_of,
    table,
)
from evaluation.process.entry import entrants
from evaluation.reporting.labels import category_label
from evaluation.results import Result

MAIN_BOXES = ("received", "loaded", "entered", "followed_up", "analysed")
_TEXT = {
    "received": ("Záznamy domácností přijaté", "Household records received"),
    "loaded": ("Domácnosti načtené k analýze", "Households loaded for analysis"),
    "entered": ("Vstoupily do programu", "Entered the programme"),
    "followed_up": ("Sledovány {m} měsíců", "Followed up for {m} months"),
    "analysed": ("Analyzovány", "Analysed"),
    "excluded_loading": ("Vyřazeno při načtení", "Excluded at loading"),
    "comparison_group": ("srovnávací skupina", "comparison group"),
    "not_housed": ("programové domácnosti dosud nebydlí", "programme households not yet housed"),
    "follow_up_short": ("sledování kratší než {m} měsíců", "follow-up shorter than {m} months"),
    "no_outcome": ("bez záznamu výsledků po {m} měsících", "no outcome record after {m} months"),
    "excluded": ("Vyřazeno", "Excluded"),
}


def _text(key: str, lang: str, months: int) -> str:
    return _TEXT[key][0 if lang == "cs" else 1].format(m=months)


@dataclass(frozen=True)
class ParticipantFlow(Result):
    """The boxes of the flow diagram as a tidy table (box, kind, rule, step, count, labels)."""

    table: pd.DataFrame
    follow_up_months: int
    as_of: pd.Timestamp
    has_ledger: bool
    has_outcomes: bool
    title: str = "Participant flow"

    count_columns: ClassVar[tuple[str, ...]] = ("count",)

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def count(self, box: str, step: str = "all") -> int:
        """Households in a main box (optionally one entry step) or in an exclusion rule."""
        t = self.table
        main = (t["kind"] == "main") & (t["box"] == box) & (t["step"] == step)
        hit = t.loc[main | ((t["kind"] == "excluded") & (t["rule"] == box))]
        return int(hit["count"].sum())

    @property
    def notes(self) -> tuple[str, ...]:
        lines = [f"Counts of households as of {self.as_of:%Y-%m-%d}; follow-up {self.follow_up_months} months."]
        if not self.has_ledger:
            lines.append("No loading ledger: 'received' equals the households table as given and no loading "
                         "exclusions can be shown.")
        if not self.has_outcomes:
            lines.append("No household_outcomes table: every household followed up counts as analysed.")
        return tuple(lines)

    figure_drawer: ClassVar[str] = "evaluation.process.flow:draw_flow"

    def figure_options(self) -> dict[str, Any]:
        return {"follow_up_months": int(self.follow_up_months)}


def draw_flow(table: pd.DataFrame, ax: Any = None, lang: str = "cs", *, follow_up_months: int = 12,
              fontsize: float = 8.5, **kwargs: Any) -> Any:
    """Draw the flow diagram: main boxes top to bottom, exclusion boxes to the right.

    ``table`` is :meth:`ParticipantFlow.tidy` or its published form (a hidden count is printed
    as its symbol). Every box is sized to its text (measured with the figure's renderer) and the
    boxes are stacked with room for the exclusion boxes between them, so nothing overlaps. When
    ``ax`` is the only axes of its figure the figure's height is set to what the diagram needs
    (its width is kept); otherwise the text is scaled down to fit the axes.
    """
    import matplotlib.pyplot as plt

    check_lang(lang)
    ax = ax if ax is not None else plt.subplots(figsize=(7, 6))[1]
    fig = ax.figure
    ax.set_axis_off()
    main, side = _box_texts(table, lang, follow_up_months)
    alone = len(fig.get_axes()) == 1
    if alone:
        ax.set_position([0.01, 0.01, 0.98, 0.98])
    size = fontsize
    avail_w = ax.get_position().width * fig.get_figwidth()
    avail_h = ax.get_position().height * fig.get_figheight()
    layout = _FlowLayout.measure(ax, main, side, size)
    for _ in range(8):  # shrink the text (and with it the spacing) until the diagram fits the axes
        scale = avail_w / layout.width
        if not alone:
            scale = min(scale, avail_h / layout.height)
        if scale >= 1.0:
            break
        size = size * scale * 0.97
        layout = _FlowLayout.measure(ax, main, side, size)
    if alone:
        fig.set_size_inches(fig.get_figwidth(), layout.height / ax.get_position().height, forward=True)
    layout.draw(ax, size)
    return ax


def _box_texts(t: pd.DataFrame, lang: str, follow_up_months: int) -> tuple[list[str], list[str | None]]:
    """Text of each main box and of the exclusion box above it (None where there is none)."""
    from evaluation.reporting.plot_labels import count_label

    label_col = f"label_{lang}"
    main = t.loc[(t["kind"] == "main") & (t["step"] == "all")]
    boxes, exclusions = [], []
    for index, (at, row) in enumerate(main.iterrows()):
        lines = [str(row[label_col]), f"n = {count_label(t, at, 'count', lang)}"]
        steps = t.loc[(t["box"] == row["box"]) & (t["kind"] == "main") & (t["step"] != "all")]
        lines += [f"{category_label('step', s, lang)}: {count_label(t, i, 'count', lang)}"
                  for i, s in zip(steps.index, steps["step"])]
        boxes.append("\n".join(lines))
        excluded = t.loc[(t["kind"] == "excluded") & (t["box"] == row["box"])]
        if index == 0 or not len(excluded):
            exclusions.append(None)
            continue
        counts = pd.to_numeric(excluded["count"], errors="coerce")
        total = count_label(pd.DataFrame({"count": [counts.sum()]}), 0, "count", lang) \
            if counts.notna().all() else "x"
        lines = [f"{_text('excluded', lang, follow_up_months)}: n = {total}"]
        lines += [f"• {r[label_col]}: {count_label(t, i, 'count', lang)}" for i, r in excluded.iterrows()]
        exclusions.append("\n".join(lines))
    return boxes, exclusions


@dataclass(frozen=True)
class _FlowLayout:
    """Sizes (inches) of the flow diagram's boxes and where they go; see ParticipantFlow.plot."""

    main: list[str]
    side: list[str | None]
    main_sizes: list[tuple[float, float]]
    side_sizes: list[tuple[float, float] | None]
    size: float  # font size (points); the spacing below grows with it, so the layout scales as a whole

    MARGIN: ClassVar[float] = 0.03

    @property
    def pad(self) -> float:  # inside a box, around the text
        return 0.0105 * self.size

    @property
    def gap(self) -> float:  # between main boxes without an exclusion box
        return 0.033 * self.size

    @property
    def arrow(self) -> float:  # from the main column to an exclusion box
        return 0.053 * self.size

    @classmethod
    def measure(cls, ax: Any, main: list[str], side: list[str | None], size: float) -> _FlowLayout:
        renderer = ax.figure.canvas.get_renderer()
        dpi = ax.figure.dpi

        def extent(text: str) -> tuple[float, float]:
            artist = ax.text(0, 0, text, fontsize=size, ha="center", va="center", linespacing=1.3)
            box = artist.get_window_extent(renderer)
            artist.remove()
            return box.width / dpi, box.height / dpi

        return cls(main, side, [extent(t) for t in main], [extent(t) if t else None for t in side], size)

    @property
    def main_width(self) -> float:
        return max(w for w, _ in self.main_sizes) + 2 * self.pad

    @property
    def side_width(self) -> float:
        widths = [s[0] for s in self.side_sizes if s is not None]
        return max(widths) + 2 * self.pad if widths else 0.0

    @property
    def width(self) -> float:
        return 2 * self.MARGIN + self.main_width + (self.arrow + self.side_width if self.side_width else 0.0)

    def gaps(self) -> list[float]:
        return [0.0] + [max(self.gap, (s[1] + 4 * self.pad) if s is not None else self.gap)
                        for s in self.side_sizes[1:]]

    @property
    def height(self) -> float:
        return 2 * self.MARGIN + sum(h + 2 * self.pad for _, h in self.main_sizes) + sum(self.gaps())

    def draw(self, ax: Any, size: float) -> None:
        from matplotlib.patches import FancyBboxPatch

        fig = ax.figure
        pos = ax.get_position()
        avail_w, avail_h = pos.width * fig.get_figwidth(), pos.height * fig.get_figheight()
        ax.set_xlim(0, avail_w)
        ax.set_ylim(0, avail_h)
        left = max(self.MARGIN, (avail_w - self.width) / 2 + self.MARGIN)
        centre = left + self.main_width / 2
        side_left = left + self.main_width + self.arrow
        top = avail_h - self.MARGIN
        previous_bottom = None
        for text, (w, h), side, side_size, gap in zip(self.main, self.main_sizes, self.side, self.side_sizes,
                                                      self.gaps()):
            box_top = top - gap
            box_bottom = box_top - h - 2 * self.pad
            self._box(ax, FancyBboxPatch, centre - self.main_width / 2, box_bottom, self.main_width,
                      box_top - box_bottom, face="white", edge="black")
            ax.text(centre, (box_top + box_bottom) / 2, text, fontsize=size, ha="center", va="center",
                    linespacing=1.3)
            if previous_bottom is not None:
                ax.annotate("", xy=(centre, box_top), xytext=(centre, previous_bottom),
                            arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 0.8, "shrinkA": 0, "shrinkB": 0})
            if side is not None and side_size is not None and previous_bottom is not None:
                middle = (previous_bottom + box_top) / 2
                height = side_size[1] + 2 * self.pad
                self._box(ax, FancyBboxPatch, side_left, middle - height / 2, self.side_width, height,
                          face="#f2f2f2", edge="0.45")
                ax.text(side_left + self.pad, middle, side, fontsize=size, ha="left", va="center",
                        linespacing=1.3)
                ax.annotate("", xy=(side_left, middle), xytext=(centre, middle),
                            arrowprops={"arrowstyle": "-|>", "color": "0.45", "lw": 0.8, "shrinkA": 0, "shrinkB": 0})
            previous_bottom = box_bottom
            top = box_bottom

    @staticmethod
    def _box(ax: Any, patch: Any, x: float, y: float, width: float, height: float, *, face: str,
             edge: str) -> None:
        ax.add_patch(patch((x, y), width, height, boxstyle="round,pad=0,rounding_size=0.06", facecolor=face,
                           edgecolor=edge, linewidth=0.9, mutation_aspect=1))


def _ledger_boxes(ledger: Any, n_households: int, lang_rows: list[dict[str, Any]], months: int) -> tuple[int, int]:
    if ledger is None:
        return n_households, n_households
    frame = ledger.tidy()
    frame = frame.loc[frame["table"] == "households"]
    if frame.empty:
        return n_households, n_households
    received = int(frame.loc[frame["stage"] == "received", "rows"].sum())
    for _, r in frame.loc[frame["stage"] == "excluded"].iterrows():
        if int(r["rows"]) > 0:
            lang_rows.append({"box": "loaded", "kind": "excluded", "rule": f"loading:{r['rule']}", "step": "all",
                              "count": int(r["rows"]), "label_cs": r["reason_cs"], "label_en": r["reason_en"]})
    loaded = int(frame.loc[frame["stage"] == "loaded", "rows"].sum())
    return received, loaded


def participant_flow(data: Tables, *, as_of: Any = None, follow_up_months: int = 12,
                     ledger: Any = None, municipality: str | None = None) -> ParticipantFlow:
    """Counts for a CONSORT-style flow of households; ``ledger`` defaults to ``data.ledger``.

    Example: ``participant_flow(dataset, follow_up_months=12).plot(lang="cs")``
    """
    households = table(data, "households", ("household_id", "group"))
    tenancies = table(data, "tenancies", ("household_id", "step", "start_date"))
    outcomes = table(data, "household_outcomes", ("household_id", "month"), optional=True)
    ledger = ledger if ledger is not None else getattr(data, "ledger", None)
    as_of = as_timestamp(as_of, "as_of") if as_of is not None else default_as_of(tenancies["start_date"])
    m = int(follow_up_months)
    rows: list[dict[str, Any]] = []
    received, loaded = _ledger_boxes(ledger, len(households), rows, m)

    def add(box: str, kind: str, rule: str, count: int, key: str, step: str = "all") -> None:
        rows.append({"box": box, "kind": kind, "rule": rule, "step": step, "count": int(count),
                     "label_cs": _text(key, "cs", m), "label_en": _text(key, "en", m)})

    add("received", "main", "", received, "received")
    add("loaded", "main", "", loaded, "loaded")
    people = entrants(data, as_of=as_of, municipality=municipality)
    scope = households if municipality is None else households.loc[
        households["municipality"].astype("object").eq(municipality).to_numpy(dtype=bool)]
    if municipality is not None:
        rows.append({"box": "entered", "kind": "excluded", "rule": "other_municipality", "step": "all",
                     "count": len(households) - len(scope), "label_cs": f"jiná obec než {municipality}",
                     "label_en": f"municipality other than {municipality}"})
    programme = codes(scope["group"]).eq("programme")
    add("entered", "excluded", "comparison_group", int((~programme).sum()), "comparison_group")
    add("entered", "excluded", "not_housed", int(programme.sum()) - len(people), "not_housed")
    add("entered", "main", "", len(people), "entered")
    for step, n in people["entry_step"].value_counts(sort=False).items():
        add("entered", "main", "", n, "entered", step=step)
    followed = people.loc[(people["entry_date"] + pd.DateOffset(months=m) <= as_of).to_numpy(dtype=bool)]
    add("followed_up", "excluded", "follow_up_short", len(people) - len(followed), "follow_up_short")
    add("followed_up", "main", "", len(followed), "followed_up")
    for step, n in followed["entry_step"].value_counts(sort=False).items():
        add("followed_up", "main", "", n, "followed_up", step=step)
    if outcomes is not None:
        due = followed[["household_id", "entry_date"]].merge(outcomes[["household_id", "month"]], on="household_id")
        due = due.loc[(due["month"] >= due["entry_date"] + pd.DateOffset(months=m) - pd.offsets.MonthBegin(1))]
        analysed = followed.loc[followed["household_id"].isin(due["household_id"]).to_numpy(dtype=bool)]
        add("analysed", "excluded", "no_outcome", len(followed) - len(analysed), "no_outcome")
    else:
        analysed = followed
    add("analysed", "main", "", len(analysed), "analysed")
    for step, n in analysed["entry_step"].value_counts(sort=False).items():
        add("analysed", "main", "", n, "analysed", step=step)
    frame = pd.DataFrame(rows)
    order = {b: i for i, b in enumerate(MAIN_BOXES)}
    frame = frame.assign(_o=frame["box"].map(order), _k=(frame["kind"] == "main").astype(int)) \
        .sort_values(["_o", "_k"], kind="stable").drop(columns=["_o", "_k"])
    frame = frame.loc[(frame["kind"] == "main") | (frame["count"] > 0)].reset_index(drop=True)
    return ParticipantFlow(table=frame, follow_up_months=m, as_of=as_of, has_ledger=ledger is not None,
                           has_outcomes=outcomes is not None)
