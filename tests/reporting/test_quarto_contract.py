"""Our side of the Quarto route, checked with a stand-in ``quarto`` program on PATH.

The real Quarto CLI cannot be installed here (test_render.py renders with it when present);
these tests check what the toolkit hands to it: the command line, a .qmd whose front matter is
valid YAML with the format options, that the produced file becomes the report, and that a
failing render is reported with Quarto's message.
"""
import json
import os
import stat
import sys
import textwrap

import pytest
import yaml

from evaluation.errors import RenderError
from evaluation.reporting import render_reports

from test_render import build_results  # same folder (tests are not a package)

FAKE_QUARTO = textwrap.dedent("""\
    #!{python}
    import json, pathlib, sys
    args = sys.argv[1:]
    log = pathlib.Path({log!r})
    calls = json.loads(log.read_text()) if log.exists() else []
    calls.append({{"args": args, "cwd": str(pathlib.Path.cwd())}})
    log.write_text(json.dumps(calls))
    if {fail!r}:
        sys.stderr.write("ERROR: compilation failed (stand-in)")
        sys.exit(1)
    source = pathlib.Path(args[1])
    suffix = {{"html": ".html", "docx": ".docx", "typst": ".pdf"}}[args[3]]
    source.with_suffix(suffix).write_text("rendered from " + source.name + "\\n" + source.read_text())
    """)


def _install_fake_quarto(folder, log, *, fail=False):
    program = folder / "quarto"
    program.write_text(FAKE_QUARTO.format(python=sys.executable, log=str(log), fail=fail))
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    return program


@pytest.fixture()
def results_dir(tmp_path):
    return build_results(tmp_path / "results")


def test_quarto_gets_a_valid_qmd_per_format_and_its_output_becomes_the_report(results_dir, tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.json"
    _install_fake_quarto(bin_dir, log)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    paths = render_reports(results_dir, tmp_path / "out", lang="cs", formats=("html", "docx", "pdf"),
                           reports=("brief",), engine="auto")
    assert sorted(p.suffix for p in paths) == [".docx", ".html", ".pdf"]
    calls = json.loads(log.read_text())
    assert [c["args"][0] for c in calls] == ["render"] * 3
    assert sorted(c["args"][3] for c in calls) == ["docx", "html", "typst"]
    for call in calls:  # (the formats are converted longest first: PDF, Word, HTML)
        path = next(p for p in paths if p.suffix == {"html": ".html", "docx": ".docx", "typst": ".pdf"}[call["args"][3]])
        text = path.read_text(encoding="utf-8")
        assert text.startswith("rendered from ")
        front = text.split("\n", 1)[1].split("\n---", 1)[0].lstrip("-\n")
        meta = yaml.safe_load(front)
        target = call["args"][3]
        assert target in meta["format"], meta["format"]
        assert meta.get("lang") in ("cs", "cs-CZ") or "lang" not in meta
    html_meta = yaml.safe_load(next(p for p in paths if p.suffix == ".html").read_text(encoding="utf-8")
                               .split("\n", 1)[1].split("\n---", 1)[0].lstrip("-\n"))
    assert html_meta["format"]["html"]["embed-resources"] is True


def test_a_failing_quarto_render_is_reported_with_its_message(results_dir, tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _install_fake_quarto(bin_dir, tmp_path / "calls.json", fail=True)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(RenderError, match="compilation failed"):
        render_reports(results_dir, tmp_path / "out", formats=("html",), reports=("brief",), engine="quarto")


def test_asking_for_quarto_without_it_is_a_clear_error(results_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(RenderError, match="not on PATH"):
        render_reports(results_dir, tmp_path / "out", formats=("html",), reports=("brief",), engine="quarto")
