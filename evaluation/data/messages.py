"""Every sentence the data layer says to a data officer, in Czech and English.

Messages are templates: ``{where}`` (the row as Excel shows it: "Řádek 14", or
"List „2021“, řádek 14" in a workbook), ``{row}`` and ``{value}`` change from row to row
and are filled vectorised by :func:`render`; every other ``{name}`` is filled once per
check with :func:`fill`. Keeping them here keeps the two languages side by side.

Example
-------
>>> import pandas as pd
>>> cs, en = MESSAGES["type_date"]
>>> where = row_places(pd.Series([14]), None, "cs")
>>> render(fill(cs, column="datum_konce"), pd.Series(["14"]), pd.Series(["31.02.2019"]), where=where)[0]
'Řádek 14, sloupec „datum_konce“: hodnota 31.02.2019 není platné datum (očekává se DD.MM.RRRR).'
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

ROW_CS = "{where}, sloupec „{column}“: "
ROW_EN = "{where}, column “{column}”: "

#: (Czech, English) message templates by message key.
MESSAGES: dict[str, tuple[str, str]] = {
    # reading the folder and the files
    "no_tables": (("Ve složce není žádný soubor s tabulkou datové specifikace (např. households.csv, "
                   "applications.xlsx); soubory se musí jmenovat podle tabulek."),
                  ("The folder holds no file with a table of the data contract (e.g. households.csv, "
                   "applications.xlsx); files must be named after the tables.")),
    "absent_table": ("Tabulka „{resource}“ ({title_cs}) ve složce není; {consequence}",
                     "The table “{resource}” ({title_en}) is not in the folder; {consequence}"),
    "empty_table": (("Soubor obsahuje jen záhlaví a žádné řádky s daty. Tabulku „{resource}“ ({title_cs}) potřebují "
                     "analýzy, které ostatní soubory umožňují ({analyses}): vyexportujte ji znovu s řádky, nebo "
                     "soubor ze složky odstraňte, pokud takové údaje nemáte."),
                    ("The file holds only the header and no rows of data. The table “{resource}” ({title_en}) is "
                     "needed by analyses the other files allow ({analyses}): export it again with its rows, or "
                     "remove the file from the folder if you have no such data.")),
    "empty_table_note": ("Soubor obsahuje jen záhlaví a žádné řádky s daty; {consequence}",
                         "The file holds only the header and no rows of data; {consequence}"),
    "duplicate_file": ("Tabulka „{resource}“ je ve složce vícekrát ({files}); ponechte jen jeden soubor.",
                       "Table “{resource}” is in the folder more than once ({files}); keep only one file."),
    "unknown_file": ("Soubor „{name}“ neodpovídá žádné tabulce datové specifikace a byl přeskočen.",
                     "The file “{name}” matches no table of the data contract and was skipped."),
    "unreadable": ("Soubor nelze přečíst: {reason}",
                   "The file cannot be read: {reason}"),
    "empty_file": ("Soubor neobsahuje řádek se záhlavím sloupců.",
                   "The file has no header row with column names."),
    "bad_line": ("{where}: má {value} polí, záhlaví jich má {expected}; řádek nelze přečíst.",
                 "{where}: has {value} fields but the header has {expected}; the row cannot be read."),
    "missing_column": ("Chybí povinný sloupec „{field}“ ({title_cs}).{suggestion}",
                       "The required column “{field}” ({title_en}) is missing.{suggestion}"),
    "missing_needed_column": (("Chybí sloupec „{field}“ ({title_cs}). Je nepovinný, ale {needs}; bez něj by se "
                               "počítalo, jako by údaj chyběl ve všech řádcích.{suggestion} Pokud údaj opravdu "
                               "nemáte, přidejte sloupec „{title_cs}“ s prázdnými buňkami."),
                              ("The column “{field}” ({title_en}) is missing. It is optional, but {needs}; without "
                               "it every row would count as having no value.{suggestion} If you really have no such "
                               "data, add a column “{title_en}” with empty cells.")),
    "missing_needed_column_absent": (("Chybí sloupec „{field}“ ({title_cs}). Je nepovinný, ale {needs}; bez něj se "
                                      "tyto analýzy neprovedou (ostatní ano). Pokud údaj máte, doplňte sloupec "
                                      "„{title_cs}“; pokud ho nemáte, přidejte ho s prázdnými buňkami a analýzy "
                                      "poběží s tím, že údaj chybí."),
                                     ("The column “{field}” ({title_en}) is missing. It is optional, but {needs}; "
                                      "without it those analyses do not run (the others do). If you have the data, "
                                      "add the column “{title_en}”; if not, add it with empty cells and the analyses "
                                      "run knowing the value is missing.")),
    "missing_optional_column": ("Chybí nepovinný sloupec „{field}“ ({title_cs}); bude prázdný.{suggestion}",
                                "The optional column “{field}” ({title_en}) is missing; it will be empty.{suggestion}"),
    "duplicate_column": ("Sloupce {columns} odpovídají témuž poli „{field}“; ponechte jen jeden.",
                         "The columns {columns} all match the field “{field}”; keep only one."),
    "unknown_column": (("Sloupec „{column}“ neodpovídá žádnému poli tabulky; byl odložen stranou a do analýz "
                        "nevstupuje.{suggestion}"),
                       ("The column “{column}” matches no field of the table; it was set aside and is not "
                        "analysed.{suggestion}")),
    "unnamed_column": (("Sloupec bez názvu (sloupec {letter}) obsahuje data (např. {example}), ale v záhlaví nemá "
                        "název; byl odložen stranou a do analýz nevstupuje. Doplňte název, nebo sloupec smažte."),
                       ("An unnamed column (column {letter}) holds data (e.g. {example}) but has no name in the "
                        "header; it was set aside and is not analysed. Give it a name or delete it.")),
    "lines_lost": (("Soubor má {lines} řádků, ale přečíst se podařilo jen {read}; část souboru se nepodařilo "
                    "rozdělit na řádky a buňky. Zkontrolujte uvozovky a oddělovače."),
                   ("The file has {lines} lines but only {read} could be read; part of the file could not be split "
                    "into rows and cells. Check the quotes and separators.")),
    "multiline_values": (("Některé hodnoty obsahují konec řádku (uvnitř uvozovek). Čísla řádků ve zprávě jsou čísla "
                          "řádků v Excelu; v textovém editoru mají tyto řádky vyšší čísla."),
                         ("Some values hold a line break (inside quotes). Row numbers in this report are Excel's "
                          "row numbers; a text editor shows these rows further down.")),
    "unclosed_quote": (ROW_CS + ("v hodnotě {value} začínají uvozovky, které se neuzavírají, takže by všechny další "
                                 "řádky splynuly do jedné buňky. Řádek byl přečten tak, jak stojí; uvozovky "
                                 "odstraňte, nebo hodnotu uzavřete do páru uvozovek."),
                       ROW_EN + ("a double quote opens in the value {value} and never closes, so every following row "
                                 "would run into one cell. The row was read as it stands; remove the quote or put "
                                 "the value between a pair of quotes.")),
    "stray_quote": (ROW_CS + ("hodnota {value} má uvozovky na nesprávném místě (text za uzavírací uvozovkou). Řádek "
                              "byl přečten tak, jak stojí; uvozovky opravte."),
                    ROW_EN + ("the value {value} has a double quote in the wrong place (text after the closing "
                              "quote). The row was read as it stands; correct the quotes.")),
    "damaged_bytes": (("Soubor je v kódování UTF-8, ale {count} znaků v něm je poškozeno (nejsou platné UTF-8); "
                       "v hodnotách se zobrazují jako „\ufffd“."),
                      ("The file is UTF-8, but {count} characters in it are damaged (not valid UTF-8); they show "
                       "as “\ufffd” in the values.")),
    "garbled_repaired": (("Soubor je pravděpodobně v jiném kódování, než jaké v něm text je: {how_cs} (např. "
                          "„{before}“ místo „{after}“). {count} hodnot bylo převedeno zpět (sloupce: {columns}); "
                          "ověřte export."),
                         ("The file's text probably went through a wrong encoding: {how_en} (e.g. “{before}” for "
                          "“{after}”). {count} values were converted back (columns: {columns}); check the export.")),
    "garbled_header": (("Název sloupce „{column}“ obsahuje znaky z chybného kódování, které nelze převést zpět; "
                        "soubor je pravděpodobně v kódování UTF-8 uložený jako Windows-1250 (nebo naopak). Uložte "
                        "export znovu ve správném kódování."),
                       ("The column name “{column}” holds characters of a wrong encoding that cannot be converted "
                        "back; the file is probably UTF-8 saved as Windows-1250 (or the other way round). Save the "
                        "export again in the right encoding.")),
    "garbled_value": (ROW_CS + ("hodnota {value} obsahuje znaky z chybného kódování (např. „Ä›“ místo „ě“), které "
                                "nelze převést zpět; soubor je pravděpodobně v kódování UTF-8 uložený jako "
                                "Windows-1250 (nebo naopak)."),
                      ROW_EN + ("the value {value} holds characters of a wrong encoding (e.g. “Ä›” for “ě”) that "
                                "cannot be converted back; the file is probably UTF-8 saved as Windows-1250 (or the "
                                "other way round).")),
    "sheets_read": ("Sešit má tabulku na více listech; načteny byly listy {sheets} (v závorce počet řádků).",
                    "The workbook holds the table on several sheets; read were the sheets {sheets} (rows in brackets)."),
    "sheets_empty": ("Prázdné listy sešitu: {sheets}.", "Empty sheets of the workbook: {sheets}."),
    "sheet_mismatch": (("List „{sheet_name}“ vypadá jako další část tabulky, ale jeho sloupce se liší od listu „{best}“ "
                        "(chybí: {missing}; navíc: {extra}). Sjednoťte záhlaví listů; jinak by se řádky listu ztratily."),
                       ("The sheet “{sheet_name}” looks like another part of the table, but its columns differ from "
                        "the sheet “{best}” (missing: {missing}; extra: {extra}). Make the headers of the sheets "
                        "the same; otherwise the sheet's rows would be lost.")),
    "sheet_skipped": ("List „{sheet_name}“ obsahuje data, ale ne záhlaví této tabulky; nebyl načten.",
                      "The sheet “{sheet_name}” holds data but not this table's header; it was not read."),
    "merged_filled": (("Na listu „{sheet_name}“ jsou v datech sloučené buňky ({count}: {ranges}); hodnota každé "
                       "sloučené oblasti byla doplněna do všech jejích řádků, jak ji ukazuje Excel."),
                      ("The sheet “{sheet_name}” has merged cells in its data ({count}: {ranges}); the value of each "
                       "merged range was filled into all of its rows, as Excel shows it.")),
    "merged_across": (("{where}: řádek obsahuje buňky sloučené přes několik sloupců ({value}); sloučené buňky v "
                       "datech nelze přečíst jako hodnoty. Zrušte sloučení a vyplňte hodnoty."),
                      ("{where}: the row holds cells merged across several columns ({value}); merged cells in the "
                       "data cannot be read as values. Unmerge them and fill in the values.")),
    "thousands_dot": (("Sloupec „{column}“: {count} hodnot s tečkou a třemi číslicemi za ní (např. {example}, "
                       "{rows}) bylo přečteno jako tisíce ({example} = {read}), protože {reason_cs}."),
                      ("Column “{column}”: {count} values with a dot and three digits after it (e.g. {example}, "
                       "{rows}) were read as thousands ({example} = {read}), because {reason_en}.")),
    "ambiguous_number": (ROW_CS + ("hodnotu {value} nelze jednoznačně přečíst: tečka může oddělovat tisíce i "
                                   "desetinná místa a ostatní hodnoty sloupce to nerozhodnou. Zapište číslo bez "
                                   "oddělovače tisíců a s desetinnou čárkou."),
                         ROW_EN + ("the value {value} cannot be read unambiguously: the dot may separate thousands "
                                   "or decimals, and the other values of the column do not tell. Write the number "
                                   "without a thousands separator and with a decimal comma.")),
    # privacy
    "identifier_refused": (("Sloupec „{column}“ obsahuje přímé identifikátory ({kind_cs}). Taková data nelze zpracovat "
                           "bez pseudonymizace: odstraňte sloupec, nebo zadejte klíč pro pseudonymizaci."),
                           ("The column “{column}” holds direct identifiers ({kind_en}). Such data cannot be processed "
                           "without pseudonymisation: remove the column or give a pseudonymisation key.")),
    "identifier_dropped": (("Sloupec „{column}“ obsahuje přímé identifikátory ({kind_cs}) a neodpovídá žádnému poli; "
                           "byl odstraněn."),
                           ("The column “{column}” holds direct identifiers ({kind_en}) and matches no field; "
                           "it was removed.")),
    "identifier_hashed": ("Sloupec „{column}“ obsahuje {kind_cs}; hodnoty byly nahrazeny pseudonymy (klíčovaný hash).",
                          ("The column “{column}” holds {kind_en}; the values were replaced by pseudonyms "
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
    "foreign_key_empty_parent": (("Sloupec „{column}“ odkazuje na tabulku „{parent}“, jejíž soubor má jen záhlaví "
                                  "a žádné řádky; odkazy nelze ověřit."),
                                 ("The column “{column}” refers to the table “{parent}”, whose file has a header and "
                                  "no rows; the references cannot be checked.")),
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
    "pattern": (ROW_CS + "hodnota {value} nemá správný tvar. {rule_cs}",
                ROW_EN + "the value {value} does not have the right form. {rule_en}"),
    "in_code_list": (ROW_CS + "hodnota {value} není v číselníku „{list_cs}“ (verze {version}). {rule_cs}",
                     ROW_EN + "the value {value} is not in the code list “{list_en}” (version {version}). {rule_en}"),
    "in_code_list_combination": (ROW_CS + "kombinace {value} není v číselníku „{list_cs}“ (verze {version}). "
                                          "Porušené pravidlo: {rule_cs}",
                                 ROW_EN + "the combination {value} is not in the code list “{list_en}” (version "
                                          "{version}). Rule broken: {rule_en}"),
}

# A database table (evaluation.data.database) is checked by the same code as a file; where a message
# says "file" or "row", the database has its own wording (see for_source), and a few messages are its own.
MESSAGES.update({
    "absent_table@database": ("Tabulka „{resource}“ ({title_cs}) v databázi není; {consequence}",
                              "The table “{resource}” ({title_en}) is not in the database; {consequence}"),
    "empty_table@database": (("Tabulka v databázi nemá žádné řádky. Tabulku „{resource}“ ({title_cs}) potřebují "
                              "analýzy, které ostatní tabulky umožňují ({analyses}): naplňte ji, nebo ji vynechte "
                              "z přiřazení tabulek, pokud takové údaje nemáte."),
                             ("The database table has no rows. The table “{resource}” ({title_en}) is needed by "
                              "analyses the other tables allow ({analyses}): fill it, or leave it out of the table "
                              "mapping if you have no such data.")),
    "empty_table_note@database": ("Tabulka v databázi nemá žádné řádky; {consequence}",
                                  "The database table has no rows; {consequence}"),
    "unique@database": (ROW_CS + "hodnota {value} je v tabulce ve více záznamech (klíč musí být jedinečný).",
                        ROW_EN + "the value {value} is in more than one record of the table (the key must be "
                                 "unique)."),
    "foreign_key@database": (ROW_CS + "hodnota {value} není v tabulce „{parent}“.",
                             ROW_EN + "the value {value} is not in the table “{parent}”."),
    "foreign_key_unchecked@database": (("Sloupec „{column}“ odkazuje na tabulku „{parent}“, která v databázi není; "
                                        "odkazy nelze ověřit."),
                                       ("The column “{column}” refers to the table “{parent}”, which is not in the "
                                        "database; the references cannot be checked.")),
    "orphan@database": (ROW_CS + "záznam tabulky „{parent}“ s hodnotou {value} byl vyřazen, proto je vyřazen i "
                                 "tento záznam.",
                        ROW_EN + "the record of “{parent}” with the value {value} was excluded, so this record is "
                                 "excluded too."),
    "no_overlap@database": (ROW_CS + "období začínající {value} se překrývá s obdobím záznamu {other}. {rule_cs}",
                            ROW_EN + "the spell starting {value} overlaps the spell of the record {other}. "
                                     "{rule_en}"),
    "db_no_tables": (("Ve schématu „{schema}“ databáze není žádná tabulka datové specifikace (např. households, "
                      "applications). Tabulky nebo pohledy se musí jmenovat podle tabulek specifikace, nebo je "
                      "přiřaďte v adrese databáze (např. ?tables=households:domacnosti)."),
                     ("The schema “{schema}” of the database holds no table of the data contract (e.g. households, "
                      "applications). Tables or views must be named after the tables of the contract, or be mapped "
                      "in the database address (e.g. ?tables=households:domacnosti).")),
    "db_duplicate_table": (("Tabulce „{resource}“ odpovídá v databázi více tabulek ({found}); určete jednu v adrese "
                            "databáze (?tables={resource}:název)."),
                           ("Several database tables match the table “{resource}” ({found}); name one in the "
                            "database address (?tables={resource}:name).")),
    "db_mapped_missing": (("Tabulka „{name}“, přiřazená tabulce „{resource}“ v adrese databáze, ve schématu "
                           "„{schema}“ není."),
                          ("The table “{name}”, mapped to “{resource}” in the database address, is not in the schema "
                           "“{schema}”.")),
    "db_unreadable": ("Tabulku nelze přečíst: {reason}", "The table cannot be read: {reason}"),
    "db_type": (("Sloupec „{column}“ má v databázi typ {db_type}, ale pole „{field}“ ({title_cs}) je {expected_cs}; "
                 "hodnoty tohoto typu nelze jako tento údaj přečíst.{hint_cs} Převeďte sloupec (např. pohledem "
                 "s CAST), nebo přiřaďte jiný sloupec."),
                ("The column “{column}” has the database type {db_type}, but the field “{field}” ({title_en}) is "
                 "{expected_en}; values of this type cannot be read as it.{hint_en} Convert the column (e.g. in a "
                 "view with CAST) or map another column.")),
    "db_columns_not_read": ("Sloupce {columns} neodpovídají žádnému poli tabulky, a proto nebyly načteny.",
                            "The columns {columns} match no field of the table, so they were not read."),
})

#: Short names of the rules for the report headings and the ledger: (Czech, English).
RULE_NAMES: dict[str, tuple[str, str]] = {
    "missing_table": ("chybějící soubor", "missing file"),
    "no_tables": ("žádná tabulka", "no table"),
    "absent_table": ("tabulka ve složce není", "table not in the folder"),
    "empty_table": ("tabulka bez řádků", "table without rows"),
    "missing_needed_column": ("chybějící sloupec, který potřebují analýzy", "missing column that analyses need"),
    "lines_lost": ("nepřečtené řádky souboru", "lines of the file not read"),
    "multiline_values": ("hodnoty přes více řádků", "values over several lines"),
    "quote": ("chybné uvozovky", "broken quotes"),
    "encoding": ("chybné kódování textu", "wrong text encoding"),
    "sheets": ("listy sešitu", "sheets of the workbook"),
    "merged_cells": ("sloučené buňky", "merged cells"),
    "thousands_dot": ("tečka jako oddělovač tisíců", "dot as thousands separator"),
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
    "absent_table@database": ("tabulka v databázi není", "table not in the database"),
    "database": ("tabulky databáze", "database tables"),
    "db_type": ("sloupec nevhodného typu v databázi", "column of the wrong database type"),
    "unread_columns": ("nenačtené sloupce", "columns not read"),
    "pattern": ("kód v nesprávném tvaru", "code in the wrong form"),
    "in_code_list": ("kód mimo číselník", "code not in the code list"),
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
SEVERITY_TAGS = {"error": ("CHYBA", "ERROR"), "warning": ("varování", "warning"), "note": ("poznámka", "note")}

_PLACEHOLDER = re.compile(r"(\{[a-z_]+\})")


def row_places(rows: pd.Series | np.ndarray, sheets: pd.Series | np.ndarray | None, lang: str = "cs", *,
               capital: bool = True, keys: pd.Series | np.ndarray | None = None) -> pd.Series:
    """Where each row is, as Excel shows it: "Řádek 14" / "row 14", or with its sheet
    "List „2021“, řádek 14" / "sheet “2021”, row 14" (vectorised). A database record has no row
    number: with ``keys`` it is named by its primary key, "Záznam household_id = 'H01'"."""
    cs = lang == "cs"
    if keys is not None:
        word = ("Záznam " if cs else "Record ") if capital else ("záznam " if cs else "record ")
        return word + pd.Series(np.asarray(keys, dtype=object)).astype(str)
    rows = pd.Series(np.asarray(rows)).astype(str)
    if sheets is None:
        word = ("Řádek " if cs else "Row ") if capital else ("řádek " if cs else "row ")
        return word + rows
    sheet = pd.Series(np.asarray(sheets, dtype=object)).astype(str)
    if cs:
        return ("List „" if capital else "list „") + sheet + "“, řádek " + rows
    return ("Sheet “" if capital else "sheet “") + sheet + "”, row " + rows


def row_refs(rows: np.ndarray, sheets: np.ndarray | None, lang: str = "cs", *,
             keys: np.ndarray | None = None) -> pd.Series:
    """Short references to other rows inside a message: "7", or "7 (list „2021“)" in a workbook
    whose table spans several sheets; a database record's key (``keys``) otherwise."""
    if keys is not None:
        return pd.Series(np.asarray(keys, dtype=object)).astype(str)
    text = pd.Series(np.asarray(rows)).astype(str)
    if sheets is None:
        return text
    sheet = pd.Series(np.asarray(sheets, dtype=object)).astype(str)
    return text + (" (list „" if lang == "cs" else " (sheet “") + sheet + ("“)" if lang == "cs" else "”)")


def for_source(key: str, file_format: str) -> str:
    """The message key in the words of the source: ``"unique@database"`` says "table" and "record"
    where ``"unique"`` says "file" and "row"; the plain key when the source has no wording of its own."""
    own = f"{key}@{file_format}"
    return own if own in MESSAGES else key


def rule_name(rule: str, lang: str = "cs", source_kind: str = "folder") -> str:
    cs, en = RULE_NAMES.get(for_rule_source(rule, source_kind), (rule, rule))
    return cs if lang == "cs" else en


def for_rule_source(rule: str, source_kind: str) -> str:
    own = f"{rule}@{source_kind}"
    return own if own in RULE_NAMES else rule


def fill(template: str, **values: object) -> str:
    """Fill the per-check placeholders; ``{row}`` and ``{value}`` stay for :func:`render`."""
    for name, value in values.items():
        template = template.replace("{" + name + "}", str(value))
    return template


def render(template: str, rows: pd.Series, values: pd.Series, **per_row: pd.Series) -> pd.Series:
    """Fill ``{row}``, ``{value}`` and any ``per_row`` placeholder (``{where}`` among them) from
    aligned string Series, without a Python loop over rows."""
    columns = {"row": rows, "value": values, **per_row}
    out = pd.Series("", index=rows.index, dtype=object)
    for piece in _PLACEHOLDER.split(template):
        name = piece[1:-1] if piece.startswith("{") else None
        if name in columns:
            out = out + columns[name].astype(str).to_numpy()
        elif piece:
            out = out + piece
    return out
