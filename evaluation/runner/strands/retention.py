"""Retention strand: tenancy retention and exits, and the names they are stored under.

Stored (``<scope>/retention/``): ``retention`` (Kaplan–Meier, still housed at the horizons;
figure), ``retention_by_step`` (by first programme step; figure), ``exits`` (Aalen–Johansen
cumulative incidence of leaving the first step up the staircase vs losing the home vs other;
figure), ``logrank_by_step``, ``transitions`` (moves between steps), ``episodes`` (outcome
counts). Key figures ``housed_<h>m`` for each horizon; text ``headline``.

Retention is the *housing* definition of :func:`evaluation.retention.housing_episodes`
(moves up the staircase keep the episode going; eviction or abandonment is the event).
Episodes are censored at the end of the run's period when one is set, otherwise at the
latest date in the tenancy records.

Example
-------
>>> output = analyse(dataset, horizons_months=[6, 12, 20])   # doctest: +SKIP
>>> output["retention"].plot()                               # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from evaluation.runner.strands._common import Collector, StrandOutput, store_result, store_skipped

TITLES = {
    "retention": ("Udržení bydlení (Kaplan–Meier)", "Tenancy retention (Kaplan–Meier)"),
    "retention_by_step": ("Udržení bydlení podle prvního stupně", "Tenancy retention by first step"),
    "exits": ("Odchody z prvního stupně: nahoru, ztráta bydlení, jinam",
              "Exits from the first step: up, home lost, elsewhere"),
    "logrank_by_step": ("Test shody udržení bydlení mezi stupni (log-rank)",
                        "Log-rank test of retention across steps"),
    "transitions": ("Přechody mezi stupni", "Moves between steps"),
    "episodes": ("Epizody bydlení podle výsledku", "Housing episodes by outcome"),
}
FIGURES = {
    "retention": ("Podíl domácností, které si udržely bydlení", "Share of households keeping their home"),
    "retention_by_step": ("Udržení bydlení podle prvního stupně", "Retention by first step"),
    "exits": ("Kumulativní incidence odchodů", "Cumulative incidence of exits"),
}


def _programme_only(episodes: Any) -> Any:
    """Keep programme households' episodes (comparison households have no programme spells)."""
    frame = episodes.data
    if "group" in frame:
        frame = frame.loc[frame["group"].astype(str).eq("programme").to_numpy()]
    return frame


def analyse(data: Any, *, lang: str = "cs", seed: int = 2019,
            horizons_months: Sequence[float] = (6, 12, 20)) -> StrandOutput:
    """Estimate retention on ``data`` (a scoped Dataset)."""
    from evaluation import retention

    run = Collector("retention", data)
    needs = ("tenancies",)
    scope = dict(getattr(data, "metadata", {}) or {}).get("scope", {}) or {}
    censor = scope.get("period", [None, None])[1] if scope.get("period") else None
    times = tuple(float(h) for h in horizons_months)
    housing = run.run("episodes", needs, lambda: retention.housing_episodes(data, censor_date=censor))
    if housing is not None:
        frame = _programme_only(housing)
        first_step = "first_step" if "first_step" in frame else None
        run.run("retention", needs, lambda: retention.KaplanMeier(times=times).fit_episodes(frame))
        if first_step:
            run.run("retention_by_step", needs,
                    lambda: retention.KaplanMeier(times=times).fit_episodes(frame, by=first_step))
            run.run("logrank_by_step", needs, lambda: retention.logrank_test(
                frame["exit_time"], frame["event"], frame[first_step], entry=frame["entry"]))
        else:
            run.skipped["retention_by_step"] = "the episodes carry no first step"
    programme = run.run("programme_episodes", needs, lambda: retention.housing_episodes(
        data, definition="programme", censor_date=censor))
    if programme is not None:
        run.run("exits", needs, lambda: retention.AalenJohansen(times=times).fit_episodes(
            _programme_only(programme)))
    run.run("transitions", needs, lambda: retention.transitions(data))
    return run.output()


def save(session: Any, output: StrandOutput) -> None:
    """Store the retention results under their stable names (see the module docstring)."""
    for name, titles in TITLES.items():
        store_result(session, output, name, titles, figure=FIGURES.get(name), lang=session.lang)
    if "retention" in output:
        table = output["retention"].tidy()
        n = len(_programme_only(output["episodes"])) if "episodes" in output else None
        first = None
        for row in table.itertuples():
            months = float(str(row.term).removeprefix("S(").removesuffix(")"))
            key = f"housed_{months:g}m"
            session.store.add_key_figure(
                key, row.estimate, label_cs=f"V bydlení po {months:g} měsících",
                label_en=f"Still housed at {months:g} months", unit="%", n=n,
                ci=(row.conf_low, row.conf_high) if pd.notna(row.conf_low) else None, decimals=0)
            first = first or (months, row.estimate)
        if first is not None and pd.notna(first[1]):
            share = round(100 * first[1])
            session.store.add_text("headline", f"Po {first[0]:g} měsících bydlí stále {share} % domácností.",
                                   f"After {first[0]:g} months {share}% of households are still housed.")
    store_skipped(session, output)
