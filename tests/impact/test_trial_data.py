"""The assignment table in the data contract, the trial analysis frame, balance and the CONSORT flow.

Reference numbers are hand-counted from the small Czech export below (6 randomised families) and
the balance formulas of evaluation.impact.matching (SMD on √((s₁² + s₀²)/2), variance ratio s₁²/s₀²).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluation.data.loader import load_folder, validate_folder
from evaluation.errors import ConfigError, DataError
from evaluation.impact import trial_balance, trial_data, trial_flow

HOUSEHOLDS = """\
Domácnost;Obec;Velikost domácnosti;Děti;Příjmové pásmo;Bytová nouze (ETHOS);Skupina;Program
B01;Brno;3;1;pod životním minimem;ubytovna pro osoby bez domova, azylový dům;programová skupina;Housing First
B02;Brno;4;2;;ubytovna pro osoby bez domova, azylový dům;programová skupina;Housing First
B03;Brno;2;1;pod životním minimem;noclehárna;srovnávací skupina;žádný program
B04;Brno;5;3;1 až 1,5násobek životního minima;noclehárna;srovnávací skupina;žádný program
B05;Brno;3;2;pod životním minimem;noclehárna;srovnávací skupina;žádný program
B06;Brno;3;1;pod životním minimem;noclehárna;programová skupina;Housing First
"""
TENANCIES = """\
Nájem;Domácnost;Stupeň;Začátek;Konec;Důvod ukončení
T1;B01;Housing First;01.11.2016;;stále bydlí
T2;B02;Housing First;15.11.2016;;stále bydlí
T3;B03;standardní nájem;01.10.2016;20.03.2017;vystěhování
T4;B04;standardní nájem;01.10.2016;;stále bydlí
T5;B05;standardní nájem;01.10.2016;;stále bydlí
T6;B06;Housing First;01.12.2016;;stále bydlí
"""
# Czech headers and labels; B03 (control) was not found at follow-up; B05's receipt is left to the tenancies;
# B06 was a control family housed all the same (crossover).
ASSIGNMENT = """\
Domácnost;Skupina randomizace;Datum randomizace;Vrstva;Program poskytnut;Proč program neobdržela;Následné šetření provedeno;Důvod vypadnutí
B01;intervenční skupina (program);01.10.2016;1 dítě;ano;;ano;
B02;programme;01.10.2016;2 děti;ne;nabídku odmítla;ano;
B03;kontrolní skupina;01.10.2016;1 dítě;ne;;ne;ztracena ze sledování (nenalezena)
B04;control;01.10.2016;2 děti;ne;;ano;
B05;kontrolní skupina;01.10.2016;2 děti;;;ano;
B06;kontrolní skupina;01.10.2016;1 dítě;ano;;ano;
"""


def _folder(tmp_path: Path, **texts: str) -> Path:
    folder = tmp_path / "brno"
    folder.mkdir(exist_ok=True)
    for name, text in {"households": HOUSEHOLDS, "tenancies": TENANCIES, "assignment": ASSIGNMENT, **texts}.items():
        if text:
            (folder / f"{name}.csv").write_bytes(text.replace("\n", "\r\n").encode("cp1250"))
    return folder


def test_the_assignment_table_loads_from_a_czech_export(tmp_path):
    report = validate_folder(_folder(tmp_path))
    assert report.ok, report.to_text(lang="en")
    data = load_folder(_folder(tmp_path))
    assignment = data["assignment"]
    assert assignment["arm"].tolist() == ["programme", "programme", "control", "control", "control", "control"]
    assert assignment["received"].tolist()[:4] == [True, False, False, False] and pd.isna(assignment["received"][4])
    assert assignment["attrition_reason"].tolist()[2] == "lost_to_follow_up"


def test_pilot_data_without_an_assignment_table_stay_valid(tmp_path):
    assert validate_folder(_folder(tmp_path, assignment="")).ok


def test_the_contract_rules_of_the_assignment_table(tmp_path):
    broken = ASSIGNMENT.replace("B03;kontrolní skupina;01.10.2016;1 dítě;ne;;ne;ztracena ze sledování (nenalezena)",
                                "B03;kontrolní skupina;01.10.2013;1 dítě;ne;;ne;")
    broken = broken.replace("B06;", "B99;")
    report = validate_folder(_folder(tmp_path, assignment=broken))
    problems = report.problems.set_index("rule")
    assert {"in_study_period", "missing_iff", "foreign_key"} <= set(problems.index)
    assert problems.loc["missing_iff", "row"] == 4  # the reason is missing though the follow-up failed
    assert "Důvod vypadnutí" in problems.loc["missing_iff", "column"]


def test_trial_frame_from_the_loaded_data(tmp_path):
    data = load_folder(_folder(tmp_path))
    trial = trial_data(data, "stably_housed", covariates=["household_size", "income_band"])
    frame = trial.frame.set_index("household_id")
    assert frame["assigned"].tolist() == [1, 1, 0, 0, 0, 0]
    assert frame.loc["B05", "received"] == 0  # empty in the file, read from the tenancies: a standard lease only
    assert frame.loc["B06", "received"] == 1
    assert np.isnan(frame.loc["B03", "stably_housed"])  # evicted, but lost to follow-up: no outcome
    assert frame.loc["B03", "attrition_reason"] == "lost_to_follow_up"
    assert frame.loc[["B01", "B02", "B04"], "stably_housed"].tolist() == [1.0, 1.0, 1.0]
    assert frame.loc["B02", "income_band"] == "missing"  # missing category kept as its own category
    assert trial.strata == "stratum" and "6 randomised households" in repr(trial)
    assert "B01" not in repr(trial)  # no household rows in the representation
    flow = trial.flow()
    assert flow.count("programme", "not_received", "declined") == 1
    assert flow.count("control", "not_received") == 1  # B06 crossed over
    assert flow.count("control", "lost", "lost_to_follow_up") == 1
    assert flow.count("control", "analysed") == 3 and flow.count("programme", "analysed") == 2


def test_trial_frame_errors(tmp_path):
    data = load_folder(_folder(tmp_path, assignment=""))
    with pytest.raises(DataError, match="assignment"):
        trial_data(data, "stably_housed")
    data = load_folder(_folder(tmp_path))
    with pytest.raises(ConfigError, match="unknown trial outcome"):
        trial_data(data, "happiness")
    with pytest.raises(ConfigError, match="months"):
        trial_data(data, "stably_housed", months=0)


def test_balance_matches_the_formulas_by_hand():
    frame = pd.DataFrame({"z": [1, 1, 1, 0, 0, 0, 0], "x": [1.0, 2, 6, 1, 1, 2, 4],
                          "kind": ["a", "b", "b", "a", "a", "a", "b"]})
    res = trial_balance(frame, "z", ["x", "kind"])
    row = res.tidy().set_index("term").loc["x"]
    t, c = np.array([1.0, 2, 6]), np.array([1.0, 1, 2, 4])
    assert row["smd"] == pytest.approx((t.mean() - c.mean()) / np.sqrt((t.var(ddof=1) + c.var(ddof=1)) / 2))
    assert row["variance_ratio"] == pytest.approx(t.var(ddof=1) / c.var(ddof=1))
    assert res.tidy().set_index("term").loc["kind=b", "mean_programme"] == pytest.approx(2 / 3)
    assert not res.weighted


def test_balance_weights_strata_with_different_assignment_shares():
    rng = np.random.default_rng(1)
    # stratum 0: 10 % assigned, stratum 1: 60 %; x differs between strata, so the unweighted arms differ
    frame = pd.DataFrame({"s": np.repeat([0, 1], 200), "z": np.r_[rng.permutation(np.r_[np.ones(20), np.zeros(180)]),
                                                                  rng.permutation(np.r_[np.ones(120), np.zeros(80)])]})
    frame["x"] = frame["s"] * 3.0 + rng.normal(size=400)
    res = trial_balance(frame, "z", ["x"], strata="s")
    row = res.tidy().iloc[0]
    assert res.weighted and abs(row["smd_unweighted"]) > 1.0 and abs(row["smd"]) < 0.15
    assert res.flagged == []


def test_flow_counts_and_plot_languages():
    import matplotlib.pyplot as plt

    frame = pd.DataFrame({"assigned": [1, 1, 1, 0, 0, 0], "received": [1, 1, 0, 0, 1, 0],
                          "followed_up": [True, False, True, True, True, True],
                          "attrition_reason": [None, "withdrew", None, None, None, None],
                          "non_receipt_reason": [None, None, "declined", None, None, None],
                          "y": [1.0, None, 2.0, None, 3.0, 4.0]})
    flow = trial_flow(frame, outcome="y")
    t = flow.tidy()
    assert flow.count("programme", "allocated") == 3 and flow.count("programme", "lost", "withdrew") == 1
    assert flow.count("control", "excluded", "no_outcome_record") == 1 and flow.count("control", "analysed") == 2
    assert set(t.columns) >= {"arm", "stage", "reason", "count", "label_cs", "label_en"}
    assert flow.count_columns == ("count",)
    for lang, words in (("cs", ("Randomizováno", "odvolala souhlas")), ("en", ("Randomised", "withdrew consent"))):
        fig, ax = plt.subplots(figsize=(9, 6))
        flow.plot(ax=ax, lang=lang)
        shown = " ".join(text.get_text() for a in fig.get_axes() for text in a.texts)
        assert all(w in shown for w in words) and "withdrew;" not in shown
        plt.close(fig)
