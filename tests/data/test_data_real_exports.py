"""Exports shaped like real ones: each built from the synthetic pilots, then corrupted the way real
exports are, and checked for what the data officer sees (no row lost or misread without a word).

The expected rows, columns and counts follow from the corruption by construction: the synthetic
export is written by :func:`evaluation.data.writers.write_tables` (one line per row, header on
line 1), so data line ``k`` is Excel row ``k + 1`` until a test adds a line break inside a value.
"""
from __future__ import annotations

import re

import pandas as pd
import pytest
from conftest import HOUSING, data_lines, write_csv, write_synthetic

from evaluation.data import load_folder, validate_folder
from evaluation.data.schema import get_schema
from evaluation.errors import DataError


def _errors(report, table=None):
    p = report.problems
    p = p[p["severity"] == "error"]
    return p if table is None else p[p["table"] == table]


def _ledger_adds_up(ds):
    for table in ds.ledger.tables:
        assert ds.ledger.received(table) == ds.ledger.excluded(table) + ds.ledger.loaded(table), table


def _set_cell(text: str, line: int, column: int, value: str) -> str:
    """``text`` with the cell in physical ``line`` (1 = header) and 0-based ``column`` replaced."""
    lines = text.split("\n")
    cells = lines[line - 1].split(";")
    cells[column] = value
    lines[line - 1] = ";".join(cells)
    return "\n".join(lines)


# -- a stray double quote ------------------------------------------------------------------------------
def test_stray_quote_is_reported_where_it_starts_and_no_row_is_swallowed(tmp_path, synthetic_texts):
    text = synthetic_texts["tenancies"]
    n_rows = len(data_lines(text))
    header = text.split("\n")[0].split(";")
    unit = header.index("unit_id")
    row = 17  # Excel row 17 = physical line 17
    original = text.split("\n")[row - 1].split(";")[unit]
    broken = _set_cell(text, row, unit, '"' + (original or "B1"))
    folder = write_synthetic(tmp_path / "f", synthetic_texts, only=HOUSING, tenancies=broken)
    report = validate_folder(folder)
    quotes = report.problems[report.problems["rule"] == "quote"]
    assert quotes[["file", "row", "column", "severity"]].values.tolist() == [["tenancies.csv", row, "unit_id", "error"]]
    assert quotes["message_cs"].iloc[0].startswith(f"Řádek {row}, sloupec „unit_id“: v hodnotě")
    assert "začínají uvozovky, které se neuzavírají" in quotes["message_cs"].iloc[0]
    assert "never closes" in quotes["message_en"].iloc[0]
    # no row swallowed: every line of the file is a row received, and nothing else went wrong
    assert dict(zip(*zip(*[(f, n) for f, _, n in report.files])))["tenancies.csv"] == n_rows
    others = _errors(report, "tenancies")
    assert set(others["row"]) == {row}, others[["row", "rule", "message_en"]]
    assert not (_errors(report)["rule"].isin(["required", "orphan"])).any()
    ds = load_folder(folder, on_error="exclude")
    assert ds.ledger.received("tenancies") == n_rows
    assert ds.ledger.excluded("tenancies", "quote") == 1 and ds.ledger.loaded("tenancies") == n_rows - 1
    _ledger_adds_up(ds)


def test_quote_that_never_closes_on_the_last_row_and_two_stray_quotes(tmp_path, synthetic_texts):
    text = synthetic_texts["households"].rstrip("\n")
    n = len(data_lines(text))
    broken = _set_cell(text, 5, 2, '"Poruba')  # district of Excel row 5 ...
    broken = _set_cell(broken, 9, 2, '"Jih')  # ... and row 9: the second quote would close the first
    broken = _set_cell(broken, n + 1, 1, '"' + broken.split("\n")[n].split(";")[1])  # the last row: EOF in quotes
    report = validate_folder(write_synthetic(tmp_path / "f", synthetic_texts, only=HOUSING, households=broken + "\n"))
    quotes = report.problems[report.problems["rule"] == "quote"]
    assert quotes["row"].tolist() == [5, 9, n + 1]
    assert report.files[[t for _, t, _ in report.files].index("households")][2] == n


# -- row numbers as Excel shows them -----------------------------------------------------------------
def test_row_numbers_are_excel_rows_when_values_hold_line_breaks(tmp_path, synthetic_texts):
    text = synthetic_texts["households"]
    header = text.split("\n")[0].split(";")
    date = header.index("referral_date")
    text = _set_cell(text, 10, date, "31.02.2019")  # Excel row 10 ...
    text = _set_cell(text, 3, header.index("district"), '"Ostrava-Jih\n(dříve Zábřeh)"')  # ... physical line 11 now
    report = validate_folder(write_synthetic(tmp_path / "f", synthetic_texts, only=HOUSING, households=text))
    bad = _errors(report, "households")
    assert bad[["row", "column", "rule"]].values.tolist() == [[10, "referral_date", "type"]]
    assert bad["message_cs"].iloc[0].startswith("Řádek 10, sloupec „referral_date“")
    note = report.problems[report.problems["rule"] == "multiline_values"]
    assert note["severity"].tolist() == ["note"] and "textovém editoru" in note["message_cs"].iloc[0]
    assert report.files[[t for _, t, _ in report.files].index("households")][2] == len(data_lines(text)) - 1


# -- a natural header not among the aliases -----------------------------------------------------------
def test_natural_header_is_suggested_and_a_needed_field_missing_is_an_error(tmp_path, synthetic_texts):
    text = synthetic_texts["tenancies"].replace(";end_date;", ";Datum ukončení nájmu;", 1)
    folder = write_synthetic(tmp_path / "f", synthetic_texts, only=HOUSING, tenancies=text)
    report = validate_folder(folder)
    missing = report.problems[report.problems["rule"] == "missing_needed_column"]
    assert missing[["table", "column", "severity"]].values.tolist() == [["tenancies", "end_date", "error"]]
    message = missing["message_cs"].iloc[0]
    assert "„Datum ukončení nájmu“" in message and "přejmenujte ho na „Konec“" in message
    assert "setrvání v bydlení" in message  # the analyses that read it are named ...
    assert "kontrola dat" in message  # ... and the rules that would be skipped
    unknown = report.problems[report.problems["rule"] == "unknown_column"]
    assert "Nejde o pole „Konec“ (end_date)?" in unknown["message_cs"].iloc[0]
    assert "Did you mean the field “End” (end_date)?" in unknown["message_en"].iloc[0]
    assert not report.usable
    with pytest.raises(DataError, match="Datum ukončení nájmu"):
        load_folder(folder, on_error="exclude")
    # a header the contract knows now ("Datum ukončení") is simply read
    text = synthetic_texts["tenancies"].replace(";end_date;", ";Datum ukončení;", 1)
    assert validate_folder(write_synthetic(tmp_path / "g", synthetic_texts, only=HOUSING, tenancies=text)).ok


def test_optional_field_an_analysis_reads_and_one_nobody_reads(tmp_path, synthetic_texts):
    def drop(text: str, name: str) -> str:
        lines = [line.split(";") for line in text.rstrip("\n").split("\n")]
        i = lines[0].index(name)
        return "\n".join(";".join(c for j, c in enumerate(cells) if j != i) for cells in lines) + "\n"

    folder = write_synthetic(tmp_path / "f", synthetic_texts, only=HOUSING,
                             households=drop(synthetic_texts["households"], "cohort"),
                             units=drop(synthetic_texts["units"], "rooms"),
                             applications=drop(synthetic_texts["applications"], "decided_date"))
    report = validate_folder(folder)
    by_column = report.problems.set_index("column")
    # no column could be it: the analyses that read it are named and will not run; the rest loads
    assert by_column.loc["cohort", ["rule", "severity"]].tolist() == ["missing_needed_column", "warning"]
    assert "analýza dosah oproti plánu" in by_column.loc["cohort", "message_cs"]
    assert "tyto analýzy neprovedou" in by_column.loc["cohort", "message_cs"]
    assert by_column.loc["rooms", ["rule", "severity"]].tolist() == ["missing_optional_column", "warning"]
    # a rule would judge every row wrongly without it (decided date empty exactly when pending): an error
    decided = by_column.loc["decided_date"]
    assert decided["severity"] == "error" and "the data checks" in decided["message_en"]
    ds = load_folder(write_synthetic(tmp_path / "g", synthetic_texts, only=HOUSING,
                                     households=drop(synthetic_texts["households"], "cohort")))
    assert ds.missing_fields["households"] == ("cohort",)
    assert not ds.can_run("process.reach") and ds.can_run("process.entry_profile")


# -- dot as a thousands separator ----------------------------------------------------------------------
def test_dot_thousands_in_a_money_column_are_read_as_thousands_and_said_so(tmp_path, synthetic_texts):
    text = synthetic_texts["rent_ledger"]
    header = text.split("\n")[0].split(";")
    due = header.index("rent_due")
    lines = text.split("\n")
    changed = []
    for line_no in range(2, len(lines)):
        cells = lines[line_no - 1].split(";")
        if len(cells) > due and re.fullmatch(r"[1-9]\d{3}", cells[due]) and len(changed) < 7:
            changed.append((line_no, int(cells[due])))
            cells[due] = cells[due][0] + "." + cells[due][1:]
            lines[line_no - 1] = ";".join(cells)
    assert len(changed) == 7
    folder = write_synthetic(tmp_path / "f", synthetic_texts, only=HOUSING, rent_ledger="\n".join(lines))
    ds = load_folder(folder)
    due_by_row = dict(zip(ds.metadata["source_rows"]["rent_ledger"], ds.rent_ledger["rent_due"]))
    assert [due_by_row[r] for r, _ in changed] == [float(v) for _, v in changed]
    note = ds.report.problems[ds.report.problems["rule"] == "thousands_dot"]
    assert note[["column", "severity"]].values.tolist() == [["rent_due", "warning"]]
    first_line, first_value = changed[0]
    assert f"7 hodnot s tečkou" in note["message_cs"].iloc[0] and f"řádky {first_line}, " in note["message_cs"].iloc[0]
    assert "amounts in CZK" in note["message_en"].iloc[0]


def test_dot_with_three_digits_where_the_column_does_not_tell_is_an_error(tmp_path, synthetic_texts):
    text = synthetic_texts["units"]
    header = text.split("\n")[0].split(";")
    area = header.index("floor_area_m2")
    text = _set_cell(text, 2, area, "52.250")
    text = _set_cell(text, 3, area, "45.5")  # decimals after a dot elsewhere in the column
    report = validate_folder(write_synthetic(tmp_path / "f", synthetic_texts, only=HOUSING, units=text))
    bad = _errors(report, "units")
    assert bad[["row", "column", "value", "rule"]].values.tolist() == [[2, "floor_area_m2", "52.250", "type"]]
    assert "nelze jednoznačně přečíst" in bad["message_cs"].iloc[0]


# -- empty tables, empty and unnamed columns -------------------------------------------------------
def test_table_with_header_and_no_rows(tmp_path, synthetic_texts):
    header_only = {t: text.split("\n")[0] + "\n" for t, text in synthetic_texts.items()}
    folder = write_synthetic(tmp_path / "f", synthetic_texts, only=HOUSING, households=header_only["households"])
    report = validate_folder(folder)
    empty = report.problems[report.problems["rule"] == "empty_table"]
    assert empty[["file", "severity"]].values.tolist() == [["households.csv", "error"]]
    assert "jen záhlaví a žádné řádky" in empty["message_cs"].iloc[0]
    assert "tok účastníků" in empty["message_cs"].iloc[0]  # what the other files would allow
    # the one message is not buried under every row of the tables that refer to it (was 585 errors
    # in tenancies alone, 57,668 in the full synthetic folder): one warning per referring table
    assert _errors(report)["rule"].tolist() == ["empty_table"]
    unchecked = report.problems[report.problems["rule"] == "foreign_key_unchecked"]
    assert "tenancies" in set(unchecked["table"]) and set(unchecked["severity"]) == {"warning"}
    assert "jejíž soubor má jen záhlaví a žádné řádky" in unchecked["message_cs"].iloc[0]
    # support contacts with no rows and no tenancies: nothing else needs them, a note
    folder = write_synthetic(tmp_path / "g", synthetic_texts, only=HOUSING, support_contacts=header_only["support_contacts"],
                             tenancies=None, rent_ledger=None)
    report = validate_folder(folder)
    empty = report.problems[report.problems["rule"] == "empty_table"]
    assert empty[["file", "severity"]].values.tolist() == [["support_contacts.csv", "note"]]
    ds = load_folder(folder)
    assert ds.has("support_contacts") and ds.support_contacts.empty
    assert not ds.can_run("process.support_dose")


def test_empty_trailing_columns_are_ignored_and_unnamed_columns_with_data_named_by_letter(tmp_path, synthetic_texts):
    lines = synthetic_texts["units"].rstrip("\n").split("\n")
    width = len(lines[0].split(";"))
    trailing = "\n".join(line + ";;" for line in lines) + "\n"
    report = validate_folder(write_synthetic(tmp_path / "f", synthetic_texts, only=HOUSING, units=trailing))
    assert report.ok and not (report.problems["table"] == "units").any()
    unnamed = "\n".join(line + ";" + ("" if i == 0 else f"poznámka {i}") for i, line in enumerate(lines)) + "\n"
    report = validate_folder(write_synthetic(tmp_path / "g", synthetic_texts, only=HOUSING, units=unnamed))
    found = report.problems[report.problems["table"] == "units"]
    letter = chr(ord("A") + width)
    assert found[["rule", "severity", "column"]].values.tolist() == [["unknown_column", "warning", f"[{letter}]"]]
    assert f"Sloupec bez názvu (sloupec {letter}) obsahuje data (např. „poznámka 1“)" in found["message_cs"].iloc[0]
    assert f"An unnamed column (column {letter})" in found["message_en"].iloc[0]


# -- text in the wrong encoding ----------------------------------------------------------------------
def test_utf8_text_saved_as_windows_1250_is_converted_back_and_said_so(tmp_path, synthetic_texts):
    text = synthetic_texts["households"]
    garbled = text.encode("utf-8").decode("cp1250")  # what a double conversion leaves in the file
    assert "Ă" in garbled or "Ä" in garbled or "Ĺ" in garbled
    folder = write_synthetic(tmp_path / "f", synthetic_texts, only=HOUSING)
    (folder / "households.csv").write_bytes(garbled.replace("\n", "\r\n").encode("utf-8"))
    ds = load_folder(folder)
    original = pd.read_csv(pd.io.common.StringIO(text), sep=";", dtype=str, keep_default_na=False)
    assert ds.households["district"].fillna("").tolist() == original["district"].tolist()
    note = ds.report.problems[ds.report.problems["rule"] == "encoding"]
    assert note["severity"].tolist() == ["warning"]
    assert "UTF-8 byl jednou přečten a uložen jako Windows-1250" in note["message_cs"].iloc[0]
    # the same through Windows-1252 (Ã¡ for á)
    western = text.encode("utf-8").decode("cp1252", errors="strict") if _fits_1252(text) else None
    if western is not None:
        (folder / "households.csv").write_bytes(western.encode("utf-8"))
        assert load_folder(folder).households["district"].fillna("").tolist() == original["district"].tolist()


def _fits_1252(text: str) -> bool:
    try:
        text.encode("utf-8").decode("cp1252")
        return True
    except UnicodeDecodeError:
        return False


def test_garbled_values_that_cannot_be_converted_back_are_reported_by_row(tmp_path, synthetic_texts):
    text = synthetic_texts["households"]
    header = text.split("\n")[0].split(";")
    district = header.index("district")
    value = "Zábřeh ĂˇÃ¡"  # two different wrong readings in one value: no single way back
    text = _set_cell(text, 4, district, value)
    folder = write_synthetic(tmp_path / "f", synthetic_texts, only=HOUSING)
    write_csv(folder, "households", text, encoding="utf-8")
    report = validate_folder(folder)
    bad = report.problems[report.problems["rule"] == "encoding"]
    assert bad[["row", "column", "severity"]].astype(str).values.tolist() == [["4", "district", "error"]]
    assert "chybného kódování" in bad["message_cs"].iloc[0]


def test_utf8_file_with_a_few_damaged_bytes_is_read_as_utf8(tmp_path, synthetic_texts):
    text = synthetic_texts["households"]
    data = text.replace("\n", "\r\n").encode("utf-8")
    position = data.index(b"\r\n", data.index(b"\r\n") + 1) - 2  # inside row 2
    data = data[:position] + b"\x9a" + data[position:]  # one Windows-1250 "š" pasted into UTF-8
    folder = write_synthetic(tmp_path / "f", synthetic_texts, only=HOUSING)
    (folder / "households.csv").write_bytes(data)
    report = validate_folder(folder)
    enc = report.problems[report.problems["rule"] == "encoding"]
    assert set(enc["severity"]) == {"warning", "error"}
    assert enc.loc[enc["severity"] == "error", "row"].tolist() == [2]
    assert "poškozeno" in enc.loc[enc["severity"] == "warning", "message_cs"].iloc[0]


# -- workbooks: one sheet per year, merged cells -------------------------------------------------------
def _rows(text: str) -> tuple[list[str], list[list[str]]]:
    lines = text.rstrip("\n").split("\n")
    return lines[0].split(";"), [line.split(";") for line in lines[1:]]


def _sheet(book, title, header, rows, title_line=None):
    sheet = book.create_sheet(title)
    if title_line:
        sheet.append([title_line])
    sheet.append(header)
    for row in rows:
        sheet.append([v if v != "" else None for v in row])
    return sheet


def test_workbook_with_one_sheet_per_year_reads_every_sheet(tmp_path, synthetic_texts):
    openpyxl = pytest.importorskip("openpyxl")
    header, rows = _rows(synthetic_texts["tenancies"])
    start = header.index("start_date")
    years = sorted({r[start][-4:] for r in rows})
    assert len(years) >= 3
    book = openpyxl.Workbook()
    book.remove(book.active)
    for year in years:
        _sheet(book, year, header, [r for r in rows if r[start].endswith(year)], title_line=f"Nájmy {year}")
    book.create_sheet("List1")  # the empty sheet Excel adds
    _sheet(book, "Číselník", ["kód", "význam"], [["KB", "krizové bydlení"], ["SB", "sociální bydlení"]])
    second = book[years[1]]
    second.cell(row=4, column=start + 2).value = "31.02.2019"  # end date of its 2nd data row (sheet row 4)
    folder = write_synthetic(tmp_path / "f", synthetic_texts, only=HOUSING, tenancies=None)
    book.save(folder / "tenancies.xlsx")
    report = validate_folder(folder)
    assert report.files[[t for _, t, _ in report.files].index("tenancies")][2] == len(rows)
    bad = _errors(report, "tenancies")
    assert bad[["sheet", "row", "column", "rule"]].values.tolist() == [[years[1], 4, "end_date", "type"]]
    assert bad["message_cs"].iloc[0].startswith(f"List „{years[1]}“, řádek 4, sloupec „end_date“")
    assert bad["message_en"].iloc[0].startswith(f"Sheet “{years[1]}”, row 4, column “end_date”")
    said = report.problems[report.problems["rule"] == "sheets"]
    notes = " ".join(said.loc[said["severity"] == "note", "message_cs"])
    assert all(f"„{y}“" in notes for y in years) and "Prázdné listy sešitu: „List1“" in notes
    warning = said[said["severity"] == "warning"]
    assert warning["sheet"].tolist() == ["Číselník"]
    assert "„Číselník“ obsahuje data, ale ne záhlaví" in warning["message_cs"].iloc[0]
    ds = load_folder(folder, on_error="exclude")
    assert ds.ledger.received("tenancies") == len(rows) and ds.ledger.excluded("tenancies", "type") == 1
    assert set(ds.metadata["source_sheets"]["tenancies"]) == set(years)
    _ledger_adds_up(ds)


def test_sheet_of_the_table_with_different_columns_is_an_error(tmp_path, synthetic_texts):
    openpyxl = pytest.importorskip("openpyxl")
    header, rows = _rows(synthetic_texts["tenancies"])
    end = header.index("end_date")
    book = openpyxl.Workbook()
    book.remove(book.active)
    _sheet(book, "2019", header, rows[:10])
    _sheet(book, "2020", [h for i, h in enumerate(header) if i != end], [[v for i, v in enumerate(r) if i != end]
                                                                          for r in rows[10:]])
    folder = write_synthetic(tmp_path / "f", synthetic_texts, only=HOUSING, tenancies=None)
    book.save(folder / "tenancies.xlsx")
    report = validate_folder(folder)
    mismatch = report.problems[(report.problems["rule"] == "sheets") & (report.problems["severity"] == "error")]
    assert len(mismatch) == 1 and "List „2020“" in mismatch["message_cs"].iloc[0]
    assert "chybí: end_date" in mismatch["message_cs"].iloc[0] and not report.usable


def test_merged_cells_are_read_as_excel_shows_them(tmp_path, synthetic_texts):
    openpyxl = pytest.importorskip("openpyxl")
    header, rows = _rows(synthetic_texts["units"])
    muni = header.index("municipality")
    same = [i for i, r in enumerate(rows) if r[muni] == rows[0][muni]][:4]
    assert same == [0, 1, 2, 3]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Byty"
    sheet.append(header)
    for r in rows:
        sheet.append([v if v != "" else None for v in r])
    letter = openpyxl.utils.get_column_letter(muni + 1)
    for row in range(3, 6):
        sheet[f"{letter}{row}"].value = None
    sheet.merge_cells(f"{letter}2:{letter}5")  # one municipality cell over four flats, as offices do
    label_row = len(rows) + 2
    sheet.append(["Celkem byty k 31.12."])
    sheet.merge_cells(start_row=label_row, start_column=1, end_row=label_row, end_column=len(header))
    folder = write_synthetic(tmp_path / "f", synthetic_texts, only=HOUSING, units=None)
    book.save(folder / "units.xlsx")
    report = validate_folder(folder)
    merged = report.problems[report.problems["rule"] == "merged_cells"]
    assert merged[["severity", "row"]].astype(str).values.tolist() == [["warning", "<NA>"], ["error", str(label_row)]]
    assert f"{letter}2:{letter}5" in merged["message_cs"].iloc[0]
    assert "sloučené přes několik sloupců" in merged["message_cs"].iloc[1]
    # the label row is reported as merged cells, not as a row of empty required values
    assert not ((report.problems["row"] == label_row) & (report.problems["rule"] == "required")).any()
    ds = load_folder(folder, on_error="exclude")
    assert ds.units["municipality"].iloc[:4].tolist() == [rows[0][muni]] * 4
    assert ds.ledger.excluded("units", "merged_cells") == 1
    _ledger_adds_up(ds)


# -- identifiers recognised by their content --------------------------------------------------------
@pytest.fixture(scope="module")
def fake():
    faker = pytest.importorskip("faker")
    generator = faker.Faker("cs_CZ")
    generator.seed_instance(2025)
    return generator


@pytest.mark.parametrize("kind, header, make", [
    ("name", "Kontaktní osoba", lambda f: f.name()),
    ("email", "Kontakt", lambda f: f.email()),
    ("phone", "Spojení", lambda f: f.phone_number()),
    ("address", "Místo", lambda f: f.street_address()),
])
def test_identifiers_under_an_unknown_header_are_found_by_content(tmp_path, synthetic_texts, fake, kind, header, make):
    from evaluation.errors import IdentifierError

    lines = synthetic_texts["households"].rstrip("\n").split("\n")
    values = [make(fake) for _ in lines[1:]]
    text = "\n".join([lines[0] + ";" + header] + [f"{line};{v}" for line, v in zip(lines[1:], values)]) + "\n"
    folder = write_synthetic(tmp_path / "f", synthetic_texts, only=HOUSING, households=text)
    with pytest.raises(IdentifierError, match=header):
        load_folder(folder)
    report = validate_folder(folder)
    refused = report.problems[report.problems["rule"] == "identifier"]
    assert refused["column"].tolist() == [header]
    everything = report.to_text() + report.problems.to_csv()
    assert not any(v in everything for v in values)
    ds = load_folder(folder, pseudonymise_key=b"a-key-of-enough-length")
    assert ds.ledger.dropped_columns_table()["column"].tolist() == [header]
    assert header not in ds.metadata["extra_columns"].get("households", pd.DataFrame()).columns


def test_names_as_household_identifiers_are_refused_or_pseudonymised_across_tables(tmp_path, synthetic_texts, fake):
    ids = sorted({line.split(";")[0] for line in data_lines(synthetic_texts["households"])})
    names = {i: fake.unique.name() for i in ids}
    texts = {}
    for table in ("households", "tenancies", "rent_ledger", "support_contacts", "household_outcomes"):
        text = synthetic_texts[table]
        for old, new in names.items():
            text = text.replace(f"{old};", f"{new};")
        texts[table] = text
    folder = write_synthetic(tmp_path / "f", synthetic_texts, only=HOUSING, **texts)
    report = validate_folder(folder)
    refused = report.problems[report.problems["rule"] == "identifier"]
    assert set(refused["table"]) >= {"households", "tenancies"} and set(refused["column"]) == {"household_id"}
    assert "jména" in refused["message_cs"].iloc[0]
    ds = load_folder(folder, pseudonymise_key=b"a-key-of-enough-length")
    assert ds.households["household_id"].str.fullmatch(r"P-[0-9a-f]{16}").all()
    assert ds.tenancies["household_id"].isin(ds.households["household_id"]).all()
    assert ds.report.ok


def test_place_names_and_codes_are_not_taken_for_identifiers(synthetic_texts):
    from evaluation.data.privacy import content_kind

    for table, text in synthetic_texts.items():
        header, rows = _rows(text)
        for i, name in enumerate(header):
            assert content_kind(pd.Series([r[i] for r in rows], dtype=object)) is None, (table, name)


# -- partial folders ---------------------------------------------------------------------------------
def test_contact_point_data_alone_loads_and_says_what_it_allows(tmp_path, synthetic_texts):
    folder = tmp_path / "kontaktni-misto"
    folder.mkdir()
    write_csv(folder, "applications", synthetic_texts["applications"])
    report = validate_folder(folder)
    assert report.ok and set(report.absent_tables) == set(get_schema().table_names) - {"applications"}
    absent = report.problems[report.problems["rule"] == "absent_table"]
    assert set(absent["severity"]) == {"note"}
    assert set(absent["table"]) == set(get_schema().table_names) - {"applications"}
    ds = load_folder(folder)
    assert ds.present_tables == ("applications",) and "households" in ds.absent_tables
    assert ds.can_run("process.processing_time") and not ds.can_run("retention.retention")
    assert ds.runnable_strands() == ("data_quality", "process", "need")
    why = ds.availability().set_index(["strand", "analysis"]).loc[("retention", "retention")]
    assert not why["available"] and why["missing_tables"] == ("tenancies",)
    _ledger_adds_up(ds)


def test_folder_without_any_table_of_the_contract_is_an_error(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "export.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    report = validate_folder(folder)
    assert "no_tables" in set(report.problems["rule"]) and not report.usable
