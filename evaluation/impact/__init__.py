"""Impact estimators: difference-in-differences, two-way fixed effects, event studies,
Callaway–Sant'Anna staggered DiD, the wild cluster bootstrap, and comparison groups by
propensity scores; heterogeneity-robust event studies (Sun & Abraham, Gardner's two-stage
DiD, Borusyak–Jaravel–Spiess imputation), the Goodman-Bacon decomposition and a robustness
panel that lays them side by side; randomised trials (ITT, randomisation inference, balance,
attrition and Lee bounds, CACE, CONSORT flow).

Example
-------
>>> from evaluation.impact import staggered_did, twfe, event_study  # doctest: +SKIP
"""

from evaluation.impact._design import FewClustersWarning, StaggeredTimingWarning
from evaluation.impact.bacon import BaconResult, bacon_decomposition
from evaluation.impact.did import DiD2x2, DiDResult, did_2x2
from evaluation.impact.event_study import EventStudy, EventStudyResult, event_study
from evaluation.impact.few_clusters import InferenceChoice, choose_inference, few_cluster_inference
from evaluation.impact.honest_did import HonestDiDResult, honest_did
from evaluation.impact.imputation import ImputationResult, imputation
from evaluation.impact.matching import (
    BalanceResult,
    PropensityScoreResult,
    balance_table,
    match,
    propensity_score,
    weight,
)
from evaluation.impact.randomization import RandomizationResult, randomization_inference
from evaluation.impact.robustness_panel import RobustnessPanelResult, robustness_panel
from evaluation.impact.sdid import SDIDComparison, SyntheticDiDResult, sdid_comparison, synthetic_did
from evaluation.impact.staggered import StaggeredDiDResult, staggered_did
from evaluation.impact.staggered_aggregate import AggregateResult
from evaluation.impact.staggered_pretest import PretestReliabilityWarning, PretestResult
from evaluation.impact.synthetic_control import (
    SCLeaveOneOutResult,
    SCPlaceboResult,
    SyntheticControlResult,
    synthetic_control,
)
from evaluation.impact.sun_abraham import SunAbrahamResult, sun_abraham
from evaluation.impact.trial import ITTResult, itt
from evaluation.impact.trial_attrition import (
    AttritionResult,
    LeeBoundsResult,
    attrition,
    lee_bounds,
)
from evaluation.impact.trial_balance import TrialBalance, trial_balance
from evaluation.impact.trial_data import TrialData, trial_data
from evaluation.impact.trial_flow import TrialFlow, trial_flow
from evaluation.impact.trial_iv import CACEResult, WeakInstrumentWarning, cace
from evaluation.impact.trial_randomisation import (
    RandomisationDesign,
    TrialRandomisationResult,
    trial_randomisation_test,
)
from evaluation.impact.twfe import TWFE, TWFEResult, twfe
from evaluation.impact.two_stage import TwoStageResult, two_stage
from evaluation.impact.wild_bootstrap import WildBootstrapResult, wild_cluster_bootstrap

__all__ = [
    "TWFE",
    "AggregateResult",
    "AttritionResult",
    "BaconResult",
    "BalanceResult",
    "CACEResult",
    "DiD2x2",
    "DiDResult",
    "EventStudy",
    "EventStudyResult",
    "FewClustersWarning",
    "HonestDiDResult",
    "ITTResult",
    "ImputationResult",
    "InferenceChoice",
    "LeeBoundsResult",
    "PretestReliabilityWarning",
    "PretestResult",
    "PropensityScoreResult",
    "RandomisationDesign",
    "RandomizationResult",
    "RobustnessPanelResult",
    "SCLeaveOneOutResult",
    "SCPlaceboResult",
    "SDIDComparison",
    "StaggeredDiDResult",
    "StaggeredTimingWarning",
    "SunAbrahamResult",
    "SyntheticControlResult",
    "SyntheticDiDResult",
    "TWFEResult",
    "TrialBalance",
    "TrialData",
    "TrialFlow",
    "TrialRandomisationResult",
    "TwoStageResult",
    "WeakInstrumentWarning",
    "WildBootstrapResult",
    "attrition",
    "bacon_decomposition",
    "balance_table",
    "cace",
    "choose_inference",
    "did_2x2",
    "event_study",
    "few_cluster_inference",
    "honest_did",
    "imputation",
    "itt",
    "lee_bounds",
    "match",
    "propensity_score",
    "randomization_inference",
    "robustness_panel",
    "sdid_comparison",
    "staggered_did",
    "sun_abraham",
    "synthetic_control",
    "synthetic_did",
    "trial_balance",
    "trial_data",
    "trial_flow",
    "trial_randomisation_test",
    "twfe",
    "two_stage",
    "weight",
    "wild_cluster_bootstrap",
]
