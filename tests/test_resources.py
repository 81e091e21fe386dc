"""The data contract, templates and notebooks are found in a checkout, an installed copy or an
override folder, and a missing one is a clear error."""
import shutil

import pytest

from evaluation.errors import EvaluationError
from evaluation.resources import resource_dir


def test_checkout_folders_are_found():
    assert (resource_dir("data_schema", "datapackage.json") / "tenancies.schema.json").is_file()
    assert (resource_dir("reports", "i18n/cs.yaml") / "templates" / "brief.md.j2").is_file()
    assert (resource_dir("notebooks", "01_data_quality.ipynb") / "06_need.ipynb").is_file()


def test_an_environment_variable_overrides_the_templates(tmp_path, monkeypatch):
    own = tmp_path / "our_templates"
    shutil.copytree(resource_dir("reports", "i18n/cs.yaml"), own)
    monkeypatch.setenv("EVALUATION_REPORTS_DIR", str(own))
    assert resource_dir("reports", "i18n/cs.yaml") == own


def test_a_missing_folder_names_where_it_looked_and_the_variable(monkeypatch):
    with pytest.raises(EvaluationError, match="EVALUATION_NOTEBOOKS_DIR"):
        resource_dir("notebooks", "no_such_notebook.ipynb")
