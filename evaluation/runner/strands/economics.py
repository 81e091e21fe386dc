"""Economic strand: the economic evaluation by stated convention (:func:`evaluation.economics.economic_evaluation`).

The notebook's parameters are the conventions (:data:`evaluation.runner.registry.ECONOMICS_OPTIONS`):
perspective, price year, discount rate, one horizon for costs, offsets and retention, the confidence at
which an effect must be established for its saving to count, the Monte Carlo draws, the household
bootstrap, unit costs and an optional willingness to pay. Tenancy spells are censored at the end of the
run's period when one is set, as in the retention strand.

Stored (``<scope>/economics/``), each a result of :class:`~evaluation.economics.EconomicEvaluation`:
``net_cost`` (base case by perspective; figure), ``offsets`` (each offset's effect, evidence, whether it
counts; figure), ``pathway_costs`` (cost per household, per household-year and per sustained tenancy by
entry step; figure), ``step_costs`` (cost of a month and a year of support by step; figure), ``one_way``
(tornado figure), ``probabilistic`` (distribution of the net cost; figure), ``acceptability`` (only with
a willingness to pay; figure), ``unit_costs`` (values, ranges, sources, assumptions marked),
``conventions`` and ``perspective``. Key figures quote their cells (``net_cost_per_household``,
``probability_saves``, ``unit_cost_<name>``, ``offset_<item>``, ``cost_per_year_<municipality>_<step>``,
...); texts: ``method``, ``assumptions``, ``headline``, ``finding_offsets``, ``finding_pathways``,
``finding_sensitivity``. Numbers that come from the data are always key figures; the declared
conventions (price year, rate, horizon) are written as words.

Example
-------
>>> output = analyse(dataset, horizon_months=24, perspective="municipal")   # doctest: +SKIP
>>> output["net_cost"].tidy()                                               # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from evaluation.runner.strands._common import (
    Collector,
    Reason,
    StrandOutput,
    disclosure_columns,
    period_end,
    store_figure,
    store_skipped,
)

#: Table titles (Czech, English); the price year and horizon are added when stored.
TITLES = {
    "economic_evaluation": ("Ekonomické hodnocení", "Economic evaluation"),
    "net_cost": ("Náklady programu, započtené úspory a čisté náklady na domácnost podle perspektivy",
                 "Programme cost, offsets counted and net cost per household by perspective"),
    "offsets": ("Úspory: efekt programu na využití služeb, jeho doložení a hodnota na domácnost",
                "Offsets: the programme's effect on the use of services, its evidence and value per household"),
    "pathway_costs": ("Náklady na domácnost a na rok podpory podle vstupního stupně",
                      "Cost per household and per household-year by entry step"),
    "sustained_costs": ("Udržení bydlení a náklady na udržené bydlení podle vstupního stupně",
                        "Tenancies sustained and cost per sustained tenancy by entry step"),
    "step_costs": ("Náklady měsíce a roku podpory podle obce a stupně", ("Cost of a month and a year of support "
                   "by municipality and step")),
    "one_way": ("Jednosměrná analýza citlivosti čistých nákladů na domácnost",
                "One-way sensitivity analysis of the net cost per household"),
    "probabilistic": ("Pravděpodobnostní analýza citlivosti: rozdělení čistých nákladů na domácnost",
                      "Probabilistic sensitivity analysis: distribution of the net cost per household"),
    "acceptability": ("Křivka přijatelnosti nákladové efektivity", "Cost-effectiveness acceptability curve"),
    "unit_costs": ("Jednotkové náklady úspor, jejich rozpětí a zdroje", ("Unit costs of the offsets, their ranges "
                   "and sources")),
    "conventions": ("Konvence ekonomického hodnocení", "Conventions of the economic evaluation"),
    "perspective": ("Co která perspektiva započítává", "What each perspective counts"),
}
#: Figure captions and what each figure shows (alt text), Czech and English.
FIGURES = {
    "net_cost": (("Náklady programu, úspory a čisté náklady na domácnost (Kč)",
                  "Programme cost, offsets and net cost per household (CZK)"),
                 ("Sloupce ukazují náklady programu, započtené úspory a čisté náklady na domácnost v obou perspektivách.",
                  ("Bars show the programme cost, the offsets counted and the net cost per household in both "
                  "perspectives."))),
    "offsets": (("Úspory na domácnost s intervalem (Kč); prázdný bod = nezapočteno",
                 "Offsets per household with their interval (CZK); hollow = not counted"),
                (("Body ukazují hodnotu každé úspory na domácnost s intervalem; prázdné body nejsou započteny, "
                 "protože efekt není prokázán."),
                 ("Points show each offset per household with its interval; hollow points are not counted because "
                 "the effect is not established."))),
    "pathway_costs": (("Náklady na rok podpory podle vstupního stupně (Kč)",
                       "Cost per household-year by entry step (CZK)"),
                      ("Sloupce srovnávají stupně podle nákladů na rok podpory, tedy po zohlednění různé délky pobytu.",
                       ("Bars compare the steps by their cost per household-year, i.e. adjusted for the length of "
                       "stay."))),
    "sustained_costs": (("Náklady na bydlení udržené do konce horizontu podle vstupního stupně (Kč, 95% interval)",
                         "Cost per tenancy sustained to the horizon by entry step (CZK, 95% interval)"),
                        (("Sloupce ukazují náklady na jedno bydlení udržené do konce horizontu s intervalem "
                         "spolehlivosti."),
                         "Bars show the cost per tenancy sustained to the horizon with its confidence interval.")),
    "step_costs": (("Náklady roku podpory podle obce a stupně (Kč)", ("Cost of a year of support by municipality and "
                    "step (CZK)")),
                   ("Sloupce ukazují náklady jednoho roku podpory domácnosti v každém stupni.",
                    "Bars show the cost of one household-year of support in each step.")),
    "one_way": (("Tornádový graf: čisté náklady na domácnost při nízké a vysoké hodnotě každého vstupu (Kč)",
                 "Tornado chart: net cost per household at the low and high value of each input (CZK)"),
                (("Pruhy ukazují, jak se čisté náklady změní, když se jeden vstup posune na dolní nebo horní mez; "
                 "nahoře vstupy s největším vlivem."),
                 ("Bars show how the net cost changes when one input moves to its low or high end; the inputs with "
                 "the largest influence are at the top."))),
    "probabilistic": (("Čisté náklady na domácnost v simulaci Monte Carlo: medián a 95% rozpětí (Kč)",
                       "Net cost per household in the Monte Carlo simulation: median and 95% range (CZK)"),
                      (("Úsečky ukazují rozpětí čistých nákladů, když jsou nejisté všechny vstupy najednou, a "
                       "pravděpodobnost, že program ušetří víc, než stojí."),
                       ("Lines show the range of the net cost when every input is uncertain at once, and the "
                       "probability that the programme saves more than it costs."))),
    "acceptability": (("Křivka přijatelnosti: pravděpodobnost, že se program vyplatí, podle ochoty zaplatit (Kč)",
                       "Acceptability curve: probability that the programme is worth it by willingness to pay (CZK)"),
                      (("Křivky ukazují, jak roste pravděpodobnost, že se program vyplatí, s částkou, kterou je "
                       "společnost ochotna zaplatit za jedno udržené bydlení navíc."),
                       ("Curves show how the probability that the programme is worth it grows with what society is "
                       "willing to pay for one additional home kept."))),
}
#: Where each table goes in the reports (default: the main text).
PLACEMENT = {"perspective": "appendix", "step_costs": "appendix", "acceptability": "folder"}
#: Columns the reports show (the CSV keeps all).
REPORT_COLUMNS = {
    "net_cost": ["perspective_cs", "perspective_en", "label_cs", "label_en", "undiscounted", "discounted", "discounted_alternative"],
    "offsets": ["label_cs", "label_en", "effect", "conf_low", "conf_high", "status_cs", "status_en", "grade_cs",
                "grade_en", "counted", "unit_cost", "offset_discounted", "payer_cs", "payer_en"],
    "pathway_costs": ["municipality", "entry_step", "households", "months_in_programme", "cost_per_household",
                      "cost_per_household_discounted", "cost_per_household_year"],
    "sustained_costs": ["municipality", "entry_step", "households", "housed_share", "cost_per_sustained_tenancy",
                        "conf_low", "conf_high"],
    "one_way": ["label_cs", "label_en", "low_value", "high_value", "net_cost_low", "net_cost_high"],
    "probabilistic": ["perspective_cs", "perspective_en", "label_cs", "label_en", "median", "q025", "q975", "probability_saves"],
    "unit_costs": ["label_cs", "label_en", "value", "low", "high", "original_value", "original_price_year",
                   "kind_cs", "kind_en", "payer_cs", "payer_en", "source_cs", "source_en"],
    "conventions": ["label_cs", "label_en", "text_cs", "text_en", "source_cs", "source_en"],
}
PERSPECTIVE_LABELS = {"perspective_cs": ("Perspektiva", "Perspective"), "perspective_en": ("Perspektiva", "Perspective")}
LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "net_cost": {**PERSPECTIVE_LABELS, "label_cs": ("Položka", "Item"), "label_en": ("Položka", "Item"),
                 "undiscounted": ("Nediskontováno (Kč)", "Undiscounted (CZK)"),
                 "discounted": ("Diskontováno (Kč)", "Discounted (CZK)"),
                 "discounted_alternative": ("Při alternativní sazbě (Kč)", "At the alternative rate (CZK)")},
    "offsets": {"label_cs": ("Úspora", "Offset"), "label_en": ("Úspora", "Offset"),
                "effect": ("Efekt za horizont", "Effect over the horizon"),
                "status_cs": ("Doložení", "Evidence"), "status_en": ("Doložení", "Evidence"),
                "grade_cs": ("Jistota", "Grade"), "grade_en": ("Jistota", "Grade"),
                "counted": ("Započteno", "Counted"),
                "unit_cost": ("Jednotkový náklad (Kč)", "Unit cost (CZK)"),
                "offset_discounted": ("Úspora na domácnost (Kč, diskont.)", "Offset per household (CZK, disc.)"),
                "payer_cs": ("Komu připadá", "Accrues to"), "payer_en": ("Komu připadá", "Accrues to")},
    "pathway_costs": {"entry_step": ("Vstupní stupeň", "Entry step"),
                      "months_in_programme": ("Měsíců v programu (průměr)", "Months in the programme (mean)"),
                      "cost_per_household_discounted": ("Na domácnost, diskont. (Kč)", "Per household, disc. (CZK)"),
                      "cost_per_household_year": ("Na rok podpory (Kč)", "Per household-year (CZK)"),
                      "cost_per_household": ("Na domácnost (Kč)", "Per household (CZK)")},
    "sustained_costs": {"entry_step": ("Vstupní stupeň", "Entry step"),
                        "housed_share": ("V bydlení na konci horizontu", "Housed at the horizon"),
                        "cost_per_sustained_tenancy": ("Na udržené bydlení (Kč)", "Per sustained tenancy (CZK)"),
                        "conf_low": ("95% IS dolní (Kč)", "95% CI lower (CZK)"),
                        "conf_high": ("95% IS horní (Kč)", "95% CI upper (CZK)")},
    "one_way": {"label_cs": ("Vstup", "Input"), "label_en": ("Vstup", "Input"),
                "low_value": ("Nízká hodnota", "Low value"), "high_value": ("Vysoká hodnota", "High value"),
                "net_cost_low": ("Čisté náklady při nízké (Kč)", "Net cost at low (CZK)"),
                "net_cost_high": ("Čisté náklady při vysoké (Kč)", "Net cost at high (CZK)")},
    "probabilistic": {**PERSPECTIVE_LABELS, "label_cs": ("Scénář", "Scenario"), "label_en": ("Scénář", "Scenario"),
                      "median": ("Medián (Kč)", "Median (CZK)"), "q025": ("2,5% kvantil (Kč)", "2.5% quantile (CZK)"),
                      "q975": ("97,5% kvantil (Kč)", "97.5% quantile (CZK)"),
                      "probability_saves": ("Pravděpodobnost úspory", "Probability of saving money")},
    "unit_costs": {"label_cs": ("Jednotka", "Unit"), "label_en": ("Jednotka", "Unit"),
                   "value": ("Hodnota v cenové úrovni (Kč)", "Value in the price year (CZK)"),
                   "low": ("Dolní mez (Kč)", "Low (CZK)"), "high": ("Horní mez (Kč)", "High (CZK)"),
                   "original_value": ("Původní hodnota (Kč)", "Original value (CZK)"),
                   "original_price_year": ("V cenách roku", "In prices of"),
                   "kind_cs": ("Druh", "Kind"), "kind_en": ("Druh", "Kind"),
                   "payer_cs": ("Komu připadá", "Accrues to"), "payer_en": ("Komu připadá", "Accrues to"),
                   "source_cs": ("Zdroj", "Source"), "source_en": ("Zdroj", "Source")},
    "conventions": {"label_cs": ("Konvence", "Convention"), "label_en": ("Konvence", "Convention"),
                    "text_cs": ("Volba", "Choice"), "text_en": ("Volba", "Choice"),
                    "source_cs": ("Zdroj", "Source"), "source_en": ("Zdroj", "Source")},
}
#: The kind of a unit cost in words.
KINDS = {"assumption": ("předpoklad", "assumption"), "sourced": ("doložený zdroj", "sourced")}
#: The tables stored, in the order of the report.
ORDER = ("net_cost", "offsets", "one_way", "probabilistic", "acceptability", "unit_costs",
         "conventions", "step_costs", "perspective")
#: Tables that are drawn (the others are tables only).
DRAWN = ("net_cost", "offsets", "one_way", "probabilistic", "acceptability")


def economic_settings(*, seed: int = 2019, perspective: str = "public_sector", price_year: int | None = None,
                      discount_rate: float = 0.05, horizon_months: int = 24, offset_confidence: float = 0.95,
                      sensitivity_draws: int = 5000, household_bootstrap: int = 199,
                      unit_costs: Mapping[str, float] | None = None, willingness_to_pay: float | None = None,
                      censor_date: Any = None) -> Any:
    """The :class:`~evaluation.economics.EconomicSettings` of the notebook's parameters (a bad value is a
    ConfigError naming it)."""
    from evaluation.economics import EconomicSettings

    values: dict[str, Any] = {
        "perspective": perspective, "price_year": price_year, "discount_rate": float(discount_rate),
        "horizon_months": horizon_months, "alpha": round(1.0 - float(offset_confidence), 10),
        "n_draws": sensitivity_draws, "n_boot": household_bootstrap, "seed": seed, "censor_date": censor_date,
        "willingness_to_pay": () if willingness_to_pay is None else (float(willingness_to_pay),)}
    given = {name: value for name, value in dict(unit_costs or {}).items() if value is not None}
    if given:
        values["unit_costs"] = given
    return EconomicSettings.from_mapping(values)


def analyse(data: Any, *, lang: str = "cs", seed: int = 2019, perspective: str = "public_sector",
            price_year: int | None = None, discount_rate: float = 0.05, horizon_months: int = 24,
            offset_confidence: float = 0.95, sensitivity_draws: int = 5000, household_bootstrap: int = 199,
            unit_costs: Mapping[str, float] | None = None, willingness_to_pay: float | None = None) -> StrandOutput:
    """Run the economic evaluation on ``data`` (a scoped Dataset) under the declared conventions."""
    from evaluation.economics import economic_evaluation

    settings = economic_settings(seed=seed, perspective=perspective, price_year=price_year,
                                 discount_rate=discount_rate, horizon_months=horizon_months,
                                 offset_confidence=offset_confidence, sensitivity_draws=sensitivity_draws,
                                 household_bootstrap=household_bootstrap, unit_costs=unit_costs,
                                 willingness_to_pay=willingness_to_pay, censor_date=period_end(data))
    run = Collector("economics", data)
    evaluation = run.run("economic_evaluation", ("households", "tenancies", "costs"),
                         lambda: economic_evaluation(data, settings=settings))
    output = run.output()
    if evaluation is None:
        return output
    results = {"economic_evaluation": evaluation, **evaluation.results}
    return StrandOutput("economics", results, output.skipped, _not_estimable(evaluation))


def _not_estimable(evaluation: Any) -> tuple[Reason, ...]:
    """A note for each offset the data could not estimate (it counts 0)."""
    from evaluation.economics.words import OFFSET_ITEMS, word

    table = evaluation["offsets"].tidy()
    notes = []
    for item in table.loc[table["status"] == "not_estimable", "item"]:
        notes.append(Reason(
            f"The saving on {word(OFFSET_ITEMS, item, 'en')} could not be estimated on the data of this scope "
            "(no comparison households or no outcome records); it counts 0.",
            f"Úsporu na položce „{word(OFFSET_ITEMS, item, 'cs')}“ nebylo možné z dat tohoto rozsahu odhadnout "
            "(chybí srovnávací domácnosti nebo záznamy výsledků); počítá se nulou."))
    return tuple(notes)


def _titles(name: str, evaluation: Any) -> tuple[str, str]:
    cs, en = TITLES[name]
    settings = evaluation.settings
    year, h = settings.resolved_price_year(), settings.horizon_months
    if name in ("net_cost", "offsets", "pathway_costs", "sustained_costs", "one_way", "probabilistic"):
        return f"{cs} ({h} měsíců od vstupu, ceny roku {year})", f"{en} ({h} months after entry, {year} prices)"
    if name in ("unit_costs", "step_costs"):
        return f"{cs} (ceny roku {year})", f"{en} ({year} prices)"
    return cs, en


def save(session: Any, output: StrandOutput) -> None:
    """Store the economic results under their stable names (see the module docstring)."""
    if "economic_evaluation" in output:
        evaluation = output["economic_evaluation"]
        for name in ORDER:
            if name not in output:
                continue
            result = output[name]
            frame = _frame(name, result)
            counts, n_column = disclosure_columns(result, frame)
            titles = _titles(name, evaluation)
            session.store.add_table(name, frame, title_cs=titles[0], title_en=titles[1], notes=result.notes,
                                    count_columns=counts, n_column=n_column, placement=PLACEMENT.get(name, "main"),
                                    report_columns=REPORT_COLUMNS.get(name), column_labels=LABELS.get(name))
            if name in DRAWN:
                store_figure(session, name, result, FIGURES[name][0], alt=FIGURES[name][1])
        _store_pathways(session, evaluation)
        _store_key_figures(session, evaluation)
        _store_texts(session, evaluation)
    store_skipped(session, output, TITLES)


#: The pathway table in two: cost per household and per household-year (no share of the households, so a
#: small number of lost tenancies hides nothing of it), and the tenancies sustained with the cost per
#: sustained tenancy (hidden where the households not housed at the horizon are few).
PATHWAY_SPLIT = {
    "pathway_costs": (["municipality", "entry_step", "households", "months_in_programme", "cost_per_household",
                       "cost_per_household_discounted", "cost_per_household_year"],
                      "evaluation.economics.horizon_costs:draw_household_year_costs"),
    "sustained_costs": (["municipality", "entry_step", "households", "housed_share", "cost_per_sustained_tenancy",
                         "conf_low", "conf_high"], "evaluation.economics.horizon_costs:draw_pathway_costs"),
}


def _store_pathways(session: Any, evaluation: Any) -> None:
    """The cost of each entry pathway as two tables and two figures (see :data:`PATHWAY_SPLIT`)."""
    result = evaluation["pathway_costs"]
    table = result.tidy()
    for name, (columns, plotter) in PATHWAY_SPLIT.items():
        titles = _titles(name, evaluation)
        session.store.add_table(name, table[columns], title_cs=titles[0], title_en=titles[1], notes=result.notes,
                                count_columns=["households"], n_column="households",
                                report_columns=REPORT_COLUMNS[name], column_labels=LABELS[name])
        (caption_cs, caption_en), (alt_cs, alt_en) = FIGURES[name]
        options = {"horizon": evaluation.settings.horizon_months} if name == "sustained_costs" else {}
        session.store.add_figure(name, table=name, plotter=plotter, caption_cs=caption_cs, caption_en=caption_en,
                                 options=options, alt_cs=alt_cs, alt_en=alt_en)


def _frame(name: str, result: Any) -> pd.DataFrame:
    """The table stored for result ``name``: its tidy table with the words a reader needs.

    * ``offsets``: without the households each effect was estimated on (their difference from the scope's
      programme households, those without the covariates of the eviction model, may be a small number; the
      per-household values rest on the scope's programme households, which the net-cost table protects);
    * ``offsets``: the grade of evidence in words;
    * ``unit_costs``: ``unit`` for the unit cost's name (not an identifier of a record) and its kind in words,
      an assumption marked as such;
    * tables by perspective: the perspective in words (``perspective_cs``, ``perspective_en``).
    """
    from evaluation.economics.words import PERSPECTIVES, word
    from evaluation.findings.rules import GRADE_WORDS

    table = result.tidy()
    if name == "offsets":
        table = table.drop(columns=["n_programme"])
        for lang, index in (("cs", 0), ("en", 1)):
            table[f"grade_{lang}"] = [GRADE_WORDS[g][index] if g in GRADE_WORDS else "" for g in table["grade"]]
    if name == "unit_costs":
        # a year is a label, not an amount (no thousands separator)
        table = table.rename(columns={"name": "unit"}).astype({"original_price_year": str})
        table["kind_cs"] = [KINDS.get(k, (k, k))[0] for k in table["kind"]]
        table["kind_en"] = [KINDS.get(k, (k, k))[1] for k in table["kind"]]
    if "perspective" in table.columns:
        for lang in ("cs", "en"):
            table[f"perspective_{lang}"] = [word(PERSPECTIVES, str(p), lang) for p in table["perspective"]]
    return table


def _key(*parts: str) -> str:
    from evaluation.reporting.store import slug

    return "_".join(slug(p).replace("-", "_") for p in parts)


def _store_key_figures(session: Any, evaluation: Any) -> None:
    """The key figures as cells of the stored tables (see the module docstring)."""
    from evaluation.economics.assumptions import unit_cost_figure

    store = session.store
    p = evaluation.settings.perspective
    for id, term, label_cs, label_en in (
            ("net_cost_per_household", "net_cost", "Čisté náklady na domácnost programu",
             "Net cost per programme household"),
            ("programme_cost_per_household", "programme_cost", "Náklady programu na domácnost",
             "Programme cost per household"),
            ("offsets_per_household", "offsets_counted", "Započtené úspory na domácnost",
             "Offsets counted per household")):
        store.add_key_figure(id, table="net_cost", row={"perspective": p, "term": term}, column="discounted",
                             n_column="households", label_cs=label_cs, label_en=label_en, unit="CZK", decimals=0)
    where = {"perspective": p, "scenario": "established"}
    store.add_key_figure("net_cost_simulated", table="probabilistic", row=where, column="median",
                         ci_columns=("q025", "q975"), label_cs="Čisté náklady na domácnost v simulaci (medián)",
                         label_en="Net cost per household in the simulation (median)", unit="CZK", decimals=0)
    store.add_key_figure("probability_saves", table="probabilistic", row=where, column="probability_saves",
                         label_cs="Pravděpodobnost, že program ušetří víc, než stojí",
                         label_en="Probability that the programme saves more than it costs", unit="%", decimals=0)
    for _, row in evaluation["unit_costs"].tidy().iterrows():
        store.add_key_figure(unit_cost_figure(row["name"]), table="unit_costs", row={"unit": row["name"]},
                             column="value", label_cs=f"Jednotkový náklad: {row['label_cs']}",
                             label_en=f"Unit cost: {row['label_en']}", unit="CZK", decimals=0)
    offsets = evaluation["offsets"].tidy()
    for _, row in offsets[offsets["status"] != "not_estimable"].iterrows():
        store.add_key_figure(f"offset_{row['item']}", table="offsets", row={"item": row["item"]},
                             column="offset_discounted",
                             label_cs=f"Úspora na domácnost: {row['label_cs']}",
                             label_en=f"Offset per household: {row['label_en']}", unit="CZK", decimals=0)
    for _, row in evaluation["pathway_costs"].tidy().iterrows():
        where = {"municipality": row["municipality"], "entry_step": row["entry_step"]}
        for column, what_cs, what_en in (("cost_per_household_year", "na rok podpory", "per household-year"),
                                         ("cost_per_household_discounted", "na domácnost", "per household"),
                                         ("cost_per_sustained_tenancy", "na udržené bydlení",
                                          "per sustained tenancy")):
            name = {"cost_per_household_year": "cost_per_year", "cost_per_household_discounted": "cost_per_household",
                    "cost_per_sustained_tenancy": "cost_per_sustained"}[column]
            store.add_key_figure(_key(name, str(row["municipality"]), str(row["entry_step"])),
                                 table="sustained_costs" if name == "cost_per_sustained" else "pathway_costs",
                                 row=where, column=column, n_column="households",
                                 ci_columns=("conf_low", "conf_high") if column == "cost_per_sustained_tenancy"
                                 else None,
                                 label_cs=f"Náklady {what_cs}: {_step(row['entry_step'], 'cs')} ({row['municipality']})",
                                 label_en=f"Cost {what_en}: {_step(row['entry_step'], 'en')} ({row['municipality']})",
                                 unit="CZK", decimals=0)
    for rank, (_, row) in enumerate(evaluation["one_way"].tidy().head(2).iterrows(), start=1):
        for end, end_cs in (("low", "nízká hodnota"), ("high", "vysoká hodnota")):
            store.add_key_figure(f"sensitivity_{rank}_{end}", table="one_way", row={"parameter": row["parameter"]},
                                 column=f"net_cost_{end}",
                                 label_cs=f"Čisté náklady při vstupu „{row['label_cs']}“: {end_cs}",
                                 label_en=f"Net cost with “{row['label_en']}” at its {end} value", unit="CZK",
                                 decimals=0)


def _step(code: Any, lang: str) -> str:
    from evaluation.data.schema import get_schema

    try:
        return get_schema().label("tenancies", "step", str(code), lang)
    except (KeyError, ValueError):
        return str(code)


def _czk(figure: str, lang: str) -> str:
    """A placeholder of an amount with its unit as a sentence quotes it."""
    return "{" + figure + "}" + ("\u00a0Kč" if lang == "cs" else " CZK")


def _join(items: Sequence[str], lang: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + (" a " if lang == "cs" else " and ") + items[-1]


def _store_texts(session: Any, evaluation: Any) -> None:
    """The method, assumptions and findings in Czech and English (see the module docstring)."""
    from evaluation.economics.assumptions import assumptions_text

    store = session.store
    store.add_text("method", *(method_text(evaluation.settings, lang) for lang in ("cs", "en")))
    store.add_text("assumptions", *(assumptions_text(evaluation.settings, lang, placeholders=True)
                                    for lang in ("cs", "en")))
    store.add_text("headline", *(headline_text(evaluation.settings, lang) for lang in ("cs", "en")))
    store.add_text("finding_offsets", *(offsets_text(evaluation, lang) for lang in ("cs", "en")))
    pathways = [pathways_text(evaluation, lang) for lang in ("cs", "en")]
    if all(pathways):
        # without the cost per sustained tenancy of Housing First when publication hides it
        shorter = [pathways_text(evaluation, lang, sustained=False) for lang in ("cs", "en")]
        store.add_text("finding_pathways", *pathways, fallback=(shorter[0], shorter[1]))
    store.add_text("finding_sensitivity", *(sensitivity_text(evaluation, lang) for lang in ("cs", "en")))


def _conventions(settings: Any, lang: str) -> dict[str, str]:
    from evaluation.economics.assumptions import _percent
    from evaluation.economics.words import PERSPECTIVE_PHRASES, PERSPECTIVES, word

    other = next(p for p in PERSPECTIVES if p != settings.perspective)
    return {"perspective": word(PERSPECTIVE_PHRASES, settings.perspective, lang),
            "other": word(PERSPECTIVES, other, lang), "year": str(settings.resolved_price_year()),
            "rate": _percent(settings.discount_rate, lang), "alternative": _percent(settings.alternative_discount_rate,
                                                                                    lang),
            "low": _percent(settings.discount_rate_range[0], lang), "high": _percent(settings.discount_rate_range[1],
                                                                                     lang),
            "h": str(settings.horizon_months), "confidence": _percent(settings.confidence, lang),
            "source": settings.discount_rate_source[0 if lang == "cs" else 1]}


def method_text(settings: Any, lang: str) -> str:
    """The method of the economic evaluation as run, in words (the conventions are settings, not data)."""
    from evaluation.reporting.formatting import format_number

    c = _conventions(settings, lang)
    draws = format_number(settings.n_draws, lang, 0)
    if lang == "cs":
        return (f"Ekonomické hodnocení z hlediska {c['perspective']} (vykazuje se i perspektiva „{c['other']}“). "
                f"Všechny částky jsou v cenách roku {c['year']} (přepočet ročním průměrem indexu spotřebitelských "
                f"cen ČSÚ) a diskontované podle měsíce od vstupu sazbou {c['rate']} ročně reálně ({c['source']}); "
                f"vedle se uvádí sazba {c['alternative']} a nediskontovaná hodnota. Jeden horizont pro náklady, "
                f"úspory i udržení bydlení: prvních {c['h']} měsíců od vstupu každé domácnosti; domácnosti sledované "
                "kratší dobu jsou cenzorovány. Náklady programu vycházejí z nákladové evidence stupňů (se "
                "společnými náklady) na měsíc pobytu domácnosti; uvádějí se na domácnost, na rok podpory (srovnání "
                "stupňů s různou délkou pobytu) a na bydlení udržené na konci horizontu. Úspory jinde ve veřejných "
                "rozpočtech: noci v azylových zařízeních a měsíce, které děti domácnosti stráví v péči mimo rodinu "
                "(ústavní a pěstounská péče), odhadnuté rozdílem v rozdílech s postupným vstupem (Callaway–Sant'Anna) "
                "vůči domácnostem na čekací listině, a ztráty bydlení z Coxova modelu očištěného o vlastnosti "
                "domácností, standardizovaného na domácnosti programu. Každá úspora se ocení jednotkovým nákladem "
                f"a započte se jen tam, kde je efekt prokázán se spolehlivostí {c['confidence']}. Citlivost: "
                "jednosměrná analýza (každý jednotkový náklad v uvedeném rozpětí, každý efekt v mezích intervalu "
                f"spolehlivosti, náklady programu a diskontní sazba od {c['low']} do {c['high']}; tornádový graf) "
                f"a pravděpodobnostní analýza ({draws} simulací Monte Carlo: efekty normálně kolem odhadu, "
                "jednotkové náklady gama rozdělením, náklady programu podle bootstrapu po domácnostech).")
    return (f"Economic evaluation from the perspective of {c['perspective']} (the perspective of {c['other']} is "
            f"reported too). Every amount is in {c['year']} prices (annual average of the CZSO consumer price "
            f"index) and discounted by month since entry at {c['rate']} a year in real terms ({c['source']}); the "
            f"rate of {c['alternative']} and undiscounted values are shown beside. One horizon for costs, offsets "
            f"and retention: the first {c['h']} months after each household's entry; households followed for less "
            "are censored. The programme cost comes from the steps' cost records (with shared costs) per month of a "
            "household's stay; it is given per household, per household-year (comparing steps with different "
            "lengths of stay) and per tenancy sustained at the horizon. Offsets in other public budgets: shelter "
            "nights and the months the households' children spend in care (institutional and foster care), "
            "estimated by staggered difference-in-differences (Callaway–Sant'Anna) against waiting-list households, "
            "and lost homes from a Cox model adjusted for the households' characteristics, standardised over the "
            "programme households. Each offset is valued at its unit cost and counts only where the effect is "
            f"established at {c['confidence']} confidence. Sensitivity: one-way (each unit cost over its stated "
            f"range, each effect to the ends of its confidence interval, the programme cost and the discount rate "
            f"from {c['low']} to {c['high']}; tornado chart) and probabilistic ({draws} Monte Carlo draws: effects "
            "normal around the estimate, unit costs gamma, the programme cost by the household bootstrap).")


def headline_text(settings: Any, lang: str) -> str:
    """The headline: programme cost, offsets counted and net cost per household, with the conventions."""
    c = _conventions(settings, lang)
    if lang == "cs":
        return (f"Z hlediska {c['perspective']} stojí program {_czk('programme_cost_per_household', lang)} na "
                f"domácnost za prvních {c['h']} měsíců od vstupu; započtené úspory jinde ve veřejných rozpočtech "
                f"činí {_czk('offsets_per_household', lang)}, čisté náklady tedy "
                f"{_czk('net_cost_per_household', lang)} na domácnost (ceny roku {c['year']}, diskontováno "
                f"{c['rate']} ročně).")
    return (f"From the perspective of {c['perspective']} the programme costs "
            f"{_czk('programme_cost_per_household', lang)} per household over the first {c['h']} months after "
            f"entry; the offsets counted in other public budgets amount to {_czk('offsets_per_household', lang)}, "
            f"so the net cost is {_czk('net_cost_per_household', lang)} per household ({c['year']} prices, "
            f"discounted at {c['rate']} a year).")


def offsets_text(evaluation: Any, lang: str) -> str:
    """What was counted as an offset and why, what was not and why, and who gains each."""
    from evaluation.economics.words import OFFSET_ITEMS, STATUSES, word

    settings = evaluation.settings
    c = _conventions(settings, lang)
    table = evaluation["offsets"].tidy()
    counted = table[table["counted"].astype(bool)]
    left = table[~table["counted"].astype(bool)]
    parts = []
    if len(counted):
        items = [f"{word(OFFSET_ITEMS, i, lang)} ({_czk(f'offset_{i}', lang)}"
                 + (" na domácnost)" if lang == "cs" else " per household)") for i in counted["item"]]
        parts.append((f"Jako úspora se započítávají {_join(items, lang)}, celkem "
                      f"{_czk('offsets_per_household', lang)} na domácnost z hlediska {c['perspective']}: efekt "
                      f"programu na ně je prokázán se spolehlivostí {c['confidence']}.") if lang == "cs" else
                     (f"Counted as offsets: {_join(items, lang)}, in all {_czk('offsets_per_household', lang)} per "
                      f"household from the perspective of {c['perspective']}; the programme's effect on them is "
                      f"established at {c['confidence']} confidence."))
    else:
        parts.append("Žádná úspora se nezapočítává: efekt programu není prokázán u žádné položky." if lang == "cs"
                     else "No offset is counted: the programme's effect is established for none of them.")
    if len(left):
        items = [f"{word(OFFSET_ITEMS, i, lang)} ({word(STATUSES, s, lang)})" for i, s in zip(left["item"],
                                                                                            left["status"])]
        estimated = bool((left["status"] != "not_estimable").any())
        parts.append(f"Nezapočítávají se: {_join(items, lang)}." if lang == "cs" else
                     f"Not counted: {_join(items, lang)}.")
        if estimated:
            parts.append("Co by započtení odhadnutých, ale neprokázaných úspor změnilo, ukazuje analýza citlivosti."
                         if lang == "cs" else
                         "The sensitivity analysis shows what counting the estimated but not established offsets "
                         "would change.")
    municipal = [i for i in table["item"] if settings.payers[i].get("municipality", 0.0) == 0.0]
    if municipal:
        names = _join([word(OFFSET_ITEMS, i, lang) for i in municipal], lang)
        parts.append((f"Úspory na položkách {names} připadají státu a krajům, v rozpočtu obce se proto "
                      "neprojeví.") if lang == "cs" else
                     (f"The savings on {names} accrue to the state and the regions, so they do not show in the "
                      "municipal budget."))
    return " ".join(parts)


def pathways_text(evaluation: Any, lang: str, *, sustained: bool = True) -> str | None:
    """The cost per household-year of each entry pathway (length of stay adjusted), Housing First first."""
    table = evaluation["pathway_costs"].tidy()
    if table.empty:
        return None
    order = {"housing_first": 0}
    table = table.assign(_order=[order.get(str(s), 1) for s in table["entry_step"]]).sort_values("_order",
                                                                                              kind="stable")
    items = []
    for _, row in table.iterrows():
        name = f"{_step(row['entry_step'], lang)} ({row['municipality']})"
        items.append(f"{name} {_czk(_key('cost_per_year', str(row['municipality']), str(row['entry_step'])), lang)}")
    hf = table[table["entry_step"].astype(str) == "housing_first"]
    if len(items) == 1:
        row = table.iloc[0]
        name = f"{_step(row['entry_step'], lang)} ({row['municipality']})"
        year = _czk(_key("cost_per_year", str(row["municipality"]), str(row["entry_step"])), lang)
        text = (f"Rok podpory domácnosti stojí v programu {name} {year}." if lang == "cs" else
                f"A household-year of support in {name} costs {year}.")
    elif lang == "cs":
        text = ("Protože domácnosti zůstávají v jednotlivých stupních různě dlouho, srovnávají se stupně podle "
                f"nákladů na rok podpory: {_join(items, lang)}.")
    else:
        text = ("Because households stay in the steps for different lengths of time, the steps are compared by their "
                f"cost per household-year: {_join(items, lang)}.")
    if lang == "cs":
        if len(hf) == 1 and sustained:
            key = _key("cost_per_sustained", str(hf["municipality"].iloc[0]), "housing_first")
            text += f" Jedno bydlení udržené v Housing First do konce horizontu stojí {_czk(key, lang)}."
        return text
    if len(hf) == 1 and sustained:
        key = _key("cost_per_sustained", str(hf["municipality"].iloc[0]), "housing_first")
        text += f" One tenancy sustained in Housing First to the horizon costs {_czk(key, lang)}."
    return text


def sensitivity_text(evaluation: Any, lang: str) -> str:
    """The sensitivity analyses in plain words: the two inputs that matter most, the range when everything is
    uncertain at once, and the probability of saving money."""
    one_way = evaluation["one_way"].tidy().head(2)
    parts = []
    for rank, (_, row) in enumerate(one_way.iterrows(), start=1):
        low, high = f"sensitivity_{rank}_low", f"sensitivity_{rank}_high"
        if row["net_cost_low"] > row["net_cost_high"]:
            low, high = high, low
        label = row["label_cs"] if lang == "cs" else row["label_en"]
        if lang == "cs":
            lead = "Výsledek nejvíc závisí na vstupu" if rank == 1 else "Druhý nejvlivnější vstup je"
            parts.append(f"{lead} „{label}“: v jeho rozpětí jsou čisté náklady od {_czk(low, lang)} do "
                         f"{_czk(high, lang)} na domácnost.")
        else:
            lead = "The result depends most on" if rank == 1 else "The second most influential input is"
            parts.append(f"{lead} “{label}”: over its range the net cost runs from {_czk(low, lang)} to "
                         f"{_czk(high, lang)} per household.")
    table = evaluation["one_way"].tidy()
    below = bool(((table["net_cost_low"] < 0) | (table["net_cost_high"] < 0)).any())
    above = bool(((table["net_cost_low"] > 0) | (table["net_cost_high"] > 0)).any())
    if lang == "cs":
        if not below:
            parts.append("Žádná jednotlivá změna vstupu nevede k tomu, že by program ušetřil víc, než stojí.")
        elif not above:
            parts.append("Při každé jednotlivé změně vstupu ušetří program víc, než stojí.")
        parts.append("Když jsou nejisté všechny vstupy najednou, leží čisté náklady s 95% pravděpodobností v rozmezí "
                     "{net_cost_simulated.ci}\u00a0Kč na domácnost; pravděpodobnost, že program ušetří víc, než "
                     "stojí, je {probability_saves}.")
    else:
        if not below:
            parts.append("No single change of an input makes the programme save more than it costs.")
        elif not above:
            parts.append("With every single change of an input the programme saves more than it costs.")
        parts.append("When every input is uncertain at once, the net cost lies within {net_cost_simulated.ci} CZK "
                     "per household with 95% probability; the probability that the programme saves more than it "
                     "costs is {probability_saves}.")
    return " ".join(parts)
