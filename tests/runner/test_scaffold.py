"""`evaluation init DIR`: a configuration that loads, templates the loader reads as the contract's
tables, the notebooks, a README in Czech and English; nothing is ever overwritten."""

import pytest
from openpyxl import load_workbook

from evaluation.data import validate_folder
from evaluation.data.schema import get_schema
from evaluation.errors import ConfigError
from evaluation.runner.config import load_config
from evaluation.runner.registry import ALL_STRANDS
from evaluation.runner.scaffold import CONFIG_NAME, NOTES_SHEET, init_folder


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("init") / "kolin"
    init_folder(folder)
    return folder


def test_the_configuration_loads_and_points_at_the_folder(folder):
    config = load_config(folder / CONFIG_NAME)
    assert config.data_dir == (folder / "data").resolve() and config.output_dir == (folder / "output").resolve()
    assert config.notebooks_dir == (folder / "notebooks").resolve()
    text = (folder / CONFIG_NAME).read_text("utf-8")
    assert "# buňky s menším počtem domácností se nezveřejňují" in text  # Czech, from the declared options
    assert "# disclosure_threshold: 5" in text
    assert sorted(p.name for p in (folder / "notebooks").iterdir()) == sorted(s.notebook for s in ALL_STRANDS.values())


def test_csv_templates_are_czech_excel_friendly_and_read_as_the_contract(folder, tmp_path):
    raw = (folder / "templates" / "csv" / "households.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel keeps the Czech letters
    header = raw[3:].decode("utf-8").strip().split(";")
    assert header == [f.title_cs for f in get_schema().table("households").fields]
    data = tmp_path / "data"
    data.mkdir()
    for path in (folder / "templates" / "csv").iterdir():
        (data / path.name).write_bytes(path.read_bytes())
    report = validate_folder(data)
    assert report.ok and report.n_warnings == 0, report.to_text(lang="en")


def test_xlsx_templates_explain_every_field_in_czech(folder, tmp_path):
    book = load_workbook(folder / "templates" / "xlsx" / "tenancies.xlsx")
    fields = get_schema().table("tenancies").fields
    assert [c.value for c in book["tenancies"][1]] == [f.title_cs for f in fields]
    notes = list(book[NOTES_SHEET].iter_rows(min_row=5, values_only=True))
    assert [row[1] for row in notes] == [f.name for f in fields]
    step = next(row for row in notes if row[1] == "step")
    assert "krizové bydlení" in step[5] and step[3] == "ano"
    data = tmp_path / "data"
    data.mkdir()
    for path in (folder / "templates" / "xlsx").iterdir():
        (data / path.name).write_bytes(path.read_bytes())
    assert validate_folder(data).ok


def test_the_readme_says_what_to_fill_in_and_what_to_run(folder):
    text = (folder / "README.md").read_text("utf-8")
    for words in ("## Česky", "## English", f"evaluation run {CONFIG_NAME}", "evaluation validate data",
                  "--key-file", "| Udržení bydlení | Nájemní vztahy |", "| Tenancy retention | Tenancies |"):
        assert words in text


def test_an_existing_evaluation_is_never_overwritten(folder):
    with pytest.raises(ConfigError, match="already holds evaluation.yaml"):
        init_folder(folder)
