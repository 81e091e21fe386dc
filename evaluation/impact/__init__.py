"""Impact estimators: difference-in-differences, two-way fixed effects, event studies,
the wild cluster bootstrap, and comparison groups by propensity scores.

The Callaway–Sant'Anna estimator (``staggered_did``, ``StaggeredDiD``) lives in
``evaluation.impact.staggered``; the coordinator adds its exports here at integration.
"""

from evaluation.impact._design import FewClustersWarning, StaggeredTimingWarning
from evaluation.impact.did import DiD2x2, DiDResult, did_2x2
from evaluation.impact.event_study import EventStudy, EventStudyResult, event_study
from evaluation.impact.matching import (
                                        BalanceResult,
                                        PropensityScoreResult,
                                        balance_table,
                                        match,
                                        propensity_score,
                                        weight,
)
from evaluation.impact.twfe import TWFE, TWFEResult, twfe
from evaluation.impact.wild_bootstrap import WildBootstrapResult, wild_cluster_bootstrap

# Coordinator: add at integration (kept out so these modules import before staggered.py exists):
# from evaluation.impact.staggered import StaggeredDiD, staggered_did

__all__ = [
                                        "TWFE",
                                        "BalanceResult",
                                        "DiD2x2",
                                        "DiDResult",
                                        "EventStudy",
                                        "EventStudyResult",
                                        "FewClustersWarning",
                                        "PropensityScoreResult",
                                        "StaggeredTimingWarning",
                                        "TWFEResult",
                                        "WildBootstrapResult",
                                        "balance_table",
                                        "did_2x2",
                                        "event_study",
                                        "match",
                                        "propensity_score",
                                        "twfe",
                                        "weight",
                                        "wild_cluster_bootstrap",
]
