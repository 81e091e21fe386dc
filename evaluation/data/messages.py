"""Every sentence the data layer says to a data officer, in Czech and English.

Messages are templates: ``{row}`` and ``{value}`` change from row to row and are
filled vectorised by :func:`render`; every other ``{name}`` is filled once per
check with :func:`fill`. Keeping them here keeps the two languages side by side.

Example
-------
>>> import pandas as pd
>>> cs, en = MESSAGES["type_date"]
>>> render(fill(cs, column="datum_konce"), pd.Series(["14"]), pd.Series(["31.02.2019"]))[0]
'Řádek 14, sloupec „datum_konce“: hodnota 31.02.2019 není platné datum (očekává se DD.MM.RRRR).'
"""

from __future__ import annotations

import re

import pandas as pd

ROW_CS = "Řádek {row}, sloupec „{column}“: "
ROW_EN = "Row {row}, column “{column}”: "

#: (Czech, English) message templates by message key.
MESSAGES: dict[str, tuple[str, str]] = {
    # reading the folder and the files
    "missing_table": ("Chybí povinný soubor „{resource}“ (např. {resource}.csv nebo {resource}.xlsx) – {title_cs}.",
                      "The required file “{resource}” (e.g. {resource}.csv or {resource}.xlsx) is missing – {title_en}."),
    "duplicate_file": ("Tabulka „{resource}“ je ve složce vícekrát ({files}); ponechte jen jeden soubor.",
                       "Table “{resource}” is in the folder more than once ({files}); keep only one file."),
    "unknown_file": ("Soubor „{name}“ neodpovídá žádné tabulce datové specifikace a byl přeskočen.",
                     "The file “{name}” matches no table of the data contract and was skipped."),
    "unreadable": ("Soubor nelze přečíst: {reason}",
                   "The file cannot be read: {reason}"),
    "empty_file": ("Soubor neobsahuje řádek se záhlavím sloupců.",
                   "The file has no header row with column names."),
    "bad_line": ("Řádek {row}: má {value} polí, záhlaví jich má {expected}; řádek nelze přečíst.",
                 "Row {row}: has {value} fields but the header has {expected}; the row cannot be read."),
    "missing_column": ("Chybí povinný sloupec „{field}“ ({title_cs}).",
                       "The required column “{field}” ({title_en}) is missing."),
    "missing_optional_column": ("Chybí nepovinný sloupec „{field}“ ({title_cs}); bude prázdný.",
                                "The optional column “{field}” ({title_en}) is missing; it will be empty."),
    "duplicate_column": ("Sloupce {columns} odpovídají témuž poli „{field}“; ponechte jen jeden.",
                         "The columns {columns} all match the field “{field}”; keep only one."),
    "unknown_column": ("Sloupec „{column}“ neodpovídá žádnému poli tabulky; byl odložen stranou a do analýz nevstupuje.",
                       "The column “{column}” matches no field of the table; it was set aside and is not analysed."),
    # privacy
    "identifier_refused": (("Sloupec „{column}“ obsahuje přímé identifikátory ({kind_cs}). Taková data nelze zpracovat "
                           "bez pseudonymizace: odstraňte sloupec, nebo zadejte klíč pro pseudonymizaci."),
                           ("The column “{column}” holds direct identifiers ({kind_en}). Such data cannot be processed "
                           "without pseudonymisation: remove the column or give a pseudonymisation key.")),
    "identifier_dropped": (("Sloupec „{column}“ obsahuje přímé identifikátory ({kind_cs}) a neodpovídá žádnému poli; "
                           "byl odstraněn."),
                           ("The column “{column}” holds direct identifiers ({kind_en}) and matches no field; "
                           "it was removed.")),
    "identifier_hashed": ("Sloupec „{column}“ obsahuje rodná čísla; hodnoty byly nahrazeny pseudonymy (klíčovaný hash).",
                          ("The column “{column}” holds birth numbers; the values were replaced by pseudonyms "
                          "(keyed hash).")),
    # values
    "required": (ROW_CS + "chybí povinná hodnota.", ROW_EN + "a required value is missing."),
    "type_date": (ROW_CS + "hodnota {value} není platné datum (očekává se DD.MM.RRRR).",
                  ROW_EN + "the value {value} is not a valid date (expected DD.MM.YYYY)."),
    "type_number": (ROW_CS + "hodnota {value} není číslo.", ROW_EN + "the value {value} is not a number."),
    "type_integer": (ROW_CS + "hodnota {value} není celé číslo.", ROW_EN + "the value {value} is not a whole number."),
    "type_boolean": (ROW_CS + "hodnota {value} není ano/ne.", ROW_EN + "the value {value} is not yes/no."),
    "category": (ROW_CS + "hodnota {value} není povolená; povolené hodnoty: {allowed_cs}.",
                 ROW_EN + "the value {value} is not allowed; allowed values: {allowed_en}."),
    "minimum": (ROW_CS + "hodnota {value} je menší než nejmenší povolená hodnota {limit}.",
                ROW_EN + "the value {value} is below the smallest allowed value {limit}."),
    "maximum": (ROW_CS + "hodnota {value} je větší než největší povolená hodnota {limit}.",
                ROW_EN + "the value {value} is above the largest allowed value {limit}."),
    "unique": (ROW_CS + "hodnota {value} se v souboru opakuje (klíč musí být jedinečný; řádky: {others}).",
               ROW_EN + "the value {value} occurs more than once (the key must be unique; rows: {others})."),
    "foreign_key": (ROW_CS + "hodnota {value} není v souboru „{parent}“.",
                    ROW_EN + "the value {value} is not in the file “{parent}”."),
    "foreign_key_unchecked": ("Sloupec „{column}“ odkazuje na tabulku „{parent}“, která ve složce není; odkazy nelze ověřit.",
                              ("The column “{column}” refers to the table “{parent}”, which is not in the folder; "
                              "the references cannot be checked.")),
    "orphan": (ROW_CS + "řádek „{parent}“ s hodnotou {value} byl vyřazen, proto je vyřazen i tento řádek.",
               ROW_EN + "the “{parent}” row with the value {value} was excluded, so this row is excluded too."),
    # schema rules
    "compare": (ROW_CS + "hodnota {value} porušuje pravidlo „{left} {op} {right}“: {rule_cs}",
                ROW_EN + "the value {value} breaks the rule “{left} {op} {right}”: {rule_en}"),
    "missing_iff": (ROW_CS + "hodnota {value} porušuje pravidlo: {rule_cs}",
                    ROW_EN + "the value {value} breaks the rule: {rule_en}"),
    "no_overlap": (ROW_CS + "období začínající {value} se překrývá s obdobím na řádku {other}. {rule_cs}",
                   ROW_EN + "the spell starting {value} overlaps the spell on row {other}. {rule_en}"),
    "in_study_period": (ROW_CS + "datum {value} leží mimo období studie {start} – {end}.",
                        ROW_EN + "the date {value} lies outside the study period {start} – {end}."),
    "first_of_month": (ROW_CS + "datum {value} není první den měsíce. {rule_cs}",
                       ROW_EN + "the date {value} is not the first day of a month. {rule_en}"),
    "constant_within": (ROW_CS + "hodnota {value} se liší od jiných řádků se stejným „{by}“ ({found}). {rule_cs}",
                        ROW_EN + "the value {value} differs from other rows with the same “{by}” ({found}). {rule_en}"),
}

#: Short names of the rules for the report headings and the ledger: (Czech, English).
RULE_NAMES: dict[str, tuple[str, str]] = {
    "missing_table": ("chybějící soubor", "missing file"),
    "duplicate_file": ("tabulka ve více souborech", "table in several files"),
    "unknown_file": ("neznámý soubor", "unknown file"),
    "unreadable": ("nečitelný soubor", "unreadable file"),
    "bad_line": ("nečitelný řádek", "unreadable row"),
    "missing_column": ("chybějící sloupec", "missing column"),
    "missing_optional_column": ("chybějící nepovinný sloupec", "missing optional column"),
    "duplicate_column": ("zdvojený sloupec", "duplicated column"),
    "unknown_column": ("neznámý sloupec", "unknown column"),
    "identifier": ("přímé identifikátory", "direct identifiers"),
    "required": ("chybějící povinná hodnota", "missing required value"),
    "type": ("neplatná hodnota (číslo, datum, ano/ne)", "invalid value (number, date, yes/no)"),
    "category": ("nepovolená kategorie", "category not allowed"),
    "range": ("hodnota mimo povolený rozsah", "value out of the allowed range"),
    "unique": ("opakovaný klíč", "duplicated key"),
    "foreign_key": ("odkaz na neexistující řádek (sirotek)", "reference to a missing row (orphan)"),
    "foreign_key_unchecked": ("neověřitelný odkaz", "reference not checked"),
    "orphan": ("nadřízený řádek byl vyřazen (sirotek)", "parent row was excluded (orphan)"),
    "compare": ("porovnání dvou polí", "comparison of two fields"),
    "missing_iff": ("prázdná hodnota podle jiného pole", "empty value depending on another field"),
    "no_overlap": ("překrývající se období", "overlapping spells"),
    "in_study_period": ("datum mimo období studie", "date outside the study period"),
    "first_of_month": ("měsíc není zadán prvním dnem", "month not given by its first day"),
    "constant_within": ("nekonzistentní hodnota ve skupině", "inconsistent value within a group"),
}

IDENTIFIER_KINDS: dict[str, tuple[str, str]] = {
    "birth_number": ("rodná čísla", "birth numbers"),
    "name": ("jména", "names"),
    "address": ("adresy", "addresses"),
    "phone": ("telefonní čísla", "phone numbers"),
    "email": ("e-mailové adresy", "e-mail addresses"),
    "id_card": ("čísla dokladů", "identity-document numbers"),
    "birth_date": ("data narození", "dates of birth"),
}

EMPTY_VALUE = ("(prázdné)", "(empty)")

_PLACEHOLDER = re.compile(r"(\{[a-z_]+\})")


def rule_name(rule: str, lang: str = "cs") -> str:
    cs, en = RULE_NAMES.get(rule, (rule, rule))
    return cs if lang == "cs" else en


def fill(template: str, **values: object) -> str:
    """Fill the per-check placeholders; ``{row}`` and ``{value}`` stay for :func:`render`."""
    for name, value in values.items():
        template = template.replace("{" + name + "}", str(value))
    return template


def render(template: str, rows: pd.Series, values: pd.Series, **per_row: pd.Series) -> pd.Series:
    """Fill ``{row}``, ``{value}`` and any ``per_row`` placeholder from aligned string Series,
    without a Python loop over rows."""
    columns = {"row": rows, "value": values, **per_row}
    out = pd.Series("", index=rows.index, dtype=object)
    for piece in _PLACEHOLDER.split(template):
        name = piece[1:-1] if piece.startswith("{") else None
        if name in columns:
            out = out + columns[name].astype(str).to_numpy()
        elif piece:
            out = out + piece
    return out
