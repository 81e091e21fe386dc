"""CONSORT-style participant flow, with and without the loading ledger."""
import pandas as pd
import pytest

from evaluation.data.dataset import Dataset
from evaluation.errors import ConfigError, DataError
from evaluation.process import participant_flow


def outcomes_for(ids_and_months):
    ids, months = zip(*ids_and_months)
    return pd.DataFrame({"household_id": list(ids), "month": pd.to_datetime(list(months))})


def test_flow_without_ledger_hand_computed(pilot):
    flow = participant_flow(pilot, as_of="2021-06-30", follow_up_months=12)
    # 6 households; H6 comparison; H5 never housed; H1, H2, H3 entered by 2020-06-30, H4 on 2020-11-01
    assert flow.count("received") == 6 and flow.count("loaded") == 6
    assert flow.count("comparison_group") == 1 and flow.count("not_housed") == 1
    assert flow.count("entered") == 4 and flow.count("entered", "crisis") == 3 and flow.count("entered", "social") == 1
    assert flow.count("follow_up_short") == 1 and flow.count("followed_up") == 3
    assert flow.count("analysed") == 3
    assert any("No loading ledger" in n for n in flow.notes)
    assert any("No household_outcomes" in n for n in flow.notes)


def test_flow_with_ledger_and_outcomes(pilot):
    from evaluation.data.ledger import Ledger

    ledger = Ledger.from_counts(received={"households": 9}, loaded={"households": 6},
                                excluded={("households", "type"): 2, ("households", "required"): 1})
    outcomes = outcomes_for([("H1", "2021-01-01"), ("H2", "2020-06-01"), ("H3", "2021-05-01")])
    data = Dataset.from_frames({**pilot, "household_outcomes": outcomes}, ledger=ledger)
    flow = participant_flow(data, as_of="2021-06-30")
    t = flow.tidy()
    assert flow.count("received") == 9 and flow.count("loaded") == 6
    loading = t.loc[t["rule"].str.startswith("loading:")]
    assert loading["count"].sum() == 3 and set(loading["label_en"]) and set(loading["label_cs"])
    # H2's only outcome record is from 3 months after entry: not analysed at 12 months
    assert flow.count("no_outcome") == 1 and flow.count("analysed") == 2
    # arithmetic of the boxes: each main box = previous main box - exclusions between them
    assert flow.count("loaded") == flow.count("received") - 3
    assert flow.count("entered") == flow.count("loaded") - flow.count("comparison_group") - flow.count("not_housed")
    assert flow.count("followed_up") == flow.count("entered") - flow.count("follow_up_short")


@pytest.mark.parametrize("lang, word", [("cs", "Vstoupily do programu"), ("en", "Entered the programme")])
def test_flow_plot_draws_boxes_in_language(pilot, lang, word):
    import matplotlib.pyplot as plt

    ax = participant_flow(pilot, as_of="2021-06-30").plot(lang=lang)
    texts = [t.get_text() for t in ax.texts]
    assert any(word in t for t in texts)
    assert len(texts) >= 5 + 2  # five main boxes plus exclusion boxes
    plt.close("all")


def test_flow_bad_arguments(pilot):
    with pytest.raises(ConfigError, match="lang"):
        participant_flow(pilot, as_of="2021-06-30").plot(lang="de")
    with pytest.raises(DataError, match="as_of"):
        participant_flow(pilot, as_of="not a date")
    with pytest.raises(DataError, match="Brno"):
        participant_flow(pilot, as_of="2021-06-30", municipality="Brno")
