"""Pieces of work shared out over forked copies of the process come back as if done here."""

from __future__ import annotations

import os

import pytest

from evaluation import forked
from evaluation.forked import map_forked


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the system cannot fork")
def test_pieces_run_in_forked_copies_and_come_back_in_order(monkeypatch):
    monkeypatch.setattr(forked, "available_cores", lambda: 2)
    table = {i: i * i for i in range(12)}  # inherited by the copies, not sent
    pieces = map_forked(lambda i: (table[i], os.getpid()), 12)
    assert [square for square, _ in pieces] == [i * i for i in range(12)]
    assert os.getpid() not in {pid for _, pid in pieces}


def test_one_core_or_a_copy_runs_the_pieces_here(monkeypatch):
    monkeypatch.setattr(forked, "available_cores", lambda: 1)
    assert {pid for pid in map_forked(lambda i: os.getpid(), 3)} == {os.getpid()}
    monkeypatch.setattr(forked, "available_cores", lambda: 2)
    monkeypatch.setattr(forked, "_WORK", lambda i: None)  # as inside a forked copy: no copies of copies
    assert {pid for pid in map_forked(lambda i: os.getpid(), 3)} == {os.getpid()}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the system cannot fork")
def test_a_failing_piece_raises_here(monkeypatch):
    monkeypatch.setattr(forked, "available_cores", lambda: 2)

    def work(i: int) -> int:
        if i == 3:
            raise ValueError("piece 3")
        return i

    with pytest.raises(ValueError, match="piece 3"):
        map_forked(work, 6)
    assert forked._WORK is None  # and the next map may fork again
