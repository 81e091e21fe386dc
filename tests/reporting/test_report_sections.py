"""The sections a professional evaluation report has, piece by piece: the logic model from the
pilot plan, the comparison with earlier evidence (bundled or the evaluator's own benchmarks),
authorship with marked placeholders, the glossary and its first-use footnotes, numbering and
references, and column widths that keep numbers whole.

The bundled benchmarks are published figures; each test below says which. Their sources:
Tsemberis & Eisenberg (2000), Psychiatric Services 51(4):487–493 (abstract: 88% vs 47% housed
after five years, n = 242); Busch-Geertsema (2013), Housing First Europe final report (Amsterdam:
97.2% housed after one year); Latimer et al. (2014), At Home/Chez Soi Montréal final report
(housed all of the last six months: high needs 60% vs 31%, moderate needs 72% vs 29%); the Brno
Rapid Re-Housing trial (48 of 50 families renewed their lease after a year).
"""

from __future__ import annotations

import sys
from pathlib import Path
import logging

import pandas as pd
import pytest

from evaluation.errors import ConfigError
from evaluation.process.plan import PilotPlan
from evaluation.reporting.assemble import (
    _column_widths,
    build_context,
    number_in_order,
    number_token,
    reference,
    render_markdown,
)
from evaluation.reporting.authorship import Authorship
from evaluation.reporting.benchmarks import load_benchmarks
from evaluation.reporting.glossary import add_first_use_notes, glossary_for
from evaluation.reporting.logic_model import build_logic_model, draw_logic_model
from evaluation.reporting.sections import comparison_view, resolve_plan
from evaluation.reporting.store import ResultsStore

sys.path.insert(0, str(Path(__file__).parent))
from stores import figure, internal_store, key_figure, published  # noqa: E402


@pytest.fixture
def folder(tmp_path):
    process = internal_store(tmp_path, "process")
    process.add_table("reach", pd.DataFrame({"step": ["crisis", "social"], "measure": ["households"] * 2,
                                             "planned": [30, 50], "actual": [28, 3], "percent_of_plan": [93.3, 6.0]}),
                      title_cs="Dosah oproti plánu", title_en="Reach against plan", count_columns=["actual"])
    process.write_meta(parameters={"pilot_plan": None})
    retention = internal_store(tmp_path, "retention")
    key_figure(retention, "housed_12m", 0.93, label_cs="V bydlení po 12 měsících", label_en="Housed at 12 months",
                             unit="%", n=138, ci=(0.87, 0.96))
    retention.write_meta(study_period=["2016-01-01", "2020-12-31"])
    return tmp_path


def test_bundled_benchmarks_are_the_published_figures():
    bench = {b.id: b for b in load_benchmarks().items}
    pathways = bench["pathways_new_york_2000"]
    assert (pathways.value, pathways.comparison_value, pathways.n, pathways.horizon_months) == (0.88, 0.47, 242, 60)
    assert "Psychiatric Services, 51(4), 487–493" in pathways.source["en"]
    assert bench["housing_first_europe_amsterdam_2013"].value == 0.972
    assert (bench["at_home_chez_soi_montreal_high_2014"].value,
            bench["at_home_chez_soi_montreal_high_2014"].comparison_value) == (0.60, 0.31)
    assert (bench["at_home_chez_soi_montreal_moderate_2014"].value,
            bench["at_home_chez_soi_montreal_moderate_2014"].comparison_value) == (0.72, 0.29)
    brno = bench["rapid_rehousing_brno_2018"]
    assert brno.value == 48 / 50 and brno.n == 50 and brno.horizon_months == 12
    assert all(b.url.startswith("http") and b.source["cs"] and b.source["en"] for b in bench.values())


def test_comparison_puts_the_pilot_beside_the_studies(folder):
    strands = published(folder).scopes["all"]
    view = comparison_view(strands, "cs", None)
    assert "| Tento pilot (Kaplan–Meier) | Česko, 2016–2020 | 12 | 93\u00a0% (87–96\u00a0%) |" in view.table
    assert "Pathways to Housing, New York" in view.table and "88\u00a0%" in view.table
    assert view.brief.startswith("Pro srovnání: v dřívějších studiích si bydlení po 12 měsících udrželo")
    assert "97,2\u00a0% (Nizozemsko, 2013)" in view.brief and "96\u00a0% (Česko, 2018)" in view.brief
    assert comparison_view(strands, "cs", False) is None


def test_the_evaluator_replaces_the_benchmarks(folder, tmp_path):
    own = tmp_path / "own.yaml"
    own.write_text("""
benchmarks:
  - id: plzen_2019
    study: {cs: "Prostupné bydlení Plzeň", en: "Staircase housing Plzeň"}
    source: "Evaluační zpráva města Plzně (2019)"
    year: 2019
    country: {cs: "Česko", en: "Czechia"}
    population: {cs: "domácnosti v bytové nouzi", en: "households in housing need"}
    design: {cs: "monitorovací data", en: "monitoring data"}
    measure: housed
    horizon_months: 12
    value: 0.81
""", encoding="utf-8")
    markdown = render_markdown(build_context(published(folder), kind="technical", scope="all", lang="cs",
                                             fmt="html", threshold=5, figure_paths={}, benchmarks=own))
    assert "Prostupné bydlení Plzeň" in markdown and "81\u00a0%" in markdown and "soubor own.yaml" in markdown
    assert "Pathways" not in markdown
    off = render_markdown(build_context(published(folder), kind="technical", scope="all", lang="cs",
                                        fmt="html", threshold=5, figure_paths={}, benchmarks=False))
    assert "Srovnání s dřívějšími zjištěními" not in off


@pytest.mark.parametrize("entry, message", [
    ("value: 88", "share between 0 and 1"),
    ("value: 0.9\n    colour: red", "unknown colour"),
    ("horizon_months: -3\n    value: 0.9", "must be positive"),
])
def test_a_bad_benchmarks_file_is_refused_in_words(tmp_path, entry, message):
    text = ("benchmarks:\n  - id: x\n    study: X\n    source: S\n    year: 2020\n    country: CZ\n"
            "    population: P\n    design: D\n    measure: housed\n")
    text += ("    horizon_months: 12\n" if "horizon" not in entry else "") + f"    {entry}\n"
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_benchmarks(path)
    with pytest.raises(ConfigError, match="cannot read"):
        load_benchmarks(tmp_path / "missing.yaml")


def test_authorship_prints_what_is_given_and_marks_the_rest(tmp_path):
    info = Authorship.from_config({"evaluator": "Ústav X", "authors": ["A. B.", "C. D."],
                                   "independence": {"cs": "Zpracovatel se na programu nepodílel.",
                                                    "en": "The evaluator had no part in the programme."}})
    rows = dict(info.rows("cs"))
    assert rows["Zpracovatel"] == "Ústav X" and rows["Autoři"] == "A. B., C. D."
    assert rows["Zadavatel"].startswith("[**[DOPLNÍ ZPRACOVATEL: název a sídlo zadavatele]**]")
    assert dict(info.statements("en"))["Statement of independence"] == "The evaluator had no part in the programme."
    assert "TO BE FILLED IN BY THE EVALUATOR" in dict(info.statements("en"))["Conflicts of interest"]
    with pytest.raises(ConfigError, match="unknown field.*evaluater"):
        Authorship.from_config({"evaluater": "typo"})
    path = tmp_path / "authorship.yaml"
    path.write_text("commissioner: Magistrát města Ostravy\n", encoding="utf-8")
    assert Authorship.from_config(path).value("commissioner", "cs") == "Magistrát města Ostravy"


def test_logic_model_from_the_plan_and_the_published_results(folder):
    strands = published(folder).scopes["all"]
    model = build_logic_model(PilotPlan.ostrava(), strands, "cs")
    titles = [c.title for c in model.columns]
    assert titles == ["Vstupy", "Aktivity", "Výstupy", "Výsledky", "Dopady"]
    inputs, activities, outputs, outcomes, _ = (c.items for c in model.columns)
    assert inputs[0] == "Byty: krizové bydlení 30, sociální bydlení 50, dostupné bydlení 50"
    assert "Krizové bydlení: 30 domácností ve 3 kohortách během 24 měsíců" in activities
    # a hidden count stays hidden ("<5"), the plan's numbers beside the actual ones
    assert outputs[0] == "Nastěhované domácnosti: krizové 28 (plán 30), sociální <5 (plán 50)"
    assert outcomes[0] == "V bydlení po 12 měsících: 93\u00a0%"
    english = build_logic_model(PilotPlan.ostrava(), {}, "en")
    assert english.columns[2].items[0] == "Households moved in: result not available"
    fig = draw_logic_model(model)
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert set(titles) <= texts and any("Předpoklady" in t for t in texts)


def test_the_plan_is_the_one_the_process_strand_used(folder, tmp_path, caplog):
    strands = published(folder).scopes["all"]
    plan, source, missing = resolve_plan(strands, None, folder, "cs")
    assert plan == PilotPlan.ostrava() and "Ostravy" in source and not missing
    own = tmp_path / "plan.yaml"
    own.write_text("name: Kadaň\nsteps:\n  - {step: social, units: 12, households: 12, support_months: 18}\n",
                   encoding="utf-8")
    plan, source, _ = resolve_plan(strands, own, folder, "cs")
    assert plan.step("social").units == 12 and "plan.yaml" in source
    store = internal_store(tmp_path / "r", "process")
    store.write_meta(parameters={"pilot_plan": "/nowhere/plan.yaml"})
    with caplog.at_level(logging.WARNING):
        plan, _, missing = resolve_plan(published(tmp_path / "r").scopes["all"], None, None, "cs")
    assert plan is None and "plan.yaml" in missing and "pilot_plan" in caplog.text
    plan, _, missing = resolve_plan({}, None, None, "en")
    assert plan is None and missing.startswith("The evaluator adds the description")
    # a report of Křižánky does not show the Ostrava plan as its own
    plan, _, missing = resolve_plan(strands, None, folder, "cs", scope="Křižánky")
    assert plan is None and "patří obci Ostrava, ne obci Křižánky" in missing
    assert resolve_plan(strands, None, folder, "cs", scope="Ostrava")[0] == PilotPlan.ostrava()


def test_glossary_lists_the_terms_used_and_explains_kmb_at_first_use():
    text = "# Shrnutí\n\n| KMB | 3 |\n\n- Žádosti na kontaktních místech pro bydlení (KMB) vyřizuje obec. Dále.\n"
    entries = glossary_for(text, "cs")
    assert [e.id for e in entries] == ["kmb"]
    noted = add_first_use_notes(text, entries)
    assert "| KMB | 3 |" in noted  # not in a table
    assert "vyřizuje obec.^[Kontaktní místo pro bydlení (KMB): místo, kde obec radí" in noted
    assert noted.count("^[") == 1
    assert "wild_bootstrap" in {e.id for e in glossary_for("p-hodnota z divokého klastrového bootstrapu", "cs")}


def test_numbers_and_references_in_order_of_appearance():
    text = (f": Tabulka {number_token('T', 'b')}: B\n: Tabulka {number_token('T', 'a')}: A\n"
            f"see{reference('T', 'a', 'en')}, gone{reference('T', 'missing', 'en')}; "
            f"Obrázek {number_token('F', 'x')}")
    assert number_in_order(text) == ": Tabulka 1: B\n: Tabulka 2: A\nsee (Table 2), gone; Obrázek 1"


def test_columns_keep_numbers_and_words_whole():
    headers = ["Stupeň", "Domácnost-měsíce", "Hodiny"]
    body = ["| krizové bydlení | 1\u00a0234\u00a0567,5 | 8,12 |", "| sociální bydlení | 874,5 | 3,6 |"]
    widths = _column_widths(headers, body, 3)
    assert widths[1] >= len("1\u00a0234\u00a0567,5") + 3 and widths[1] >= len("Domácnost-") + 3
    many = ["Sloupec"] * 14
    row = ["| " + " | ".join(["−12\u00a0345\u00a0678"] * 14) + " |"]
    # more than a page: every column keeps its number whole (the table is as wide as it must be)
    assert all(w >= len("−12\u00a0345\u00a0678") + 3 for w in _column_widths(many, row, 14))


def test_a_one_row_result_with_many_columns_reads_down_the_page(tmp_path):
    store = internal_store(tmp_path, "design")
    store.add_table("did_analytic", pd.DataFrame([{
        "design": "did", "solved_for": "effect", "effect": 783.36, "power": 0.8, "n": 90, "n_treated": 30,
        "n_control": 60, "alpha": 0.05, "alternative": "two-sided", "treated_share": 0.333, "df_rule": "cluster"}]),
        title_cs="Minimální zjistitelný efekt", title_en="Minimum detectable effect",
        column_labels={"design": ("Uspořádání", "Design"), "alternative": ("Alternativa", "Alternative"),
                       "effect": ("Efekt", "Effect")})
    markdown = render_markdown(build_context(published(tmp_path), kind="technical", scope="all", lang="cs",
                                             fmt="html", threshold=5, figure_paths={}))
    assert "| Ukazatel | Hodnota |" in markdown
    assert "| Uspořádání | rozdíl v rozdílech |" in markdown and "| Alternativa | oboustranná |" in markdown
    assert "| Podíl v programu | 33,3\u00a0% |" in markdown and "| Efekt | 783,4 |" in markdown
