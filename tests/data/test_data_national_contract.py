"""The data contract at national scale: the bundled code lists and the rules that use them.

Reference facts: ČSÚ's code lists (číselník 43 obcí, 65 ORP; Praha 554782 in ORP 1000, Benešov
529303 in ORP 2101, Ostrava 554821 in ORP 8119), the ČSÚ check digit of municipality codes, and the
structure of zákon č. 175/2025 Sb. and nařízení vlády č. 418/2025 Sb. (115 + 17 contact points,
each with a district of whole ORP areas). Every broken file changes one thing, so the row,
column and rule are known by construction.
"""
from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import HOUSEHOLDS_CS, make_folder, replace_line

from evaluation.data import validate_folder
from evaluation.data.loader import load_folder
from evaluation.data.schema import get_schema, normalise_label, schema_dir

CODES = ";Kód obce;Kód ORP;Kód kontaktního místa"
#: The Ostrava households of the hand-made export, with the codes national data carry.
HOUSEHOLDS_NATIONAL = "\n".join(
    [line + (CODES if i == 0 else ";554821;8119;554821") for i, line in enumerate(HOUSEHOLDS_CS.splitlines())]) + "\n"

APPLICATIONS_CS = """\
Žádost;Žadatel;Kontaktní místo;Kód KMB;Obec;Městská část;Kód obce;Kód ORP;Požadavek;Podpůrné opatření;\
Bytová nouze (ETHOS);Podáno;Rozhodnuto;Výsledek;Dávkové poradenství;Překlenovací půjčka;Pomoc na trhu s bydlením;\
Dluhové poradenství
A1;Z1;KMB Benešov;529303;Benešov;;529303;2101;poradenství;poradenství v bydlení;nejisté bydlení (hrozící ztráta bydlení);02.07.2026;\
10.07.2026;vyhověno;;;;
A2;Z2;KMB Benešov;529303;Votice;;530905;2126;jiné;asistence v bydlení;;03.07.2026;;bez rozhodnutí;;;;
A3;Z1;KMB Benešov;529303;Benešov;;529303;2101;sociální byt;obecní byt s příspěvkem obci;nejisté bydlení (hrozící ztráta bydlení);\
01.09.2026;;bez rozhodnutí;;;;
"""

ORP_PANEL_CS = """\
Kód ORP;Měsíc;Kód kontaktního místa;Otevření kontaktního místa;Obyvatelé;Domácnosti v bytové nouzi;Vystěhování;Noci v azylových zařízeních
2101;01.06.2026;529303;01.07.2026;47000;4;3;800
2101;01.07.2026;529303;01.07.2026;47000;6;2;780
2126;01.06.2026;529303;01.07.2026;20000;1;1;120
2126;01.07.2026;529303;01.07.2026;20000;2;0;100
"""


def _check_digit_ok(code: str) -> bool:
    """ČSÚ check digit of a municipality code: (11 - sum(w * d) mod 11) mod 10, weights 6..2."""
    digits = [int(c) for c in code]
    return (11 - sum(w * d for w, d in zip((6, 5, 4, 3, 2), digits)) % 11) % 10 == digits[5]


# -- the code lists ---------------------------------------------------------------------------------
def test_municipality_and_orp_lists_are_complete_and_consistent():
    contract = get_schema()
    towns = contract.code_list("municipalities").frame()
    orp = contract.code_list("orp").frame()
    assert len(towns) == 6258 and towns["municipality_code"].is_unique  # 6,254 municipalities + 4 military districts
    assert towns["municipality_code"].map(_check_digit_ok).all()
    assert len(orp) == 206 and orp["orp_code"].is_unique and orp["orp_code"].str.fullmatch(r"[0-9]{4}").all()
    assert set(towns["orp_code"]) == set(orp["orp_code"])
    assert (towns.groupby("orp_code").size() == orp.set_index("orp_code")["municipalities"].astype(int)).all()
    seats = towns.set_index("municipality_code").loc[orp["seat_municipality_code"]]
    assert (seats["orp_code"].to_numpy() == orp["orp_code"].to_numpy()).all()
    assert (seats["municipality"].to_numpy() == orp["orp"].to_numpy()).all()
    known = {("554782", "Praha", "1000"), ("529303", "Benešov", "2101"), ("554821", "Ostrava", "8119"),
             ("582786", "Brno", "6203"), ("500151", "Luboměř pod Strážnou", "7101")}  # the last created in 2016
    assert known <= set(towns[["municipality_code", "municipality", "orp_code"]].itertuples(index=False, name=None))


def test_contact_point_list_has_the_structure_of_the_decree_and_says_it_is_illustrative():
    contract = get_schema()
    points = contract.code_list("contact_points")
    table = points.frame()
    assert len(table) == 206 and table["orp_code"].is_unique  # every ORP area in exactly one district
    by_point = table.groupby("contact_point_code")
    assert by_point.ngroups == 132
    assert table.drop_duplicates("contact_point_code")["legal_basis"].value_counts().to_dict() == {"act": 115,
                                                                                                 "decree": 17}
    assert (by_point["region_code"].nunique() == 1).all() and (by_point["contact_point"].nunique() == 1).all()
    orp = contract.code_list("orp").frame().set_index("orp_code")
    for code, district in by_point:  # the contact point's municipality is the seat of one of its ORP areas
        assert code in set(orp.loc[district["orp_code"], "seat_municipality_code"])
    assert points.illustrative and "illustrative" in points.title("en").lower()
    readme = (schema_dir() / "codes" / "README.md").read_text(encoding="utf-8")
    assert "ILLUSTRATIVE" in readme and "**not** the decree's list" in readme
    package = json.loads((schema_dir() / "datapackage.json").read_text(encoding="utf-8"))
    for entry in package["codeLists"]:
        assert entry["version"] and entry["source"] and entry["source_cs"] and (schema_dir() / entry["path"]).is_file()


def test_measures_of_the_act_in_both_languages():
    measure = get_schema().table("applications").field("measure")
    assert measure.codes == ("poradenstvi", "asistence_v_bydleni", "navazujici_asistence", "bydleni_s_rucenim",
                             "prispevek_obci")
    assert measure.label("bydleni_s_rucenim", "cs") == "bydlení s ručením"
    assert measure.label("asistence_v_bydleni", "en") == "housing assistance"
    lookup = measure.code_lookup()
    assert lookup[normalise_label("Poradenství")] == "poradenstvi"  # the code read with its accents
    assert lookup[normalise_label("navazující asistence")] == "navazujici_asistence"
    assert get_schema().table("support_contacts").field("measure").codes == measure.codes
    # the pilot's request type "poradenství" keeps meaning the pilot's counselling
    request = get_schema().table("applications").field("request_type").code_lookup()
    assert request[normalise_label("poradenství")] == "counselling"


# -- the rules ---------------------------------------------------------------------------------------
def test_a_national_export_with_codes_validates_without_any_problem(tmp_path):
    folder = make_folder(tmp_path / "f", households=HOUSEHOLDS_NATIONAL, applications=APPLICATIONS_CS,
                         orp_panel=ORP_PANEL_CS)
    report = validate_folder(folder)
    assert report.ok and report.n_warnings == 0, report.to_text(lang="en")
    ds = load_folder(folder)
    apps = ds["applications"]
    assert apps["measure"].tolist() == ["poradenstvi", "asistence_v_bydleni", "prispevek_obci"]
    assert apps["contact_point_code"].tolist() == ["529303"] * 3 and apps["orp_code"].tolist() == ["2101", "2126",
                                                                                                 "2101"]
    assert ds["orp_panel"]["contact_point_opened"].eq(pd.Timestamp("2026-07-01")).all()


def test_older_exports_without_the_code_columns_get_no_warning(czech_folder):
    report = validate_folder(czech_folder)
    assert not report.problems["column"].isin(["municipality_code", "orp_code", "contact_point_code",
                                               "measure"]).any()
    assert "missing_optional_column" not in set(report.problems["rule"])


LINE = "H02;Ostrava;Poruba;2;0;1 až 1,5násobek životního minima;bez střechy – na ulici;OSPOD;2. 4. 2019;" \
       "programová skupina;prostupné bydlení;1;{}"
# (codes on line 3, expected (column, value, rule), words of the English message)
BROKEN = [
    ("55482;8119;554821", ("Kód obce", "55482", "pattern"), "The municipality code has six digits"),
    ("554821;811;554821", ("Kód ORP", "811", "pattern"), "The ORP code has four digits"),
    ("554820;8119;554821", ("Kód obce", "554820", "in_code_list"), "not in the code list “Municipalities”"),
    ("554821;9999;554821", ("Kód ORP", "9999", "in_code_list"), "not in the code list “ORP areas”"),
    ("554821;2101;554821", ("Kód obce + Kód ORP", "554821 + 2101", "in_code_list"),
     "The municipality lies in the ORP area given"),
]


@pytest.mark.parametrize("codes, expected, words", BROKEN, ids=[f"{b[1][2]}-{b[1][0]}" for b in BROKEN])
def test_each_code_rule_reports_once_at_its_row_and_column(tmp_path, codes, expected, words):
    text = replace_line(HOUSEHOLDS_NATIONAL, 3, LINE.format(codes))
    report = validate_folder(make_folder(tmp_path / "f", households=text))
    errors = report.problems[report.problems["severity"] == "error"]
    assert len(errors) == 1, errors[["column", "value", "rule"]]  # a bad code is one problem, not two
    row = errors.iloc[0]
    assert (row["row"], row["column"], row["value"], row["rule"]) == (3, *expected)
    assert words in row["message_en"] and row["message_cs"].startswith("Řádek 3, sloupec")


def test_a_contact_point_outside_the_illustrative_list_is_a_warning_that_keeps_the_row(tmp_path):
    """The bundled contact points are illustrative: real data naming another contact point must not
    be refused by a placeholder, so the code is reported as a warning and the row stays."""
    text = replace_line(HOUSEHOLDS_NATIONAL, 3, LINE.format("554821;8119;554820"))
    folder = make_folder(tmp_path / "f", households=text)
    report = validate_folder(folder)
    assert report.ok
    warning = report.problems[report.problems["rule"] == "in_code_list"].iloc[0]
    assert (warning["severity"], warning["row"], warning["column"], warning["value"]) == (
        "warning", 3, "Kód kontaktního místa", "554820")
    assert "not in the code list “Housing contact points and their districts (illustrative)”" in warning["message_en"]
    assert "554820" in load_folder(folder)["households"]["contact_point_code"].tolist()


def test_an_orp_area_outside_the_contact_points_district_is_reported(tmp_path):
    panel = replace_line(ORP_PANEL_CS, 4, "2126;01.06.2026;531057;01.07.2026;20000;1;1;120")  # Beroun's point
    panel = replace_line(panel, 3, "2101;15.07.2026;529303;01.08.2026;47000;6;2;780")
    report = validate_folder(make_folder(tmp_path / "f", orp_panel=panel))
    problems = report.problems.set_index("rule")
    # a warning while the district table is illustrative (an error once the decree's table is bundled)
    assert problems.loc["in_code_list", "value"] == "2126 + 531057" and problems.loc["in_code_list", "row"] == 4
    assert problems.loc["in_code_list", "severity"] == "warning"
    assert "belongs to the district of the contact point" in problems.loc["in_code_list", "message_en"]
    errors = report.problems[report.problems["severity"] == "error"].set_index("rule")
    assert errors.loc["first_of_month", "row"] == 3
    broken = report.problems[report.problems["rule"] == "constant_within"]
    assert set(broken["column"]) == {"Kód kontaktního místa", "Otevření kontaktního místa"}


def test_code_rules_and_lists_in_the_contract_documentation():
    from evaluation.data.contract_docs import render_contract

    text = render_contract("en")
    assert "| `municipalities` | `codes/municipalities.csv` |" in text
    assert "| `orp_code` | string | no (column may be left out) |" in text
    assert "The municipality lies in the ORP area given. (`in_code_list`)" in text
    assert "## Monthly panel of ORP areas (`orp_panel`)" in text
    czech = render_contract("cs")
    assert "| `measure` | text | ne (sloupec lze vynechat) | Podpůrné opatření |" in czech


def test_code_columns_need_no_column_in_the_file():
    """Rules that check codes judge the codes that are there: they never make a column needed."""
    households = get_schema().table("households")
    code_rules = [r for r in households.rules if r.type in ("pattern", "in_code_list")]
    assert code_rules and all(r.fields == () for r in code_rules)
    assert {f for r in code_rules for f in r.checked_fields} == {"municipality_code", "orp_code", "contact_point_code"}


def test_a_code_list_missing_from_the_contract_is_a_clear_error():
    with pytest.raises(KeyError, match="no code list 'streets'"):
        get_schema().code_list("streets")
