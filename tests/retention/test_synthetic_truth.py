"""The retention estimators recover the known truth of the synthetic pilots.

Reference numbers come from the generator itself (``evaluation.synthetic``): its ``truth``
table ``retention`` (``dgp`` = mean over the households of exp(-(h_i + h_other) t), the
population value given their covariates; ``dgp_negative_only`` the same with negative exits
only; ``sample`` = the share still housed among the households followed ``t`` months), its
parameters (conditional hazard ratio 0.30 of a negative exit, programme vs comparison, given
ETHOS category, income band and children; base hazards and multipliers) and
``calibration.TRANSITIONS`` (where the staircase sends a household at the end of a step).

How the two sets of definitions line up (checked in ``test_episode_definitions_match_generator``):

* the generator's "still housed" = no eviction, abandonment or other exit; a move up or a
  standard lease keeps the household housed. ``housing_episodes(definition="housing")``
  follows a household through ``moved_up``/``standard_lease`` spells, so its episode ends at
  the generator's exit date. With ``failures=("lost_home", "left", "death")`` the
  Kaplan–Meier curve targets ``dgp``/``sample``; with the default ``failures=("lost_home",)``
  (other exits censored) it targets ``dgp_negative_only``.
* the generator always writes the next spell after a move up or a standard lease (a
  ``standard`` spell without a flat), so ``standard_lease="housed"``/``"censored"`` agree.
* the generator rounds exit times to whole days: an exit in the first half-day falls on the
  entry day; ``housing_episodes`` keeps that household with its exit at half a day (it once
  excluded it as an "episode of zero length"; the tests still allow for such an exclusion).
* censoring: the extraction date 2020-12-31 is passed as ``censor_date`` (the default, the
  latest date in the table, can be a few days earlier).

One draw (seed 2019, scale 10: about 1,350 programme and 3,600 comparison households) is
generated per module; every comparison with the population truth uses the estimator's own
standard error (|estimate - truth| < 3 SE) so a change of seed does not break the tests.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evaluation.retention import (
    DAYS_PER_MONTH,
    AalenJohansen,
    CoxPH,
    KaplanMeier,
    cox_zph,
    housing_episodes,
    transitions,
)
from evaluation.synthetic import simulate
from evaluation.synthetic.calibration import TRANSITIONS

SEED, SCALE = 2019, 10.0
TIMES = (6.0, 12.0, 20.0)
ALL_EXITS = ("lost_home", "left", "death")
ZERO_LENGTH = "episode of zero length (moved in and out on the same day)"


@pytest.fixture(scope="module")
def synthetic():
    return simulate(seed=SEED, scale=SCALE)


def _censor_date(synthetic) -> str:
    return synthetic.truth.parameters["household_data_extraction_date"]


def _entry_step(synthetic, household_ids: pd.Series) -> np.ndarray:
    """Entry step of each household from its cohort (truth table ``cohorts``), 'comparison' otherwise."""
    hh = synthetic.tables["households"].set_index("household_id")
    step_of_cohort = synthetic.truth.table("cohorts").set_index("cohort")["step"]
    cohort = hh.loc[household_ids, "cohort"]
    step = cohort.map(lambda c: step_of_cohort.get(int(c)) if pd.notna(c) else "comparison")
    return step.to_numpy(dtype=object)


def _episodes(synthetic, **kwargs):
    ep = housing_episodes(synthetic.tables["tenancies"], synthetic.tables["households"],
                          censor_date=_censor_date(synthetic), **kwargs)
    data = ep.data.assign(entry_step=_entry_step(synthetic, ep.data["household_id"]))
    return ep, data


@pytest.fixture(scope="module")
def all_exits(synthetic):
    """Episodes in which every exit other than a move up or a standard lease is a failure."""
    return _episodes(synthetic, failures=ALL_EXITS)


@pytest.fixture(scope="module")
def negative_exits(synthetic):
    """Episodes in which only eviction or abandonment is a failure (other exits censored)."""
    return _episodes(synthetic)


def _retention_truth(synthetic) -> pd.DataFrame:
    return synthetic.truth.table("retention").set_index(["entry_step", "months"])


def _zero_length_households(ep) -> int:
    hit = ep.exclusions.loc[ep.exclusions["reason"] == ZERO_LENGTH, "households"]
    return int(hit.sum())


# --------------------------------------------------------------------------------------
# Definitions
# --------------------------------------------------------------------------------------
def test_episode_definitions_match_generator(synthetic, all_exits):
    ep, data = all_exits
    tenancies = synthetic.tables["tenancies"].sort_values(["household_id", "start_date"])
    last = tenancies.groupby("household_id", observed=True).tail(1)
    # a move up or standard lease is always followed by a spell: nothing is censored at the move
    assert not last["exit_reason"].astype(str).isin(["moved_up", "standard_lease"]).any()
    assert not any("no next spell" in n for n in ep.notes)
    # the first spell of a programme household is its entry step; comparison households start 'standard'
    programme = data["entry_step"] != "comparison"
    assert (data.loc[programme, "first_step"].astype(str) == data.loc[programme, "entry_step"]).all()
    assert (data.loc[~programme, "first_step"].astype(str) == "standard").all()
    # only exits on the entry day are excluded, and they are counted
    assert set(ep.exclusions["reason"]) <= {ZERO_LENGTH}
    assert len(data) + _zero_length_households(ep) == len(synthetic.tables["households"])
    # the episode ends on the generator's exit date: last spell's end, or open at the extraction date
    ends = last.set_index("household_id")["end_date"].reindex(data["household_id"]).to_numpy()
    closed = data["outcome"] != "censored"
    assert (data.loc[closed, "exit_date"].to_numpy() == ends[closed.to_numpy()]).all()
    assert (data.loc[~closed, "exit_date"] == pd.Timestamp(_censor_date(synthetic))).all()
    # the standard-lease option cannot matter for these data
    other, _ = _episodes(synthetic, failures=ALL_EXITS, standard_lease="censored")
    pd.testing.assert_frame_equal(other.data, ep.data)


# --------------------------------------------------------------------------------------
# Kaplan–Meier
# --------------------------------------------------------------------------------------
def _km_by_step(data: pd.DataFrame) -> pd.DataFrame:
    km = KaplanMeier(times=TIMES).fit_episodes(data, by="entry_step")
    return km.tidy().set_index(["entry_step", "time"])


def test_km_all_exits_equals_realised_share(synthetic, all_exits):
    """No household is censored before 20 months (last entry January 2018, extraction end of
    2020), so with every exit a failure KM is the share still housed: the number still housed
    must equal the truth's ``sample`` share times its ``n`` exactly, household for household.

    The truth's horizon is ``t`` months rounded to whole days (183, 365 and 609 days), an exit on
    that day counting as not housed; KM is read at that day so the two count the same exits."""
    ep, data = all_exits
    horizon = {t: np.rint(t * DAYS_PER_MONTH) / DAYS_PER_MONTH for t in TIMES}
    km = KaplanMeier(times=tuple(horizon.values())).fit_episodes(data, by="entry_step")
    est = km.tidy().set_index(["entry_step", "time"])
    truth = _retention_truth(synthetic)
    for t in TIMES:
        # the truth counts the households excluded for an exit on the entry day (all failures)
        missing = sum(truth.loc[(step, int(t)), "n"] - est.loc[(step, horizon[t]), "n"] for step in est.index.unique(0))
        assert missing == _zero_length_households(ep)
    for (step, time), row in est.iterrows():
        t = min(TIMES, key=lambda m: abs(horizon[m] - time))
        ref = truth.loc[(step, int(t))]
        assert ref["n"] == ref["n_households"]  # everybody followed 20 months
        housed_km = row["estimate"] * row["n"]
        assert housed_km == pytest.approx(round(housed_km), abs=1e-6)  # a count: no censoring yet
        assert round(housed_km) == round(ref["sample"] * ref["n"]), (step, t)


@pytest.mark.parametrize("episodes, truth_column", [("all_exits", "dgp"), ("negative_exits", "dgp_negative_only")])
def test_km_recovers_population_retention(synthetic, request, episodes, truth_column):
    """KM by entry step and for the comparison group at 6, 12 and 20 months is within 3 standard
    errors of the population truth, and its 95% interval covers it in most of the 15 cells."""
    _, data = request.getfixturevalue(episodes)
    est = _km_by_step(data)
    truth = _retention_truth(synthetic)[truth_column]
    z = np.array([(row["estimate"] - truth[(step, int(t))]) / row["std_error"] for (step, t), row in est.iterrows()])
    covered = [row["conf_low"] <= truth[(step, int(t))] <= row["conf_high"] for (step, t), row in est.iterrows()]
    assert len(z) == 15
    assert np.all(np.abs(z) < 3), dict(zip(est.index, z.round(2)))
    assert sum(covered) >= 12  # 95% intervals: 14.25 of 15 expected; P(11 or fewer) ~ 0.5% if independent


def test_programme_retention_in_published_band_comparison_lower(synthetic, all_exits):
    """Published 12-month retention: 80% (Ostrava, 80 of 92 households) to 96% (Brno Housing
    First, 48 of 50 families); the generator is calibrated into that band (calibration.py)."""
    _, data = all_exits
    truth = _retention_truth(synthetic)["dgp"].xs(12, level="months")
    assert truth.drop(index=["comparison", "programme"]).between(0.80, 0.96).all()
    assert (truth.drop(index=["comparison", "programme"]) - truth["comparison"]).min() > 0.10
    est = _km_by_step(data)
    s12 = est.xs(12.0, level="time")
    programme = s12.drop(index="comparison")
    assert set(programme.index) == {"crisis", "social", "affordable", "housing_first"}
    assert programme["estimate"].between(0.80, 0.96).all()
    comparison = s12.loc["comparison"]
    assert comparison["estimate"] < 0.80  # waiting list: about 65-75% by calibration
    # markedly lower: the comparison interval lies below every programme step's interval
    assert (comparison["conf_high"] < programme["conf_low"]).all()
    assert (programme["estimate"] - comparison["estimate"]).min() > 0.05


# --------------------------------------------------------------------------------------
# Cox regression and the proportional-hazards test
# --------------------------------------------------------------------------------------
def _cox_data(synthetic, negative_exits) -> pd.DataFrame:
    _, data = negative_exits
    hh = synthetic.tables["households"][["household_id", "ethos_category", "income_band", "children"]]
    df = data.merge(hh, on="household_id", how="left", validate="one_to_one")
    return df.assign(programme=(df["group"].astype(str) == "programme").astype(float),
                     has_children=(df["children"] > 0).astype(float), event=df["event"].astype(int))


@pytest.fixture(scope="module")
def cox_fit(synthetic, negative_exits):
    df = _cox_data(synthetic, negative_exits)
    return CoxPH().fit(df, covariates=["programme", "ethos_category", "income_band", "has_children"]), df


def _true_log_hazard_ratios(synthetic, terms) -> np.ndarray:
    """True coefficient of every design column, from the truth's hazard model (reference = the
    level with no column)."""
    p = synthetic.truth.parameters
    tables = {"ethos_category": p["negative_exit_base_hazard_per_month"], "income_band": p["income_hazard_multiplier"]}
    out = []
    for term in terms:
        if term == "programme":
            out.append(p["log_hazard_ratio_negative_exit"])
        elif term == "has_children":
            out.append(np.log(p["children_hazard_multiplier"]))
        else:
            column, level = term[:-1].split("[")
            present = {t[:-1].split("[")[1] for t in terms if t.startswith(column + "[")}
            (reference,) = set(tables[column]) - present
            out.append(np.log(tables[column][level] / tables[column][reference]))
    return np.array(out)


def test_cox_recovers_conditional_hazard_ratio(synthetic, cox_fit):
    fit, df = cox_fit
    row = fit.tidy(exponentiate=True).set_index("term").loc["programme"]
    truth = synthetic.truth.parameters["hazard_ratio_negative_exit"]
    assert truth == pytest.approx(0.30)
    assert row["conf_low"] <= truth <= row["conf_high"]
    lhr = fit.tidy().set_index("term").loc["programme"]
    assert abs(lhr["estimate"] - np.log(truth)) < 3 * lhr["std_error"]
    # every coefficient at once: Wald test of beta = beta_true (12 df) does not reject at 0.1%
    diff = fit.params - _true_log_hazard_ratios(synthetic, fit.terms)
    wald = float(diff @ np.linalg.solve(fit.cov, diff))
    assert stats.chi2.sf(wald, len(diff)) > 0.001, wald
    # households with a blank income band are left out and counted, nothing else
    missing_income = int(df["income_band"].isna().sum())
    assert missing_income > 0
    assert fit.excluded.set_index("reason")["rows"].to_dict() == {"missing covariate value": missing_income}
    assert fit.n == len(df) - missing_income


def test_cox_zph_does_not_reject_proportional_hazards(cox_fit):
    """The generator's hazards are constant in time, so proportional hazards hold exactly."""
    fit, _ = cox_fit
    table = cox_zph(fit).tidy().set_index("term")
    assert table.loc["programme", "p_value"] > 0.01
    assert table.loc["GLOBAL", "p_value"] > 0.01


# --------------------------------------------------------------------------------------
# Aalen–Johansen
# --------------------------------------------------------------------------------------
def _negative_hazard(synthetic, household_ids: pd.Series) -> np.ndarray:
    """Monthly hazard of a negative exit of each household, rebuilt from the truth's hazard model."""
    p = synthetic.truth.parameters
    hh = synthetic.tables["households"].set_index("household_id").loc[household_ids]
    return (hh["ethos_category"].astype(str).map(p["negative_exit_base_hazard_per_month"]).to_numpy()
            * hh["income_band"].astype(str).map(p["income_hazard_multiplier"]).to_numpy()
            * np.where(hh["children"].to_numpy() > 0, p["children_hazard_multiplier"], 1.0)
            * np.where(hh["group"].astype(str).to_numpy() == "programme", p["hazard_ratio_negative_exit"], 1.0))


def _true_incidence_negative(synthetic, data: pd.DataFrame, t: float) -> float:
    """Mean over the households of h_i / (h_i + h_o) * (1 - exp(-(h_i + h_o) t)), the cumulative
    incidence of a negative exit with a competing other exit at constant hazard h_o."""
    h = _negative_hazard(synthetic, data["household_id"])
    total = h + synthetic.truth.parameters["other_exit_hazard_per_month"]
    return float(np.mean(h / total * (1.0 - np.exp(-total * t))))


def test_aalen_johansen_recovers_incidence_of_losing_the_home(synthetic, all_exits):
    """The truth gives no cumulative incidence table, so it is computed from the truth's hazard
    model for the households whose income band is recorded (the band is blanked completely at
    random in 3% of households); the hazards so rebuilt reproduce the truth's retention table."""
    _, data = all_exits
    complete = data[data["household_id"].map(
        synthetic.tables["households"].set_index("household_id")["income_band"]).notna()]
    assert len(complete) > 0.95 * len(data)
    aj = AalenJohansen(times=TIMES).fit_episodes(complete, by="group").tidy()
    lost = aj[aj["cause"] == "lost_home"].set_index(["group", "time"])
    truth = _retention_truth(synthetic)
    for group in ("programme", "comparison"):
        cell = complete[complete["group"].astype(str) == group]
        for t in TIMES:
            expected = _true_incidence_negative(synthetic, cell, t)
            row = lost.loc[(group, t)]
            assert abs(row["estimate"] - expected) < 3 * row["std_error"], (group, t, row["estimate"], expected)
            # with competing exits the incidence is below 1 - S(t) of negative exits alone
            assert expected < 1 - truth.loc[(group, int(t)), "dgp_negative_only"] + 0.005
    # the rebuilt hazards reproduce the truth's retention table (up to the 3% left out)
    for group in ("programme", "comparison"):
        h = _negative_hazard(synthetic, complete.loc[complete["group"].astype(str) == group, "household_id"])
        for t in TIMES:
            assert np.mean(np.exp(-h * t)) == pytest.approx(truth.loc[(group, int(t)), "dgp_negative_only"], abs=0.005)


def test_aalen_johansen_sums_to_one_minus_km_and_stays_below_cause_specific_km(all_exits, negative_exits):
    """Exact relations on the same episodes: the incidences of all exit types add up to
    1 - KM(all exits), and the incidence of losing the home is at most 1 - KM(negative exits,
    other exits censored), strictly below once competing exits have occurred."""
    _, data_all = all_exits
    _, data_neg = negative_exits
    aj = AalenJohansen(times=TIMES).fit_episodes(data_all, by="entry_step").tidy()
    total = aj.groupby(["group", "time"])["estimate"].sum()
    lost = aj[aj["cause"] == "lost_home"].set_index(["group", "time"])["estimate"]
    km_all = _km_by_step(data_all)["estimate"]
    km_neg = _km_by_step(data_neg)["estimate"]
    for (step, t), s in km_all.items():
        assert total[(step, t)] == pytest.approx(1 - s, abs=1e-12)
        assert lost[(step, t)] <= 1 - km_neg[(step, t)] + 1e-12
    # strictly below once a home is lost after a competing exit (the competing exit shrank the
    # risk set in KM's eyes only)
    strict = 0
    for (step, t), value in lost.items():
        cell = data_all[data_all["entry_step"] == step]
        first_competing = cell.loc[cell["outcome"].isin(["left", "death"]), "exit_time"].min()
        if ((cell["outcome"] == "lost_home") & (cell["exit_time"] > first_competing) & (cell["exit_time"] <= t)).any():
            assert value < 1 - km_neg[(step, t)] - 1e-9
            strict += 1
    assert strict >= 10


# --------------------------------------------------------------------------------------
# Transitions
# --------------------------------------------------------------------------------------
def test_transitions_equal_direct_count(synthetic):
    tenancies = synthetic.tables["tenancies"]
    result = transitions(tenancies).tidy()
    # direct count: each spell goes to the household's next spell's step, else to its exit reason
    t = tenancies.assign(step=tenancies["step"].astype(str), exit_reason=tenancies["exit_reason"].astype(str))
    t = t.sort_values(["household_id", "start_date"])
    nxt = t.groupby("household_id")["step"].shift(-1)
    direct = pd.DataFrame({"from_step": t["step"], "to": nxt.fillna(t["exit_reason"])}).value_counts()
    got = result.set_index(["from_step", "to"])["count"]
    assert got.sort_index().to_dict() == direct.sort_index().to_dict()
    assert got.sum() == len(tenancies)
    # exits are counted from the last spells only
    last = t.groupby("household_id").tail(1)
    exits = result[result["kind"] == "exit"].groupby("to")["count"].sum()
    assert exits.to_dict() == last["exit_reason"].value_counts().to_dict()


def test_transitions_recover_staircase_probabilities(synthetic):
    """Where a planned move happens, the next step is drawn from calibration.TRANSITIONS
    independently of everything else: crisis -> social 0.80 (vs standard lease 0.20); social ->
    affordable 0.55 vs standard lease 0.30 (0.647 of the moves)."""
    table = transitions(synthetic.tables["tenancies"]).tidy().set_index(["from_step", "to"])["count"]
    for step, up in (("crisis", "social"), ("social", "affordable")):
        probs = {nxt: p for nxt, _, p in TRANSITIONS[step] if nxt is not None}
        expected = probs[up] / sum(probs.values())
        moves = table.loc[(step, up)] + table.loc[(step, "standard")]
        share = table.loc[(step, up)] / moves
        se = np.sqrt(expected * (1 - expected) / moves)
        assert abs(share - expected) < 3 * se, (step, share, expected)
