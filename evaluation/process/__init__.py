"""Process evaluation: reach against plan, occupancy, who enters, support dose, time to move-in,
drop-out, rent arrears, housing contact points (processing time, lost applications, equality of
care), the participant flow, and fidelity to a programme model (scales as data).

Example
-------
>>> from evaluation.process import PilotPlan
>>> PilotPlan.ostrava().step_names
('crisis', 'social', 'affordable')
"""

from evaluation.process.arrears import ArrearsResult, rent_arrears
from evaluation.process.contact_points import (
                                               ApplicationsReceived,
                                               CategoryShares,
                                               LostApplications,
                                               ProcessingTime,
                                               applications_received,
                                               decisions,
                                               lost_applications,
                                               processing_time,
                                               tools_used,
)
from evaluation.process.dose import SupportDose, support_dose
from evaluation.process.entry import EntryProfile, entry_profile, household_type
from evaluation.process.equality import EqualityOfCare, equality_of_care, independence_test
from evaluation.process.fidelity import (
                                         FidelityResult,
                                         FidelityScale,
                                         fidelity_template,
                                         load_scale,
                                         read_ratings,
                                         score_fidelity,
)
from evaluation.process.flow import ParticipantFlow, participant_flow
from evaluation.process.move_in import DropOut, TimeToMoveIn, dropout, time_to_move_in
from evaluation.process.plan import PilotPlan, PlanStep
from evaluation.process.reach import OccupancyResult, ReachResult, occupancy, reach_against_plan

__all__ = [
    "ApplicationsReceived", "ArrearsResult", "CategoryShares", "DropOut", "EntryProfile", "EqualityOfCare",
    "LostApplications", "OccupancyResult", "ParticipantFlow", "PilotPlan", "PlanStep", "ProcessingTime",
    "ReachResult", "SupportDose", "TimeToMoveIn", "applications_received", "decisions", "dropout",
    "entry_profile", "equality_of_care", "household_type", "independence_test",
    "lost_applications", "occupancy", "participant_flow", "processing_time", "reach_against_plan",
    "rent_arrears", "support_dose", "time_to_move_in", "tools_used",
    "FidelityResult", "FidelityScale", "fidelity_template", "load_scale", "read_ratings", "score_fidelity",
]
