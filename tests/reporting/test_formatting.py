"""Czech and English number, date and chart formats."""

from __future__ import annotations

import datetime as dt

import matplotlib.pyplot as plt

from evaluation.reporting.formatting import (
    format_cell,
    format_date,
    format_interval,
    format_number,
    format_percent,
)
from evaluation.reporting.style import (
    PALETTE,
    apply_style,
    localise_axes,
    percent_axis,
    report_style,
)

NBSP = "\u00a0"


def test_czech_numbers_use_decimal_comma_and_non_breaking_thousands():
    assert format_number(1234567.891, "cs", 2) == f"1{NBSP}234{NBSP}567,89"
    assert format_number(-3.5, "cs", 1) == "−3,5"
    assert format_number(12, "cs") == "12"
    assert format_number(None, "cs") == "–"


def test_english_numbers():
    assert format_number(1234567.891, "en", 2) == "1,234,567.89"
    assert format_number(-0.0001, "en", 2) == "0.00"


def test_percent_and_interval():
    assert format_percent(0.123, "cs") == f"12,3{NBSP}%"
    assert format_percent(0.123, "en") == "12.3%"
    # Czech typography: en dash in a range, the unit once, a non-breaking space before "%"
    assert format_interval(0.1, 0.25, "cs", percent=True) == f"10,0–25,0{NBSP}%"
    assert format_interval(0.87, 0.96, "cs", percent=True, decimals=0) == f"87–96{NBSP}%"
    assert format_interval(0.1, 0.25, "en", percent=True) == "10.0–25.0%"
    assert format_interval(1.5, 2.25, "en", decimals=2) == "1.50–2.25"
    # a negative limit: words, not a dash that reads as a minus sign
    assert format_interval(-6805, -5796, "cs", decimals=0, unit="Kč") == f"−6{NBSP}805 až −5{NBSP}796{NBSP}Kč"
    # one minus sign (U+2212) in both languages
    assert format_interval(-0.43, 0.03, "en", decimals=2) == "\u22120.43 to 0.03"
    assert format_number(-1520.5, "en", 0) == "\u22121,520"


def test_dates():
    assert format_date(dt.date(2026, 11, 23), "cs") == f"23.{NBSP}11.{NBSP}2026"
    assert format_date("2026-11-03", "en") == "3 November 2026"


def test_stored_cells():
    assert format_cell("<5", "cs") == "<5"
    assert format_cell("x", "cs") == "x"
    assert format_cell("1234.5", "cs") == f"1{NBSP}234,5"
    assert format_cell("0.0004", "en", column="p_value") == "<0.001"
    assert format_cell("Praha 7", "cs") == "Praha 7"


def test_chart_style_and_czech_axes():
    with report_style("cs"):
        fig, ax = plt.subplots()
        ax.plot([0, 0.5, 1.0], [0.1, 0.2, 0.3])
        assert plt.rcParams["font.sans-serif"][0] == "DejaVu Sans"
        assert plt.rcParams["axes.prop_cycle"].by_key()["color"][0] == PALETTE[0]
        localise_axes(fig, "cs")
        fig.canvas.draw()
        labels = [t.get_text() for t in ax.get_xticklabels()]
        assert "0,4" in labels and not any("." in label for label in labels)
        percent_axis(ax, "y", "cs")
        assert ax.yaxis.get_major_formatter()(0.25, 0) == f"25{NBSP}%"
        plt.close(fig)
    with plt.rc_context():
        apply_style("en")
        fig, ax = plt.subplots()
        ax.plot([0, 0.5, 1.0], [0.1, 0.2, 0.3])
        localise_axes(fig, "en")
        fig.canvas.draw()
        assert "0.4" in [t.get_text() for t in ax.get_xticklabels()]
        plt.close(fig)
