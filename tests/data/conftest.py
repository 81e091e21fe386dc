"""Small hand-written data folders, in the shapes municipal offices export them.

``czech_folder`` is a realistic Windows-1250 export: ``;`` separators, Czech
headers, Czech category labels, decimal commas, dates as 15.03.2019. Every test
that needs a broken file starts from these texts and changes one thing, so the
expected row, column and rule are known by construction.
"""
from __future__ import annotations

from pathlib import Path

import pytest

HOUSEHOLDS_CS = """\
Domácnost;Obec;Městská část;Velikost domácnosti;Děti;Příjmové pásmo;Bytová nouze (ETHOS);Zdroj doporučení;Datum doporučení;Skupina;Program;Kohorta
H01;Ostrava;Vítkovice;3;1;pod životním minimem;Noclehárna;Úřad práce;15.03.2019;programová skupina;prostupné bydlení;1
H02;Ostrava;Poruba;2;0;1 až 1,5násobek životního minima;bez střechy – na ulici;OSPOD;2. 4. 2019;programová skupina;prostupné bydlení;1
H03;Ostrava;;4;2;;nejisté bydlení (hrozící ztráta bydlení);vlastní iniciativa;2019-05-20;srovnávací skupina;žádný program;
H04;Ostrava;Jih;1;0;pod životním minimem;dočasně u rodiny či přátel;depistáž (terénní práce);01.06.2019;programová skupina;Housing First;
"""

UNITS_CS = """\
Byt;Obec;Městská část;Stupeň;Vlastník;Podlahová plocha (m2);Pokoje;V SVL;Kód území
B1;Ostrava;Vítkovice;krizové bydlení;obecní;34,5;1;ano;Z001
B2;Ostrava;Poruba;sociální bydlení;nestátní nezisková organizace;52,25;2;ne;Z002
B3;Ostrava;Jih;Housing First;soukromý;48,0;;NE;Z003
"""

TENANCIES_CS = """\
Nájem;Domácnost;Byt;Stupeň;datum_začátku;datum_konce;Důvod ukončení
T1;H01;B1;krizové bydlení;01.04.2019;30.09.2019;postup na vyšší stupeň
T2;H01;B2;sociální bydlení;30.09.2019;;stále bydlí
T3;H02;B1;krizové bydlení;01.10.2019;15.01.2020;vystěhování
T4;H04;B3;Housing First;01.07.2019;;stále bydlí
"""

RENT_LEDGER_CS = """\
Nájem;Domácnost;Měsíc;Předpis (Kč);Zaplaceno (Kč);Dluh (Kč)
T1;H01;01.04.2019;3 200,00;3 200,00;0
T1;H01;01.05.2019;3 200,00;2 000,50;1 199,50
T3;H02;01.10.2019;2 800;0;2 800
T4;H04;01.07.2019;4 100,5;4 100,5;0
"""

CZECH_TABLES = {"households": HOUSEHOLDS_CS, "units": UNITS_CS, "tenancies": TENANCIES_CS,
                "rent_ledger": RENT_LEDGER_CS}


def write_csv(folder: Path, table: str, text: str, *, encoding: str = "cp1250", name: str | None = None) -> Path:
    """Write ``text`` as a CSV file with Windows line ends, as Excel on Windows saves it."""
    path = folder / (name or f"{table}.csv")
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return path


def make_folder(folder: Path, tables: dict[str, str] | None = None, **changes: str) -> Path:
    """A folder with the Czech export; ``changes`` replace whole table texts (``None``-like '' drops one)."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = dict(tables or CZECH_TABLES)
    texts.update(changes)
    for table, text in texts.items():
        if text:
            write_csv(folder, table, text)
    return folder


def replace_line(text: str, line_number: int, new_line: str) -> str:
    """``text`` with its physical line ``line_number`` (1 = header) replaced."""
    lines = text.splitlines()
    lines[line_number - 1] = new_line
    return "\n".join(lines) + "\n"


@pytest.fixture
def czech_folder(tmp_path: Path) -> Path:
    return make_folder(tmp_path / "ostrava")


# -- exports built from the synthetic data, to be corrupted as real exports are ----------------------
@pytest.fixture(scope="session")
def synthetic_texts(tmp_path_factory) -> dict[str, str]:
    """The synthetic pilots (seed 11, scale 0.05) as the Czech CSV export writes them, one text per table
    (``\\n`` line ends; :func:`write_synthetic` writes them back as Windows-1250 with CRLF)."""
    from evaluation.data.writers import write_tables
    from evaluation.synthetic import simulate

    folder = tmp_path_factory.mktemp("synthetic")
    write_tables(simulate(seed=11, scale=0.05).tables, folder, fmt="csv", lang="cs")
    return {p.stem: p.read_bytes().decode("cp1250").replace("\r\n", "\n") for p in sorted(folder.glob("*.csv"))}


HOUSING = ("households", "units", "tenancies", "rent_ledger")


def write_synthetic(folder: Path, texts: dict[str, str], *, only: tuple[str, ...] | None = None,
                    **changes: str | None) -> Path:
    """A folder with the synthetic export (or ``only`` some of its tables; a folder may hold some tables);
    ``changes`` replace a table's text (``None`` leaves the table out)."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = {t: v for t, v in texts.items() if only is None or t in only}
    tables.update(changes)
    for table, text in tables.items():
        if text is not None:
            write_csv(folder, table, text)
    return folder


def data_lines(text: str) -> list[str]:
    """The lines of a CSV text below its header."""
    return text.splitlines()[1:]
