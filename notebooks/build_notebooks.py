"""Write the strand notebooks and the configuration documentation from one definition.

The parameters cell of every notebook comes from ``evaluation.runner.registry`` (the
same table the runner passes parameters from); the notebooks are written without
outputs or execution counts. The declared options (``evaluation.runner.options``,
``evaluation.runner.config``, ``evaluation.runner.registry``) also give
``configs/config.schema.json`` (JSON Schema of a run configuration) and the generated
tables of configuration keys and notebook parameters in ``README.md`` and
``notebooks/README.md``. Run after changing a notebook's cells here or an option:

    python notebooks/build_notebooks.py            # (re)write notebooks, schema and README tables
    python notebooks/build_notebooks.py --check    # exit 1 if any of them differs from this file
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from evaluation.runner.config import configuration_schema, configuration_table, parameters_table
from evaluation.runner.registry import ALL_STRANDS, strand_options

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

INTRO = {
    "data_quality": (
        "Checks the data against the data contract, counts every record that enters or leaves "
        "the analysis (the ledger) and draws the participant flow.\n\n"
        "Kontrola dat podle datové specifikace, evidence vyřazených záznamů a tok účastníků."),
    "process": (
        "Process evaluation: reach against plan, occupancy, who enters, support dose, time to "
        "move-in, drop-out, rent arrears and applications at the housing contact points.\n\n"
        "Procesní evaluace: dosah oproti plánu, obsazenost, profil vstupujících, intenzita podpory, "
        "doba do nastěhování, předčasná ukončení, dluhy na nájemném, žádosti na KMB."),
    "retention": (
        "Tenancy retention: Kaplan-Meier, exits up and down the staircase (cumulative incidence), "
        "Cox model and movement along the staircase.\n\n"
        "Udržení bydlení: Kaplan-Meier, odchody nahoru a dolů (kumulativní incidence), Coxův model "
        "a pohyb po schodech."),
    "impact": (
        "Impact evaluation with difference-in-differences: event study and staggered DiD on the "
        "household cohorts and on the municipality panel, wild cluster bootstrap for the few "
        "treated municipalities, and the balance table of the comparison group.\n\n"
        "Evaluace dopadů metodou rozdílu v rozdílech."),
    "economics": (
        "Economic evaluation by stated convention: perspective (municipal budget or public sector), one "
        "price year (CZSO consumer price index), discounting, one horizon for costs, offsets and retention, "
        "cost per household, per household-year and per sustained tenancy, offsets counted only where the "
        "effect is established, one-way (tornado) and probabilistic (Monte Carlo) sensitivity.\n\n"
        "Ekonomické hodnocení podle stanovených konvencí: perspektiva, cenová úroveň, diskontování, jeden "
        "horizont, úspory jen tam, kde je efekt prokázán, analýza citlivosti."),
    "need": (
        "Housing need: counts by ETHOS Light category, inflow and outflow, and the units and "
        "support places needed (stock-flow).\n\nBytová nouze: ETHOS, přítoky a odtoky, potřeba bytů."),
    "trial": (
        "Randomised trial (runs when the data have an `assignment` table): intention-to-treat effect with "
        "Lin's regression adjustment and HC2 errors, randomisation test, balance of baseline "
        "characteristics, attrition with Lee bounds, the CONSORT flow and the complier average causal "
        "effect where receipt differs from assignment.\n\n"
        "Randomizovaný pokus: efekt přiřazení (ITT), randomizační test, vyváženost, úbytek účastníků a Leeho "
        "meze, tok CONSORT, efekt přijetí programu (CACE)."),
    "design": (
        "Planning (opt-in, not part of the default run): can the planned pilot show an effect? Minimum "
        "detectable effect of a difference-in-differences with serially correlated outcomes (Burlig, "
        "Preonas & Woerman 2020; variance and covariances estimated from the untreated outcomes in the "
        "data), its power by placebo simulation with staggered cohorts, an event-study coefficient, a "
        "randomised comparison, and retention (two proportions, log-rank). Set `effect` (or "
        "`hazard_ratio`, `programme_retention`) to get the power of that effect instead.\n\n"
        "Plánování (spouští se jen na vyžádání): může plánovaný pilot ukázat efekt? Minimální "
        "zjistitelný efekt, síla testu simulací, udržení bydlení."),
}

SETUP = '''from evaluation.runner.session import open_session
from evaluation.runner.strands import {module} as strand

session = open_session(
    "{strand}", data_dir=data_dir, results_dir=results_dir, municipality=municipality,
    programme_step=programme_step, period_start=period_start, period_end=period_end,
    lang=lang, disclosure_threshold=disclosure_threshold, seed=seed, on_error=on_error{extra})
session.show(session.selection)'''

ANALYSE = "output = strand.analyse(session.data, lang=lang, seed=seed{extra})\noutput"
#: The data-quality strand starts from the folder as loaded, so that the flow adds up to the ledger.
ANALYSE_DATA_QUALITY = ("output = strand.analyse(session.data, lang=lang, seed=seed, full_data=session.full_data,\n"
                        "                        municipality=session.municipality, selection=session.selection)\noutput")

SAVE = "strand.save(session, output)\nsession.finish()"

#: Cells between "analyse" and "save": what a reader looks at. Published forms only.
DISPLAY = {
    "data_quality": [
        ("md", "## Validation report and ledger / Validační zpráva a evidence záznamů"),
        ("code", 'session.show(output.get("ledger"))'),
        ("md", "## Participant flow / Tok účastníků"),
        ("code", 'session.show(output.get("participant_flow"))'),
        ("code", 'output.get("participant_flow").plot();'),
    ],
    "process": [
        ("md", "## Reach and occupancy / Dosah a obsazenost"),
        ("code", 'session.show(output.get("reach"))'),
        ("md", "## Who enters / Kdo vstupuje"),
        ("code", 'session.show(output.get("entry_profile"))'),
        ("md", "## Support dose and time to move-in / Intenzita podpory a doba do nastěhování"),
        ("code", 'session.show(output.get("support_dose"))'),
        ("code", 'session.show(output.get("time_to_move_in"))'),
        ("md", "## Fidelity to the model (when rated) / Věrnost modelu (je-li hodnocena)"),
        ("code", 'session.show(output.get("fidelity"))'),
    ],
    "retention": [
        ("md", "## Still housed / Stále v bydlení"),
        ("code", 'session.show(output.get("retention"))'),
        ("code", 'output.get("retention").plot();'),
        ("md", "## Exits up and down the staircase / Odchody nahoru a dolů"),
        ("code", 'session.show(output.get("exits"))'),
    ],
    "impact": [
        ("md", "## Event study / Studie událostí"),
        ("code", 'session.show(output.get("event_study"))'),
        ("code", 'output.get("event_study").plot();'),
        ("md", "## Staggered DiD (household cohorts, municipality panel) / Postupný vstup"),
        ("code", 'session.show(output.get("staggered_households"))'),
        ("code", 'session.show(output.get("staggered_municipalities"))'),
        ("md", "## Few treated clusters: wild cluster bootstrap / Málo obcí: wild bootstrap"),
        ("code", 'session.show(output.get("wild_bootstrap"))'),
        ("md", "## Balance of the comparison group / Vyváženost srovnávací skupiny"),
        ("code", 'session.show(output.get("balance"))'),
        ("md", "## Findings on the evaluation questions / Zjištění k evaluačním otázkám"),
        ("code", 'print(strand.show_findings(session, output, lang))'),
    ],
    "economics": [
        ("md", "## Conventions and unit costs / Konvence a jednotkové náklady"),
        ("code", 'session.show(output.get("conventions"))'),
        ("code", 'session.show(output.get("unit_costs"))'),
        ("md", "## Net cost by perspective / Čisté náklady podle perspektivy"),
        ("code", 'session.show(output.get("net_cost"))'),
        ("md", "## Offsets counted only where the effect is established / Úspory jen tam, kde je efekt prokázán"),
        ("code", 'session.show(output.get("offsets"))'),
        ("md", "## Cost per household, per household-year and per sustained tenancy / Náklady na domácnost, "
               "na rok podpory a na udržené bydlení"),
        ("code", 'session.show(output.get("pathway_costs"))'),
        ("code", 'output.get("pathway_costs").plot(lang=lang);'),
        ("md", "## Sensitivity: tornado and Monte Carlo / Citlivost: tornádový graf a Monte Carlo"),
        ("code", 'output.get("one_way").plot(lang=lang);'),
        ("code", 'session.show(output.get("probabilistic"))'),
        ("code", 'output.get("probabilistic").plot(lang=lang);'),
    ],
    "need": [
        ("md", "## ETHOS categories over time / Kategorie ETHOS v čase"),
        ("code", 'session.show(output.get("ethos_counts"))'),
        ("md", "## Stock-flow need / Potřeba bytů"),
        ("code", 'session.show(output.get("stock_flow"))'),
    ],
    "trial": [
        ("md", "## Participant flow (CONSORT) / Tok účastníků"),
        ("code", 'session.show(output.get("flow"))'),
        ("code", 'output.get("flow").plot(lang=lang);'),
        ("md", "## Intention-to-treat effect / Efekt přiřazení (ITT)"),
        ("code", 'for name in output.results:\n    if name.startswith(("itt_", "randomisation_", "cace_")):\n'
                 '        display(session.show(output.get(name)))'),
        ("md", "## Balance, attrition and Lee bounds / Vyváženost, úbytek a Leeho meze"),
        ("code", 'for name in output.results:\n    if name.startswith(("balance_", "attrition_", "lee_")):\n'
                 '        display(session.show(output.get(name)))'),
    ],
    "design": [
        ("md", "## The answers in words / Odpovědi slovy"),
        ("code", 'print("\\n\\n".join(strand.sentences(output, lang)))'),
        ("md", "## Difference-in-differences: minimum detectable effect / Minimální zjistitelný efekt"),
        ("code", 'session.show(output.get("covariance"))'),
        ("code", 'session.show(output.get("did_analytic"))'),
        ("code", 'output.get("did_analytic").plot(lang=lang);'),
        ("md", "## Power by simulation, staggered cohorts / Síla testu simulací"),
        ("code", 'session.show(output.get("did_simulation"))'),
        ("md", "## Retention / Udržení bydlení"),
        ("code", 'session.show(output.get("retention_proportions"))'),
        ("code", 'session.show(output.get("retention_logrank"))'),
        ("code", 'output.get("retention_logrank").plot(lang=lang);'),
    ],
}


def parameters_source(strand: str) -> str:
    lines = ["# Parameters: papermill replaces these (see notebooks/README.md)."]
    for name, option in strand_options(strand).items():
        lines.append(f"{name} = {option.default!r}  # {option.help}")
    return "\n".join(lines)


def build(strand: str) -> nbformat.NotebookNode:
    spec = ALL_STRANDS[strand]
    extra_names = list(spec.extra_parameters)
    extra = "".join(f", {name}={name}" for name in extra_names)
    cells = [
        new_markdown_cell(f"# {spec.title_en} / {spec.title_cs}\n\n{INTRO[strand]}\n\n"
                          "Run with papermill (`evaluation run config.yaml`) or open in Jupyter and "
                          "change the parameters below. Tables are shown as they will be published "
                          "(small cells suppressed); no household-level rows are displayed."),
        new_code_cell(parameters_source(strand), metadata={"tags": ["parameters"]}),
        new_code_cell(SETUP.format(module=strand, strand=strand, extra=extra)),
        new_code_cell(ANALYSE_DATA_QUALITY if strand == "data_quality" else ANALYSE.format(extra=extra)),
    ]
    for kind, source in DISPLAY[strand]:
        cells.append(new_markdown_cell(source) if kind == "md" else new_code_cell(source))
    cells += [new_markdown_cell("## Store for the reports / Uložení pro zprávy"), new_code_cell(SAVE)]
    notebook = new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
        "language_info": {"name": "python"}})
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"{strand.replace('_', '-')}-{index:02d}"  # stable ids: rebuilding changes nothing
    return notebook


#: Generated sections of the READMEs: (file, marker name, content).
BEGIN = "<!-- generated by notebooks/build_notebooks.py: {name} -->"
END = "<!-- end of generated {name} -->"


def with_section(text: str, name: str, content: str) -> str:
    """``text`` with the section between the markers of ``name`` replaced by ``content``."""
    begin, end = BEGIN.format(name=name), END.format(name=name)
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), flags=re.S)
    if not pattern.search(text):
        raise SystemExit(f"the markers {begin} ... {end} are missing")
    return pattern.sub(lambda _: f"{begin}\n{content}\n{end}", text)


def generated_files() -> dict[Path, str]:
    """Every file this script writes, with its content."""
    files = {HERE / spec.notebook: nbformat.writes(build(strand)) + "\n" for strand, spec in ALL_STRANDS.items()}
    files[REPO / "configs" / "config.schema.json"] = json.dumps(configuration_schema(), indent=2,
                                                                 ensure_ascii=False) + "\n"
    for path, name, content in ((REPO / "README.md", "configuration keys", configuration_table()),
                                (HERE / "README.md", "notebook parameters", parameters_table())):
        files[path] = with_section(path.read_text(encoding="utf-8"), name, content)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only check that the notebooks, the schema and the README tables are up to date")
    args = parser.parse_args(argv)
    stale = []
    for path, text in generated_files().items():
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path.relative_to(REPO)))
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print(f"out of date (run python notebooks/build_notebooks.py): {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
