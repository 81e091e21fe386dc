"""Economic strand: cost per household and per sustained tenancy, offsets, the no-system scenario.

Offsets are valued from the Callaway–Sant'Anna effects of the programme on resource use over
every treated month of the programme households (``cost_offsets(..., horizon=None)``), the same
span the programme cost (the whole cost table) covers, so that the net cost compares like with
like; ``horizon_months`` is the time at which a tenancy counts as sustained (cost per sustained
tenancy). Losing the home is valued from the comparison households' tenancies unless
``comparison_eviction_risk`` is given. Tenancy spells are censored at the end of the run's
period when one is set, as in the retention strand.

Stored (``<scope>/economics/``): ``cost_per_household`` (cost per household supported, direct
entrants, and per tenancy sustained at the horizon, by municipality and step; cost per
application at the contact points; figure), ``offsets`` (avoided costs, net cost and the cost
of not having the system per programme household; figure). Key figure
``net_cost_per_household`` (the offsets table's ``net cost`` row, with its interval); texts
``assumptions`` (the unit costs used) and ``headline``.

Example
-------
>>> output = analyse(dataset, horizon_months=12, unit_costs={"shelter_night": 450})   # doctest: +SKIP
>>> output["offsets"].tidy()                                                       # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from evaluation.errors import ConfigError
from evaluation.runner.strands._common import (
    Collector,
    Reason,
    StrandOutput,
    period_end,
    store_figure,
    store_frame,
    store_result,
    store_skipped,
)

TITLES = {
    "cost_per_household": ("Náklady na podpořenou domácnost a na udržené bydlení",
                           "Cost per household supported and per sustained tenancy"),
    "offsets": ("Ušetřené náklady, čisté náklady a scénář bez systému (Kč na domácnost)",
                "Cost offsets, net cost and the no-system scenario (CZK per household)"),
}
#: The rows of ``cost_per_household`` outside the programme steps, stored as a table of their own.
OTHER_COSTS_TITLES = ("Náklady kontaktních míst a nerozpočítané společné náklady",
                      "Contact-point costs and shared costs not allocated to steps")
FIGURES = {
    "cost_per_household": ("Náklady na udržené bydlení (Kč, 95% interval)", "Cost per sustained tenancy (CZK, 95% interval)"),
    "offsets": ("Ušetřené a čisté náklady na domácnost (Kč)", "Offsets and net cost per household (CZK)"),
}


def unit_costs_from(values: Mapping[str, float] | None) -> Any:
    """UnitCosts with the given overrides; an unknown name is a ConfigError."""
    from dataclasses import fields

    from evaluation.economics import UnitCosts

    values = dict(values or {})
    known = {f.name for f in fields(UnitCosts)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(f"unit_costs: unknown item(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return UnitCosts(**values)


def analyse(data: Any, *, lang: str = "cs", seed: int = 2019, horizon_months: float = 12,
            unit_costs: Mapping[str, float] | None = None,
            comparison_eviction_risk: float | None = None) -> StrandOutput:
    """Compute the economic results on ``data`` (a scoped Dataset)."""
    from evaluation import economics

    costs = unit_costs_from(unit_costs)
    censor = period_end(data)
    run = Collector("economics", data)
    run.run("cost_per_household", ("tenancies", "households", "costs"), lambda: economics.cost_per_outcome(
        data, horizon=float(horizon_months), seed=seed, censor_date=censor))
    needs = ("households", "household_outcomes", "tenancies", "costs")
    missing_group = _missing_group(data) if run.has_rows(*needs) else None
    if missing_group is not None:
        run.skip("offsets", missing_group)
    else:
        # horizon=None: offsets over every treated month, the span the programme cost covers
        run.run("offsets", needs, lambda: economics.cost_offsets(
            data, costs, horizon=None, comparison_eviction_risk=comparison_eviction_risk, seed=seed,
            censor_date=censor))
    return run.output()


def _missing_group(data: Any) -> Reason | None:
    """Why offsets cannot be estimated when the scope lacks programme or comparison households."""
    groups = set(data["households"]["group"].astype(str))
    missing = [g for g in ("programme", "comparison") if g not in groups]
    if not missing:
        return None
    words = {"programme": ("domácnosti programu", "programme households"),
             "comparison": ("srovnávací domácnosti", "comparison households")}
    return Reason(f"the offsets need programme and comparison households; this scope has no "
                  f"{' and no '.join(words[g][1] for g in missing)}",
                  f"úspory se odhadují srovnáním domácností programu se srovnávacími domácnostmi, v tomto "
                  f"rozsahu ale nejsou {' ani '.join(words[g][0] for g in missing)}")


#: Columns the reports show (the CSV keeps all).
REPORT_COLUMNS = {
    "cost_per_household": ["municipality", "cost_centre", "households", "direct_entrants", "cost_per_household",
                           "sustained", "cost_per_sustained", "conf_low", "conf_high"],
    "offsets": ["term", "estimate", "conf_low", "conf_high"],
    "other_costs": ["municipality", "cost_centre", "cost_czk", "applications", "cost_per_application"],
}
LABELS = {
    "cost_per_household": {"conf_low": ("Udržené bydlení – 95% IS dolní", "Sustained tenancy – 95% CI lower"),
                           "conf_high": ("Udržené bydlení – 95% IS horní", "Sustained tenancy – 95% CI upper")},
    "offsets": {"term": ("Položka", "Item"), "estimate": ("Kč na domácnost", "CZK per household")},
}
#: Unit costs in words, for the assumptions text.
UNIT_COST_LABELS = {
    "shelter_night": ("noc v azylovém zařízení", "one shelter night"),
    "eviction": ("jedno vystěhování", "one eviction"),
    "child_in_care_month": ("měsíc péče o dítě mimo rodinu", "one child-month in care"),
}


def describe_unit_costs(unit_costs: Any, lang: str) -> str:
    """The unit costs in words: ``noc v azylovém zařízení 400 Kč; jedno vystěhování 80 000 Kč; ...``."""
    from dataclasses import fields

    from evaluation.reporting.formatting import format_number

    parts = []
    for item in fields(unit_costs):
        cs, en = UNIT_COST_LABELS.get(item.name, (item.name, item.name))
        amount = format_number(getattr(unit_costs, item.name), lang, 0)
        parts.append(f"{cs} {amount}\u00a0Kč" if lang == "cs" else f"{en} {amount} CZK")
    return "; ".join(parts)


def _cost_tables(session: Any, output: StrandOutput) -> None:
    """``cost_per_household``: the programme steps (households supported, direct entrants, cost per
    household and per sustained tenancy); ``other_costs``: contact points (applications and cost per
    application) and shared costs not allocated to a step. One table each, so that neither is
    mostly empty columns; the figure is the result's own."""
    from evaluation.economics.cost_per_outcome import STEP_CENTRES

    if "cost_per_household" not in output:
        return
    result = output["cost_per_household"]
    table = result.tidy()
    steps = table["cost_centre"].astype(str).isin(STEP_CENTRES)  # the programme steps' cost centres
    store_frame(session, "cost_per_household", table.loc[steps].reset_index(drop=True),
                TITLES["cost_per_household"], count_columns=["households", "direct_entrants"],
                n_column="households", notes=result.notes, report_columns=REPORT_COLUMNS["cost_per_household"],
                column_labels=LABELS["cost_per_household"])
    store_figure(session, "cost_per_household", result, FIGURES["cost_per_household"], alt=(
        "Sloupce ukazují náklady na jedno udržené bydlení podle obce a stupně programu s intervalem spolehlivosti.",
        "Bars show the cost per sustained tenancy by municipality and programme step with a confidence interval."))
    if (~steps).any():
        other = table.loc[~steps, ["municipality", "cost_centre", "cost_czk", "applications",
                                   "cost_per_application"]].reset_index(drop=True)
        store_frame(session, "other_costs", other, OTHER_COSTS_TITLES, count_columns=["applications"],
                    report_columns=REPORT_COLUMNS["other_costs"])


def save(session: Any, output: StrandOutput) -> None:
    """Store the economic results under their stable names (see the module docstring)."""
    from evaluation.reporting.formatting import format_number

    _cost_tables(session, output)
    store_result(session, output, "offsets", TITLES["offsets"], figure=FIGURES["offsets"], lang=session.lang,
                 alt=("Body ukazují náklady programu, započtené úspory jinde a čisté náklady na domácnost s intervaly.",
                      "Points show the programme cost, the offsets elsewhere and the net cost per household with "
                      "intervals."),
                 report_columns=REPORT_COLUMNS["offsets"], column_labels=LABELS["offsets"])
    if "offsets" in output:
        result = output["offsets"]
        session.store.add_text("assumptions",
                               "Jednotkové náklady (předpoklady, dokud je nenahradí místní údaje): "
                               f"{describe_unit_costs(result.unit_costs, 'cs')}.",
                               "Unit costs (assumptions until replaced by local figures): "
                               f"{describe_unit_costs(result.unit_costs, 'en')}.")
        table = result.tidy().set_index("term")
        if "net cost" in table.index:
            for key, term, label_cs, label_en in (
                    ("net_cost_per_household", "net cost", "Čisté náklady na domácnost programu",
                     "Net cost per programme household"),
                    ("programme_cost_per_household", "programme cost", "Náklady programu na domácnost",
                     "Programme cost per household"),
                    ("offsets_per_household", "offset: total", "Započtené úspory na domácnost",
                     "Offsets per household")):
                if term in table.index:
                    session.store.add_key_figure(
                        key, table="offsets", row={"term": term}, column="estimate",
                        ci_columns=("conf_low", "conf_high") if "conf_low" in table.columns else None,
                        n_column="n" if "n" in table.columns else None, label_cs=label_cs, label_en=label_en,
                        unit="CZK", decimals=0)
            months_cs = format_number(result.treated_months, "cs", 1)
            months_en = format_number(result.treated_months, "en", 1)
            extra = ("programme cost" in table.index and "offset: total" in table.index)
            extra_cs = (" Náklady programu jsou {programme_cost_per_household} Kč, započtené úspory jinde "
                        "{offsets_per_household} Kč na domácnost.") if extra else ""
            extra_en = (" The programme costs {programme_cost_per_household} CZK and the offsets elsewhere amount "
                        "to {offsets_per_household} CZK per household.") if extra else ""
            session.store.add_text(
                "headline",
                "Čisté náklady programu činí {net_cost_per_household} Kč na domácnost (95% IS "
                "{net_cost_per_household.ci} Kč) za dobu od vstupu do konce dat "
                f"(v průměru {months_cs} měsíce na domácnost, stejné období jako náklady programu).{extra_cs}",
                "The net cost of the programme is {net_cost_per_household} CZK per household (95% CI "
                "{net_cost_per_household.ci} CZK) from entry to the end of the data "
                f"({months_en} months per household on average, the span of the programme cost).{extra_en}")
    store_skipped(session, output, TITLES)
