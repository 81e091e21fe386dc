"""The pieces that make national scale fast and lean do what the simple versions did.

References are written out directly here (f-strings, a row-by-row loop over spell months, a
rows-by-codes inverse-CDF matrix, one-shot Parquet writing), so each fast path is checked
against an obvious implementation of the same thing.
"""
from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from evaluation.synthetic import _common, outcomes, simulate
from evaluation.synthetic.calibration import STUDY_END, STUDY_START

from .contract_check import problems


@pytest.mark.parametrize("prefix, n, width, start", [("H", 12, 4, 1), ("C", 30, 3, 9_990), ("Z", 5, 9, 123),
                                                     ("T", 3, 1, 98), ("OVA-", 2, 6, 1)])
def test_make_ids_are_zero_padded_running_numbers(monkeypatch, prefix, n, width, start):
    monkeypatch.setattr(_common, "_ID_BLOCK", 7)  # several blocks
    ids = _common.make_ids(prefix, n, width=width, start=start)
    digits = max(width, len(str(start + n - 1)))  # numbers are never cut; all ids the same length
    assert ids.dtype == object and all(type(i) is str for i in ids)
    assert ids.tolist() == [f"{prefix}{k:0{digits}d}" for k in range(start, start + n)]
    assert _common.make_ids("H", 0, width=6).tolist() == []


def test_group_draws_follow_each_groups_shares():
    shares = [[0.5, 0.5, 0.0], [0.1, 0.2, 0.7], [0.0, 0.0, 1.0]]
    group = np.repeat(np.arange(3), 20_000)
    idx = _common.choose_index_by_group(np.random.default_rng(1), group, shares)
    # the same uniforms through a rows-by-codes CDF matrix (the simple vectorised version)
    u = np.random.default_rng(1).random(len(group))
    cdf = np.cumsum(np.asarray(shares), axis=1)[group]
    np.testing.assert_array_equal(idx, np.minimum((u[:, None] > cdf).sum(axis=1), 2))
    freq = pd.crosstab(group, idx, normalize="index").reindex(columns=range(3), fill_value=0).to_numpy()
    np.testing.assert_allclose(freq, shares, atol=0.015)


def test_spell_months_match_a_day_by_day_count():
    rng = np.random.default_rng(4)
    start = np.datetime64("2015-01-01") + rng.integers(0, 1500, 200).astype("timedelta64[D]")
    end = start + rng.integers(0, 400, 200).astype("timedelta64[D]")
    sm = _common.spell_months(start, end)
    rows = []
    for i, (a, b) in enumerate(zip(start, end)):
        days = np.arange(a, b + np.timedelta64(1, "D"))
        months, counts = np.unique(days.astype("datetime64[M]"), return_counts=True)
        for k, (m, c) in enumerate(zip(months, counts)):
            rows.append((i, m, k, c, max(a, m.astype("datetime64[D]"))))
    ref = pd.DataFrame(rows, columns=["spell", "month", "offset", "days", "first_day"])
    got = pd.DataFrame({"spell": sm.spell, "month": sm.month, "offset": sm.offset, "days": sm.days,
                        "first_day": sm.first_day})
    pd.testing.assert_frame_equal(got, ref, check_dtype=False)
    assert (sm.days_in_month == pd.DatetimeIndex(sm.month).days_in_month).all()
    assert len(_common.spell_months(start[:0], end[:0])) == 0


def test_outcomes_simulated_in_chunks_stay_consistent(monkeypatch):
    """Many small chunks (the path national scale takes): the tables follow the contract and
    the observed outcomes are the potential outcomes of each row's treatment state."""
    monkeypatch.setattr(outcomes, "CHUNK_HOUSEHOLDS", 37)
    data = simulate(seed=8, scale=0.5)
    assert problems(dict(data.tables), (str(STUDY_START), str(STUDY_END))) == []
    obs = data.tables["household_outcomes"]
    keys = obs[["household_id", "month"]]
    assert not keys.duplicated().any()
    pd.testing.assert_frame_equal(keys, keys.sort_values(["household_id", "month"]))  # chunks in order
    po = data.potential_outcomes["household_outcomes"]
    m = po.merge(obs, on=["household_id", "month"], how="left", validate="one_to_one")
    np.testing.assert_array_equal(m["arrears_czk"], np.where(m["treated"], m["arrears_czk_1"], m["arrears_czk_0"]))
    np.testing.assert_array_equal(m["employed_adults"].to_numpy(dtype=float),
                                  np.where(m["treated"], m["employed_adults_1"], m["employed_adults_0"]))
    # every household-month of every household is present except the ~2% missing at random
    households = data.tables["households"]
    share = len(obs) / (len(households) * obs["month"].nunique())
    assert 0.95 < share < 0.99


def test_parquet_written_in_row_groups_round_trips(monkeypatch, tmp_path):
    """Large tables are written one row group at a time: the same table comes back as from
    one-shot writing, the bytes are the same on every run, and a first slice whose text
    column is all missing still gives a text column."""
    import pyarrow.parquet as pq

    from evaluation.data import writers

    table = pd.DataFrame({
        "note": [None] * 4 + ["a", "b", None, "c", "d", "e"],
        "n": pd.array([1, 2, None, 4, 5, 6, 7, 8, 9, 10], dtype="Int64"),
        "flag": pd.array([True, None, False] * 3 + [True], dtype="boolean"),
        "kind": pd.Categorical(list("xyxyxyxyxy"), categories=["x", "y", "z"]),
        "day": pd.to_datetime(["2016-01-01"] * 5 + [None] * 5),
        "value": np.linspace(0.0, 1.0, 10),
    })
    (whole,) = writers.write_tables({"notes": table}, tmp_path / "whole", fmt="parquet")
    monkeypatch.setattr(writers, "PARQUET_ROW_GROUP", 4)
    (sliced,) = writers.write_tables({"notes": table}, tmp_path / "sliced", fmt="parquet")
    (again,) = writers.write_tables({"notes": table}, tmp_path / "again", fmt="parquet")
    assert pq.ParquetFile(sliced).metadata.num_row_groups == 3
    assert pq.ParquetFile(sliced).schema_arrow.field("note").type == "string"
    pd.testing.assert_frame_equal(pd.read_parquet(sliced), table)
    pd.testing.assert_frame_equal(pd.read_parquet(sliced), pd.read_parquet(whole))
    assert hashlib.sha256(sliced.read_bytes()).digest() == hashlib.sha256(again.read_bytes()).digest()


@pytest.mark.parametrize("span_days", [40, 70_000])  # a 16-bit day key, and the wide fallback
def test_contacts_are_ordered_by_date_then_household_stably(span_days):
    from evaluation.synthetic.housing import _by_date_and_household

    rng = np.random.default_rng(2)
    date = np.datetime64("2015-01-01") + rng.integers(0, span_days, 5_000).astype("timedelta64[D]")
    household = rng.integers(0, 300, 5_000).astype(np.int32)  # many ties on both keys
    order = _by_date_and_household(date, household)
    # reference: NumPy's lexsort (stable), last key primary
    np.testing.assert_array_equal(order, np.lexsort((household, date.astype(np.int64))))
    assert len(_by_date_and_household(date[:0], household[:0])) == 0
