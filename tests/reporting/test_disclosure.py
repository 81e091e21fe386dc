"""Disclosure control: hand-checked tables, and an independent integer attacker.

The attacker (``_integer_range``) is written here from scratch with scipy's MILP and knows
everything a reader of the published table knows: visible cells, totals, and what the
symbols say ("<5" is 1..4, "x" on a count is at least 5 because zeros are published and
complements are never zero). A hidden small count is protected when at least two integer
values remain possible for it.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from evaluation.errors import DisclosureError
from evaluation.reporting.disclosure import (
    DisclosureRules,
    Relation,
    audit,
    check_not_household_level,
    check_published,
    find_relations,
    is_total_label,
    protect_table,
)


def _integer_range(original: pd.DataFrame, protected, cell, count_columns):
    """Smallest and largest integer value of ``cell`` consistent with the published table."""
    rules = protected.rules
    hidden = [c for c, kind in protected.suppressed.items() if kind in ("primary", "secondary")]
    index = {c: i for i, c in enumerate(hidden)}
    relations, _ = find_relations(original.reset_index(drop=True), count_columns)
    rows, rhs = [], []
    for relation in relations:
        coefficients = np.zeros(len(hidden))
        constant = 0.0
        for sign, c in [(-1.0, relation.total)] + [(1.0, p) for p in relation.parts]:
            if c in index:
                coefficients[index[c]] += sign
            else:  # the attacker reads visible cells from the *published* table
                constant += sign * float(protected.table.at[c[0], c[1]])
        rows.append(coefficients)
        rhs.append(-constant)
    low = [1 if protected.suppressed[c] == "primary" else rules.threshold for c in hidden]
    high = [rules.threshold - 1 if protected.suppressed[c] == "primary" else 10**6 for c in hidden]
    constraints = [LinearConstraint(np.array(rows), rhs, rhs)] if rows else []
    result = []
    for sign in (1.0, -1.0):
        objective = np.zeros(len(hidden))
        objective[index[cell]] = sign
        solved = milp(objective, constraints=constraints, integrality=np.ones(len(hidden)),
                      bounds=Bounds(low, high))
        assert solved.success
        result.append(round(sign * solved.fun))
    return tuple(result)


def _assert_protected(original, protected, count_columns):
    for cell, kind in protected.suppressed.items():
        if kind == "primary":
            low, high = _integer_range(original, protected, cell, count_columns)
            assert high > low, f"{cell} can be recovered exactly ({low})"
            true = float(original.reset_index(drop=True).at[cell[0], cell[1]])
            assert low <= true <= high


def test_one_dimensional_table_with_total():
    # hand-checked: 3 is small; the smallest other part (12) hides it from the total 35
    table = pd.DataFrame({"district": ["Praha 3", "Praha 7", "Praha 10", "Celkem"],
                          "households": [3, 12, 20, 35]})
    protected = protect_table(table, count_columns=["households"])
    assert protected.table["households"].tolist() == ["<5", "x", 20, 35]
    assert protected.count("primary") == 1 and protected.count("secondary") == 1
    _assert_protected(table, protected, ["households"])
    # the attacker learns 3 + x = 15 with x >= 5: the small cell stays anywhere in 1..4
    assert _integer_range(table, protected, (0, "households"), ["households"]) == (1, 4)


def test_table_without_margins_needs_primary_suppression_only():
    table = pd.DataFrame({"district": ["A", "B", "C"], "households": [3, 12, 0]})
    protected = protect_table(table, count_columns=["households"])
    assert protected.table["households"].tolist() == ["<5", 12, 0]  # zero is published
    assert protected.count("secondary") == 0


def test_two_dimensional_wide_table_with_margins():
    # hand-checked: primaries (Praha 3, approved)=2 and (Praha 10, rejected)=3; complements close
    # the cycle: (Praha 3, rejected)=27 and (Praha 10, approved)=2207 -- every row and column
    # with a hidden cell has two, and the zero (Praha 3, pending) is never used
    table = pd.DataFrame({"district": ["Praha 3", "Praha 7", "Praha 10", "Celkem"],
                          "approved": [2, 1311, 2207, 3520], "rejected": [27, 34, 3, 64],
                          "pending": [0, 12, 9, 21], "total": [29, 1357, 2219, 3605]})
    counts = ["approved", "rejected", "pending", "total"]
    protected = protect_table(table, count_columns=counts)
    assert protected.suppressed == {(0, "approved"): "primary", (2, "rejected"): "primary",
                                    (2, "approved"): "secondary", (0, "rejected"): "secondary"}
    assert protected.table.at[0, "pending"] == 0
    _assert_protected(table, protected, counts)
    # worked by hand: r0 = 30 - r2 in 26..29, so approved(Praha 3) = 29 - r0 in 1..3
    assert _integer_range(table, protected, (0, "approved"), counts) == (1, 3)
    for relation in protected.relations:
        hidden = sum(c in protected.suppressed for c in relation.cells)
        assert hidden != 1


def test_long_table_with_margins_in_two_dimensions():
    rows = []
    values = {("P3", "ok"): 3, ("P3", "no"): 10, ("P7", "ok"): 8, ("P7", "no"): 12}
    for d in ("P3", "P7", "total"):
        for s in ("ok", "no", "total"):
            if d != "total" and s != "total":
                v = values[(d, s)]
            elif d == "total" and s != "total":
                v = sum(values[(x, s)] for x in ("P3", "P7"))
            elif s == "total" and d != "total":
                v = sum(values[(d, y)] for y in ("ok", "no"))
            else:
                v = sum(values.values())
            rows.append({"district": d, "status": s, "n": v})
    table = pd.DataFrame(rows)
    protected = protect_table(table, count_columns=["n"])
    assert len(protected.relations) == 6  # 3 row groups + 3 column groups
    hidden = {(table.at[r, "district"], table.at[r, "status"]) for r, _ in protected.suppressed}
    assert hidden == {("P3", "ok"), ("P3", "no"), ("P7", "ok"), ("P7", "no")}
    _assert_protected(table, protected, ["n"])


def test_equal_small_cells_that_pin_each_other_get_a_third_complement():
    # 1 + 1 = 2 with both at least 1 would reveal both; the audit adds the 10
    table = pd.DataFrame({"kind": ["a", "b", "c", "total"], "n": [1, 1, 10, 12]})
    protected = protect_table(table, count_columns=["n"])
    assert protected.table["n"].tolist() == ["<5", "<5", "x", 12]
    _assert_protected(table, protected, ["n"])


def _protect_random_tables(rng, tables=25):
    """Protect random two-way tables with margins, each checked by the independent attacker; return
    how many were published (refusing to publish is safe)."""
    checked = 0
    for _ in range(tables):
        shape = (int(rng.integers(2, 5)), int(rng.integers(2, 4)))
        inner = rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 40], size=shape, p=[.1, .15, .15, .1, .1, .1, .1, .1, .1])
        columns = [f"c{j}" for j in range(shape[1])]
        frame = pd.DataFrame(inner, columns=columns)
        frame["total"] = frame.sum(axis=1)
        frame.loc[len(frame)] = frame.sum(axis=0)
        frame.insert(0, "group", [f"g{i}" for i in range(shape[0])] + ["Celkem"])
        counts = columns + ["total"]
        try:
            protected = protect_table(frame, count_columns=counts)
        except DisclosureError:
            continue
        _assert_protected(frame, protected, counts)
        checked += 1
    return checked


def test_random_tables_never_disclose_a_small_cell():
    assert _protect_random_tables(np.random.default_rng(20261123)) >= 20


def test_an_integer_program_cut_short_never_exposes_a_cell(monkeypatch):
    # On a busy machine the audit's integer programs can hit their time limit. Read as "unbounded",
    # such a solve left the relaxation's wider range and a pinned cell passed as protected (the
    # 16-pilot batch attacker once recovered an exit count under load 11). With no time at all
    # for the integer programs every table must still withstand the independent attacker.
    import evaluation.reporting.disclosure as disclosure

    monkeypatch.setattr(disclosure, "INTEGER_TIME_LIMIT", 0.0)
    # every range goes to the integer program (no shortcut through the relaxation decides first)
    monkeypatch.setattr(disclosure, "RELAXATION_WIDE_ENOUGH", 10**9)
    monkeypatch.setattr(disclosure._RangeSolver, "_whole", lambda self, point: False)
    stopped = []
    integer_end = disclosure._RangeSolver._integer_end

    def counted(self, column, sense):
        value = integer_end(self, column, sense)
        stopped.append(self.integer.getModelStatus() != self._highspy.HighsModelStatus.kOptimal)
        return value

    monkeypatch.setattr(disclosure._RangeSolver, "_integer_end", counted)
    checked = _protect_random_tables(np.random.default_rng(20261205))
    assert checked >= 10  # (some tables are refused when a cut-short solve leaves a cell looking pinned: safe)
    assert any(stopped), "no integer program was cut short: the test did not reach what it checks"


def test_a_cut_short_integer_program_leaves_the_cell_pinned_not_the_relaxation_range(monkeypatch):
    # 2a + 3b = 7 with b in 0..2: the relaxation gives a in [0.5, 3.5] (three whole numbers), but the
    # only whole-number solution is a = 2, b = 1: the cell is pinned. An integer program stopped by its
    # time limit must not fall back to the relaxation's range (it did: "unbounded", so protected).
    import evaluation.reporting.disclosure as disclosure

    monkeypatch.setattr(disclosure, "RELAXATION_WIDE_ENOUGH", 10**9)  # send the cell to the integer program
    solver = disclosure._RangeSolver(2, [0, 0], [0, 1], [2.0, 3.0], [7.0], [(0.0, None), (0.0, 2.0)])
    assert solver.range(0) == (2.0, 2.0)
    monkeypatch.setattr(disclosure, "INTEGER_TIME_LIMIT", 0.0)
    cut_short = disclosure._RangeSolver(2, [0, 0], [0, 1], [2.0, 3.0], [7.0], [(0.0, None), (0.0, 2.0)])
    assert disclosure._disclosed({(0, "a"): cut_short.range(0)}) == [(0, "a")]


def test_audit_reports_an_exposed_cell():
    relation = Relation((2, "n"), ((0, "n"), (1, "n")))
    ranges = audit({(0, "n"): 3, (1, "n"): 9, (2, "n"): 12}, [relation], {(0, "n"): "primary"},
                   DisclosureRules())
    assert ranges == {(0, "n"): (3.0, 3.0)}


def test_totals_that_do_not_add_up_are_not_used_and_are_noted():
    table = pd.DataFrame({"kind": ["a", "b", "total"], "n": [3, 12, 40]})
    protected = protect_table(table, count_columns=["n"])
    assert protected.relations == ()
    assert any("not the sum" in note for note in protected.notes_en)


def test_derived_figures_with_small_n_are_hidden():
    table = pd.DataFrame({"district": ["A", "B", "C"], "n": [4, 30, 40],
                          "share_housed": [0.75, 0.8, 0.95], "mean_arrears": [1200.0, 800.0, 500.0]})
    protected = protect_table(table, n_column="n")
    assert protected.table.loc[0].tolist() == ["A", "<5", "x", "x"]
    assert protected.table.loc[1, "share_housed"] == 0.8
    # 95 % of 40 leaves 2 households not housed: the share gives that small count back
    assert protected.table.loc[2, ["share_housed", "mean_arrears"]].tolist() == ["x", "x"]


def test_share_whose_numerator_is_small_is_hidden():
    # 0.1 x 30 = 3 households: share and n together reveal a small count
    table = pd.DataFrame({"district": ["A", "B"], "n": [30, 40], "share_evicted": [0.1, 0.5]})
    protected = protect_table(table, n_column="n")
    assert protected.table.at[0, "share_evicted"] == "x"
    assert protected.table.at[1, "share_evicted"] == 0.5


def test_zeros_can_be_suppressed_on_request():
    table = pd.DataFrame({"kind": ["a", "b"], "n": [0, 12]})
    protected = protect_table(table, count_columns=["n"], rules=DisclosureRules(suppress_zeros=True))
    assert protected.table["n"].tolist() == ["<5", 12]


@pytest.mark.parametrize("column", ["household_id", "applicant_id", "tenancy_id", "unit_id",
                                    "application_id", "contact_id", "client_id", "rodne_cislo"])
def test_identifier_columns_are_refused(column):
    table = pd.DataFrame({column: ["a", "b"], "n": [10, 12]})
    with pytest.raises(DisclosureError, match=column):
        protect_table(table, count_columns=["n"])


def test_household_level_rows_are_refused():
    table = pd.DataFrame({"district": list("ABCDEF"), "n": [1] * 6})
    with pytest.raises(DisclosureError, match="one row per household"):
        check_not_household_level(table, "rows", count_columns=["n"])
    births = pd.DataFrame({"who": ["850101/1234", "900202/4321"], "n": [7, 8]})
    with pytest.raises(DisclosureError, match="birth"):
        check_not_household_level(births, "births")
    hashes = pd.DataFrame({"key": ["a3f9c2d1e4b5a6c7d8", "b3f9c2d1e4b5a6c7d9", "c3f9c2d1e4b5a6c7da"]})
    with pytest.raises(DisclosureError, match="pseudonym"):
        check_not_household_level(hashes, "hashes")


def test_bad_counts_and_threshold_give_clear_errors():
    with pytest.raises(DisclosureError, match="whole non-negative"):
        protect_table(pd.DataFrame({"k": ["a"], "n": [2.5]}), count_columns=["n"])
    with pytest.raises(DisclosureError, match="no column 'm'"):
        protect_table(pd.DataFrame({"k": ["a"], "n": [2]}), count_columns=["m"])
    with pytest.raises(DisclosureError, match="threshold"):
        DisclosureRules(threshold=1)


def test_check_published_finds_tampering_and_accepts_protected_tables():
    table = pd.DataFrame({"district": ["A", "B", "C", "Celkem"], "n": [3, 12, 20, 35]})
    protected = protect_table(table, count_columns=["n"])
    published = protected.table.astype(str)
    assert check_published(published, count_columns=["n"]).ok
    leaked = table.astype(str)
    problems = check_published(leaked, count_columns=["n"]).problems
    assert any("small count 3" in p for p in problems)
    one_hidden = published.copy()
    one_hidden.at[1, "n"] = "12"
    assert any("recomputed" in p for p in check_published(one_hidden, count_columns=["n"]).problems)
    stricter = check_published(published, count_columns=["n"], rules=DisclosureRules(threshold=10))
    assert not stricter.ok


def test_total_labels():
    for label in ("Celkem", "TOTAL", "vše", "All", "total_households"):
        assert is_total_label(label)
    for label in ("Praha 7", "", None, float("nan"), "totalitarian"):
        assert not is_total_label(label)


def test_every_relation_has_zero_or_two_hidden_cells_in_larger_tables():
    rng = np.random.default_rng(7)
    inner = rng.integers(0, 30, size=(6, 4))
    inner[rng.random(inner.shape) < 0.25] = 2
    frame = pd.DataFrame(inner, columns=list("abcd"))
    frame["total"] = frame.sum(axis=1)
    frame.loc[len(frame)] = frame.sum(axis=0)
    frame.insert(0, "g", [f"r{i}" for i in range(6)] + ["total"])
    protected = protect_table(frame, count_columns=list("abcd") + ["total"])
    for relation in protected.relations:
        assert sum(c in protected.suppressed for c in relation.cells) != 1
    _assert_protected(frame, protected, list("abcd") + ["total"])
    assert list(itertools.chain(protected.table.columns)) == list(frame.columns)
