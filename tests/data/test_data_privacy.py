"""Direct identifiers are refused without a key and pseudonymised (joins kept) or dropped with one.

Birth-number rules (zákon č. 133/2000 Sb., § 13; vyhláška č. 22/1977 Sb.): YYMMDD/XXXX since
1954 (divisible by 11, or remainder 10 with check digit 0 before 1985), YYMMDD/XXX before 1954,
month +50 for women, +20 or +70 when a day's numbers ran out (from 2004). The valid examples below
were checked by hand against these rules.
"""
from __future__ import annotations

import pickle

import pandas as pd
import pytest
from conftest import HOUSEHOLDS_CS, RENT_LEDGER_CS, TENANCIES_CS, make_folder

from evaluation.data import load_folder, validate_folder
from evaluation.data.privacy import (
    Pseudonymiser,
    birth_number_mask,
    identifier_kind,
    looks_like_birth_numbers,
)
from evaluation.errors import IdentifierError

KEY = b"0123456789abcdef-test-key"

VALID = ["736028/5163",  # woman born 28.10.1973 (month 60 = 10 + 50), 7360285163 = 11 * 669116833
         "7360285163",  # the same without the slash
         "855315/1002",  # woman, 15.03.1985
         "040315/1001",  # man, 15.03.2004
         "042315/1003",  # man, 15.03.2004, month +20 allowed from 2004
         "531231/123",  # 9 digits: before 1954
         "6003150010"]  # 1960: remainder 10 and check digit 0 (allowed before 1985)
INVALID = ["736028/5164",  # check digit wrong
           "731328/5163",  # month 13
           "730230/0009",  # 30 February
           "532315/123",  # +20 month before 2004
           "545231/123",  # 9 digits after 1953
           "HH-0001", "", "12345"]


def test_birth_number_validation():
    assert birth_number_mask(pd.Series(VALID)).tolist() == [True] * len(VALID)
    assert birth_number_mask(pd.Series(INVALID)).tolist() == [False] * len(INVALID)


def test_identifier_headers_are_recognised():
    for header, kind in [("Rodné číslo", "birth_number"), ("RC", "birth_number"), ("r.č.", "birth_number"),
                         ("birth_number", "birth_number"), ("Jméno", "name"), ("prijmeni", "name"),
                         ("Surname", "name"), ("first_name", "name"), ("Adresa trvalého bydliště", "address"),
                         ("telefon", "phone"), ("E-mail", "email"), ("Číslo OP", "id_card"),
                         ("datum narození", "birth_date")]:
        assert identifier_kind(header) == kind, header
    for header in ["Obec", "Domácnost", "household_id", "Datum doporučení", "Poznámka", "municipality"]:
        assert identifier_kind(header) is None, header


def test_random_ten_digit_codes_are_not_taken_for_birth_numbers():
    codes = pd.Series([f"{1000000000 + 7919 * i}" for i in range(500)])
    assert not looks_like_birth_numbers(codes)
    assert looks_like_birth_numbers(pd.Series(["HH1", "HH2", "736028/5163"]))


def _folder_with_birth_numbers(tmp_path):
    ids = {"H01": "736028/5163", "H02": "855315/1002", "H03": "040315/1001", "H04": "531231/123"}
    texts = {"households": HOUSEHOLDS_CS, "tenancies": TENANCIES_CS, "rent_ledger": RENT_LEDGER_CS}
    for old, new in ids.items():
        texts = {k: v.replace(f";{old};", f";{new};").replace(f"\n{old};", f"\n{new};") for k, v in texts.items()}
    # the rent ledger writes the numbers without the slash: the pseudonyms must still match
    texts["rent_ledger"] = texts["rent_ledger"].replace("736028/5163", "7360285163")
    texts["households"] = "\n".join(
        line + (";Jméno a příjmení" if i == 0 else f";Osoba {i}") for i, line in enumerate(
            texts["households"].splitlines())) + "\n"
    return make_folder(tmp_path / "f", **texts), ids


def test_identifiers_without_key_are_refused_naming_file_and_column(tmp_path):
    folder, ids = _folder_with_birth_numbers(tmp_path)
    with pytest.raises(IdentifierError) as info:
        load_folder(folder, on_error="exclude")
    message = str(info.value)
    assert "households.csv" in message and "„Domácnost“" in message and "„Jméno a příjmení“" in message
    assert "rodná čísla" in message
    report = validate_folder(folder)
    refused = report.problems.query("rule == 'identifier'")
    assert not report.ok and set(refused["severity"]) == {"error"}
    everything = report.to_text() + report.problems.to_csv()
    for number in ids.values():  # the report itself never shows a birth number or a name
        assert number not in everything and number.replace("/", "") not in everything
    assert "Osoba 1" not in everything


def test_pseudonymised_consistently_across_tables_and_key_never_written(tmp_path):
    folder, ids = _folder_with_birth_numbers(tmp_path)
    ds = load_folder(folder, pseudonymise_key=KEY)
    hh, ten, rent = ds.households, ds.tenancies, ds.rent_ledger
    assert hh["household_id"].str.fullmatch(r"P-[0-9a-f]{16}").all()
    expected = Pseudonymiser(KEY).pseudonym("736028/5163")
    assert expected in set(hh["household_id"]) and expected in set(rent["household_id"])
    # joins still work: every tenancy and rent row finds its household
    assert ten["household_id"].isin(hh["household_id"]).all()
    assert rent["household_id"].isin(hh["household_id"]).all()
    assert len(ten.merge(hh, on="household_id")) == len(ten)
    # the free-text name column is dropped and recorded
    assert "Jméno a příjmení" not in ds.metadata["extra_columns"].get("households", pd.DataFrame()).columns
    dropped = ds.ledger.dropped_columns_table()
    assert dropped[["table", "column"]].values.tolist() == [["households", "Jméno a příjmení"]]
    warnings = ds.report.problems.query("rule == 'identifier'")
    assert set(warnings["severity"]) == {"warning"} and ds.report.ok
    assert set(ds.metadata["pseudonymised_fields"]) >= {"households.household_id", "tenancies.household_id",
                                                          "rent_ledger.household_id"}
    # neither the key nor any birth number is in anything the dataset carries
    key_text = KEY.decode()
    outputs = [repr(ds), ds.report.to_text(), ds.report.problems.to_csv(), ds.ledger.tidy().to_csv(),
               ds.ledger.summary(), repr(ds.metadata), repr(Pseudonymiser(KEY))]
    for text in outputs:
        assert key_text not in text and KEY.hex() not in text
        for number in ids.values():
            assert number not in text and number.replace("/", "") not in text
    with pytest.raises(TypeError):
        pickle.dumps(Pseudonymiser(KEY))


def test_different_keys_give_different_pseudonyms():
    a = Pseudonymiser(KEY).pseudonym("736028/5163")
    b = Pseudonymiser(KEY + b"x").pseudonym("736028/5163")
    assert a != b and a == Pseudonymiser(KEY).pseudonym("7360285163")


def test_birth_numbers_in_an_unknown_column_are_found_by_content(tmp_path):
    households = "\n".join(line + (";Identifikátor" if i == 0 else f";{n}") for i, (line, n) in enumerate(
        zip(HOUSEHOLDS_CS.splitlines(), ["", *VALID[:4]]))) + "\n"
    folder = make_folder(tmp_path / "f", households=households)
    report = validate_folder(folder)
    refused = report.problems.query("rule == 'identifier'")
    assert refused[["file", "column"]].values.tolist() == [["households.csv", "Identifikátor"]]
    ds = load_folder(folder, pseudonymise_key=KEY)
    assert ds.ledger.dropped_columns_table()["column"].tolist() == ["Identifikátor"]
