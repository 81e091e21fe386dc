"""The whole-run audit at national scale decides exactly what the plain audit decides.

A national run ties every contact point to the country (``country = sum of the contact points +
remainder``), so the run is one linked group of cells. The audit then decides each cell in small
models around its scope (:func:`evaluation.reporting.disclosure._decide`: restricted models of the
scope and a widening set of partner scopes, which can only prove a cell protected; the scope's own
relations, which can only prove it disclosed; the whole group for what neither decides) and forms
only the groups of the cells it audits (:class:`RelationIndex`). These tests check, on random
systems of linked scopes with a known answer from the exact ranges over the whole group, that the
shortcuts never change which cells are disclosed.
"""

from __future__ import annotations

import numpy as np
import pytest

import evaluation.reporting.disclosure as disclosure
from evaluation.reporting.disclosure import DisclosureRules, Relation, RelationIndex, audit

RULES = DisclosureRules()


#: How often each count is drawn in the contact points' tables (mostly mixed; mostly ones and zeros).
MIXED = ([0, 1, 2, 3, 4, 6, 9, 15], [.1, .2, .15, .1, .1, .15, .1, .1])
SPARSE = ([0, 1, 2, 9], [.15, .65, .05, .15])


def _linked_scopes(rng: np.random.Generator, scopes: int = 6, rows: int = 4, counts=MIXED):
    """A pooled scope ``all`` and ``scopes`` contact points, each a one-column table of ``rows``
    categories and a total; the pooled count of each row is the sum over the contact points plus a
    remainder (withheld, or absent when zero). Small counts are hidden, and a few others as
    complements."""
    names = [f"cp{k}" for k in range(scopes)]
    values, suppressed, relations = {}, {}, []
    counts = rng.choice(counts[0], size=(scopes, rows), p=counts[1])
    for k, name in enumerate(names):
        for row in range(rows):
            values[(name, "need", "t", row, "n")] = float(counts[k, row])
        values[(name, "need", "t", rows, "n")] = float(counts[k].sum())
    remainder = rng.choice([0, 0, 1, 3, 7], size=rows + 1)
    remainder[rows] = remainder[:rows].sum()
    for row in range(rows + 1):
        pooled = ("all", "need", "t", row, "n")
        parts = [(name, "need", "t", row, "n") for name in names]
        values[pooled] = sum(values[p] for p in parts) + float(remainder[row])
        if remainder[row]:
            rest = ("~remainder", "t", row)
            values[rest] = float(remainder[row])
            suppressed[rest] = disclosure.WITHHELD
            parts.append(rest)
        relations.append(Relation(pooled, tuple(parts)))
    for name in ["all", *names]:
        relations.append(Relation((name, "need", "t", rows, "n"), tuple((name, "need", "t", r, "n") for r in range(rows))))
    for cell, value in values.items():
        if cell in suppressed:
            continue
        if RULES.is_small(value):
            suppressed[cell] = disclosure.PRIMARY
        elif value >= RULES.threshold and rng.random() < 0.3:
            suppressed[cell] = disclosure.SECONDARY
    return values, relations, suppressed


def _disclosed(ranges):
    return set(disclosure._disclosed(ranges))


@pytest.mark.parametrize("seed", range(12))
def test_the_scope_models_disclose_what_the_whole_group_discloses(seed):
    rng = np.random.default_rng(20261205 + seed)
    for _ in range(5):
        values, relations, suppressed = _linked_scopes(rng, scopes=int(rng.integers(3, 8)))
        exact = audit(values, relations, suppressed, RULES, exact=True)
        fast = audit(values, relations, suppressed, RULES, exact=False)
        assert set(exact) == set(fast)
        assert _disclosed(exact) == _disclosed(fast)


def test_scope_models_are_used_and_agree_when_they_are_all_that_may_solve_integer_programs(monkeypatch):
    # restricted models that may not solve integer programs leave undecided cells to wider ones
    monkeypatch.setattr(disclosure, "INTEGER_MODEL_CELLS", 0)
    calls = []
    decide = disclosure._decide

    def counted(*args, **kwargs):
        calls.append(len({disclosure._scope_of(c) for c in args[0]}))
        return decide(*args, **kwargs)

    monkeypatch.setattr(disclosure, "_decide", counted)
    rng = np.random.default_rng(7)
    for _ in range(20):
        values, relations, suppressed = _linked_scopes(rng)
        assert _disclosed(audit(values, relations, suppressed, RULES, exact=True)) == \
            _disclosed(audit(values, relations, suppressed, RULES, exact=False))
    assert max(calls) > 2, "no group linked several scopes: the test did not reach the scope models"


def test_the_index_forms_the_groups_of_the_whole_system():
    rng = np.random.default_rng(3)
    for _ in range(10):
        values, relations, suppressed = _linked_scopes(rng)
        audited = {c for c, kind in suppressed.items() if kind == disclosure.PRIMARY}
        whole = audit(values, relations, suppressed, RULES, exact=True, only=audited)
        indexed = audit(values, RelationIndex(relations), suppressed, RULES, exact=True, only=audited)
        assert whole == indexed


def test_widening_partner_sets_grow_to_every_partner_and_say_which_is_the_widest():
    # scope a shares three relations with b, two with c, one with d; d also appears with e
    split = [{"a": 0, "b": 0, "c": 0}, {"a": 0, "b": 0, "c": 0}, {"a": 0, "b": 0, "d": 0, "e": 0}, {"d": 0, "e": 0}]
    touching = {"a": [0, 1, 2], "b": [0, 1, 2], "c": [0, 1], "d": [2, 3], "e": [2, 3]}
    levels = list(disclosure._widening("a", touching, split))
    assert levels[0] == ({"a", "b"}, False)           # the partner in most relations first
    assert levels[-1] == ({"a", "b", "c", "d", "e"}, True)
    assert all(earlier[0] < later[0] for earlier, later in zip(levels, levels[1:]))


def test_a_range_without_its_integer_program_counts_the_cell_as_pinned(monkeypatch):
    # 2a + 3b = 7, b in 0..2: the relaxation leaves a in [0.5, 3.5]; deciding it needs the integer
    # program, which a restricted model above INTEGER_MODEL_CELLS leaves to a wider model
    monkeypatch.setattr(disclosure, "RELAXATION_WIDE_ENOUGH", 10**9)
    solver = disclosure._RangeSolver(2, [0, 0], [0, 1], [2.0, 3.0], [7.0], [(0.0, None), (0.0, 2.0)])
    low, high = solver.range(0, exact=False, integer=False)
    assert low == high
    assert solver.integer is None  # no integer program was built


@pytest.mark.parametrize("seed", range(6))
def test_a_cell_moved_by_one_in_whole_numbers_is_protected_and_one_that_cannot_move_is_pinned(seed):
    # _RangeSolver.moved against the exact ranges (integer programs) over each linked group
    rng = np.random.default_rng(20261206 + seed)
    decided = checked = 0
    for _ in range(4):
        values, relations, suppressed = _linked_scopes(rng, scopes=int(rng.integers(3, 8)))
        hidden = {c for c, kind in suppressed.items() if kind in (disclosure.PRIMARY, disclosure.SECONDARY,
                                                                  disclosure.WITHHELD)}
        equations = disclosure._equations(values, relations, hidden)
        for group in disclosure._components(sorted(hidden), equations):
            system = [equations[i] for i in group]
            cells = sorted({c for terms, _ in system for c in terms})
            solver, index = disclosure._solver(cells, system, suppressed, RULES, set())
            solver.screen([], [values[c] for c in cells])  # no targets: only records the true values
            assert solver.truth is not None
            for cell in cells:
                checked += 1
                moved = solver.moved(index[cell])
                if moved is None:
                    continue
                decided += 1
                exact_protected = not _disclosed({cell: solver.range(index[cell], exact=True)})
                assert exact_protected == (not _disclosed({cell: moved})), (cell, moved)
    assert decided >= 0.9 * checked  # only a cell that fractional points alone move is left undecided


def test_a_cell_that_only_fractional_points_move_is_pinned_by_the_integer_program():
    # 2a + 3b = 7, b in 0..2, true a = 2, b = 1: the relaxation moves a to 1 or 3 (b = 5/3, 1/3) and
    # spans 0.5..3.5, three whole numbers; no whole-number point moves a, which the integer program
    # proves: a is pinned (the relaxation's width alone would have called it protected)
    solver = disclosure._RangeSolver(2, [0, 0], [0, 1], [2.0, 3.0], [7.0], [(0.0, None), (0.0, 2.0)])
    assert solver.screen([0], [2.0, 1.0]) == {}  # fractional points of the relaxation show nothing
    assert solver.moved(0) == (2.0, 2.0)
    assert solver.range(0, exact=False) == (0.5, 3.5)  # the relaxation's width alone would call it safe
    assert disclosure._screened_ranges(solver, {"a": 0, "b": 1}, ["a"], {"a": 2.0, "b": 1.0}) == {"a": (2.0, 2.0)}


def test_an_integer_program_stopped_short_leaves_the_cell_undecided(monkeypatch):
    # stopped before any solution, the integer program proves nothing: moved leaves the cell to range
    solver = disclosure._RangeSolver(2, [0, 0], [0, 1], [2.0, 3.0], [7.0], [(0.0, None), (0.0, 2.0)])
    solver.screen([], [2.0, 1.0])
    smallest = disclosure._ChangeModel.smallest

    def stopped(self, column, change, integer=False):
        point = smallest(self, column, change, integer)
        if integer:
            self.infeasible = False
        return point

    monkeypatch.setattr(disclosure._ChangeModel, "smallest", stopped)
    assert solver.moved(0) is None
    # a + b = 7, both free: a moves to 3 with b at 4
    free = disclosure._RangeSolver(2, [0, 0], [0, 1], [1.0, 1.0], [7.0], [(0.0, None), (0.0, None)])
    free.screen([], [2.0, 5.0])
    assert free.moved(0) == (2.0, 3.0)


def _hidden(suppressed):
    return {c for c, kind in suppressed.items() if kind in (disclosure.PRIMARY, disclosure.SECONDARY,
                                                            disclosure.WITHHELD)}


@pytest.mark.parametrize("seed", range(4))
def test_a_cell_pinned_however_much_its_scope_hides_stays_pinned_whatever_complements_are_chosen(seed):
    # exposed_however_hidden against the exact audit of the whole system (every scope, the
    # differencing relations) with random sets of complements added, and with every cell hidden that
    # a complement could hide: a cell it names is disclosed in each
    rng = np.random.default_rng(20261207 + seed)
    named = 0
    for _ in range(6):
        values, relations, suppressed = _linked_scopes(rng, scopes=int(rng.integers(3, 7)), counts=SPARSE)
        hopeless = disclosure.exposed_however_hidden(values, relations, suppressed, RULES)
        named += len(hopeless)
        visible = [c for c in values if c not in suppressed and values[c] > 0]
        for share in (0.3, 0.7, 1.0):
            more = dict(suppressed)
            more.update((c, disclosure.SECONDARY) for c in visible if rng.random() < share)
            exact = audit(values, relations, more, RULES, exact=True)
            assert set(hopeless) <= _disclosed(exact), share
    assert named > 0  # the sparse tables do hold hopeless cells


@pytest.mark.parametrize("seed", range(4))
def test_the_hopeless_cells_are_all_that_the_widest_model_of_their_scope_pins(seed):
    # the same cells as the exact audit of each scope's own relations with every non-zero cell hidden
    rng = np.random.default_rng(20261208 + seed)
    for _ in range(6):
        values, relations, suppressed = _linked_scopes(rng, scopes=int(rng.integers(3, 7)), counts=SPARSE)
        own = [r for r in relations if len({disclosure._scope_of(c) for c in r.cells}) == 1]
        widest = {c: suppressed.get(c, disclosure.SECONDARY) for c in values if c in suppressed or values[c] > 0}
        exact = audit(values, own, widest, RULES, exact=True)
        pinned = {c for c in _disclosed(exact) if suppressed.get(c) == disclosure.PRIMARY}
        assert set(disclosure.exposed_however_hidden(values, relations, suppressed, RULES)) == pinned


@pytest.mark.parametrize("seed", range(3))
def test_scopes_decided_side_by_side_in_forked_copies_decide_what_one_process_decides(seed, monkeypatch):
    # each forked copy only shares the points of the scopes it decides: the disclosed cells, and those
    # their own scope pins, are the same as in one process
    from evaluation import forked

    rng = np.random.default_rng(20261209 + seed)
    systems = [_linked_scopes(rng, scopes=int(rng.integers(4, 9))) for _ in range(4)]

    def decided(fork_targets: int, cores: int):
        monkeypatch.setattr(disclosure, "FORK_TARGETS", fork_targets)
        monkeypatch.setattr(forked, "available_cores", lambda: cores)
        out = []
        for values, relations, suppressed in systems:
            alone = set()
            ranges = audit(values, relations, suppressed, RULES, exact=False, pinned_alone=alone)
            out.append((set(ranges), _disclosed(ranges), alone))
        return out

    shared = []
    real = disclosure.map_forked
    monkeypatch.setattr(disclosure, "map_forked", lambda work, count, workers=None: shared.append((count, workers))
                        or real(work, count, workers))
    apart = decided(0, 2)
    assert any(count > 1 and workers is None for count, workers in shared)  # the scopes were shared out
    assert apart == decided(10**9, 2)
