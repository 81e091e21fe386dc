"""Tenancy retention: episodes from spells, Kaplan–Meier, restricted mean survival time, Aalen–Johansen,
Cox, log-rank, transitions.

Time is measured in months (days / 30.4375) throughout.

Example
-------
>>> from evaluation.retention import KaplanMeier
>>> KaplanMeier(times=(6,)).fit([3, 8, 12], [1, 0, 1]).tidy()["estimate"].round(3).tolist()
[0.667]
"""

from evaluation.retention._riskset import DAYS_PER_MONTH, to_months
from evaluation.retention.competing import AalenJohansen, CumulativeIncidenceResult
from evaluation.retention.cox import CoxPH, CoxResult
from evaluation.retention.episodes import Episodes, housing_episodes
from evaluation.retention.kaplan_meier import KaplanMeier, KaplanMeierResult
from evaluation.retention.logrank import LogRankResult, logrank_test
from evaluation.retention.ph_test import PHTestResult, cox_zph
from evaluation.retention.rmst import RestrictedMeanSurvival, RMSTResult, rmst
from evaluation.retention.transitions import TransitionsResult, transitions

__all__ = [
           "DAYS_PER_MONTH",
           "AalenJohansen",
           "CoxPH",
           "CoxResult",
           "CumulativeIncidenceResult",
           "Episodes",
           "KaplanMeier",
           "KaplanMeierResult",
           "LogRankResult",
           "PHTestResult",
           "RMSTResult",
           "RestrictedMeanSurvival",
           "TransitionsResult",
           "cox_zph",
           "housing_episodes",
           "logrank_test",
           "rmst",
           "to_months",
           "transitions",
]
