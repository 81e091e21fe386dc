"""The cross-field rules of the contract, each implemented once, generically, from its parameters.

Rule types (see :class:`evaluation.data.schema.Rule`):

``compare``          ``left op right`` for rows where both are present (ops ``< <= > >= == !=``);
``missing_iff``      ``field`` is empty exactly when ``when_field`` equals ``when_value``;
``no_overlap``       spells ``[start, end)`` of the same ``by`` do not overlap (an empty end is an
                     open spell; a spell may start on the day the previous one ends);
``in_study_period``  each of ``fields`` lies within the study period (both ends included);
``first_of_month``   ``field`` is the first day of a month;
``constant_within``  ``field`` has one value (empty counts as a value) within each ``by`` group;
``pattern``          ``field`` (text) matches the regular expression ``pattern`` in full;
``in_code_list``     the values of ``fields`` are in the contract's code list ``list`` (its columns
                     of the same names; several fields: the combination must be a row of the list,
                     judged only where each value is known on its own, so one bad code is
                     reported once).

Rows whose code breaks the table's ``pattern`` rule for that field are not judged by
``in_code_list`` (the format problem is reported already). A code missing from a list flagged
``illustrative`` (a placeholder, such as the contact points until the decree's annex is bundled)
is a warning that keeps the row: real data must not be refused by a list that is not real.

A rule whose fields are not all in the file is skipped: the missing column is
reported on its own. Rows with an unparseable value in a rule's field are not
judged by the rule (their type error is reported already).

Example
-------
>>> import operator
>>> OPERATORS["<="] is operator.le
True
"""

from __future__ import annotations

import operator
import re

import numpy as np
import pandas as pd

from evaluation.data.checks import TableCheck
from evaluation.data.parsing import as_text
from evaluation.data.schema import DataContract, Rule, get_schema
from evaluation.errors import DataError

OPERATORS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq,
             "!=": operator.ne}
_OPEN_END = np.iinfo(np.int64).max


def check_rules(check: TableCheck, study_period: tuple[pd.Timestamp, pd.Timestamp],
                contract: DataContract | None = None) -> None:
    """Apply every rule of the table's schema to ``check`` (code lists from ``contract``, by default
    the data contract in use)."""
    for rule in check.schema.rules:
        handler = _HANDLERS.get(rule.type)
        if handler is None:
            raise DataError(f"the data contract of table {check.schema.name!r} has a rule of unknown type "
                            f"{rule.type!r}; known types: {', '.join(_HANDLERS)}")
        handler(check, rule, (contract or get_schema()) if rule.type == "in_code_list" else study_period)


def _texts(rule: Rule) -> dict[str, str]:
    return {"rule_cs": rule.description_cs, "rule_en": rule.description_en}


def _compare(check: TableCheck, rule: Rule, period: object) -> None:
    left, op, right = rule.params["left"], rule.params["op"], rule.params["right"]
    if op not in OPERATORS:
        raise DataError(f"rule 'compare' of table {check.schema.name!r} has an unknown operator {op!r}")
    if not check.has(left, right):
        return
    a, b = check.values(left), check.values(right)
    both = (a.notna() & b.notna()).to_numpy()
    holds = pd.Series(OPERATORS[op](a, b)).fillna(True).astype(bool).to_numpy()
    check.add_row_problems(both & ~holds, left, "compare", "compare", left=check.header(left), op=op,
                           right=check.header(right), **_texts(rule))


def _missing_iff(check: TableCheck, rule: Rule, period: object) -> None:
    name, when, value = rule.params["field"], rule.params["when_field"], rule.params["when_value"]
    if not check.has(name, when):
        return
    condition = check.values(when)
    judged = condition.notna().to_numpy() & ~check.parsed[name].invalid
    should_be_missing = (condition == value).fillna(False).to_numpy()
    broken = judged & (check.parsed[name].missing != should_be_missing)
    check.add_row_problems(broken, name, "missing_iff", "missing_iff", **_texts(rule))


def _no_overlap(check: TableCheck, rule: Rule, period: object) -> None:
    by, start, end = rule.params["by"], rule.params["start"], rule.params["end"]
    if not check.has(by, start, end):
        return
    starts, ends = check.values(start), check.values(end)
    usable = (check.values(by).notna() & starts.notna()).to_numpy() & ~check.parsed[end].invalid
    positions = np.flatnonzero(usable)
    if len(positions) < 2:
        return
    group = pd.factorize(check.values(by).iloc[positions])[0]
    start_ns = starts.iloc[positions].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    end_values = ends.iloc[positions]
    end_ns = np.where(end_values.isna(), _OPEN_END, end_values.to_numpy(dtype="datetime64[ns]").astype(np.int64))
    order = np.lexsort((end_ns, start_ns, group))
    g, s, e, pos = group[order], start_ns[order], end_ns[order], positions[order]
    frame = pd.DataFrame({"g": g, "e": e})
    running_end = frame.groupby("g")["e"].cummax()
    holder = pd.Series(np.where(e == running_end.to_numpy(), pos, -1)).where(lambda x: x >= 0)
    holder = holder.groupby(g).ffill()
    previous_end = running_end.groupby(g).shift(1)
    previous_holder = holder.groupby(g).shift(1)
    overlaps = (previous_end.notna() & (s < previous_end.fillna(0))).to_numpy()
    if not overlaps.any():
        return
    mask = np.zeros(check.n_rows, dtype=bool)
    mask[pos[overlaps]] = True
    other_rows = []
    for refs in check.refs(previous_holder.to_numpy()[overlaps].astype(np.int64)):
        full = pd.Series("", index=range(check.n_rows), dtype=object)
        full.iloc[pos[overlaps]] = refs.to_numpy()
        other_rows.append(full)
    check.add_row_problems(mask, start, "no_overlap", "no_overlap", per_row={"other": tuple(other_rows)},
                           **_texts(rule))


def _in_study_period(check: TableCheck, rule: Rule, period: tuple[pd.Timestamp, pd.Timestamp]) -> None:
    start, end = period
    for name in rule.params["fields"]:
        if not check.has(name):
            continue
        dates = check.values(name)
        outside = (dates.notna() & ((dates < start) | (dates > end))).to_numpy()
        check.add_row_problems(outside, name, "in_study_period", "in_study_period",
                               start=start.strftime("%d.%m.%Y"), end=end.strftime("%d.%m.%Y"))


def _first_of_month(check: TableCheck, rule: Rule, period: object) -> None:
    name = rule.params["field"]
    if not check.has(name):
        return
    dates = check.values(name)
    check.add_row_problems((dates.notna() & (dates.dt.day != 1)).to_numpy(), name, "first_of_month",
                           "first_of_month", **_texts(rule))


def _constant_within(check: TableCheck, rule: Rule, period: object) -> None:
    name, by = rule.params["field"], rule.params["by"]
    if not check.has(name, by):
        return
    groups = check.values(by)
    present = groups.notna().to_numpy() & ~check.parsed[name].invalid
    positions = np.flatnonzero(present)
    shown = as_text(check.values(name).iloc[positions].astype(object))
    frame = pd.DataFrame({"g": pd.factorize(groups.iloc[positions])[0], "v": shown.to_numpy()})
    distinct = frame.groupby("g")["v"].nunique()
    bad_groups = distinct.index[distinct > 1]
    if not len(bad_groups):
        return
    in_bad = frame["g"].isin(bad_groups).to_numpy()
    listed = (frame[in_bad].groupby("g")["v"].agg(lambda v: ", ".join(sorted(x or "—" for x in v.unique()))))
    mask = np.zeros(check.n_rows, dtype=bool)
    mask[positions[in_bad]] = True
    values_listed = pd.Series("", index=range(check.n_rows), dtype=object)
    values_listed.iloc[positions[in_bad]] = listed.reindex(frame["g"][in_bad]).to_numpy()
    check.add_row_problems(mask, name, "constant_within", "constant_within", per_row={"found": values_listed},
                           by=check.header(by), **_texts(rule))


def _malformed(check: TableCheck, name: str) -> np.ndarray:
    """Rows whose value of ``name`` breaks a ``pattern`` rule of the table (empty counts as fine)."""
    bad = np.zeros(check.n_rows, dtype=bool)
    for rule in check.schema.rules:
        if rule.type == "pattern" and rule.params["field"] == name and check.has(name):
            bad |= _breaks_pattern(check.values(name), rule.params["pattern"])
    return bad


def _breaks_pattern(values: pd.Series, pattern: str) -> np.ndarray:
    text = values.astype("string")
    matches = text.str.fullmatch(pattern)
    return (text.notna() & ~matches.fillna(False).astype(bool)).to_numpy(dtype=bool)


def _pattern(check: TableCheck, rule: Rule, period: object) -> None:
    name, pattern = rule.params["field"], rule.params["pattern"]
    try:
        re.compile(pattern)
    except re.error as exc:
        raise DataError(f"rule 'pattern' of table {check.schema.name!r} has an invalid pattern {pattern!r}: {exc}") \
            from None
    if not check.has(name):
        return
    check.add_row_problems(_breaks_pattern(check.values(name), pattern), name, "pattern", "pattern", **_texts(rule))


def _in_code_list(check: TableCheck, rule: Rule, contract: DataContract) -> None:
    fields = tuple(rule.params["fields"])
    if not check.has(*fields):
        return
    try:
        code_list = contract.code_list(rule.params["list"])
    except KeyError as exc:
        raise DataError(f"rule 'in_code_list' of table {check.schema.name!r}: {exc.args[0]}") from None
    texts = {name: check.values(name).astype("string") for name in fields}
    judged = np.ones(check.n_rows, dtype=bool)
    for name in fields:
        judged &= texts[name].notna().to_numpy(dtype=bool) & ~_malformed(check, name)
    common = dict(list_cs=code_list.title("cs"), list_en=code_list.title("en"), version=code_list.version,
                  severity="warning" if code_list.illustrative else "error", **_texts(rule))
    if len(fields) == 1:
        known = texts[fields[0]].isin(code_list.values(fields[0])).to_numpy(dtype=bool)
        check.add_row_problems(judged & ~known, fields[0], "in_code_list", "in_code_list", **common)
        return
    for name in fields:  # each code on its own first: an unknown code is its own rule's problem
        judged &= texts[name].isin(code_list.values(name)).to_numpy(dtype=bool)
    frame = code_list.frame()
    rows = pd.MultiIndex.from_frame(frame[list(fields)])
    known = pd.MultiIndex.from_arrays([texts[name].fillna("") for name in fields]).isin(rows)
    shown = as_text(check.raw_column(fields[0]))
    for name in fields[1:]:
        shown = shown + " + " + as_text(check.raw_column(name))
    check.add_row_problems(judged & ~known, fields[0], "in_code_list", "in_code_list_combination",
                           values=shown, column=" + ".join(check.header(name) for name in fields), **common)


_HANDLERS = {"compare": _compare, "missing_iff": _missing_iff, "no_overlap": _no_overlap,
             "in_study_period": _in_study_period, "first_of_month": _first_of_month,
             "constant_within": _constant_within, "pattern": _pattern, "in_code_list": _in_code_list}
