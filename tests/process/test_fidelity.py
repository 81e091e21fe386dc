"""Fidelity scales as data, the ratings file and the scorer (evaluation.process.fidelity).

Reference numbers:

* the Pathways Housing First Fidelity Scale (Stefancic et al. 2013): 38 items in 5 domains rated 1-4;
  Goering et al. (2016, Psychiatric Services 67(1)) report a mean total of 136.6 "out of a possible range
  of 38-152; 87% of maximum value" — the percentage is of the range, (136.6 - 38) / (152 - 38) = 86.5 %
  (the share of the maximum, 136.6 / 152, would be 90 %), reproduced from item ratings adding up to 136.6;
* domain and total scores of small profiles worked by hand in the tests (means, pro-rated sums, the
  20 % rule for unrated items); interpretation bands on a test scale that defines them (the Pathways
  scale defines none).
"""
from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest

from evaluation.errors import ConfigError, DataError
from evaluation.process.fidelity import fidelity_template, load_scale, read_ratings, score_fidelity


@pytest.fixture(scope="module")
def scale():
    return load_scale("pathways_hf")


def _ratings(scale, values, programme="Brno"):
    return pd.DataFrame({"programme": programme, "item": [i.id for i in scale.items], "rating": values})


def test_the_pathways_scale(scale):
    assert scale.n_items == 38 and scale.minimum == 1 and scale.maximum == 4
    assert [d.id for d in scale.domains] == ["housing_choice_structure", "separation_housing_services",
                                             "service_philosophy", "service_array", "programme_structure"]
    assert sum(len(d.items) for d in scale.domains) == 38
    assert all(i.title_cs and i.title_en and i.criterion_cs and i.criterion_en for i in scale.items)
    assert len({i.id for i in scale.items}) == 38 and scale.bands == ()
    assert "Stefancic" in scale.source


def test_goering_2016_total_and_percent_of_range(scale):
    values = np.r_[np.full(22, 4.0), np.full(15, 3.0), 3.6]  # adds up to 136.6, the published mean
    result = score_fidelity(_ratings(scale, values), scale)
    total, percent = result.total("Brno")
    # 86.5 % of the range: the published "87 %" up to its rounding; share of the maximum would be 90 %
    assert total == pytest.approx(136.6) and percent == pytest.approx(87, abs=0.6)
    assert abs(total / 152 * 100 - 87) > 2
    assert score_fidelity(_ratings(scale, 4.0), scale).total("Brno") == (152.0, 100.0)
    assert score_fidelity(_ratings(scale, 1.0), scale).total("Brno") == (38.0, 0.0)


def test_hand_computed_profile_with_unrated_items(scale):
    values = np.full(38, 3.0)
    ids = [i.id for i in scale.items]
    values[ids.index("HC1")] = np.nan  # 1 of 5 housing items unrated: 20 %, still scored
    values[ids.index("HC2")] = 4.0
    values[ids.index("PS1")] = np.nan  # 2 of 6 programme-structure items unrated: 33 %, not scored
    values[ids.index("PS2")] = np.nan
    result = score_fidelity(_ratings(scale, values), scale)
    profile = result.tidy().set_index("domain")
    housing = profile.loc["housing_choice_structure"]
    assert housing["n_rated"] == 4 and housing["mean_rating"] == pytest.approx(13 / 4)
    assert housing["score"] == pytest.approx(13 / 4 * 5)  # pro-rated to the 5 items
    assert housing["percent"] == pytest.approx((13 / 4 * 5 - 5) / 15 * 100)
    assert profile.loc["separation_housing_services", "score"] == 21 and profile.loc["service_array", "percent"] == pytest.approx(200 / 3)
    assert np.isnan(profile.loc["programme_structure", "score"]) and np.isnan(profile.loc["total", "score"])
    assert profile.loc["total", "n_rated"] == 35
    assert any("not scored" in n and "programme_structure" in n for n in result.notes)
    lowest = result.lowest_items(1)
    assert lowest["rating"].tolist() == [3.0]


def test_complete_rule_and_bands_on_a_scale_that_defines_them(tmp_path):
    path = tmp_path / "mini.yaml"
    path.write_text(textwrap.dedent("""\
        id: mini
        title: {cs: Malá škála, en: Small scale}
        response_scale: {minimum: 0, maximum: 2}
        missing: {rule: complete}
        bands:
          - {from: 0, label: {cs: nízká, en: low}}
          - {from: 75, label: {cs: vysoká, en: high}}
        domains:
          - id: a
            title: {cs: A, en: A}
            items: [{id: a1, title: {cs: jedna, en: one}}, {id: a2, title: {cs: dvě, en: two}}]
          - id: b
            title: {cs: B, en: B}
            items: [{id: b1, title: {cs: tři, en: three}}]
        """), encoding="utf-8")
    mini = load_scale(path)
    high = score_fidelity(pd.DataFrame({"programme": "P", "item": ["a1", "a2", "b1"], "rating": [2.0, 1.0, 2.0]}), mini)
    total = high.tidy().set_index("domain").loc["total"]
    assert total["score"] == 5 and total["percent"] == pytest.approx(5 / 6 * 100) and total["band_en"] == "high"
    low = score_fidelity(pd.DataFrame({"programme": "P", "item": ["a1", "a2", "b1"], "rating": [1.0, 1.0, 0.0]}), mini)
    assert low.tidy().set_index("domain").loc["total", "band_cs"] == "nízká"
    one_missing = score_fidelity(pd.DataFrame({"programme": "P", "item": ["a1", "b1"], "rating": [2.0, 2.0]}), mini)
    assert np.isnan(one_missing.tidy().set_index("domain").loc["a", "score"])  # 'complete': every item needed


CSV = """\
Program;Položka;Hodnocení;Poznámka
Housing First Brno;HC1;4;byty po celém městě
Housing First Brno;Dostupnost bydlení;3,5;
Housing First Brno;HC3;nelze hodnotit;
Housing First Brno;sh1;4;
"""


def test_reads_a_czech_csv_export(tmp_path, scale):
    path = tmp_path / "hodnoceni.csv"
    path.write_bytes(CSV.replace("\n", "\r\n").encode("cp1250"))
    ratings = read_ratings(path, scale)
    assert ratings["item"].tolist() == ["HC1", "HC2", "HC3", "SH1"]  # code, Czech title, any case
    assert ratings["rating"].tolist()[:2] == [4.0, 3.5] and np.isnan(ratings["rating"][2])
    assert ratings["row"].tolist() == [2, 3, 4, 5] and ratings["note"][0] == "byty po celém městě"
    result = score_fidelity(path, scale)
    assert result.tidy().set_index("domain").loc["housing_choice_structure", "n_rated"] == 2


def test_every_problem_is_named_with_file_row_column_and_value(tmp_path, scale):
    bad = CSV + "Housing First Brno;HC9;3;\nHousing First Brno;HC1;3;\nHousing First Brno;SH2;5;\n;SH3;2;\n" \
                "Housing First Brno;SH4;dobře;\n"
    path = tmp_path / "hodnoceni.csv"
    path.write_bytes(bad.encode("utf-8"))
    with pytest.raises(DataError) as error:
        read_ratings(path, scale)
    message = str(error.value)
    assert message.startswith("Soubor hodnoceni.csv: 5 problém(ů)")
    assert "řádek 6, sloupec „Položka“, hodnota „HC9“: není položkou škály pathways_hf" in message
    assert "řádek 7, sloupec „Položka“, hodnota „HC1“: položka je u programu „Housing First Brno“ hodnocena podruhé " \
           "(poprvé na řádku 2)" in message
    assert "řádek 8, sloupec „Hodnocení“, hodnota „5“: hodnocení musí ležet v rozsahu 1–4" in message
    assert "řádek 9, sloupec „Program“, hodnota „“: chybí název programu" in message
    assert "řádek 10, sloupec „Hodnocení“, hodnota „dobře“: hodnocení musí být číslo" in message
    with pytest.raises(DataError, match="row 8, column “Hodnocení”, value “5”: the rating must lie between 1 and 4"):
        read_ratings(path, scale, lang="en")
    no_rating = tmp_path / "bez.csv"
    no_rating.write_text("Program;Položka\nBrno;HC1\n", encoding="utf-8")
    with pytest.raises(DataError, match="chybí sloupec „rating“"):
        read_ratings(no_rating, scale)


def test_template_round_trip_in_xlsx(tmp_path, scale):
    path = fidelity_template(tmp_path / "sablona.xlsx", ["Brno", "Ostrava"], scale)
    sheet = pd.read_excel(path)
    assert len(sheet) == 76 and list(sheet.columns)[:2] == ["program", "položka"]
    sheet["hodnocení"] = np.where(sheet["program"] == "Brno", 4, 2)
    sheet.to_excel(path, index=False, sheet_name="fidelity")
    result = score_fidelity(path, scale)
    assert result.programmes == ["Brno", "Ostrava"]
    assert result.total("Brno") == (152.0, 100.0)
    assert result.total("Ostrava")[1] == pytest.approx(100 / 3)


def test_plots_in_both_languages(scale):
    import matplotlib.pyplot as plt

    ratings = pd.concat([_ratings(scale, 4.0, "Brno"), _ratings(scale, np.linspace(1, 4, 38), "Ostrava")])
    result = score_fidelity(ratings, scale)
    for lang, word in (("cs", "Filozofie"), ("en", "Service")):
        ax = result.plot(lang=lang)
        assert ax.name == "polar" and any(word in t.get_text() for t in ax.get_xticklabels())
        plt.close(ax.figure)
        fig, ax = plt.subplots()
        result.plot(ax=ax, lang=lang)  # on ordinary axes: bars
        assert any(word in t.get_text() for t in ax.get_yticklabels())
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Brno", "Ostrava"]
        plt.close(fig)
    fig, ax = plt.subplots()
    with pytest.raises(ConfigError, match="polar"):
        result.plot(ax=ax, kind="radar")
    plt.close(fig)


def test_scale_errors(tmp_path):
    with pytest.raises(ConfigError, match="unknown fidelity scale 'dacts'.*pathways_hf"):
        load_scale("dacts")
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\ntitle: {cs: X}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="Czech and an English"):
        load_scale(broken)
    twice = tmp_path / "twice.yaml"
    twice.write_text("id: x\ntitle: {cs: X, en: X}\nresponse_scale: {minimum: 1, maximum: 4}\ndomains:\n"
                     "  - {id: d, title: {cs: D, en: D}, items: [{id: i, title: {cs: I, en: I}},"
                     " {id: i, title: {cs: J, en: J}}]}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="used twice: i"):
        load_scale(twice)
    with pytest.raises(DataError, match="not in the scale"):
        score_fidelity(pd.DataFrame({"programme": "P", "item": ["ZZ"], "rating": [1.0]}))
