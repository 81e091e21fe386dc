"""Conventions of the economic evaluation: price index, discounting, settings, perspective.

References: the ČSÚ average annual inflation rates as published (https://csu.gov.cz/mira_inflace,
"Míra inflace vyjádřená přírůstkem průměrného ročního indexu spotřebitelských cen"; the series
1999–2025 as reproduced on ČSÚ's certified inflation statement, e.g. kurzy.cz "Průměrná roční
míra inflace v ČR v roce 2025 byla 2,5 %", and the press releases of 13 January 2026 (2025: 2.5 %)
and January 2025 (2024: 2.4 %)); hand-computed worked examples for indexing and discounting with
the formulas stated in each test.
"""
from __future__ import annotations

import numpy as np
import pytest

from evaluation.economics.discounting import discount_factors, present_value
from evaluation.economics.perspective import perspective_share, perspective_table
from evaluation.economics.prices import czech_cpi, load_price_index
from evaluation.economics.settings import DEFAULT_UNIT_COSTS, EconomicSettings, UnitCost
from evaluation.errors import ConfigError, DataError

#: ČSÚ average annual inflation rate (%), 1999–2025, as published (one decimal).
CSU_AVERAGE_INFLATION = {
    1999: 2.1, 2000: 3.9, 2001: 4.7, 2002: 1.8, 2003: 0.1, 2004: 2.8, 2005: 1.9, 2006: 2.5, 2007: 2.8, 2008: 6.3,
    2009: 1.0, 2010: 1.5, 2011: 1.9, 2012: 3.3, 2013: 1.4, 2014: 0.4, 2015: 0.3, 2016: 0.7, 2017: 2.5, 2018: 2.1,
    2019: 2.8, 2020: 3.2, 2021: 3.8, 2022: 15.1, 2023: 10.7, 2024: 2.4, 2025: 2.5}


def test_bundled_cpi_matches_the_published_series():
    cpi = czech_cpi()
    table = cpi.table().set_index("year")
    assert list(table.index) == list(CSU_AVERAGE_INFLATION)
    for year, rate in CSU_AVERAGE_INFLATION.items():
        if year > cpi.first_year:  # the first year's change links to no earlier level
            assert table.loc[year, "previous_year_100"] == pytest.approx(100 + rate, abs=1e-9), year
    assert cpi.base_year == 2015 and cpi.level(2015) == pytest.approx(100.0)
    assert cpi.publisher.startswith("Český statistický úřad") and cpi.url == "https://csu.gov.cz/mira_inflace"
    assert cpi.version == "2026-01-13"


def test_indexing_worked_example():
    """A_P = A_y x I(P) / I(y) with I chained from the annual indices: 1,000 CZK of 2020 in 2023 prices is
    1,000 x 1.038 x 1.151 x 1.107 = 1,322.57 CZK; of 2023 in 2020 prices the inverse."""
    cpi = czech_cpi()
    assert cpi.factor(2020, 2023) * 1000 == pytest.approx(1000 * 1.038 * 1.151 * 1.107, rel=1e-12)
    assert round(cpi.factor(2020, 2023) * 1000, 2) == 1322.57
    assert cpi.factor(2023, 2020) == pytest.approx(1 / (1.038 * 1.151 * 1.107), rel=1e-12)
    # levels on base 2015: 2016 = 100.7, 2017 = 100.7 x 1.025 = 103.2175
    assert cpi.level(2017) == pytest.approx(100.7 * 1.025, rel=1e-12)
    out = cpi.to_price_year([100.0, 100.0, 100.0], [2023, 2024, 2025], 2025)
    assert out == pytest.approx([100 * 1.024 * 1.025, 100 * 1.025, 100.0], rel=1e-12)


def test_index_errors_and_user_file(tmp_path):
    cpi = czech_cpi()
    with pytest.raises(ConfigError, match="covers 1999–2025 but year"):
        cpi.to_price_year([1.0], [2026], 2025)
    levels = tmp_path / "deflator.csv"
    levels.write_text("# name_en: test deflator\n# base_year: 2020\n# version: v1\nyear,index\n2019,95\n2020,100\n"
                      "2021,110\n", encoding="utf-8")
    own = load_price_index(levels)
    assert own.factor(2019, 2021) == pytest.approx(110 / 95) and own.base_year == 2020 and own.version == "v1"
    gap = tmp_path / "gap.csv"
    gap.write_text("year,index\n2019,95\n2021,110\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="consecutive years"):
        load_price_index(gap)
    bad = tmp_path / "bad.csv"
    bad.write_text("year,previous_year_100\n2019,abc\n", encoding="utf-8")
    with pytest.raises(DataError, match="data row 1"):
        load_price_index(bad)
    with pytest.raises(ConfigError, match="does not exist"):
        load_price_index(tmp_path / "missing.csv")


def test_discounting_worked_example():
    """D(k) = (1 + r) ** (-k / 12); 1,000 CZK in each of 24 months at 5 %: 1,000 x (1 - q^24) / (1 - q) with
    q = 1.05 ** (-1/12) = 22,912.73 CZK; the month 12 after entry counts 1 / 1.05."""
    q = 1.05 ** (-1 / 12)
    assert present_value(np.full(24, 1000.0), 0.05) == pytest.approx(1000 * (1 - q ** 24) / (1 - q), rel=1e-12)
    assert round(present_value(np.full(24, 1000.0), 0.05), 2) == 22912.73
    d = discount_factors(25, 0.05)
    assert d[0] == 1.0 and d[12] == pytest.approx(1 / 1.05) and d[24] == pytest.approx(1 / 1.05 ** 2)
    assert present_value(np.full(24, 1000.0), 0.0) == 24000.0
    for bad in (-0.01, 1.5, "five", float("nan")):
        with pytest.raises(ConfigError, match="discount_rate"):
            discount_factors(12, bad)


def test_settings_validation_and_mapping():
    s = EconomicSettings.from_mapping({"perspective": "municipal", "price_year": 2019, "discount_rate": 0.035,
                                       "unit_costs": {"eviction": {"value": 90_000, "price_year": 2020,
                                                                   "low": 50_000, "high": 150_000}},
                                       "payers": {"staff": {"municipality": 0.15, "eu": 0.85}},
                                       "willingness_to_pay": 600_000})
    assert s.resolved_price_year() == 2019 and s.willingness_to_pay == (600_000,)
    value, low, high = s.unit_cost_in_price_year("eviction")
    assert value == pytest.approx(90_000 / 1.032)  # 2020 -> 2019: divide by the 2020 annual index
    assert low == pytest.approx(50_000 / 1.032) and high == pytest.approx(150_000 / 1.032)
    # a bare number is in the prices of the price year, with the default range scaled to it
    bare = EconomicSettings.from_mapping({"unit_costs": {"shelter_night": 500}})
    assert bare.unit_costs["shelter_night"].price_year == 2025
    assert bare.unit_costs["shelter_night"].low == pytest.approx(500 * 200 / 400)
    problems = [
        ({"perspectiv": "municipal"}, "unknown key"),
        ({"perspective": "region"}, "perspective must be"),
        ({"price_year": 2030}, "covers 1999–2025"),
        ({"horizon_months": 0}, "horizon_months"),
        ({"horizon_months": 12.5}, "horizon_months"),
        ({"alpha": 0.7}, "alpha"),
        ({"minimum_grade": "strong"}, "minimum_grade"),
        ({"n_boot": 10}, "n_boot"),
        ({"unit_costs": {"bed_night": 300}}, "unknown unit cost"),
        ({"unit_costs": {"eviction": {"value": 10, "low": 20, "high": 30}}}, "range must contain"),
        ({"payers": {"staff": {"municipality": 0.5}}}, "sum to 1"),
        ({"payers": {"staff": {"city": 1.0}}}, "unknown payer"),
        ({"discount_rate_range": (0.07, 0.0)}, "low, high"),
    ]
    for values, message in problems:
        with pytest.raises(ConfigError, match=message):
            EconomicSettings.from_mapping(values)
    with pytest.raises(ConfigError, match="price_year"):
        UnitCost(1.0, 1800, 0.5, 2.0, "x")
    assert DEFAULT_UNIT_COSTS["child_in_care_month"].kind == "sourced"


def test_perspective_table_counts_payers():
    """Shelters and children in care are paid by the state and the regions: the municipal budget counts none
    of them; a grant-funded staff share is counted by the public sector only in the municipality's part."""
    s = EconomicSettings.from_mapping({"payers": {"staff": {"municipality": 0.15, "eu": 0.85}}})
    table = perspective_table(s).tidy().set_index("item")
    assert table.loc["children_in_care", "municipal"] == 0 and table.loc["children_in_care", "public_sector"] == 1
    assert table.loc["evictions", "municipal"] == 1
    assert table.loc["staff", "municipal"] == pytest.approx(0.15) and table.loc["staff", "public_sector"] == 1
    assert "fondy EU 85" in table.loc["staff", "payer_cs"]
    assert perspective_share({"municipality": 0.3, "state_region": 0.7}, "municipal") == pytest.approx(0.3)
