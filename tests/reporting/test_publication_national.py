"""Publication safety of a national run: the country and a handful of contact points.

The national synthetic data (``evaluation synth --national``, seed 2019) cut to the country and four
contact points — the two with the fewest applications (about 20-30 each, so their tables are full
of small counts) and two mid-sized ones — run through the strands configs/national.yaml names, as
the notebooks store them (tests/reporting/runs.py), and published by the real publication step.
The contact points partition the country, so every national count is the sum of the contact
points' counts plus a remainder (the contact points not in the run); the audit takes that
differencing in by parts (a scope with one partner scope per relation for what is protected, the
scope alone for what is disclosed; :func:`evaluation.reporting.disclosure._decide`). The same
independent attacker as for the pilots (tests/reporting/run_attacker.py: identities within tables,
the same number in two tables, differencing between the country and the contact points, share x n,
numbers in sentences) must recover no hidden count.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pytest
import yaml

from evaluation.reporting.publication import publish_results

sys.path.insert(0, str(Path(__file__).parent))
from run_attacker import numbers_in_texts_not_published, recovered_cells, small_counts_from_shares  # noqa: E402
from runs import store_run  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
#: Two of the smallest contact points of the synthetic network and two mid-sized ones.
CONTACT_POINTS = ["KMB Český Brod", "KMB Sušice", "KMB Benešov", "KMB Blansko"]


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    from evaluation.synthetic import generate

    root = tmp_path_factory.mktemp("national")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        generate(root / "data", seed=2019, national=True, formats=("parquet",))
    strands = yaml.safe_load((ROOT / "configs" / "national.yaml").read_text(encoding="utf-8"))["strands"]
    store_run(root / "data" / "parquet", root / "internal", [None, *CONTACT_POINTS], strands=strands)
    publish_results(root / "internal", root / "published", langs=("cs",))
    return root


def test_the_run_holds_the_country_and_its_contact_points(national):
    scopes = {p.name for p in (national / "published").iterdir() if p.is_dir()}
    assert "all" in scopes and len(scopes) == 1 + len(CONTACT_POINTS)


def test_no_hidden_count_is_recovered_from_a_national_run(national):
    assert recovered_cells(national / "published", national / "internal") == []


def test_no_share_or_key_figure_of_a_national_run_gives_a_small_count_back(national):
    assert small_counts_from_shares(national / "published") == []


def test_sentences_of_a_national_run_quote_only_published_figures(national):
    assert numbers_in_texts_not_published(national / "published", national / "internal") == []


def test_tables_no_complement_can_protect_are_coarsened_before_any_is_chosen(national, monkeypatch):
    # the contact points' quarterly ETHOS tables are ones and zeros: the check before complements
    # (exposed_however_hidden) coarsens them at once; the rounds of complements alone come, pass after
    # pass, to the same tables, and the run is published the same either way
    from evaluation.reporting.disclosure import DisclosureRules
    from evaluation.reporting.publication import protect
    from evaluation.reporting.publication.internal import read_internal

    tables = [t for s in read_internal(national / "internal") for t in s.tables.values()]
    check, named = protect.exposed_however_hidden, []

    def spy(*args, **kwargs):
        cells = check(*args, **kwargs)
        named.extend(cells)
        return cells

    monkeypatch.setattr(protect, "exposed_however_hidden", spy)
    checked = protect_run_outcomes(protect.protect_run(tables, DisclosureRules()))
    assert named  # the check found hopeless cells ...
    monkeypatch.setattr(protect, "exposed_however_hidden", lambda *args, **kwargs: [])
    assert protect_run_outcomes(protect.protect_run(tables, DisclosureRules())) == checked  # ... the same


def protect_run_outcomes(protection):
    """What a protected run publishes of each table: hidden cells, changes, withheld or not."""
    return {key: (sorted(o.suppressed.items()), o.changes, o.withheld, o.data.shape)
            for key, o in protection.outcomes.items()}
