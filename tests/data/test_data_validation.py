"""Every check breaks once, at a known row and column; every problem is reported at once."""
from __future__ import annotations

import pandas as pd
import pytest
from conftest import (
    HOUSEHOLDS_CS,
    RENT_LEDGER_CS,
    TENANCIES_CS,
    UNITS_CS,
    make_folder,
    replace_line,
    write_csv,
)

from evaluation.data import validate_folder
from evaluation.data.validation import PROBLEM_COLUMNS

# (table, physical line, new line, expected (row, column, value, rule), words in the Czech message)
BROKEN = [
    ("tenancies", 3, "T2;H01;B2;sociální bydlení;30.09.2019;31.02.2019;vystěhování",
     (3, "datum_konce", "31.02.2019", "type"), "není platné datum (očekává se DD.MM.RRRR)"),
    ("households", 2, ("H01;Ostrava;Vítkovice;tři;1;pod životním minimem;Noclehárna;Úřad práce;15.03.2019;"
     "programová skupina;prostupné bydlení;1"), (2, "Velikost domácnosti", "tři", "type"), "není celé číslo"),
    ("units", 3, "B2;Ostrava;Poruba;sociální bydlení;nestátní nezisková organizace;52,2,5;2;ne;Z002",
     (3, "Podlahová plocha (m2)", "52,2,5", "type"), "není číslo"),
    ("units", 2, "B1;Ostrava;Vítkovice;krizové bydlení;obecní;34,5;1;možná;Z001",
     (2, "V SVL", "možná", "type"), "není ano/ne"),
    ("households", 3, ("H02;;Poruba;2;0;;bez střechy – na ulici;OSPOD;2. 4. 2019;programová skupina;"
     "prostupné bydlení;1"), (3, "Obec", "", "required"), "chybí povinná hodnota"),
    ("tenancies", 4, "T3;H02;B1;kontejner;01.10.2019;15.01.2020;vystěhování",
     (4, "Stupeň", "kontejner", "category"), "není povolená"),
    ("households", 5, ("H04;Ostrava;Jih;1;0;pod životním minimem;dočasně u rodiny či přátel;depistáž (terénní práce);"
     "01.06.2019;programová skupina;Housing First;0"), (5, "Kohorta", "0", "range"), "menší než nejmenší"),
    ("rent_ledger", 3, "T1;H01;01.05.2019;3 200,00;2 000,50;2 500 000",
     (3, "Dluh (Kč)", "2 500 000", "range"), "větší než největší povolená hodnota 2"),
    ("households", 4, ("H03;Ostrava;;4;5;;nejisté bydlení (hrozící ztráta bydlení);vlastní iniciativa;2019-05-20;"
     "srovnávací skupina;žádný program;"), (4, "Děti", "5", "compare"), "Domácnost nemůže mít více dětí než členů"),
    ("tenancies", 2, "T1;H01;B1;krizové bydlení;01.04.2019;01.03.2019;postup na vyšší stupeň",
     (2, "datum_konce", "01.03.2019", "compare"), "nemůže skončit dříve"),
    ("tenancies", 5, "T4;H04;B3;Housing First;01.07.2019;01.08.2020;stále bydlí",
     (5, "datum_konce", "01.08.2020", "missing_iff"), "prázdné právě tehdy"),
    ("tenancies", 3, "T2;H01;B2;sociální bydlení;01.09.2019;;stále bydlí",
     (3, "datum_začátku", "01.09.2019", "no_overlap"), "se překrývá s obdobím na řádku 2"),
    ("tenancies", 4, "T3;H02;B1;krizové bydlení;01.10.2014;15.01.2020;vystěhování",
     (4, "datum_začátku", "01.10.2014", "in_study_period"), "mimo období studie 01.01.2015 – 31.12.2026"),
    ("rent_ledger", 4, "T3;H02;15.10.2019;2 800;0;2 800",
     (4, "Měsíc", "15.10.2019", "first_of_month"), "není první den měsíce"),
    ("tenancies", 5, "T4;H99;B3;Housing First;01.07.2019;;stále bydlí",
     (5, "Domácnost", "H99", "foreign_key"), "není v souboru „households.csv“"),
    ("rent_ledger", 5, "T9;H04;01.07.2019;4 100,5;4 100,5;0",
     (5, "Nájem", "T9", "foreign_key"), "není v souboru „tenancies.csv“"),
]
TEXTS = {"households": HOUSEHOLDS_CS, "units": UNITS_CS, "tenancies": TENANCIES_CS, "rent_ledger": RENT_LEDGER_CS}


@pytest.mark.parametrize("table, line, new, expected, words", BROKEN,
                         ids=[f"{b[0]}-{b[3][3]}-{b[3][1]}" for b in BROKEN])
def test_each_rule_reports_exact_row_column_value(tmp_path, table, line, new, expected, words):
    folder = make_folder(tmp_path / "f", **{table: replace_line(TEXTS[table], line, new)})
    report = validate_folder(folder)
    errors = report.problems[report.problems["severity"] == "error"]
    assert errors[["row", "column", "value", "rule"]].values.tolist() == [list(expected)], report.to_text()
    assert errors["file"].tolist() == [f"{table}.csv"]
    assert words in errors["message_cs"].iloc[0]
    assert errors["message_cs"].iloc[0].startswith(f"Řádek {expected[0]}, sloupec „{expected[1]}“")
    assert errors["message_en"].iloc[0].startswith(f"Row {expected[0]}, column “{expected[1]}”")
    assert not report.ok and report.usable


def test_duplicated_key_reports_every_occurrence(tmp_path):
    text = TENANCIES_CS + "T1;H04;B3;Housing First;01.01.2021;;stále bydlí\n"
    report = validate_folder(make_folder(tmp_path / "f", tenancies=text))
    dup = report.problems[report.problems["rule"] == "unique"]
    assert dup[["row", "column", "value"]].values.tolist() == [[2, "Nájem", "T1"], [6, "Nájem", "T1"]]
    assert all("řádky: 2, 6" in m for m in dup["message_cs"])


def test_composite_primary_key_duplicates(tmp_path):
    text = RENT_LEDGER_CS + "T1;H01;1.4.2019;3 200;3 200;0\n"
    report = validate_folder(make_folder(tmp_path / "f", rent_ledger=text))
    dup = report.problems[report.problems["rule"] == "unique"]
    assert dup["row"].tolist() == [2, 6]
    assert dup["column"].unique().tolist() == ["Nájem + Měsíc"]
    assert dup["value"].tolist() == ["T1 + 01.04.2019", "T1 + 1.4.2019"]


def test_constant_within_rule_on_the_municipality_panel(tmp_path):
    panel = ("municipality;period;pilot_start_period;population\n"
             "Ostrava;2018;2019;290000\nOstrava;2019;2019;289000\nOstrava;2020;2020;288000\n"
             "Brno;2018;;380000\nBrno;2019;;381000\n"
             "Kolín;2018;;31000\nKolín;2019;2019;31500\n")
    folder = make_folder(tmp_path / "f")
    write_csv(folder, "municipality_panel", panel, encoding="utf-8")
    report = validate_folder(folder)
    broken = report.problems[report.problems["rule"] == "constant_within"]
    assert broken["row"].tolist() == [2, 3, 4, 7, 8]
    assert broken["column"].unique().tolist() == ["pilot_start_period"]
    assert "(2019, 2020)" in broken["message_en"].iloc[0] and "(2019, —)" in broken["message_en"].iloc[-1]


def test_no_overlap_reports_the_row_holding_the_longest_spell(tmp_path):
    text = (TENANCIES_CS.rstrip("\n") + "\n"
            "T5;H02;B2;sociální bydlení;01.11.2019;01.12.2019;postup na vyšší stupeň\n"  # inside T3 (line 4)
            "T6;H02;B3;dostupné bydlení;15.01.2020;;stále bydlí\n")  # starts the day T3 ends: fine
    report = validate_folder(make_folder(tmp_path / "f", tenancies=text))
    overlap = report.problems[report.problems["rule"] == "no_overlap"]
    assert overlap["row"].tolist() == [6] and "row 4" in overlap["message_en"].iloc[0]


def test_open_spell_overlaps_every_later_spell(tmp_path):
    text = TENANCIES_CS.replace("T2;H01;B2;sociální bydlení;30.09.2019;;stále bydlí",
                                "T2;H01;B2;sociální bydlení;01.09.2019;;stále bydlí")
    text += "T7;H01;B3;dostupné bydlení;01.01.2021;;stále bydlí\n"
    report = validate_folder(make_folder(tmp_path / "f", tenancies=text))
    overlap = report.problems[report.problems["rule"] == "no_overlap"]
    assert overlap["row"].tolist() == [3, 6]
    assert "row 2" in overlap["message_en"].iloc[0] and "row 3" in overlap["message_en"].iloc[1]


def test_every_problem_is_reported_at_once(tmp_path):
    households = replace_line(HOUSEHOLDS_CS, 2, "H01;Ostrava;Vítkovice;tři;1;pod životním minimem;Noclehárna;"
                                                "Úřad práce;32.03.2019;programová skupina;prostupné bydlení;1")
    tenancies = replace_line(TENANCIES_CS, 4, "T3;H02;B1;kontejner;01.10.2019;15.01.2020;vystěhování")
    units = UNITS_CS.replace("Vlastník;", "")  # drops a required column ...
    units = "\n".join(";".join(p for i, p in enumerate(l.split(";")) if i != 4) if n else l
                      for n, l in enumerate(units.splitlines())) + "\n"
    folder = make_folder(tmp_path / "f", households=households, tenancies=tenancies, units=units)
    report = validate_folder(folder)
    got = set(map(tuple, report.problems[["file", "row", "rule"]].astype(str).values.tolist()))
    assert {("households.csv", "2", "type"), ("tenancies.csv", "4", "category"),
            ("units.csv", "<NA>", "missing_column")} <= got
    assert report.n_errors == 4 and not report.usable  # two type errors on line 2


def test_absent_table_is_a_note_naming_what_cannot_run_and_optional_column(tmp_path):
    folder = make_folder(tmp_path / "f", tenancies="")
    report = validate_folder(folder)
    absent = report.problems[report.problems["rule"] == "absent_table"]
    tenancies = absent[absent["table"] == "tenancies"]
    assert tenancies["severity"].tolist() == ["note"] and report.usable
    assert "setrvání v bydlení" in tenancies["message_cs"].iloc[0]  # retention needs tenancies
    assert "tenancies" in report.absent_tables
    units = "Byt;Obec;Stupeň;Vlastník;V SVL\nB1;Ostrava;krizové bydlení;obecní;ano\n"
    report = validate_folder(make_folder(tmp_path / "g", units=units))
    warnings = report.problems[report.problems["rule"] == "missing_optional_column"]
    assert set(warnings["column"]) == {"district", "floor_area_m2", "rooms", "area_code"}


def test_two_columns_for_one_field_is_an_error(tmp_path):
    units = UNITS_CS.replace("Byt;Obec;", "Byt;unit id;", 1)
    report = validate_folder(make_folder(tmp_path / "f", units=units))
    assert "duplicate_column" in set(report.problems["rule"]) and not report.usable


def test_report_text_groups_and_truncates(tmp_path):
    rows = "".join(f"T{i};H01;B1;krizové bydlení;01.04.2019;bad{i};vystěhování\n" for i in range(10, 40))
    report = validate_folder(make_folder(tmp_path / "f", tenancies=TENANCIES_CS + rows))
    text_cs = report.to_text("cs")
    text_en = report.to_text("en", max_rows=5)
    assert "== tenancies.csv – tenancies ==" in text_cs
    assert "[CHYBA] neplatná hodnota (číslo, datum, ano/ne), sloupec „datum_konce“: 30×" in text_cs
    assert "… a dalších 10" in text_cs and "… and 25 more" in text_en
    assert text_cs.count("není platné datum") == 20
    assert "Počet problémů podle pravidel:" in text_cs and "Problems by rule:" in text_en


def test_to_csv_writes_every_problem(tmp_path):
    rows = "".join(f"T{i};H01;B1;krizové bydlení;01.04.2019;bad{i};vystěhování\n" for i in range(10, 40))
    report = validate_folder(make_folder(tmp_path / "f", tenancies=TENANCIES_CS + rows))
    path = report.to_csv(tmp_path / "problems.csv")
    back = pd.read_csv(path, sep=";", encoding="utf-8-sig")
    assert list(back.columns) == list(PROBLEM_COLUMNS) and len(back) == len(report.problems)
    assert report.counts().query("rule == 'type'")["problems"].tolist() == [30]


def test_study_period_argument_and_folder_datapackage(tmp_path):
    folder = make_folder(tmp_path / "f")
    narrow = validate_folder(folder, study_period=("2019-06-01", "2019-12-31"))
    out = narrow.problems[narrow.problems["rule"] == "in_study_period"]
    assert ("households.csv", 2) in set(zip(out["file"], out["row"]))  # referral 15.03.2019
    (folder / "datapackage.json").write_text('{"studyPeriod": {"start": "2019-06-01", "end": "2030-12-31"}}')
    from_folder = validate_folder(folder)
    assert from_folder.study_period == (pd.Timestamp("2019-06-01"), pd.Timestamp("2030-12-31"))
    assert validate_folder(folder, study_period=("01.01.2015", "31.12.2026")).ok


def test_bad_study_period_is_a_config_error(tmp_path):
    from evaluation.errors import ConfigError

    with pytest.raises(ConfigError, match="starts after it ends"):
        validate_folder(make_folder(tmp_path / "f"), study_period=("2020-01-01", "2019-01-01"))
    with pytest.raises(ConfigError, match="two dates"):
        validate_folder(make_folder(tmp_path / "g"), study_period=("soon", "later"))


def test_missing_folder_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope"):
        validate_folder(tmp_path / "nope")
