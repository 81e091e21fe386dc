"""Render the data contract as Markdown for data providers, in Czech and English.

``data_schema/README.md`` is the output of :func:`render_readme`; a test fails when
it is out of date with the JSON. Regenerate it with
``python -m evaluation.data.contract_docs > data_schema/README.md``.

Example
-------
>>> text = render_contract("en")
>>> "## Tenancies (`tenancies`)" in text and "| `end_date` | date |" in text
True
"""

from __future__ import annotations

import sys

from evaluation.data.needs import analyses_needing, analysis, needed_fields, titles
from evaluation.data.schema import DataContract, Field, TableSchema, get_schema

_WORDS = {
    "cs": {"heading": "Datová specifikace", "period": "Období studie", "required_table": "základní tabulka programu",
           "optional_table": "doplňková tabulka", "field": "Pole",
           "needed_by": "Potřebují ji analýzy", "needed_by_none": "Žádná analýza ji nepotřebuje",
           "read_fields": ("Nepovinná pole, která čtou analýzy nebo pravidla (sloupec musí v souboru být, "
                           "i když je prázdný)"), "type": "Typ", "required": "Povinné",
           "title": "Název", "description": "Popis", "limits": "Rozsah", "yes": "ano", "no": "ne",
           "may_be_absent": "ne (sloupec lze vynechat)",
           "key": "Primární klíč", "references": "Odkazy", "rules": "Pravidla", "categories": "Kategorie pole",
           "code": "Kód", "label_cs": "Český popisek", "label_en": "Anglický popisek", "aliases": "Další názvy sloupce",
           "code_lists": "Číselníky", "list": "Číselník", "file": "Soubor", "version": "Verze", "source": "Zdroj",
           "code_lists_intro": ("Pravidla `in_code_list` ověřují kódy proti číselníkům, které jsou součástí "
                                "specifikace (složka `codes/`, popis v `codes/README.md`)."),
           "files": ("Složka s daty obsahuje jeden soubor za tabulku pojmenovaný podle tabulky "
                     "(`households.csv`, `tenancies.xlsx`, `units.parquet` …). CSV může být v UTF-8 i Windows-1250, "
                     "s oddělovačem `;`, `,` nebo tabulátorem, s desetinnou čárkou a daty ve tvaru `15.03.2019`. "
                     "Složka nemusí obsahovat všechny tabulky: analýzy, kterým některá chybí, se neprovedou. "
                     "Záhlaví sloupce může být název pole, jeho český či anglický název nebo jiný uvedený název; "
                     "kategorie lze zapsat kódem nebo českým či anglickým popiskem. Logické hodnoty: ano/ne. "
                     "Prázdné hodnoty: prázdná buňka nebo {missing}."),
           "types": {"string": "text", "integer": "celé číslo", "number": "číslo", "boolean": "ano/ne",
                     "date": "datum"}},
    "en": {"heading": "Data contract", "period": "Study period", "required_table": "core table of a programme",
           "optional_table": "supplementary table", "field": "Field",
           "needed_by": "Needed by the analyses", "needed_by_none": "No analysis needs it",
           "read_fields": ("Optional fields that analyses or rules read (the column must be in the file, even "
                           "if empty)"), "type": "Type", "required": "Required",
           "title": "Title", "description": "Description", "limits": "Range", "yes": "yes", "no": "no",
           "may_be_absent": "no (column may be left out)",
           "key": "Primary key", "references": "References", "rules": "Rules", "categories": "Categories of",
           "code": "Code", "label_cs": "Czech label", "label_en": "English label", "aliases": "Other column names",
           "code_lists": "Code lists", "list": "Code list", "file": "File", "version": "Version", "source": "Source",
           "code_lists_intro": ("The `in_code_list` rules check codes against the code lists that come with the "
                                "contract (folder `codes/`, described in `codes/README.md`)."),
           "files": ("A data folder holds one file per table, named after the table (`households.csv`, "
                     "`tenancies.xlsx`, `units.parquet` ...). CSV may be UTF-8 or Windows-1250, separated by `;`, `,` "
                     "or tab, with decimal commas and dates such as `15.03.2019`. A folder need not hold every table: "
                     "the analyses that lack one do not run. A column header may be the field "
                     "name, its Czech or English title or another listed name; categories may be written as the "
                     "code or the Czech or English label. Booleans: yes/no (ano/ne). Empty values: an empty cell "
                     "or {missing}."),
           "types": {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean",
                     "date": "date"}},
}


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _limits(f: Field) -> str:
    low = "" if f.minimum is None else f"{f.minimum:g}"
    high = "" if f.maximum is None else f"{f.maximum:g}"
    return f"{low} – {high}" if (low or high) else ""


def _table(table: TableSchema, lang: str) -> list[str]:
    w = _WORDS[lang]
    kind = w["required_table"] if table.required else w["optional_table"]
    users = analyses_needing(table.name)
    used = f"{w['needed_by']}: {titles(users, lang)}." if users else f"{w['needed_by_none']}."
    lines = [f"## {table.title(lang)} (`{table.name}`)", "",
             f"*{kind}.* {table.description_cs if lang == 'cs' else table.description_en} {used}", ""]
    lines += [(f"| {w['field']} | {w['type']} | {w['required']} | {w['title']} | {w['limits']} | {w['description']} "
              f"| {w['aliases']} |"), "|---|---|---|---|---|---|---|"]
    for f in table.fields:
        required = w["yes"] if f.required else w["may_be_absent"] if f.may_be_absent else w["no"]
        lines.append(f"| `{f.name}` | {w['types'][f.type]} | {required} | "
                     f"{_cell(f.title(lang))} | {_limits(f)} | {_cell(f.description(lang))} | "
                     f"{_cell(', '.join(f.aliases))} |")
    lines.append("")
    read = _read_optional_fields(table, lang)
    if read:
        lines += [f"**{w['read_fields']}:**"] + read + [""]
    if table.primary_key:
        lines += [f"**{w['key']}:** " + ", ".join(f"`{k}`" for k in table.primary_key), ""]
    if table.foreign_keys:
        lines.append(f"**{w['references']}:**")
        lines += [f"- {', '.join(f'`{x}`' for x in fk.fields)} → `{fk.resource}`."
                  f"{', '.join(f'`{x}`' for x in fk.reference_fields)}" for fk in table.foreign_keys]
        lines.append("")
    if table.rules:
        lines.append(f"**{w['rules']}:**")
        lines += [f"- {rule.description(lang)} (`{rule.type}`)" for rule in table.rules]
        lines.append("")
    for f in table.fields:
        if not f.is_categorical:
            continue
        lines += [f"{w['categories']} `{f.name}`:", "", f"| {w['code']} | {w['label_cs']} | {w['label_en']} |",
                  "|---|---|---|"]
        lines += [f"| `{c.value}` | {_cell(c.label_cs)} | {_cell(c.label_en)} |" for c in f.categories]
        lines.append("")
    return lines


def _read_optional_fields(table: TableSchema, lang: str) -> list[str]:
    by_analysis = needed_fields(table.name)
    ruled: dict[str, list[str]] = {}
    for rule in table.rules:
        for name in rule.fields:
            ruled.setdefault(name, []).append(f"`{rule.type}`")
    lines = []
    for f in table.fields:
        if f.required or (f.name not in by_analysis and f.name not in ruled):
            continue
        who = [titles([analysis(a) for a in by_analysis.get(f.name, ())], lang)] if f.name in by_analysis else []
        who += [", ".join(dict.fromkeys(ruled[f.name]))] if f.name in ruled else []
        lines.append(f"- `{f.name}`: " + "; ".join(x for x in who if x))
    return lines


def _code_lists(contract: DataContract, lang: str) -> list[str]:
    if not contract.code_lists:
        return []
    w = _WORDS[lang]
    lines = [f"**{w['code_lists']}:** {w['code_lists_intro']}", "",
             f"| {w['list']} | {w['file']} | {w['title']} | {w['version']} | {w['source']} |", "|---|---|---|---|---|"]
    lines += [f"| `{c.name}` | `{c.path.relative_to(contract.folder).as_posix()}` | {_cell(c.title(lang))} | "
              f"{_cell(c.version)} | {_cell(c.source(lang))} |" for c in contract.code_lists]
    return lines + [""]


def render_contract(lang: str = "cs", contract: DataContract | None = None) -> str:
    """The whole contract as Markdown in ``lang`` (``"cs"`` or ``"en"``)."""
    if lang not in _WORDS:
        raise ValueError(f"lang must be 'cs' or 'en', not {lang!r}")
    contract = contract or get_schema()
    w = _WORDS[lang]
    start, end = contract.study_period
    missing = sorted({m for t in contract.tables for m in t.missing_values if m})
    lines = [f"# {w['heading']}: {contract.name} {contract.version}", "",
             w["files"].format(missing=", ".join(f"`{m}`" for m in missing)), "",
             f"**{w['period']}:** {start} – {end}", ""]
    lines += _code_lists(contract, lang)
    for table in contract.tables:
        lines += _table(table, lang)
    return "\n".join(lines).rstrip() + "\n"


def render_readme(contract: DataContract | None = None) -> str:
    """``data_schema/README.md``: the contract in Czech, then in English."""
    note = ("<!-- Generated by `python -m evaluation.data.contract_docs > data_schema/README.md` from the JSON "
            "files in this folder; do not edit by hand. -->\n\n")
    return note + render_contract("cs", contract) + "\n---\n\n" + render_contract("en", contract)


if __name__ == "__main__":
    sys.stdout.write(render_readme())
