"""Czech that a Czech reader expects, English without Czech, and no English note in a Czech report.

* The note catalogue (evaluation.reporting.notes) words every English note the estimators wrote
  on the demo and on the 16-pilot batch in Czech: the notes are collected in
  ``data/estimator_notes.txt`` (refresh: ``python tests/reporting/test_report_language.py
  <results folder> ...``); the slow test runs the batch itself and checks the notes it writes.
* The wording pass (evaluation.reporting.czech): z/ze and v/ve before numbers as they are read,
  the genitive after "na stupni", the field's terms instead of calques, one minus sign.
* A note the catalogue does not know never reaches a Czech report in English.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pandas as pd
import pytest

from evaluation.reporting.assemble import build_context, render_markdown, stored_text
from evaluation.reporting.czech import polish, v_or_ve, z_or_ze
from evaluation.reporting.language import foreign_passages
from evaluation.reporting.notes import translate_note, untranslated
from evaluation.reporting.store import ResultsStore

sys.path.insert(0, str(Path(__file__).parent))
from stores import figure, internal_store, key_figure, published  # noqa: E402

NOTES = Path(__file__).parent / "data" / "estimator_notes.txt"
NBSP = "\u00a0"


def collect_english_notes(results_root: Path) -> set[str]:
    """Every note of a results folder that is English only: the estimators' notes (stored the
    same in both languages), the disclosure audit's remarks, and estimator messages quoted as a
    technical detail in the strands' Czech texts."""
    notes: set[str] = set()
    for path in Path(results_root).glob("*/*/tables/*.json"):
        info = json.loads(path.read_text("utf-8"))
        notes |= {n["en"] for n in info.get("notes", []) if n.get("cs") == n.get("en")}
        notes |= {n for n in info.get("disclosure", {}).get("notes_cs", []) if n.startswith("Kontrola zveřejnění:")}
    for path in Path(results_root).glob("*/*/texts.json"):
        for text in json.loads(path.read_text("utf-8")).values():
            notes |= set(re.findall(r"\(technický detail: „([^“]*)“\)", text.get("cs", "")))
    return notes


def _snapshot() -> list[str]:
    return [line for line in NOTES.read_text("utf-8").splitlines() if line and not line.startswith("#")]


def test_every_note_of_the_demo_and_the_batch_has_czech_wording():
    notes = _snapshot()
    assert len(notes) > 100  # the demo and 16 pilots: scope, exclusions, methods, every strand
    assert untranslated(notes) == []
    for note in notes:
        czech = translate_note(note)
        assert not foreign_passages(czech, "cs"), (note, czech)
        # numbers in Czech format: no decimal point between digits, no thousands comma
        assert not re.search(r"\d\.\d", re.sub(r"\d{4}-\d{2}-\d{2}", "", czech)), czech


def test_notes_read_the_czech_way():
    assert translate_note("Excluded 9859 row(s) of support_contacts: contact during a spell at a step not in "
                          "the pilot plan (housing_first, standard).") == (
        f"Vyřazené řádky tabulky „Kontakty podpory“: 9{NBSP}859 (kontakt během pobytu na stupni, který plán "
        "pilotu neobsahuje: Housing First, standardní nájem).")
    assert translate_note("As of 2020-12-12. Quartiles (linear interpolation) and mean describe households "
                          "that moved in; households still waiting are counted separately with the median of "
                          "their waiting time so far (a lower bound).").startswith(
        f"Stav ke dni 12.{NBSP}12.{NBSP}2020. Kvartily")
    assert translate_note("Unit costs: shelter_night = 400 CZK; eviction = 80,000 CZK; child_in_care_month = "
                          "40,000 CZK (assumptions unless replaced).") == (
        f"Jednotkové náklady: noc v azylovém zařízení 400{NBSP}Kč; vystěhování 80{NBSP}000{NBSP}Kč; měsíc péče o "
        f"dítě mimo rodinu 40{NBSP}000{NBSP}Kč (předpoklady, dokud je nenahradí místní údaje).")
    # a 95% interval (adjective) against 95 % (a share)
    assert "95% intervaly" in translate_note("Time in months (days / 30.4375). 95% confidence intervals from "
                                             "Greenwood's variance, log-log transform.")
    assert f"cílové snížení 50{NBSP}%" in translate_note("Horizon 8 periods, target reduction 50%, average stay 8 "
                                                  "periods, 30% needing intensive support, current capacity 180 "
                                                  "flats.")
    # the disclosure audit's remark, and what the catalogue does not know
    assert translate_note("Kontrola zveřejnění: the total of 'n' in 'term' (138) is not the sum of its parts "
                          "(966); not used as a margin.").startswith("Kontrola zveřejnění: součet „Počet (n)“")
    assert translate_note("Excluded 3 row(s) of households: a reason nobody wrote down.") is None
    assert translate_note("municipality: Praha 14") == "obec: Praha 14"


def test_prepositions_before_numbers_as_they_are_read():
    # z/ze + genitive: ze dvou, ze tří, ze čtyř, ze sedmi, ze sta, ze dvou tisíc; z pěti, z osmi, z tisíce
    assert [z_or_ze(n) for n in (2, 3, 4, 5, 6, 7, 8, 12, 17, 20, 50, 100, 138, 498, 1000, 2483)] == \
        ["ze", "ze", "ze", "z", "ze", "ze", "z", "ze", "ze", "ze", "z", "ze", "ze", "ze", "z", "ze"]
    assert [v_or_ve(n) for n in (2, 3, 5, 24, 50)] == ["ve", "ve", "v", "ve", "v"]
    assert polish(f"Z 2{NBSP}483 žádostí; 3 z 3 kohort; z 50 domácností; Z 138.", "cs") == \
        f"Ze 2{NBSP}483 žádostí; 3 ze 3 kohort; z 50 domácností; Ze 138."


def test_wording_of_the_field():
    text = polish("Dluh má velká část domácností na stupni dostupné bydlení (55 %) a Housing First (49 %); "
                  "předčasně končí na stupni sociální bydlení.", "cs")
    assert "na stupni dostupného bydlení (55 %) a Housing First (49 %)" in text
    assert "na stupni sociálního bydlení" in text
    assert polish("p-hodnota wild cluster bootstrapu; studentizovaným wild bootstrapem", "cs") == \
        "p-hodnota divokého klastrového bootstrapu; studentizovaným divokým bootstrapem"
    assert polish("studie událostí (dvousměrné fixní efekty)", "cs") == \
        "studie událostí (fixní efekty domácností a kalendářních měsíců)"
    ambiguous = "Z 2 483 žádostí na kontaktních místech starších než 90 dní zůstalo bez rozhodnutí 5,1 %."
    assert "žádostí podaných na kontaktních místech před více než 90 dny" in polish(ambiguous, "cs")
    assert polish("Podíl ztracených žádostí", "cs") == "Podíl žádostí bez rozhodnutí déle než 90 dní"
    assert polish("1 z 1 kohort má málo jednotek (p = 0,000)", "cs") == "jediná kohorta má málo jednotek (p < 0,001)"


def test_one_minus_sign_and_the_quotes_of_the_language():
    assert polish("event window [-12, 24], 2016-09-01, log(-log), -0.43 to 0.03", "en") == \
        "event window [−12, 24], 2016-09-01, log(-log), −0.43 to 0.03"
    assert polish("see „Detailed tables“", "en") == "see “Detailed tables”"


def test_an_unknown_note_reaches_the_czech_report_as_a_czech_line(tmp_path):
    store = internal_store(tmp_path, "process")
    store.add_table("reach", pd.DataFrame({"step": ["crisis"], "households": [30]}), title_cs="Dosah",
                    title_en="Reach", notes=["A brand new estimator note the catalogue never saw.",
                                             "Excluded 12 row(s) of support_contacts: contact after the as-of date."])
    store.add_text("limitation_process_1", "Analýza „Dosah“ nebyla provedena (technický detail: „the design "
                   "matrix is singular“).", "The analysis was not carried out: the design matrix is singular.")
    results = published(tmp_path)
    markdown = render_markdown(build_context(results, kind="technical", scope="all", lang="cs", fmt="html",
                                             threshold=5, figure_paths={}))
    assert "brand new" not in markdown and "design matrix" not in markdown
    assert "all/process/tables/reach.json" in markdown  # where the note is kept as written
    assert "Vyřazené řádky tabulky „Kontakty podpory“: 12 (kontakt po dni hodnocení)" in markdown
    assert stored_text(results.strand("all", "process"), "limitation_process_1", "cs") == \
        "Analýza „Dosah“ nebyla provedena."
    english = render_markdown(build_context(results, kind="technical", scope="all", lang="en", fmt="html",
                                            threshold=5, figure_paths={}))
    assert "A brand new estimator note the catalogue never saw." in english


@pytest.mark.slow
def test_the_batch_writes_only_notes_the_catalogue_words(tmp_path, request):
    """The 16-pilot batch (and its pooled run, the demo's data) end to end: every English note
    the estimators write has a Czech wording (about 4 minutes on 2 free cores; runs with
    ``-m slow`` or EVALUATION_SLOW=1, the collected notes above are checked by default)."""
    from evaluation.cli import main

    if "slow" not in (request.config.getoption("markexpr") or "") and not os.environ.get("EVALUATION_SLOW"):
        pytest.skip("the 16-pilot batch takes minutes: run with -m slow or EVALUATION_SLOW=1")
    repo = Path(__file__).resolve().parents[2]
    data = tmp_path / "demo_data"
    assert main(["synth", "--out", str(data)]) == 0
    config = (repo / "configs" / "pilots_batch.yaml").read_text("utf-8")
    config = re.sub(r"(?m)^data: .*$", f"data: {data / 'parquet'}", config)
    config = re.sub(r"(?m)^output: .*$", f"output: {tmp_path / 'pilots'}", config)
    config = re.sub(r"(?m)^report_formats: .*$", "report_formats: [html]", config)
    (tmp_path / "batch.yaml").write_text(config, "utf-8")
    assert main(["run", str(tmp_path / "batch.yaml"), "--no-progress"]) == 0
    notes = collect_english_notes(tmp_path / "pilots" / "results")
    assert notes and untranslated(notes) == []


if __name__ == "__main__":  # refresh the collected notes from results folders
    collected = set(_snapshot())
    for folder in sys.argv[1:]:
        collected |= collect_english_notes(Path(folder))
    header = [line for line in NOTES.read_text("utf-8").splitlines() if line.startswith("#")]
    NOTES.write_text("\n".join(header + sorted(collected)) + "\n", encoding="utf-8")
    print(f"{len(collected)} notes in {NOTES}")
