from dataclasses import FrozenInstanceError, dataclass

import pandas as pd
import pytest

from evaluation.results import Result


@dataclass(frozen=True)
class _Means(Result):
    table: pd.DataFrame
    title: str = "Průměrný dluh"

    @property
    def notes(self):
        return ("3 domácnosti vyřazeny: chybí předpis nájemného",)

    def tidy(self):
        return self.table.copy()


def test_result_surface_summary_html_and_immutability():
    r = _Means(pd.DataFrame({"term": ["krizové"], "estimate": [1234.5]}))
    assert "Průměrný dluh" in r.summary() and "krizové" in r.summary()
    assert "vyřazeny" in r.summary()
    assert "<table" in r._repr_html_() and "&lt;" not in r.title
    with pytest.raises(FrozenInstanceError):
        r.title = "x"
    copy = r.tidy()
    copy.loc[0, "estimate"] = 0  # tidy hands out a copy
    assert r.tidy().loc[0, "estimate"] == 1234.5
    with pytest.raises(NotImplementedError):
        r.plot()
