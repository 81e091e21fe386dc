"""`evaluation validate` exit codes and output; the generated contract documentation is up to date."""
from __future__ import annotations

import pandas as pd
from conftest import HOUSEHOLDS_CS, make_folder, replace_line

from evaluation.cli import main
from evaluation.data.contract_docs import render_contract, render_readme
from evaluation.data.schema import get_schema, schema_dir


def test_validate_exit_zero_on_good_data(czech_folder, capsys):
    assert main(["validate", str(czech_folder), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Result: the data can be used – no problems found." in out


def test_validate_exit_one_and_czech_report_on_bad_data(tmp_path, capsys):
    bad = replace_line(HOUSEHOLDS_CS, 3, "H02;Ostrava;Poruba;2;0;;bez střechy – na ulici;OSPOD;31.02.2019;"
                                         "programová skupina;prostupné bydlení;1")
    folder = make_folder(tmp_path / "f", households=bad)
    csv_path = tmp_path / "problems.csv"
    assert main(["validate", str(folder), "--problems-csv", str(csv_path)]) == 1
    out = capsys.readouterr().out
    assert "Řádek 3, sloupec „Datum doporučení“: hodnota 31.02.2019 není platné datum (očekává se DD.MM.RRRR)." in out
    problems = pd.read_csv(csv_path, sep=";", encoding="utf-8-sig")
    assert problems.query("severity == 'error'")["row"].tolist() == [3]
    assert set(problems.query("severity != 'error'")["rule"]) == {"absent_table"}


def test_validate_with_key_file_accepts_birth_numbers(tmp_path, capsys):
    text = HOUSEHOLDS_CS.replace("\nH03;", "\n736028/5163;")
    folder = make_folder(tmp_path / "f", households=text,
                         tenancies="Nájem;Domácnost;Byt;Stupeň;datum_začátku;datum_konce;Důvod ukončení\n"
                                   "T1;736028/5163;B1;krizové bydlení;01.04.2019;;stále bydlí\n",
                         rent_ledger="")
    assert main(["validate", str(folder)]) == 1
    assert "rodná čísla" in capsys.readouterr().out
    key_file = tmp_path / "key.txt"
    key_file.write_bytes(b"a-long-enough-secret-key\n")
    assert main(["validate", str(folder), "--key-file", str(key_file), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "736028" not in out and "a-long-enough-secret-key" not in out


def test_contract_readme_is_up_to_date():
    readme = schema_dir() / "README.md"
    assert readme.read_text(encoding="utf-8") == render_readme(), (
        "data_schema/README.md is out of date: run python -m evaluation.data.contract_docs > data_schema/README.md")


def test_contract_docs_cover_every_table_field_and_category():
    for lang in ("cs", "en"):
        text = render_contract(lang)
        for table in get_schema().tables:
            assert f"(`{table.name}`)" in text
            for f in table.fields:
                assert f"| `{f.name}` |" in text
                for c in f.categories:
                    assert f"| `{c.value}` | {c.label_cs} | {c.label_en} |" in text.replace("\\|", "|")
            for rule in table.rules:
                assert rule.description(lang) in text
