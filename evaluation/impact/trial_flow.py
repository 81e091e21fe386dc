"""CONSORT flow of a randomised trial: randomised, allocated, received, followed up, analysed — per arm,
with the reasons (CONSORT 2010 flow diagram; Schulz, Altman & Moher 2010).

Per arm:

1. *allocated* — units randomised to the arm;
2. *received* the allocated intervention (programme arm: received the programme; control arm: did
   not) and *not received* (programme arm: with the reasons of ``non_receipt_reason``; control
   arm: received the programme all the same, a crossover);
3. *lost to follow-up* (``followed_up`` is false), with the reasons of ``attrition_reason``;
4. *analysed* — followed up with an outcome; *excluded from analysis*: followed up but without an
   outcome record.

Under intention to treat every unit is analysed in its allocated arm, whatever it received.

Example
-------
>>> import pandas as pd
>>> frame = pd.DataFrame({"assigned": [1, 1, 0, 0], "received": [1, 0, 0, 0],
...                       "followed_up": [True, True, True, False], "y": [1.0, 2.0, 3.0, None]})
>>> flow = trial_flow(frame, outcome="y")
>>> flow.count("programme", "not_received"), flow.count("control", "lost"), flow.count("control", "analysed")
(1, 1, 1)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from evaluation.data.schema import get_schema
from evaluation.errors import DataError
from evaluation.impact._design import require_columns
from evaluation.impact._trial_common import assignment_indicator, text
from evaluation.process.flow import _FlowLayout  # the box layout of the participant flow, reused
from evaluation.reporting.formatting import format_number
from evaluation.reporting.labels import LANGS, check_lang
from evaluation.results import Result

STAGES = ("allocated", "received", "not_received", "followed_up", "lost", "analysed", "excluded")
_WORDS: dict[str, tuple[str, str]] = {
    "randomised": ("Randomizováno", "Randomised"),
    "allocated": ("Přiřazeno: {arm}", "Allocated to the {arm}"),
    "received_programme": ("program poskytnut", "received the programme"),
    "not_received_programme": ("program neposkytnut", "did not receive the programme"),
    "received_control": ("bez programu (běžné služby)", "no programme (usual services)"),
    "not_received_control": ("program přesto poskytnut (přechod)", "received the programme (crossover)"),
    "followed_up": ("Sledováno", "Followed up"),
    "lost": ("ztraceno ze sledování", "lost to follow-up"),
    "analysed": ("Analyzováno", "Analysed"),
    "excluded": ("vyřazeno z analýzy", "excluded from analysis"),
    "no_outcome_record": ("bez záznamu výsledku", "no outcome record"),
    "not_recorded": ("důvod neuveden", "reason not recorded"),
    "strata": ("vrstvy", "strata"),
}


def _word(key: str, lang: str, **values: Any) -> str:
    return _WORDS[key][LANGS.index(lang)].format(**values)


def _reason_label(field: str, code: str, lang: str) -> str:
    if code in _WORDS:
        return _word(code, lang)
    try:
        return get_schema().table("assignment").field(field).label(code, lang)
    except KeyError:
        return code


@dataclass(frozen=True)
class TrialFlow(Result):
    """The counts of the CONSORT diagram: arm, stage, reason, count and labels in both languages."""

    table: pd.DataFrame
    n_strata: int = 0
    title: str = "Trial flow (CONSORT)"

    count_columns: ClassVar[tuple[str, ...]] = ("count",)
    figure_drawer: ClassVar[str] = "evaluation.impact.trial_flow:draw_trial_flow"

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def count(self, arm: str, stage: str, reason: str = "") -> int:
        t = self.table
        hit = t[(t["arm"] == arm) & (t["stage"] == stage) & (t["reason"] == reason)]
        return int(hit["count"].sum())

    @property
    def notes(self) -> tuple[str, ...]:
        total = int(self.table.loc[self.table["stage"] == "allocated", "count"].sum())
        return ((f"{total} units randomised; intention to treat: every unit is analysed in the arm it was "
                "allocated to, whatever it received"),)

    def figure_options(self) -> dict[str, Any]:
        return {"n_strata": int(self.n_strata)}

    def _shown(self, arm: str, stage: str, reason: str = "", lang: str = "cs") -> str:
        """A count as the diagram prints it: its symbol where a published table hides it."""
        from evaluation.reporting.plot_labels import count_label

        t = self.table
        hit = t.index[(t["arm"] == arm) & (t["stage"] == stage) & (t["reason"] == reason)]
        return count_label(t, hit[0], "count", lang) if len(hit) else "0"

    def _arm_boxes(self, arm: str, lang: str) -> list[str]:
        t = self.table[self.table["arm"] == arm]

        def lines(stage: str, field: str) -> list[str]:
            rows = t[(t["stage"] == stage) & (t["reason"] != "")]
            return [f"   – {_reason_label(field, r, lang)}: {self._shown(arm, stage, r, lang)}" for r in rows["reason"]]

        def n(stage: str) -> str:
            return self._shown(arm, stage, "", lang)

        allocated = [f"{_word('allocated', lang, arm=text(arm, lang))}: n = {n('allocated')}",
                     f"• {_word('received_' + arm, lang)}: {n('received')}",
                     f"• {_word('not_received_' + arm, lang)}: {n('not_received')}",
                     *lines("not_received", "non_receipt_reason")]
        follow = [f"{_word('followed_up', lang)}: n = {n('followed_up')}",
                  f"• {_word('lost', lang)}: {n('lost')}", *lines("lost", "attrition_reason")]
        analysis = [f"{_word('analysed', lang)}: n = {n('analysed')}",
                    f"• {_word('excluded', lang)}: {n('excluded')}", *lines("excluded", "")]
        return ["\n".join(allocated), "\n".join(follow), "\n".join(analysis)]

    def plot(self, ax: Any = None, lang: str = "cs", *, fontsize: float = 8.0, **kwargs: Any) -> Any:
        """The CONSORT diagram: the randomised total on top, one column of boxes per arm."""
        import matplotlib.pyplot as plt

        check_lang(lang)
        ax = ax if ax is not None else plt.subplots(figsize=(9, 6.5))[1]
        ax.set_axis_off()
        fig, pos = ax.figure, ax.get_position()
        allocated = pd.to_numeric(self.table.loc[self.table["stage"] == "allocated", "count"], errors="coerce")
        total = (format_number(int(allocated.sum()), lang, 0) if allocated.notna().all()
                 else " + ".join(self._shown(arm, "allocated", "", lang) for arm in ("programme", "control")))
        head = f"{_word('randomised', lang)}: n = {total}"
        if self.n_strata > 1:
            head += f" ({_word('strata', lang)}: {self.n_strata})"
        ax.text(0.5, 0.97, head, ha="center", va="top", fontsize=fontsize + 1, transform=ax.transAxes,
                bbox={"boxstyle": "round,pad=0.4", "facecolor": "white", "edgecolor": "black", "linewidth": 0.9})
        for column, arm in enumerate(("programme", "control")):
            ax.annotate("", xy=(0.25 + 0.5 * column, 0.875), xytext=(0.5, 0.915), xycoords="axes fraction",
                        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 0.8, "shrinkA": 0, "shrinkB": 0})
            sub = fig.add_axes([pos.x0 + column * pos.width / 2, pos.y0, pos.width / 2, pos.height * 0.88])
            sub.set_axis_off()
            boxes = self._arm_boxes(arm, lang)
            size = fontsize
            avail_w = sub.get_position().width * fig.get_figwidth()
            avail_h = sub.get_position().height * fig.get_figheight()
            layout = _FlowLayout.measure(sub, boxes, [None] * len(boxes), size)
            for _ in range(8):  # shrink the text until the column fits its half of the axes
                scale = min(avail_w / layout.width, avail_h / layout.height)
                if scale >= 1.0:
                    break
                size *= scale * 0.97
                layout = _FlowLayout.measure(sub, boxes, [None] * len(boxes), size)
            layout.draw(sub, size)
        return ax


def trial_flow(data: pd.DataFrame, *, assignment: str = "assigned", received: str = "received",
               outcome: str | None = None, followed_up: str | None = "followed_up",
               non_receipt_reason: str | None = "non_receipt_reason",
               attrition_reason: str | None = "attrition_reason", strata: str | None = None) -> TrialFlow:
    """Counts of the CONSORT flow from one row per randomised unit; the optional columns are used when
    present (``followed_up`` missing: a unit without ``outcome`` counts as lost).

    Example
    -------
    >>> trial_flow(trial_frame, outcome="arrears_czk").plot(lang="cs")  # doctest: +SKIP
    """
    require_columns(data, [assignment, received, outcome])
    z = assignment_indicator(data, assignment)
    if np.isnan(z).any():
        raise DataError(f"column {assignment!r}: {int(np.isnan(z).sum())} unit(s) without an arm; every randomised "
                        "unit must have one")
    d = assignment_indicator(data, received)

    def optional(name: str | None) -> pd.Series | None:
        return data[name] if name is not None and name in data.columns else None

    follow = optional(followed_up)
    has_outcome = data[outcome].notna().to_numpy() if outcome else np.ones(len(data), dtype=bool)
    if follow is not None:
        followed = follow.fillna(True).astype(bool).to_numpy()
    else:
        followed = has_outcome.copy()
    lost_reason = optional(attrition_reason)
    why_not = optional(non_receipt_reason)
    rows: list[dict[str, Any]] = []

    def add(arm: str, stage: str, count: int, reason: str = "") -> None:
        if reason and count == 0:
            return
        rows.append({"arm": arm, "stage": stage, "reason": reason, "count": int(count)})

    def by_reason(arm: str, stage: str, mask: np.ndarray, reasons: pd.Series | None) -> None:
        codes = (reasons.astype("object").where(reasons.notna(), "not_recorded") if reasons is not None
                 else pd.Series("not_recorded", index=data.index))[mask]
        for code, count in codes.value_counts(sort=True).items():
            add(arm, stage, count, str(code))

    for arm, value in (("programme", 1.0), ("control", 0.0)):
        in_arm = z == value
        got = in_arm & (d == value) if arm == "programme" else in_arm & (d == 0)
        missed = in_arm & ~got
        add(arm, "allocated", in_arm.sum())
        add(arm, "received", got.sum())
        add(arm, "not_received", missed.sum())
        if arm == "programme":
            by_reason(arm, "not_received", missed, why_not)
        lost = in_arm & ~followed
        add(arm, "followed_up", (in_arm & followed).sum())
        add(arm, "lost", lost.sum())
        by_reason(arm, "lost", lost, lost_reason)
        analysed = in_arm & followed & has_outcome
        excluded = in_arm & followed & ~has_outcome
        add(arm, "analysed", analysed.sum())
        add(arm, "excluded", excluded.sum())
        if excluded.any():
            add(arm, "excluded", excluded.sum(), "no_outcome_record")
    table = pd.DataFrame(rows)
    labels = [(_reason_label("non_receipt_reason" if s == "not_received" else "attrition_reason", r, lang)
               if r else _stage_label(s, a, lang)) for a, s, r in zip(table["arm"], table["stage"], table["reason"])
              for lang in LANGS]
    table["label_cs"], table["label_en"] = labels[0::2], labels[1::2]
    n_strata = int(data[strata].nunique()) if strata is not None and strata in data.columns else 0
    return TrialFlow(table=table, n_strata=n_strata)


def draw_trial_flow(table: pd.DataFrame, ax: Any = None, lang: str = "cs", *, n_strata: int = 0,
                    **kwargs: Any) -> Any:
    """Draw the CONSORT diagram from :meth:`TrialFlow.tidy` or its published form (a hidden count is
    printed as its symbol; the rows of a stage without a reason may say ``all``)."""
    frame = table.copy()
    frame["reason"] = frame["reason"].fillna("").astype(str).replace("all", "")
    return TrialFlow(table=frame, n_strata=int(n_strata)).plot(ax=ax, lang=lang, **kwargs)


def _stage_label(stage: str, arm: str, lang: str) -> str:
    if stage == "allocated":
        return _word("allocated", lang, arm=text(arm, lang))
    if stage in ("received", "not_received"):
        return _word(f"{stage}_{arm}", lang)
    return _word(stage, lang)


__all__ = ["STAGES", "TrialFlow", "draw_trial_flow", "trial_flow"]
