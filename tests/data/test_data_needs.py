"""The table of what each analysis needs, the Dataset's answers about partial data, and text encodings."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from evaluation.data.dataset import Dataset
from evaluation.data.needs import ANALYSES, STRANDS, analysis, availability, needed_fields
from evaluation.data.schema import get_schema
from evaluation.data.textcodes import decode_text, repair, scan_values
from evaluation.errors import DataError

STRANDS_DIR = Path(__file__).resolve().parents[2] / "evaluation" / "runner" / "strands"


def test_needs_name_real_tables_optional_fields_and_the_runner_s_analyses():
    schema = get_schema()
    for a in ANALYSES:
        for table in a.tables:
            assert table in schema.table_names, a.key
        for qualified in a.fields:
            table, name = qualified.split(".")
            assert table in a.tables, a.key  # an analysis reads fields of the tables it needs
            assert not schema.table(table).field(name).required, qualified  # required fields are always there
        source = (STRANDS_DIR / f"{a.strand}.py").read_text(encoding="utf-8")
        assert re.search(rf"[\"']{a.name}[\"']", source), f"{a.key} is not an analysis of the runner's strand"
    assert STRANDS == ("data_quality", "process", "retention", "impact", "economics", "need", "trial", "design")
    assert analysis("processing_time").strand == "process"
    with pytest.raises(KeyError, match="unknown analysis"):
        analysis("no_such_analysis")


def test_availability_names_what_is_missing():
    table = availability({"tenancies": 10, "households": 0}, {"tenancies": ("end_date",)})
    row = table.set_index(["strand", "analysis"])
    assert not row.loc[("retention", "retention"), "available"]
    assert row.loc[("retention", "retention"), "missing_fields"] == ("tenancies.end_date",)
    flow = row.loc[("data_quality", "participant_flow")]
    assert flow["empty_tables"] == ("households",) and "bez řádků" in flow["reason_cs"]
    assert row.loc[("data_quality", "validation"), "available"]
    assert needed_fields("applications")["decided_date"][0] == "process.processing_time"


def test_dataset_from_frames_answers_from_its_tables():
    ds = Dataset.from_frames({"applications": pd.DataFrame({"application_id": ["A1"]})})
    assert ds.present_tables == ("applications",) and "households" in ds.absent_tables
    assert ds.missing_fields == {} and ds.can_run("need.ethos_counts")
    assert ds.runnable_strands() == ("data_quality", "process", "need")
    empty = Dataset.from_frames({"applications": pd.DataFrame({"application_id": []})})
    assert not empty.can_run("process.processing_time")


# Windows-1252 has no character for some UTF-8 bytes of "ř" and "č": such text cannot pass through it
@pytest.mark.parametrize("right, wrong", [
    ("Domácnost", "cp1250"), ("Třebíč", "cp1250"), ("krizové bydlení", "cp1250"),
    ("Ústí nad Labem – Střekov", "cp1250"), ("Domácnost", "cp1252"), ("krizové bydlení", "cp1252"),
    ("Šumperk", "cp1252"), ("Žatec", "cp1252")])
def test_text_through_a_wrong_code_page_is_turned_back(right, wrong):
    garbled = right.encode("utf-8").decode(wrong)
    assert garbled != right
    fixed, how = repair(garbled)
    assert fixed == right and how == f"utf-8 as windows-{wrong[2:]}"


def test_foreign_letters_are_not_taken_for_garbled_czech():
    scan = scan_values(["Hélène Dupont", "Søren", "Kolín", "Třebíč"])
    assert scan.repaired == {} and scan.broken == ()
    scan = scan_values(["Tøebíè", "Pøerov", "Èeský Krumlov", "Brno"])  # Windows-1250 shown as 1252
    assert scan.repaired == {"Tøebíè": "Třebíč", "Pøerov": "Přerov", "Èeský Krumlov": "Český Krumlov"}


def test_decoding_a_file():
    czech = "obec;stupeň\nPřerov;krizové bydlení\n"
    assert decode_text(czech.encode("cp1250")).encoding == "cp1250"
    long_utf8 = ("Žluťoučký kůň úpěl ďábelské ódy; " * 5).encode("utf-8") + b"\x9a"
    decoded = decode_text(long_utf8)
    assert (decoded.encoding, decoded.damaged) == ("utf-8", 1)
    # few letters, and "ň" (C5 88) has no reading in Windows-1250: still UTF-8 with one broken byte
    short = czech.encode("utf-8").replace("Přerov".encode("utf-8"), b"P\xf8erov")
    decoded = decode_text(short)
    assert (decoded.encoding, decoded.damaged) == ("utf-8", 1) and "stupeň" in decoded.text
    with pytest.raises(DataError, match="neither UTF-8 nor Windows-1250"):
        decode_text(bytes(range(128, 256)) * 4)
