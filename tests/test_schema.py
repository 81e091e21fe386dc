"""The data contract in data_schema/ is well formed and internally consistent."""
import json

import pytest

from evaluation.data.schema import get_schema, normalise_label, schema_dir

TYPES = {"string", "integer", "number", "boolean", "date"}
RULE_PARAMS = {
    "compare": {"left", "op", "right"},
    "missing_iff": {"field", "when_field", "when_value"},
    "no_overlap": {"by", "start", "end"},
    "in_study_period": {"fields"},
    "first_of_month": {"field"},
    "constant_within": {"field", "by"},
    "pattern": {"field", "pattern"},
    "in_code_list": {"fields", "list"},
}
#: Rule parameters that are not field names (an operator, a value, a regular expression, a code list).
NOT_FIELDS = {"when_value", "op", "pattern", "list"}


def test_package_descriptor_lists_every_schema_file():
    root = schema_dir()
    package = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    on_disk = {p.name for p in root.glob("*.schema.json")}
    assert {r["schema"] for r in package["resources"]} == on_disk


def test_the_tables_the_issue_requires_are_present():
    names = set(get_schema().table_names)
    assert {"households", "units", "tenancies", "support_contacts", "rent_ledger",
            "applications", "costs", "municipality_panel"} <= names


@pytest.mark.parametrize("table", get_schema().tables, ids=lambda t: t.name)
def test_each_table_is_consistent(table):
    names = table.field_names
    assert len(names) == len(set(names)), "duplicate field names"
    assert set(table.primary_key) <= set(names)
    for field in table.fields:
        assert field.type in TYPES, field.name
        assert field.title_cs and field.title_en and field.description_cs and field.description_en
        codes = field.codes
        assert len(codes) == len(set(codes)), f"duplicate category codes in {field.name}"
        spellings = [normalise_label(s) for c in field.categories for s in {c.value, c.label_cs, c.label_en}]
        # a spelling may repeat only within one category (e.g. 'Housing First' in both languages)
        assert len(field.code_lookup()) == len(set(spellings))
    for fk in table.foreign_keys:
        target = get_schema().table(fk.resource)
        assert set(fk.fields) <= set(names)
        assert fk.reference_fields == target.primary_key
    for rule in table.rules:
        assert rule.type in RULE_PARAMS, rule.type
        assert RULE_PARAMS[rule.type] <= set(rule.params), rule
        assert rule.description_cs and rule.description_en
        mentioned = [v for k, v in rule.params.items() if k not in NOT_FIELDS]
        for value in mentioned:
            for name in [value] if isinstance(value, str) else value:
                assert name in names, f"rule {rule.type} of {table.name} names unknown field {name}"


def test_labels_in_both_languages_and_lookup_accepts_any_spelling():
    step = get_schema().table("tenancies").field("step")
    assert step.label("affordable", "cs") == "dostupné bydlení"
    assert step.label("affordable", "en") == "affordable housing"
    lookup = step.code_lookup()
    assert lookup[normalise_label("Dostupné  BYDLENÍ")] == "affordable"
    assert lookup[normalise_label("dostupne bydleni")] == "affordable"
    assert lookup[normalise_label("Affordable housing")] == "affordable"


def test_unknown_table_is_a_clear_error():
    with pytest.raises(KeyError, match="no table 'tenants'"):
        get_schema().table("tenants")
