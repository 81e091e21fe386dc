"""The MDE of a design that was run (Bloom 1995: (z_{1-a/2} + z_power) SE), read from the toolkit's
impact results, and the result surface every design function shares (tables, sentences in Czech
and English, plots)."""
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evaluation.design import (
    cox,
    detectable_effect,
    did_power,
    event_study_power,
    logrank,
    mde_from_se,
    simulate_did_power,
    two_means,
    two_proportions,
)
from evaluation.errors import ConfigError


def test_mde_from_standard_error():
    assert mde_from_se(1.0) == pytest.approx(stats.norm.ppf(0.975) + stats.norm.ppf(0.8), rel=1e-12)
    assert mde_from_se(2.0, df=10) == pytest.approx(2 * (stats.t.ppf(0.975, 10) + stats.t.ppf(0.8, 10)), rel=1e-12)
    assert mde_from_se(1.0, alternative="larger") == pytest.approx(stats.norm.ppf(0.95) + stats.norm.ppf(0.8))


def test_detectable_effect_of_an_impact_result():
    from evaluation.impact import did_2x2

    rng = np.random.default_rng(0)
    units = 60
    df = pd.DataFrame({"unit": np.repeat(np.arange(units), 2), "post": np.tile([0, 1], units)})
    df["treated"] = (df["unit"] < 20).astype(int)
    df["y"] = rng.normal(size=units).repeat(2) + 0.5 * df["treated"] * df["post"] + rng.normal(size=len(df))
    fit = did_2x2(df, "y", "treated", "post", unit="unit")
    res = detectable_effect(fit)
    expected = (stats.t.ppf(0.975, units - 1) + stats.t.ppf(0.8, units - 1)) * fit.std_error
    assert res.minimum_detectable_effect == pytest.approx(expected, rel=1e-12)
    assert res.tidy()["df"].iloc[0] == units - 1
    bloom = detectable_effect(fit, df=None)
    assert bloom.minimum_detectable_effect == pytest.approx(mde_from_se(fit.std_error), rel=1e-12)
    cs = res.sentence("cs")
    assert cs.startswith("S tímto uspořádáním by efekt menší než") and "minimální zjistitelný efekt" in cs
    assert "could not have been detected" in res.sentence("en")


def test_detectable_effect_with_the_design_beside_it():
    res = detectable_effect(std_error=350.0, df=29, n_treated=10, n_control=20, pre=12, post=12,
                            variance=1500.0 ** 2 / 0.64, ar1=0.6, unit="Kč", estimate=-200.0)
    table = res.tidy().set_index("method")
    design = did_power(None, 30, 0.8, pre=12, post=12, variance=1500.0 ** 2 / 0.64, ar1=0.6, treated_share=1 / 3)
    assert table.loc["design (BPW analytic)", "mde"] == pytest.approx(design.effect, rel=1e-12)
    assert "odhad −200 Kč je menší než tato hranice" in res.sentence("cs")
    with pytest.raises(ConfigError, match="together"):
        detectable_effect(std_error=1.0, n_treated=10, pre=3)
    with pytest.raises(ConfigError, match="give an impact result"):
        detectable_effect()


RESULTS = {
    "two_means": lambda: two_means(None, 90, 0.8, allocation=0.5),
    "two_proportions": lambda: two_proportions(0.7, 0.85, 150, None, allocation=0.5),
    "logrank": lambda: logrank(None, 150, 0.8, allocation=0.5, control_survival=0.7, survival_time=12),
    "cox": lambda: cox(1.5, None, 0.8, event_probability=0.3),
    "did": lambda: did_power(None, 90, 0.8, pre=12, post=12, variance=1.0, ar1=0.6, treated_share=1 / 3),
    "event_study": lambda: event_study_power(None, 90, 0.8, pre=6, post=6, variance=1.0, ar1=0.6),
}


@pytest.mark.parametrize("name", list(RESULTS))
def test_result_surface_in_czech_and_english(name):
    res = RESULTS[name]()
    row = res.tidy()
    assert len(row) == 1 and {"effect", "power", "n", "alpha", "solved_for"} <= set(row.columns)
    assert res.design == name and res.title in res.summary()
    assert "<table" in res._repr_html_()
    assert res.label("cs") != res.label("en")
    cs, en = res.sentence("cs"), res.sentence("en")
    assert ("minimální zjistitelný efekt" in cs or "síla testu" in cs or "potřeba" in cs) and "%" in cs
    assert "detectable" in en or "power" in en or "needs" in en
    for lang, word in (("cs", ("Síla", "Minimální")), ("en", ("Power", "Minimum"))):
        fig, ax = plt.subplots()
        res.plot(ax=ax, lang=lang)
        assert ax.get_ylabel().startswith(word)
        assert res.curve["power"].between(0, 1).all()
        plt.close(fig)
    labels = res.column_labels()
    assert labels["effect"][0] == "Efekt" and labels["power"] == ("Síla testu", "Power")


def test_did_sentence_reads_naturally_in_czech():
    res = did_power(None, 90, 0.8, pre=12, post=12, variance=1.0, ar1=0.6, treated_share=1 / 3)
    assert res.sentence("cs").startswith("Při 30 jednotkách v programu a 60 ve srovnávací skupině je minimální "
                                         "zjistitelný efekt (rozdíl v rozdílech)")


def test_simulated_result_plots_its_points():
    rng = np.random.default_rng(0)
    panel = pd.DataFrame({"u": np.repeat(np.arange(200), 8), "t": np.tile(np.arange(8), 200)})
    panel["y"] = rng.normal(size=len(panel))
    res = simulate_did_power(panel, "y", "u", "t", effect=0.4, n=80, pre=3, post=3, simulations=50, seed=1,
                             sizes=(40, 120))
    ax = res.plot(lang="cs")
    assert ax.get_ylabel() == "Síla testu (simulace)"
    assert list(res.curve["size"]) == [40, 80, 120]
    with pytest.raises(ConfigError, match="power only"):
        res.plot(kind="effect")
    plt.close("all")
