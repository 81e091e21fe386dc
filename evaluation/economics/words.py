"""The words of the economic evaluation in Czech and English: items, payers, perspectives, terms.

One place for every label the economic results and their figures print, as ``code: (Czech,
English)``, so that a table and its figure say the same thing. Cost centres and cost items of the
``costs`` table are worded by the data contract (:func:`evaluation.reporting.labels.category_label`).

Example
-------
>>> word(PERSPECTIVES, "municipal", "cs")
'rozpočet obce'
>>> word(OFFSET_ITEMS, "evictions", "en")
'evictions avoided'
"""

from __future__ import annotations

from collections.abc import Mapping

from evaluation.errors import ConfigError

#: Who pays a cost or gains an offset.
PAYERS: dict[str, tuple[str, str]] = {
    "municipality": ("obec", "municipality"),
    "state_region": ("stát a kraje", "state and regions"),
    "eu": ("fondy EU", "EU funds"),
}

#: The perspectives of the evaluation: whose costs and savings count.
PERSPECTIVES: dict[str, tuple[str, str]] = {
    "municipal": ("rozpočet obce", "the municipal budget"),
    "public_sector": ("veřejný sektor jako celek", "the public sector as a whole"),
}

#: The perspectives as a text continues "z hlediska ..." / "from the perspective of ...".
PERSPECTIVE_PHRASES: dict[str, tuple[str, str]] = {
    "municipal": ("rozpočtu obce", "the municipal budget"),
    "public_sector": ("veřejného sektoru jako celku", "the public sector as a whole"),
}

#: The offsets: resources the programme may save, per programme household.
OFFSET_ITEMS: dict[str, tuple[str, str]] = {
    "shelter_nights": ("noci v azylových zařízeních", "shelter nights"),
    "children_in_care": ("děti v péči mimo rodinu", "children in care"),
    "evictions": ("vystěhování a ztráty bydlení", "evictions avoided"),
}

#: The unit of each offset's effect (Czech, English).
EFFECT_UNITS: dict[str, tuple[str, str]] = {
    "shelter_nights": ("nocí na domácnost", "nights per household"),
    "children_in_care": ("měsíců dětí v péči na domácnost", "child-months in care per household"),
    "evictions": ("změna rizika ztráty bydlení", "change in the risk of losing the home"),
}

#: Unit costs by name (the unit each offset is valued at).
UNIT_COSTS: dict[str, tuple[str, str]] = {
    "shelter_night": ("noc v azylovém zařízení", "one shelter night"),
    "child_in_care_month": ("měsíc pobytu dítěte v péči mimo rodinu", "one child-month in care"),
    "eviction": ("jedna ztráta bydlení (vystěhování)", "one lost home (eviction)"),
}

#: The unit cost that values each offset.
PRICE_OF: dict[str, str] = {"shelter_nights": "shelter_night", "children_in_care": "child_in_care_month",
                            "evictions": "eviction"}

#: Rows of the net-cost table.
TERMS: dict[str, tuple[str, str]] = {
    "programme_cost": ("náklady programu", "programme cost"),
    "offset_shelter_nights": ("úspora: noci v azylových zařízeních", "offset: shelter nights"),
    "offset_children_in_care": ("úspora: děti v péči mimo rodinu", "offset: children in care"),
    "offset_evictions": ("úspora: ztráty bydlení", "offset: lost homes"),
    "offsets_counted": ("započtené úspory celkem", "offsets counted"),
    "net_cost": ("čisté náklady", "net cost"),
    "outcome_costs_with_programme": ("náklady výsledků s programem", "outcome costs with the programme"),
    "outcome_costs_without_programme": ("náklady výsledků bez programu", "outcome costs without the programme"),
    "homes_kept": ("udržená bydlení navíc na domácnost", "additional homes kept per household"),
    "net_cost_per_home_kept": ("čisté náklady na udržené bydlení navíc", "net cost per additional home kept"),
}

#: Parameters of the sensitivity analyses (besides the offsets and unit costs above).
PARAMETERS: dict[str, tuple[str, str]] = {
    "programme_cost": ("náklady programu na domácnost", "programme cost per household"),
    "discount_rate": ("diskontní sazba", "discount rate"),
    **{f"effect_{item}": (f"efekt: {cs}", f"effect: {en}") for item, (cs, en) in OFFSET_ITEMS.items()},
    **{f"price_{name}": (f"jednotkový náklad: {cs}", f"unit cost: {en}") for name, (cs, en) in UNIT_COSTS.items()},
}

#: Scenarios of the probabilistic analysis.
SCENARIOS: dict[str, tuple[str, str]] = {
    "established": ("jen prokázané efekty", "established effects only"),
    "all_effects": ("všechny odhadnuté efekty", "every estimated effect"),
}

#: Statuses of the evidence behind an offset (evaluation.findings), as the offsets table words them.
STATUSES: dict[str, tuple[str, str]] = {
    "effect": ("efekt prokázán", "effect established"),
    "no_clear_change": ("bez jasné změny", "no clear change"),
    "not_established": ("neprokázáno", "not established"),
    "not_estimable": ("nelze odhadnout", "not estimable"),
    "given": ("zadáno", "given"),
}


def word(table: Mapping[str, tuple[str, str]], code: str, lang: str = "cs") -> str:
    """The label of ``code`` in ``lang`` ("cs" or "en"); an unknown code is returned as it is."""
    if lang not in ("cs", "en"):
        raise ConfigError(f"lang must be 'cs' or 'en', not {lang!r}")
    pair = table.get(code)
    if pair is None:
        return str(code)
    return pair[0] if lang == "cs" else pair[1]


def labelled(table: Mapping[str, tuple[str, str]], code: str) -> dict[str, str]:
    """``{"label_cs": ..., "label_en": ...}`` for a table row."""
    return {"label_cs": word(table, code, "cs"), "label_en": word(table, code, "en")}


__all__ = ["EFFECT_UNITS", "OFFSET_ITEMS", "PARAMETERS", "PAYERS", "PERSPECTIVES", "PERSPECTIVE_PHRASES", "PRICE_OF", "SCENARIOS",
           "STATUSES", "TERMS", "UNIT_COSTS", "labelled", "word"]
