"""``evaluation init DIR``: an evaluation folder for a new municipality, ready to fill in.

The folder holds:

* ``evaluation.yaml`` — the run configuration, every key commented in Czech and English from
  the declared options (:func:`evaluation.runner.config.commented_configuration`);
* ``data/`` — empty: the exports go here, one file per table;
* ``templates/csv/<table>.csv`` — an empty table of the data contract with Czech headers
  (UTF-8 with BOM, ``;`` separated, so Excel opens it with the Czech letters intact);
* ``templates/xlsx/<table>.xlsx`` — the same headers on the first sheet, and a second sheet
  (``vysvětlivky``) explaining every column in Czech: type, whether it is required, what it
  holds and the allowed values;
* ``notebooks/`` — the strand notebooks (the configuration points at this copy);
* ``README.md`` — what to fill in and which commands to run, in Czech and English.

Templates live beside ``data/`` rather than in it: a table given twice (CSV and XLSX) in the
data folder is refused as a duplicate.

Example
-------
>>> import tempfile, pathlib
>>> written = init_folder(pathlib.Path(tempfile.mkdtemp()) / "kolin")
>>> sorted({p.parent.name for p in written})[:4]
['csv', 'kolin', 'notebooks', 'xlsx']
"""

from __future__ import annotations

import shutil
from pathlib import Path

from evaluation.errors import ConfigError
from evaluation.runner.config import commented_configuration, default_notebooks_dir
from evaluation.runner.registry import ALL_STRANDS

CONFIG_NAME = "evaluation.yaml"
NOTES_SHEET = "vysvětlivky"
TYPE_WORDS = {"string": "text", "integer": "celé číslo", "number": "číslo (desetinná čárka)",
              "boolean": "ano / ne", "date": "datum (DD.MM.RRRR)"}


def init_folder(folder: str | Path) -> list[Path]:
    """Write a new evaluation folder (see the module docstring); return the files written.

    Raises ConfigError when ``folder`` already holds an evaluation (its configuration, data
    or templates), so nothing is overwritten.
    """
    from evaluation.data.schema import get_schema

    folder = Path(folder)
    taken = [name for name in (CONFIG_NAME, "data", "templates", "notebooks", "README.md")
             if (folder / name).exists()]
    if taken:
        raise ConfigError(f"{folder} already holds {', '.join(taken)}; choose a new folder so that nothing "
                          "is overwritten")
    contract = get_schema()
    (folder / "data").mkdir(parents=True)
    written = [_write(folder / CONFIG_NAME, _configuration(folder))]
    for table in contract.tables:
        written.append(_write_csv(folder / "templates" / "csv" / f"{table.name}.csv", table))
        written.append(_write_xlsx(folder / "templates" / "xlsx" / f"{table.name}.xlsx", table))
    (folder / "notebooks").mkdir()
    for strand in ALL_STRANDS.values():
        written.append(Path(shutil.copy2(default_notebooks_dir() / strand.notebook, folder / "notebooks")))
    written.append(_write(folder / "README.md", readme(folder.name, contract)))
    return written


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _configuration(folder: Path) -> str:
    header = (f"# Konfigurace evaluace ({folder.name}); spuštění: evaluation run {CONFIG_NAME}\n"
              f"# Run configuration ({folder.name}); run it with: evaluation run {CONFIG_NAME}\n"
              "# Cesty jsou relativní ke složce tohoto souboru. Neznámý klíč je chyba.\n"
              "# Paths are relative to this file's folder. An unknown key is an error.\n"
              "# Klíče s výchozí hodnotou jsou zakomentované / keys at their default are commented out.\n\n")
    return header + commented_configuration({"data": "data", "output": "output", "notebooks": "notebooks"})


def _write_csv(path: Path, table: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = ";".join(_quoted(f.title_cs) for f in table.fields)
    path.write_text(header + "\r\n", encoding="utf-8-sig")
    return path


def _quoted(text: str) -> str:
    return f'"{text}"' if any(ch in text for ch in ';"\n') else text


def _allowed(field: object) -> str:
    if field.categories:
        return "; ".join(c.label_cs for c in field.categories)
    limits = []
    if field.minimum is not None:
        limits.append(f"nejméně {field.minimum:g}")
    if field.maximum is not None:
        limits.append(f"nejvýše {field.maximum:g}")
    return ", ".join(limits)


def _write_xlsx(path: Path, table: object) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    sheet = book.active
    sheet.title = table.name  # the reader takes the sheet named after the table
    sheet.append([f.title_cs for f in table.fields])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, field in enumerate(table.fields, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(12, len(field.title_cs) + 2)
    sheet.freeze_panes = "A2"
    notes = book.create_sheet(NOTES_SHEET)
    notes.append([f"{table.title_cs} ({table.name}.xlsx)"])
    notes.append([table.description_cs])
    notes.append([])
    notes.append(["Sloupec", "Název pole", "Typ", "Povinné", "Popis", "Povolené hodnoty"])
    for field in table.fields:
        notes.append([field.title_cs, field.name, TYPE_WORDS.get(field.type, field.type),
                      "ano" if field.required else "ne", field.description_cs, _allowed(field)])
    notes["A1"].font = Font(bold=True, size=12)
    for cell in notes[4]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEF", (28, 24, 22, 9, 70, 60)):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=5):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    book.save(path)
    return path


def _strand_tables(lang: str) -> list[str]:
    """One line per strand: the tables it needs (from the registry)."""
    from evaluation.runner.strands._common import table_title

    joiner, alternative = (" + ", " nebo ") if lang == "cs" else (" + ", " or ")
    lines = []
    for strand in ALL_STRANDS.values():
        sets = [joiner.join(table_title(t, lang) for t in tables) for tables in strand.needs if tables]
        needs = alternative.join(sets) if sets else ("vždy" if lang == "cs" else "always")
        lines.append(f"| {strand.title(lang)} | {needs} |")
    return lines


def readme(name: str, contract: object) -> str:
    """The folder's README in Czech and English."""
    tables_cs = [f"| `{t.name}` | {t.title_cs} | {'ano' if t.required else 'ne'} |" for t in contract.tables]
    tables_en = [f"| `{t.name}` | {t.title_en} | {'yes' if t.required else 'no'} |" for t in contract.tables]
    return "\n".join([
        f"# Evaluace: {name}", "",
        "## Česky", "",
        "1. **Data.** Pro každou tabulku, kterou máte, vyplňte šablonu ze složky `templates/` (CSV nebo "
        "XLSX; list `vysvětlivky` v XLSX popisuje každý sloupec a povolené hodnoty) a uložte ji do složky "
        "`data/` pod názvem tabulky, např. `data/households.xlsx`. Každá tabulka jen jednou (CSV, nebo XLSX). "
        "Tabulky, které nemáte, vynechte: části evaluace, pro které chybí data, se nespustí a zpráva uvede "
        "proč.",
        "2. **Kontrola.** `evaluation validate data` vypíše všechny problémy s řádkem, sloupcem a pravidlem. "
        "Obsahují-li data rodná čísla, jména nebo adresy, přidejte klíč pro pseudonymizaci: "
        "`--key-file SOUBOR_S_KLÍČEM` (klíč se nikam nezapisuje; uchovejte jej mimo tuto složku).",
        f"3. **Nastavení.** Upravte `{CONFIG_NAME}` (každý klíč je popsán v komentáři).",
        f"4. **Spuštění.** `evaluation run {CONFIG_NAME}` (se stejným `--key-file`, pokud jste jej "
        "potřebovali). Zprávy budou ve složce `output/reports/`. Přerušený nebo neúspěšný běh dokončí "
        f"`evaluation run {CONFIG_NAME} --resume`.", "",
        "| tabulka | název | povinná |", "|---|---|---|", *tables_cs, "",
        "| část evaluace | potřebuje tabulky |", "|---|---|", *_strand_tables("cs"), "",
        "## English", "",
        "1. **Data.** For every table you have, fill in its template from `templates/` (CSV or XLSX; the "
        "`vysvětlivky` sheet of the XLSX explains every column and its allowed values) and save it in "
        "`data/` under the table's name, e.g. `data/households.xlsx`. Give each table once (CSV or XLSX). "
        "Leave out the tables you do not have: the strands that need them do not run, and the report says "
        "why.",
        "2. **Check.** `evaluation validate data --lang en` lists every problem with row, column and rule. "
        "If the data hold birth numbers, names or addresses, add a pseudonymisation key: "
        "`--key-file KEY_FILE` (the key is written nowhere; keep it outside this folder).",
        f"3. **Configure.** Edit `{CONFIG_NAME}` (a comment explains every key).",
        f"4. **Run.** `evaluation run {CONFIG_NAME}` (with the same `--key-file` if you needed one). The "
        f"reports are in `output/reports/`. `evaluation run {CONFIG_NAME} --resume` finishes an interrupted "
        "or failed run.", "",
        "| table | title | required |", "|---|---|---|", *tables_en, "",
        "| strand | needs the tables |", "|---|---|", *_strand_tables("en"), "",
        "The data contract, with every field and rule: `data_schema/README.md` of the toolkit.", ""])
