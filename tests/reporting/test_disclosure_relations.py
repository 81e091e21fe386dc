"""Disclosure control through identities that carry no total label.

Every example is worked by hand, and every protected table is attacked by an integer
program written here (scipy.optimize.milp), which is told the true identities of the
table explicitly -- it does not reuse the detection it is testing. "<5" means 1..4, "x" on
a count at least 5, "x" on another whole-number column any number >= 0. A hidden small
count is protected when at least two integer values remain possible.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from evaluation.errors import DisclosureError
from evaluation.reporting.disclosure import (
    ColumnRelation,
    Relation,
    check_published,
    protect_table,
    relations_from_summary,
)
from evaluation.reporting.identities import find_identities, find_ratios, search_identities
from evaluation.reporting.store import ResultsStore

sys.path.insert(0, str(Path(__file__).parent))
from disclosure_attacker import attack

BIG = 10**6


def _row_identity(total, parts, subtract=()):
    """Row-wise identity total = sum(parts) - sum(subtract), as (coefficient, column) terms."""
    return [(-1, total)] + [(1, p) for p in parts] + [(-1, s) for s in subtract]


def _milp_range(protected, counts, equations, cell):
    """Smallest and largest integer value of ``cell`` given the published table and ``equations``.

    ``equations`` are lists of (coefficient, (row, column)) whose weighted sum is zero.
    """
    table, rules = protected.table, protected.rules
    hidden = sorted(c for c, kind in protected.suppressed.items() if kind in ("primary", "secondary"))
    index = {c: i for i, c in enumerate(hidden)}
    low = [1 if protected.suppressed[c] == "primary" else (rules.threshold if c[1] in counts else 0)
           for c in hidden]
    high = [rules.threshold - 1 if protected.suppressed[c] == "primary" else BIG for c in hidden]
    rows, rhs = [], []
    for terms in equations:
        row, constant = np.zeros(len(hidden)), 0.0
        for sign, c in terms:
            if c in index:
                row[index[c]] += sign
            else:
                shown = table.at[c[0], c[1]]
                assert shown != "x" and not str(shown).startswith("<"), f"{c} is hidden as derived"
                constant += sign * float(shown)
        rows.append(row)
        rhs.append(-constant)
    constraints = [LinearConstraint(np.array(rows), rhs, rhs)] if rows else []
    out = []
    for sign in (1.0, -1.0):
        objective = np.zeros(len(hidden))
        objective[index[cell]] = sign
        solved = milp(objective, constraints=constraints, integrality=np.ones(len(hidden)),
                      bounds=Bounds(low, high))
        assert solved.success
        out.append(round(sign * solved.fun))
    return tuple(out)


def _assert_safe(original, protected, counts, equations):
    for cell, kind in protected.suppressed.items():
        if kind == "primary":
            low, high = _milp_range(protected, counts, equations, cell)
            assert high > low, f"{cell} is recovered exactly: {low}"
            assert low <= float(original.at[cell[0], cell[1]]) <= high


def _rowwise(table, *identities):
    return [[(s, (r, c)) for s, c in identity] for identity in identities for r in range(len(table))]


# --------------------------------------------------------------------------- CONSORT / ledger

def test_consort_row_hides_the_small_exclusion_and_a_complement():
    # hand-checked: 120 received = 3 excluded + 117 loaded. Hiding only the 3 leaves
    # 120 - 117 = 3; the complement is the part 117 (inner cells before totals), after
    # which excluded = 120 - loaded with loaded >= 5 and excluded <= 4: still 1..4.
    table = pd.DataFrame({"stage": ["households"], "received": [120], "excluded": [3], "loaded": [117]})
    counts = ["received", "excluded", "loaded"]
    protected = protect_table(table, count_columns=counts)
    assert protected.table.loc[0].tolist() == ["households", 120, "<5", "x"]
    assert protected.suppressed == {(0, "excluded"): "primary", (0, "loaded"): "secondary"}
    equations = _rowwise(table, _row_identity("received", ["excluded", "loaded"]))
    assert _milp_range(protected, counts, equations, (0, "excluded")) == (1, 4)
    # without the identity the old rule published 117 and the 3 was recoverable
    assert 120 - protected.table.at[0, "received"] == 0


def test_ledger_with_several_tables_and_a_kept_column():
    # received = excluded + loaded and loaded = kept + left_out in every row; two small cells
    table = pd.DataFrame({"table": ["households", "units", "tenancies", "contacts"],
                          "received": [498, 180, 585, 16988], "excluded": [2, 0, 11, 40],
                          "loaded": [496, 180, 574, 16948], "left_out": [0, 3, 0, 12],
                          "kept": [496, 177, 574, 16936]})
    counts = ["received", "excluded", "loaded", "left_out", "kept"]
    protected = protect_table(table, count_columns=counts)
    assert protected.suppressed[(0, "excluded")] == "primary"
    assert protected.suppressed[(1, "left_out")] == "primary"
    equations = _rowwise(table, _row_identity("received", ["excluded", "loaded"]),
                         _row_identity("loaded", ["kept", "left_out"]))
    _assert_safe(table, protected, counts, equations)
    # the zero exclusions of units are still published, and the large rows are untouched
    assert protected.table.at[1, "excluded"] == 0
    assert protected.table.loc[3, counts].tolist() == [16988, 40, 16948, 12, 16936]


def test_declared_relation_longer_than_the_search_is_respected():
    # spells = dropout + positive + death + completed + censored has six columns (beyond the
    # four-column search); declared, it protects the 2 censored spells
    table = pd.DataFrame({"step": ["social", "affordable"], "spells": [50, 50], "dropout": [13, 9],
                          "positive": [6, 7], "death": [0, 0], "completed": [31, 32], "censored": [0, 2]})
    counts = ["spells", "dropout", "positive", "death", "completed", "censored"]
    declared = [("spells", ["dropout", "positive", "death", "completed", "censored"])]
    protected = protect_table(table, count_columns=counts, relations=declared)
    hidden = {c for c, k in protected.suppressed.items() if c[0] == 1}
    assert (1, "censored") in hidden and len(hidden) >= 2
    equations = _rowwise(table, _row_identity("spells", ["dropout", "positive", "death", "completed",
                                                         "censored"]))
    _assert_safe(table, protected, counts, equations)


def test_declared_relation_that_does_not_hold_is_noted_not_used():
    table = pd.DataFrame({"k": ["a", "b"], "received": [120, 80], "excluded": [3, 10], "loaded": [117, 60]})
    protected = protect_table(table, count_columns=["received", "excluded", "loaded"],
                              relations=[ColumnRelation("received", ("excluded", "loaded"))])
    assert any("row 2" in note and "does not hold" in note for note in protected.notes_en)
    assert protected.table.at[0, "loaded"] == "x"
    with pytest.raises(DisclosureError, match="'lodaed'"):
        protect_table(table, count_columns=["received"], relations=[("received", ["excluded", "lodaed"])])
    with pytest.raises(DisclosureError, match="total"):
        ColumnRelation.coerce("received")


# --------------------------------------------------------------------------- long format

def _transitions():
    # hand-made staircase transitions: n_from is the sum of count over the rows of from_step
    rows = [("crisis", "social", 23), ("crisis", "standard", 5), ("crisis", "abandonment", 2),
            ("social", "affordable", 19), ("social", "standard", 11), ("social", "eviction", 8),
            ("social", "abandonment", 2), ("social", "other", 3), ("social", "still_housed", 7),
            ("affordable", "standard", 29), ("affordable", "eviction", 8), ("affordable", "abandonment", 3),
            ("affordable", "still_housed", 10)]
    table = pd.DataFrame(rows, columns=["from_step", "to", "count"])
    table["n_from"] = table.groupby("from_step")["count"].transform("sum")
    table["share"] = table["count"] / table["n_from"]
    return table


def test_transitions_with_n_from_repeated_on_each_row():
    table = _transitions()
    protected = protect_table(table, count_columns=["count"], n_column="n_from")
    hidden = protected.suppressed
    # crisis: 23 + 5 + 2 = 30 -> the 2 needs a complement within crisis (the 5, smallest)
    assert hidden[(2, "count")] == "primary" and hidden[(1, "count")] == "secondary"
    # social: two small cells (2 and 3) already protect each other; 2+3 = 5 with both >= 1
    assert not any(c == "count" and 3 <= r <= 8 and k == "secondary" for (r, c), k in hidden.items())
    # affordable: 29 + 8 + 3 + 10 = 50 -> the 3 needs one complement (the 8)
    assert hidden[(11, "count")] == "primary" and hidden[(10, "count")] == "secondary"
    # every share of a hidden count is hidden, since share x n_from gives the count back
    for row, column in hidden:
        if column == "count":
            assert protected.table.at[row, "share"] == "x"
    assert protected.table.at[0, "share"] == pytest.approx(23 / 30)
    groups = table.groupby("from_step").indices
    equations = [[(-1, (r, "n_from"))] + [(1, (q, "count")) for q in rows]
                 for rows in groups.values() for r in rows]
    _assert_safe(table, protected, ["count", "n_from"], equations)


def test_group_identity_is_detected_with_its_key():
    table = _transitions()
    relations, _ = find_identities(table, ["count", "n_from"], dimensions=["from_step", "to"])
    crisis = Relation((0, "n_from"), ((0, "count"), (1, "count"), (2, "count")))
    assert crisis.key() in {r.key() for r in relations}


def test_stock_and_flow_quarters_with_lagged_stocks():
    # stock_end = stock_start + inflow - outflow in each quarter, and each quarter starts
    # with the stock the previous one ended with (a lag identity across rows)
    inflow, outflow = [9, 12, 3, 15, 10], [2, 6, 8, 7, 4]
    start, rows = 0, []
    for quarter, (i, o) in enumerate(zip(inflow, outflow)):
        rows.append({"quarter": f"Q{quarter + 1}", "stock_start": start, "inflow": i, "outflow": o,
                     "stock_end": start + i - o})
        start += i - o
    table = pd.DataFrame(rows)
    counts = ["stock_start", "inflow", "outflow", "stock_end"]
    protected = protect_table(table, count_columns=counts)
    flow = _rowwise(table, _row_identity("stock_end", ["stock_start", "inflow"], ["outflow"]))
    lag = [[(1, (r + 1, "stock_start")), (-1, (r, "stock_end"))] for r in range(len(table) - 1)]
    _assert_safe(table, protected, counts, flow + lag)
    assert {(0, "outflow"), (2, "inflow"), (4, "outflow")} <= set(protected.suppressed)


# --------------------------------------------------------------------------- occupancy, ratios

def test_occupancy_available_equals_occupied_plus_vacant():
    # 930 unit-days available = 927 occupied + 3 vacant: the 3 and one complement are hidden,
    # and so are both rates (occupied/available and vacant/available give the counts back)
    table = pd.DataFrame({"step": ["crisis", "social", "affordable"], "available": [930, 1550, 1550],
                          "occupied": [927, 1200, 1510], "vacant": [3, 350, 40]})
    table["occupancy_rate"] = table["occupied"] / table["available"]
    table["vacancy_rate"] = table["vacant"] / table["available"]
    counts = ["available", "occupied", "vacant"]
    protected = protect_table(table, count_columns=counts)
    assert protected.table.loc[0].tolist() == ["crisis", 930, "x", "<5", "x", "x"]
    assert protected.table.loc[1, "occupancy_rate"] == pytest.approx(1200 / 1550)
    _assert_safe(table, protected, counts, _rowwise(table, _row_identity("available", ["occupied", "vacant"])))


def test_reach_actual_equals_planned_and_percent_of_plan():
    # planned is not a count column, but actual = planned in every row where both are given:
    # the planned 3 cohorts would give the hidden 3 away, and so would 100 % of plan
    table = pd.DataFrame({"step": ["crisis", "crisis", "crisis", "social", "social"],
                          "measure": ["units", "households", "cohorts", "units", "households"],
                          "planned": [30.0, 30.0, 3.0, 50.0, 50.0], "actual": [30, 30, 3, 50, 48]})
    table["percent_of_plan"] = 100 * table["actual"] / table["planned"]
    protected = protect_table(table, count_columns=["actual"])
    assert protected.table.loc[2, ["planned", "actual", "percent_of_plan"]].tolist() == ["x", "<5", "x"]
    assert protected.table.at[4, "percent_of_plan"] == pytest.approx(96.0)
    # the stored table passes the render-time check with its recorded relations
    relations = relations_from_summary(json.loads(json.dumps(protected.summary())))
    assert check_published(protected.table.astype(str), count_columns=["actual"], relations=relations).ok


def test_estimate_that_is_a_plain_share_is_hidden_with_its_interval():
    # cumulative incidence without censoring equals events / n: the estimate and its
    # standard error and limits would give the hidden 1 back
    table = pd.DataFrame({"time": [6.0, 12.0, 20.0], "estimate": [1 / 138, 8 / 138, 12 / 138],
                          "std_error": [0.007, 0.02, 0.024], "conf_low": [0.001, 0.027, 0.047],
                          "conf_high": [0.036, 0.105, 0.141], "n_events": [1, 8, 12], "n": [138] * 3})
    protected = protect_table(table, count_columns=["n_events"], n_column="n")
    assert protected.table.loc[0, ["estimate", "std_error", "conf_low", "conf_high", "n_events"]].tolist() == \
        ["x", "x", "x", "x", "<5"]
    assert protected.table.at[1, "estimate"] == pytest.approx(8 / 138)
    ratio = next(r for r in find_ratios(table, ["n_events", "n"]) if r.column == "estimate")
    assert (ratio.numerator, ratio.denominator, ratio.rows) == ("n_events", "n", (0, 1, 2))


# --------------------------------------------------------------------------- random and unchanged

def test_random_tables_with_planted_identities_never_disclose():
    rng = np.random.default_rng(20261124)
    checked = 0
    for trial in range(20):
        n = int(rng.integers(2, 6))
        a = rng.choice([0, 1, 2, 3, 4, 7, 12, 30, 80], size=n)
        b = rng.choice([0, 1, 2, 3, 9, 15, 40], size=n)
        c = rng.choice([1, 2, 3, 6, 20], size=n)
        table = pd.DataFrame({"g": [f"g{i}" for i in range(n)], "a": a, "b": b, "c": c})
        table["received"] = table["a"] + table["b"] + table["c"]          # four-column identity
        table["net"] = table["received"] - table["c"]                        # difference identity
        counts = ["a", "b", "c", "received", "net"]
        try:
            protected = protect_table(table, count_columns=counts)
        except DisclosureError:
            continue  # refusing to publish is safe
        equations = _rowwise(table, _row_identity("received", ["a", "b", "c"]),
                             _row_identity("net", ["received"], ["c"]))
        _assert_safe(table, protected, counts, equations)
        checked += 1
    assert checked >= 18


def test_tables_without_identities_are_unchanged():
    # independent columns: no identity is found and the result is the margin-only one
    table = pd.DataFrame({"district": ["A", "B", "C", "D"], "approved": [3, 12, 40, 7],
                          "rejected": [9, 2, 15, 30], "median_days": [31.0, 44.5, 21.0, 12.0]})
    assert find_identities(table, ["approved", "rejected"])[0] == []
    protected = protect_table(table, count_columns=["approved", "rejected"])
    assert protected.suppressed == {(0, "approved"): "primary", (1, "rejected"): "primary"}
    assert protected.relations == ()
    # a table with a total row keeps exactly the margins (the example of the module docstring)
    margins = protect_table(pd.DataFrame({"district": ["Praha 3", "Praha 7", "Praha 10", "total"],
                                          "households": [3, 12, 20, 35]}), count_columns=["households"])
    assert margins.table["households"].tolist() == ["<5", "x", 20, 35]
    assert len(margins.relations) == 1


def test_search_skips_supersets_and_needs_a_count():
    matrix = np.array([[5.0, 5.0, 2.0, 7.0], [8.0, 8.0, 1.0, 9.0]])
    eligible = np.array([True, True, True, True])
    found = search_identities(matrix, eligible)
    # a = b, and c + a = d; {a, b, c, d} with c + b = d is implied and skipped
    assert {0: 1.0, 1: -1.0} in found
    assert sum(1 for f in found if len(f) == 3) == 2  # d = a + c and d = b + c
    assert search_identities(matrix, np.array([False] * 4)) == []


def test_signed_relation_roundtrip_through_the_summary():
    relation = Relation((0, "stock_end"), ((0, "stock_start"), (0, "inflow")), ((0, "outflow"),))
    table = pd.DataFrame({"stock_start": [10], "inflow": [3], "outflow": [2], "stock_end": [11]})
    protected = protect_table(table, count_columns=list(table.columns))
    summary = json.loads(json.dumps(protected.summary()))
    assert relation.key() in {r.key() for r in relations_from_summary(summary)}
    tampered = protected.table.astype(str)
    tampered.loc[0] = ["10", "3", "<5", "11"]
    problems = check_published(tampered, count_columns=list(table.columns),
                               relations=relations_from_summary(summary)).problems
    assert any("recomputed" in p for p in problems)


# --------------------------------------------------------------------------- store and scan

def test_store_accepts_declared_relations_and_the_scan_finds_nothing(tmp_path):
    from evaluation.reporting.publication import publish_results

    store = ResultsStore(tmp_path / "internal", strand="data")
    # each row has one small cell in a five-column identity (declared: beyond the search)
    flow = pd.DataFrame({"table": ["households", "units"], "received": [120, 80], "excluded": [3, 0],
                         "duplicates": [0, 6], "other": [0, 2], "loaded": [117, 72]})
    counts = ["received", "excluded", "duplicates", "other", "loaded"]
    store.add_table("flow", flow, title_cs="Tok", title_en="Flow", count_columns=counts,
                    relations=[("received", ["excluded", "duplicates", "other", "loaded"])])
    store.add_table("transitions", _transitions(), title_cs="Přechody", title_en="Transitions",
                    count_columns=["count"], n_column="n_from")
    publish_results(tmp_path / "internal", tmp_path / "published")
    tmp_path = tmp_path / "published"
    info = json.loads((tmp_path / "all" / "data" / "tables" / "flow.json").read_text())
    assert info["disclosure"]["secondary"] == 2
    published = pd.read_csv(tmp_path / "all" / "data" / "tables" / "flow.csv", dtype=str)
    # complements: the only non-zero part left (117), and the smallest non-zero part (6)
    assert published.at[0, "loaded"] == "x" and published.at[1, "duplicates"] == "x"
    assert published.at[0, "excluded"] == "<5" and published.at[1, "other"] == "<5"
    from disclosure_attacker import scan

    assert scan(tmp_path) == []


def test_attacker_recovers_cells_when_only_primary_suppression_is_applied():
    # the scan used on the demo is not toothless: with the old, margin-only protection the
    # transitions table gives three small counts away (crisis 2, affordable 3, social none)
    table = _transitions()
    published = table.astype(object)
    for row in np.flatnonzero(table["count"] < 5):
        published.at[row, "count"], published.at[row, "share"] = "<5", "x"
    ranges = attack(published.astype(str), ["count", "n_from"])
    pinned = {cell: low for cell, (low, high) in ranges.items() if low == high}
    assert pinned == {(2, "count"): 2, (11, "count"): 3}
