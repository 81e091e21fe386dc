"""Whose costs and savings count: the perspective of the evaluation as a declared table.

Every programme cost item (the ``item`` of the ``costs`` table) and every offset has payers with
shares (``EconomicSettings.payers``). A perspective counts the share of each item paid by the
payers it covers:

=================  ==============================================  ==========================
perspective        payers counted                                  reads as
=================  ==============================================  ==========================
``municipal``      municipality                                    the municipal budget
``public_sector``  municipality, state and regions, EU funds       the public sector as a whole
=================  ==============================================  ==========================

Defaults (:data:`~evaluation.economics.settings.DEFAULT_PAYERS`): the programme's cost items are
the municipality's (the costs table is what the municipality spent: declare grant-funded shares,
e.g. ``staff: {municipality: 0.15, eu: 0.85}``); shelter nights are paid by the state and the
regions (shelters are social services funded mainly by MPSV grants through the regions, zákon
č. 108/2006 Sb., § 101a); children in care by the state and the regions (institutional care of
the regions and the education ministry, foster-care allowances of the state); losing the home by
the municipality (the landlord's unpaid rent and legal costs, emergency accommodation).
So from the municipal budget the shelter and child-care offsets count nothing.

Example
-------
>>> from evaluation.economics.settings import EconomicSettings
>>> table = perspective_table(EconomicSettings()).tidy().set_index("item")
>>> [float(v) for v in table.loc["shelter_nights", ["municipal", "public_sector"]]]
[0.0, 1.0]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from evaluation.economics._figures import TableResult
from evaluation.economics.settings import COST_ITEMS, OFFSETS
from evaluation.economics.words import OFFSET_ITEMS, PAYERS, PERSPECTIVES, word

#: Payers each perspective counts.
PERSPECTIVE_PAYERS: dict[str, tuple[str, ...]] = {
    "municipal": ("municipality",),
    "public_sector": ("municipality", "state_region", "eu"),
}


def perspective_share(payers: Mapping[str, float], perspective: str) -> float:
    """The share of an item that ``perspective`` counts."""
    return float(sum(share for payer, share in payers.items() if payer in PERSPECTIVE_PAYERS[perspective]))


def shares_by_perspective(settings: Any) -> dict[str, dict[str, float]]:
    """``{perspective: {item: share counted}}`` for every cost item and offset."""
    return {p: {item: perspective_share(shares, p) for item, shares in settings.payers.items()}
            for p in PERSPECTIVES}


def _item_label(item: str, lang: str) -> str:
    if item in OFFSET_ITEMS:
        return word(OFFSET_ITEMS, item, lang)
    from evaluation.reporting.labels import category_label

    return category_label("item", item, lang)


def _payer_text(shares: Mapping[str, float], lang: str) -> str:
    parts = [f"{word(PAYERS, payer, lang)} {share:.0%}".replace("%", "\u00a0%" if lang == "cs" else "%")
             if share < 1 else word(PAYERS, payer, lang) for payer, share in shares.items() if share > 0]
    return ", ".join(parts)


@dataclass(frozen=True)
class PerspectiveResult(TableResult):
    """Items and the share of each that every perspective counts (1 = all, 0 = none)."""

    perspective: str

    @property
    def title(self) -> str:
        return "Whose costs and savings count in each perspective"

    @property
    def notes(self) -> tuple[str, ...]:
        return ((f"Declared perspective: {word(PERSPECTIVES, self.perspective, 'en')}; both perspectives are "
                "reported."),
                ("Municipal budget: the municipality's share of each item; public sector as a whole: municipality, "
                "state and regions, EU funds."))


def perspective_table(settings: Any) -> PerspectiveResult:
    """The perspective table of ``settings`` (rows: programme cost items, then offsets)."""
    rows = []
    for kind, items in (("programme_cost", COST_ITEMS), ("offset", OFFSETS)):
        for item in items:
            shares = dict(settings.payers[item])
            rows.append({"item": item, "kind": kind, "label_cs": _item_label(item, "cs"),
                         "label_en": _item_label(item, "en"), "payer_cs": _payer_text(shares, "cs"),
                         "payer_en": _payer_text(shares, "en"),
                         **{p: perspective_share(shares, p) for p in PERSPECTIVES}})
    return PerspectiveResult(pd.DataFrame(rows), settings.perspective)


__all__ = ["PERSPECTIVE_PAYERS", "PerspectiveResult", "perspective_share", "perspective_table",
           "shares_by_perspective"]
