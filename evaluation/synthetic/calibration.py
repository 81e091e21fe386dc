"""Every number the synthetic pilots are built from, with where it comes from.

Figures from the seed documents (``/work/shared/seeds``, summarised in BRIEF.md) or from
published sources are cited beside them; figures marked *assumption* are plausible
magnitudes chosen for the demo, not measurements. Changing a number here changes the
data-generating process and therefore ``truth.json``; nothing else needs to change.

Example
-------
>>> [c.number for c in PILOT_COHORTS if c.step == "crisis"]
[1, 2, 3]
>>> round(float(HAZARD_RATIO_PROGRAMME), 2)
0.3
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# --------------------------------------------------------------------------------------
# Calendar
# --------------------------------------------------------------------------------------
#: First day of the synthetic study period (written to the datapackage.json copy).
STUDY_START = np.datetime64("2015-01-01", "D")
#: Last day of the synthetic study period: the contact-point data run to the end of 2022
#: (Prague's KMB project ran 2020-2022, seed 000/001).
STUDY_END = np.datetime64("2022-12-31", "D")
#: Extraction date of the household data (tenancies, ledgers, outcomes, contacts, costs):
#: four years after the last Ostrava pilot cohort entered (pilots ran 2016-2018, seed 003).
HOUSEHOLD_DATA_END = np.datetime64("2020-12-31", "D")
#: Household outcomes are observed monthly from this month to HOUSEHOLD_DATA_END, so every
#: programme cohort has at least 20 months before entry (staggered DiD needs pre-periods).
OUTCOMES_START = np.datetime64("2015-01", "M")
#: Average month length in days, used to turn monthly hazards and durations into dates.
DAYS_PER_MONTH = 365.25 / 12


# --------------------------------------------------------------------------------------
# Pilot structure (scale multiplies the household counts, the structure stays)
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cohort:
    """One entry cohort: households entering the programme in the same calendar month."""
    number: int
    municipality: str
    programme: str      # households.programme code
    step: str           # programme step of the first spell
    entry_month: str    # YYYY-MM
    size: int | None    # households at scale 1; None = fills the units left by movers-up


#: Ostrava staircase (seed 003, KA 2-4): crisis housing, 30 units, 3 cohorts of 10 households
#: placed gradually over two years with 6 months of intensive support each; social and
#: affordable housing, 50 units and 50 households each with 20 months of support. Households
#: moving up from the step below take some of those 50 places; direct entrants fill the rest
#: (split between two cohorts). Brno Housing First (Ripka et al. 2018, European Journal of
#: Homelessness 12(1), trial protocol): 50 families housed in municipal flats, moving in until
#: June 2017 (ČT24, December 2018); the entry months below are an assumption within that window.
PILOT_COHORTS: tuple[Cohort, ...] = (
    Cohort(1, "Ostrava", "staircase", "crisis", "2016-09", 10),
    Cohort(2, "Ostrava", "staircase", "crisis", "2017-05", 10),
    Cohort(3, "Ostrava", "staircase", "crisis", "2018-01", 10),
    Cohort(4, "Ostrava", "staircase", "social", "2016-10", None),
    Cohort(5, "Ostrava", "staircase", "social", "2017-06", None),
    Cohort(6, "Ostrava", "staircase", "affordable", "2017-03", None),
    Cohort(7, "Ostrava", "staircase", "affordable", "2017-11", None),
    Cohort(8, "Brno", "housing_first", "housing_first", "2016-09", 20),
    Cohort(9, "Brno", "housing_first", "housing_first", "2016-12", 15),
    Cohort(10, "Brno", "housing_first", "housing_first", "2017-04", 15),
)

#: Units per step and municipality at scale 1 (seed 003; Brno trial: 50 flats).
UNITS: dict[tuple[str, str], int] = {
    ("Ostrava", "crisis"): 30, ("Ostrava", "social"): 50, ("Ostrava", "affordable"): 50,
    ("Brno", "housing_first"): 50,
}

#: Waiting-list comparison households at scale 1. Brno: the trial randomised 150 families,
#: 50 to Housing First and 100 to treatment as usual (Ripka et al. 2018). Ostrava: an
#: assumption (about twice the 130 programme places, as waiting lists exceed supply).
COMPARISON: dict[str, int] = {"Ostrava": 260, "Brno": 100}
#: Registration window of comparison households on the waiting list (same period as entry).
#: Brno's control families are not on a waiting list: they were randomised alongside the
#: treated families, so their "registration" is their randomisation date, drawn exactly as the
#: treated families' (see :data:`TRIAL_MUNICIPALITY`); the Brno window below is not used.
COMPARISON_REGISTRATION: dict[str, tuple[str, str]] = {
    "Ostrava": ("2016-06-01", "2018-03-31"), "Brno": ("2016-06-01", "2017-05-31")}
#: Population each municipality's comparison households are drawn from. Ostrava's waiting list
#: differs from the people selected for the staircase (assumption). Brno's are the trial's control
#: families: randomised from the same families as the treated (Ripka et al. 2018), so they share the
#: Housing First families' composition, income, referral sources, arrears level and children in care.
COMPARISON_POPULATION: dict[str, str] = {"Ostrava": "comparison", "Brno": "housing_first"}

#: City districts (obvody / městské části) where households and flats are; assumption.
DISTRICTS: dict[str, tuple[str, ...]] = {
    "Ostrava": ("Moravská Ostrava a Přívoz", "Ostrava-Jih", "Slezská Ostrava", "Vítkovice",
                "Mariánské Hory a Hulváky", "Poruba"),
    "Brno": ("Brno-střed", "Brno-sever", "Brno-Královo Pole", "Brno-jih", "Brno-Židenice"),
}

# --------------------------------------------------------------------------------------
# Who enters (assumptions, shaped by the brief: crisis housing takes the worst-off)
# --------------------------------------------------------------------------------------
ETHOS_CODES = ("rough_sleeping", "emergency_accommodation", "homeless_accommodation", "institution",
               "non_conventional", "with_family_friends", "insecure_housing", "inadequate_housing")
#: ETHOS category shares by entry step (assumption). Brno: families in private hostels,
#: shelters or other homelessness (ISRCTN44050004 registry week, April 2016).
ETHOS_SHARES: dict[str, tuple[float, ...]] = {
    "crisis":        (0.20, 0.20, 0.30, 0.08, 0.08, 0.09, 0.05, 0.00),
    "social":        (0.04, 0.08, 0.34, 0.06, 0.06, 0.12, 0.20, 0.10),
    "affordable":    (0.00, 0.02, 0.16, 0.02, 0.04, 0.16, 0.36, 0.24),
    "housing_first": (0.02, 0.10, 0.62, 0.00, 0.06, 0.14, 0.06, 0.00),
}
#: Ostrava waiting list: slightly less acute than the people selected (assumption), so that
#: matching on ETHOS category has something to correct.
ETHOS_SHARES_COMPARISON: dict[str, tuple[float, ...]] = {
    "Ostrava": (0.05, 0.07, 0.27, 0.04, 0.06, 0.15, 0.23, 0.13),
    "Brno": ETHOS_SHARES["housing_first"],  # randomised: same population as the treated
}
INCOME_CODES = ("below_minimum", "minimum_to_1_5", "1_5_to_2_5", "above_2_5")
INCOME_SHARES: dict[str, tuple[float, ...]] = {
    "crisis": (0.45, 0.40, 0.13, 0.02), "social": (0.25, 0.45, 0.25, 0.05),
    "affordable": (0.08, 0.37, 0.40, 0.15), "housing_first": (0.35, 0.45, 0.17, 0.03),
    "comparison": (0.25, 0.42, 0.26, 0.07),
}
#: Income relative to the household's subsistence minimum, uniform within each band.
INCOME_MULTIPLE_RANGE: dict[str, tuple[float, float]] = {
    "below_minimum": (0.6, 1.0), "minimum_to_1_5": (1.0, 1.5), "1_5_to_2_5": (1.5, 2.5),
    "above_2_5": (2.5, 3.5)}
#: Subsistence minimum (životní minimum) per month in CZK, amounts valid 2012-2021 under
#: Government Regulation 409/2011 Coll.: first adult 3,140; further adult 2,830; child 2,140
#: (the 6-15 age bracket, used for every child as a simplification).
SUBSISTENCE_MINIMUM = {"first_adult": 3140.0, "other_adult": 2830.0, "child": 2140.0}
REFERRAL_SOURCES = ("outreach", "labour_office", "municipal_social_work", "ngo", "child_protection",
                    "housing_department", "contact_point", "self_referral", "other")
#: Referral source shares by entry step (assumption; contact points did not exist before 2020).
REFERRAL_SHARES: dict[str, tuple[float, ...]] = {
    "crisis": (0.30, 0.15, 0.25, 0.15, 0.10, 0.00, 0.00, 0.03, 0.02),
    "social": (0.10, 0.20, 0.25, 0.15, 0.08, 0.12, 0.00, 0.08, 0.02),
    "affordable": (0.02, 0.15, 0.15, 0.10, 0.03, 0.35, 0.00, 0.18, 0.02),
    "housing_first": (0.40, 0.05, 0.20, 0.25, 0.08, 0.00, 0.00, 0.00, 0.02),
    "comparison": (0.10, 0.20, 0.20, 0.12, 0.05, 0.20, 0.00, 0.11, 0.02),
}
#: Mean days from referral to move-in by step (gamma, shape 2; assumption). Housing First
#: houses fast by design.
REFERRAL_TO_MOVE_IN_DAYS = {"crisis": 40.0, "social": 90.0, "affordable": 120.0, "housing_first": 60.0}
#: Household composition: P(two adults), mean children given a family, P(family) by step
#: (assumption; Brno HF only took families with at least one child, ISRCTN44050004).
P_SECOND_ADULT = {"crisis": 0.20, "social": 0.35, "affordable": 0.45, "housing_first": 0.45,
                  "comparison": 0.35}
P_FAMILY = {"crisis": 0.40, "social": 0.60, "affordable": 0.60, "housing_first": 1.0,
            "comparison": 0.60}
MEAN_EXTRA_CHILDREN = 1.1  # children = 1 + Poisson(1.1) in a family (assumption)

# --------------------------------------------------------------------------------------
# Tenancy careers: exits and moves up the staircase
# --------------------------------------------------------------------------------------
#: Monthly hazard of a negative exit (eviction or abandonment) without the programme, by
#: ETHOS category (assumption, calibrated so that about 65-75% of waiting-list households
#: keep their accommodation for 12 months).
NEGATIVE_EXIT_HAZARD: dict[str, float] = {
    "rough_sleeping": 0.050, "emergency_accommodation": 0.045, "homeless_accommodation": 0.036,
    "institution": 0.034, "non_conventional": 0.032, "with_family_friends": 0.028,
    "insecure_housing": 0.024, "inadequate_housing": 0.018}
#: Hazard multipliers by income band and for households with children (assumption).
INCOME_HAZARD_MULTIPLIER = {"below_minimum": 1.3, "minimum_to_1_5": 1.0, "1_5_to_2_5": 0.8,
                            "above_2_5": 0.6}
CHILDREN_HAZARD_MULTIPLIER = 0.55
#: True hazard ratio of a negative exit for programme households vs comparison households,
#: conditional on ETHOS category, income band and children (the same in every step, so a
#: Cox model with those covariates targets exactly this number). Chosen so that 12-month
#: retention in the programmes lands between the published 80% (Ostrava: 80% of 92
#: households) and 96% (Brno Housing First: 48 of 50 families, ČT24 December 2018).
HAZARD_RATIO_PROGRAMME = 0.30
#: Monthly hazard of an exit that is neither a move up nor negative (left voluntarily, death,
#: other), the same for everybody (assumption).
OTHER_EXIT_HAZARD = 0.0015
NEGATIVE_EXIT_REASONS = (("eviction", 0.55), ("abandonment", 0.45))
OTHER_EXIT_REASONS = (("left_voluntarily", 0.70), ("death", 0.10), ("other", 0.20))
#: Planned months in a step before the next move (seed 003: 6 months of crisis housing,
#: 20 months of support in social and affordable housing; Ostrava hands the tenancy over after
#: 2 years of cooperation) and the possible delay in months with its probabilities.
PLANNED_MONTHS = {"crisis": 6, "social": 20, "affordable": 24}
DELAY_MONTHS = ((0, 0.55), (1, 0.25), (2, 0.12), (3, 0.08))
#: What happens at the end of a step (assumption): (next step or None = stays, exit reason).
TRANSITIONS: dict[str, tuple[tuple[str | None, str | None, float], ...]] = {
    "crisis": (("social", "moved_up", 0.80), ("standard", "standard_lease", 0.20)),
    "social": (("affordable", "moved_up", 0.55), ("standard", "standard_lease", 0.30), (None, None, 0.15)),
    "affordable": (("standard", "standard_lease", 0.75), (None, None, 0.25)),
}

# --------------------------------------------------------------------------------------
# Household outcomes (impact evaluation)
# --------------------------------------------------------------------------------------
#: Housing-related debt without the programme: 15,000 CZK floor + lognormal (median 15,000,
#: sigma 0.7); programme households carry 15% more (they were selected for need), and so do Brno's
#: trial control families, randomised from the same families as the treated. Assumption.
ARREARS_FLOOR = 15000.0
ARREARS_MEDIAN_ABOVE_FLOOR = 15000.0
ARREARS_SIGMA = 0.7
ARREARS_PROGRAMME_LEVEL = 1.15
#: Common time effects: +120 CZK a month, plus 1,500 CZK in January-March (heating bills).
ARREARS_TREND_PER_MONTH = 120.0
ARREARS_WINTER = 1500.0
#: AR(1) household shocks: autocorrelation and innovation sd (CZK).
ARREARS_AR = 0.6
ARREARS_SHOCK_SD = 1500.0
#: True effect of entering the programme on arrears, by cohort: -A * (1 - exp(-(e + 1) / k))
#: at e months since entry (e >= 0), zero before. A in CZK and k in months. Later crisis cohorts
#: gain more (the pilot learns); Housing First acts fastest. Assumption.
ARREARS_EFFECT: dict[int, tuple[float, float]] = {
    1: (6000.0, 4.0), 2: (7000.0, 4.0), 3: (8000.0, 4.0), 4: (5000.0, 6.0), 5: (5500.0, 6.0),
    6: (3000.0, 6.0), 7: (3500.0, 6.0), 8: (9000.0, 3.0), 9: (9000.0, 3.0), 10: (9500.0, 3.0)}
#: Share of household-months missing at random (no record that month).
OUTCOME_MISSING_SHARE = 0.02
#: Shelter nights a month without the programme, by ETHOS category (Poisson means; assumption).
SHELTER_NIGHTS_MEAN: dict[str, float] = {
    "rough_sleeping": 6.0, "emergency_accommodation": 20.0, "homeless_accommodation": 25.0,
    "institution": 3.0, "non_conventional": 3.0, "with_family_friends": 2.0,
    "insecure_housing": 1.0, "inadequate_housing": 0.5}
#: Employment: base probability an adult works (logit scale, household effect sd 1) and the
#: programme's effect on the logit from the 6th month after entry (assumption).
EMPLOYMENT_LOGIT = -1.2
EMPLOYMENT_EFFECT_LOGIT = 0.5
EMPLOYMENT_EFFECT_FROM_MONTH = 6
NET_WAGE_CZK = 15000.0  # net monthly pay of one working adult (assumption, low-wage work)
#: Children in care: share of children placed at baseline and the chance that a placed child
#: returns home from the 6th month after entry (Brno: fewer children in substitute care among
#: treated families, ČT24 December 2018; the figures are assumptions).
CHILDREN_IN_CARE_SHARE = {"crisis": 0.10, "social": 0.06, "affordable": 0.03, "housing_first": 0.15,
                          "comparison": 0.07}
CHILD_RETURN_PROBABILITY = 0.4
CHILD_RETURN_FROM_MONTH = 6

# --------------------------------------------------------------------------------------
# Flats, rent ledgers, support contacts
# --------------------------------------------------------------------------------------
#: Rooms drawn by household size, floor area 14 m2 + 13-18 m2 a room (assumption; Czech
#: municipal flats 1+kk to 3+1). Owner shares by step: NGOs sublet in Ostrava (seed 003),
#: Brno used municipal flats (Ripka et al. 2018).
OWNER_SHARES: dict[str, dict[str, float]] = {
    "crisis": {"municipal": 0.6, "ngo": 0.4},
    "social": {"municipal": 0.7, "ngo": 0.2, "private": 0.1},
    "affordable": {"municipal": 0.6, "private": 0.3, "cooperative": 0.1},
    "housing_first": {"municipal": 1.0},
}
#: Share of flats in socially excluded localities by step (assumption; the pilots aimed to
#: avoid segregation, crisis flats less so).
EXCLUDED_LOCALITY_SHARE = {"crisis": 0.45, "social": 0.30, "affordable": 0.15, "housing_first": 0.10}
#: Small areas (ZSJ-like) per district, the first of which are socially excluded localities.
AREAS_PER_DISTRICT = 6
#: Rent and service charges: CZK per m2 a month and a flat service charge plus per person
#: (assumption: municipal rents in Ostrava and Brno 2016-2020 were roughly 40-70 CZK/m2).
RENT_PER_M2 = {"crisis": 45.0, "social": 55.0, "affordable": 70.0, "housing_first": 60.0}
SERVICE_CHARGE = 900.0
SERVICE_CHARGE_PER_PERSON = 350.0
#: Payment behaviour types: share, P(full payment), P(half payment) (else nothing) a month;
#: P(extra repayment of 1,000-3,000 CZK when in arrears) and P(paying double in advance).
PAYERS = (("reliable", 0.70, 0.97, 0.02), ("irregular", 0.24, 0.72, 0.15), ("poor", 0.06, 0.40, 0.20))
#: Payer-type shares of households whose tenancy ends in eviction or abandonment (the ledger is
#: drawn given the exit, so the exit hazard of the truth stays as stated; assumption).
PAYER_SHARES_BEFORE_NEGATIVE_EXIT = (0.25, 0.45, 0.30)
P_REPAYMENT = 0.30
P_PREPAYMENT = 0.02
#: Months before a negative exit in which a household stops paying (arrears precede eviction).
ARREARS_BEFORE_EXIT_MONTHS = 5
#: Planned contacts a month by step and months since the spell started (seed 003: intensive
#: support in crisis housing for 6 months, 20 months of support in social and affordable
#: housing). After the planned support the rate drops to the follow-up value. Housing First
#: support is open-ended and tapers (assumption).
CONTACT_PLAN: dict[str, tuple[tuple[int, float], ...]] = {
    "crisis": ((6, 8.0), (10_000, 4.0)),
    "social": ((20, 4.0), (10_000, 1.0)),
    "affordable": ((20, 2.0), (10_000, 0.5)),
    "housing_first": ((6, 6.0), (18, 4.0), (10_000, 2.0)),
    "standard": ((10_000, 0.0),),
}
#: Usual care of comparison households (Labour Office contacts a month; assumption).
COMPARISON_CONTACTS_PER_MONTH = 0.3
#: Household engagement: gamma with mean 1 and this shape (dispersion of the dose).
ENGAGEMENT_SHAPE = 4.0
CONTACT_TYPES = ("home_visit", "office", "phone", "accompaniment", "group", "online")
CONTACT_TYPE_SHARES: dict[str, tuple[float, ...]] = {
    "crisis": (0.45, 0.20, 0.18, 0.10, 0.05, 0.02), "social": (0.35, 0.25, 0.25, 0.08, 0.04, 0.03),
    "affordable": (0.25, 0.30, 0.30, 0.05, 0.05, 0.05), "housing_first": (0.50, 0.10, 0.25, 0.12, 0.00, 0.03),
    "comparison": (0.00, 0.80, 0.20, 0.00, 0.00, 0.00)}
#: Median minutes by contact type (lognormal, sigma 0.45; clipped to 1-720; assumption).
CONTACT_MINUTES = {"home_visit": 60.0, "office": 40.0, "phone": 10.0, "accompaniment": 120.0,
                   "group": 90.0, "online": 20.0}
WORKER_ROLES = ("labour_office", "municipal_social_worker", "ngo_worker", "child_protection",
                "housing_officer", "other")
WORKER_SHARES: dict[str, tuple[float, ...]] = {
    "crisis": (0.10, 0.35, 0.40, 0.08, 0.05, 0.02), "social": (0.10, 0.40, 0.35, 0.05, 0.08, 0.02),
    "affordable": (0.10, 0.35, 0.30, 0.03, 0.20, 0.02), "housing_first": (0.02, 0.08, 0.80, 0.08, 0.02, 0.00),
    "comparison": (1.00, 0.00, 0.00, 0.00, 0.00, 0.00)}
TOPICS = ("housing", "debts_finances", "benefits", "employment", "family_children", "health", "other")
TOPIC_SHARES = (0.32, 0.22, 0.15, 0.10, 0.12, 0.06, 0.03)
P_TOPIC_MISSING = 0.03

# --------------------------------------------------------------------------------------
# Housing contact points in Prague (seeds 000, 001)
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ContactPoint:
    name: str
    district: str | None
    opened: str                 # first month with applications
    applications_per_month: float
    median_days: float          # median processing time (lognormal)
    lost_share: float           # applications never decided


#: Prague's KMB: Praha 3 and 7 funded to the end of 2022 (seed 000), the City Hall's KMB from
#: autumn 2020 (seed 000), Praha 10 (BRIEF). Volumes, processing times and lost shares are
#: assumptions chosen to differ by district so that equality of care can be tested.
CONTACT_POINTS: tuple[ContactPoint, ...] = (
    ContactPoint("KMB Praha 3", "Praha 3", "2020-03", 18.0, 21.0, 0.03),
    ContactPoint("KMB Praha 7", "Praha 7", "2020-01", 15.0, 12.0, 0.01),
    ContactPoint("KMB Praha 10", "Praha 10", "2020-06", 25.0, 40.0, 0.08),
    ContactPoint("KMB MHMP", None, "2020-10", 30.0, 30.0, 0.05),
)
PROCESSING_SIGMA = 0.6
REQUEST_TYPES = ("social_flat", "affordable_flat", "crisis_accommodation", "counselling", "other")
REQUEST_SHARES = (0.35, 0.15, 0.10, 0.30, 0.10)
#: Decision among decided applications by request type: granted, rejected, referred, withdrawn.
DECISION_SHARES: dict[str, tuple[float, ...]] = {
    "social_flat": (0.35, 0.30, 0.25, 0.10), "affordable_flat": (0.30, 0.35, 0.25, 0.10),
    "crisis_accommodation": (0.55, 0.10, 0.30, 0.05), "counselling": (0.85, 0.02, 0.10, 0.03),
    "other": (0.40, 0.15, 0.40, 0.05)}
APPLICANT_ETHOS_SHARES = (0.05, 0.05, 0.15, 0.03, 0.04, 0.18, 0.35, 0.15)
P_ETHOS_MISSING = 0.05
P_REPEAT_APPLICANT = 0.08
#: Innovated tools (seed 001): P(provided) and P(field left empty).
TOOL_SHARES = {"benefit_counselling": 0.40, "bridging_loan": 0.05, "housing_market_help": 0.20,
               "debt_counselling": 0.25}
P_TOOL_MISSING = 0.04

# --------------------------------------------------------------------------------------
# Costs (CZK, current prices)
# --------------------------------------------------------------------------------------
#: Monthly employer cost of one social worker: average gross pay in social work of about
#: 34,000 CZK (2017-2019, ISPV earnings survey, approximate) plus 33.8% social and health
#: insurance paid by the employer. Approximate; not from the seeds.
SOCIAL_WORKER_MONTHLY_COST = 45500.0
#: Households per social worker by step (assumption: intensive support in crisis housing).
CASELOAD = {"crisis": 6.0, "social": 12.0, "affordable": 20.0, "housing_first": 8.0}
#: Rent subsidy a month per occupied flat (assumption) and set-up cost per flat (seed 003 KA 5:
#: purchase of equipment; amount assumed), maintenance per flat a month (assumption).
RENT_SUBSIDY = {"crisis": 4500.0, "social": 2000.0, "affordable": 800.0, "housing_first": 1500.0}
FLAT_SETUP_COST = {"crisis": 35000.0, "social": 30000.0, "affordable": 20000.0, "housing_first": 60000.0}
MAINTENANCE_PER_FLAT = 250.0
ADMINISTRATION_SHARE = 0.08
#: Ostrava project team (seed 003 KA 5: methodologist, coordinator, project manager), 2016-2018.
OSTRAVA_TEAM_FTE = 3.0
OSTRAVA_TEAM_MONTHLY_COST = 52000.0
OSTRAVA_PROJECT_MONTHS = ("2016-01", "2018-12")
#: Brno Housing First: evaluation and running costs besides staff, tuned so that the first
#: year totals about 10 million CZK, the annual cost reported by ČT24 (December 2018).
BRNO_OTHER_MONTHLY = 400000.0
BRNO_PROJECT_MONTHS = ("2016-07", "2020-12")
#: Prague KMB staff: about 3.9 million CZK funded the staff of the Praha 3 and 7 points to the
#: end of 2022 (seed 000), i.e. about 75,000 CZK per point a month over 26 months; the City
#: Hall's coordination team has 9 workers (seed 001). Bridging loans: lognormal, median 7,000.
KMB_STAFF_MONTHLY = 75000.0
MHMP_TEAM_FTE = 9.0
BRIDGING_LOAN_MEDIAN = 7000.0
KMB_MONTHS = ("2020-01", "2022-12")


# --------------------------------------------------------------------------------------
# Municipality panel (MPSV pilots, seed 002)
# --------------------------------------------------------------------------------------
PANEL_YEARS = (2012, 2024)
#: The 16 MPSV pilot municipalities (seed 002), the year each started (assumption, 2016-2018)
#: and an approximate population (rounded, of the order published by the Czech Statistical
#: Office; the small villages are approximate).
PILOT_MUNICIPALITIES: tuple[tuple[str, int, int], ...] = (
    ("Brno", 2016, 380000), ("Ostrava", 2016, 290000), ("Praha 7", 2016, 43000),
    ("Pardubice", 2016, 90000), ("Plzeň", 2016, 170000),
    ("Chomutov", 2017, 48000), ("Most", 2017, 66000), ("Kadaň", 2017, 18000),
    ("Jindřichův Hradec", 2017, 21000), ("Otrokovice", 2017, 18000),
    ("Praha 14", 2018, 46000), ("Štětí", 2018, 8700), ("Velké Hamry", 2018, 2800),
    ("Křižánky", 2018, 320), ("Veselíčko", 2018, 300), ("Vír", 2018, 400),
)
#: Non-pilot municipalities (real names; their populations in the panel are synthetic).
NON_PILOT_MUNICIPALITIES: tuple[str, ...] = (
    "Liberec", "Olomouc", "České Budějovice", "Hradec Králové", "Ústí nad Labem", "Zlín", "Havířov",
    "Kladno", "Opava", "Frýdek-Místek", "Karviná", "Jihlava", "Teplice", "Děčín", "Karlovy Vary",
    "Jablonec nad Nisou", "Mladá Boleslav", "Prostějov", "Přerov", "Česká Lípa", "Třebíč",
    "Třinec", "Tábor", "Znojmo", "Příbram", "Cheb", "Kolín", "Trutnov", "Písek", "Orlová",
    "Kroměříž", "Vsetín", "Šumperk", "Uherské Hradiště", "Břeclav", "Hodonín", "Český Těšín",
    "Litoměřice", "Havlíčkův Brod", "Nový Jičín", "Chrudim", "Krnov", "Litvínov", "Strakonice",
    "Valašské Meziříčí", "Sokolov", "Klatovy", "Kopřivnice", "Jirkov", "Žďár nad Sázavou",
    "Bohumín", "Vyškov", "Blansko", "Náchod", "Jindřichovice", "Kutná Hora", "Beroun",
    "Mělník", "Rakovník", "Louny", "Žatec", "Bruntál", "Hranice", "Uherský Brod", "Rožnov pod Radhoštěm",
    "Boskovice", "Kyjov", "Hodkovice nad Mohelkou", "Benešov", "Slaný",
    "Neratovice", "Kralupy nad Vltavou", "Brandýs nad Labem-Stará Boleslav", "Říčany", "Černošice",
    "Rokycany", "Domažlice", "Tachov", "Nýřany", "Dobřany", "Nýrsko", "Sušice", "Horažďovice",
    "Prachatice", "Vimperk", "Český Krumlov", "Kaplice", "Třeboň", "Dačice", "Pelhřimov",
    "Humpolec", "Pacov", "Chotěboř", "Světlá nad Sázavou", "Velké Meziříčí", "Nové Město na Moravě",
    "Bystřice nad Pernštejnem", "Moravské Budějovice", "Ivančice", "Rosice", "Tišnov", "Kuřim",
    "Šlapanice", "Židlochovice", "Mikulov", "Hustopeče", "Veselí nad Moravou", "Strážnice",
    "Bzenec", "Kunovice", "Staré Město", "Holešov", "Bystřice pod Hostýnem", "Vizovice",
    "Luhačovice", "Valašské Klobouky", "Frenštát pod Radhoštěm", "Příbor", "Studénka", "Bílovec",
    "Odry", "Fulnek", "Hlučín", "Kravaře", "Vítkov", "Rýmařov", "Jeseník", "Zábřeh", "Mohelnice",
    "Litovel", "Uničov", "Šternberk", "Lipník nad Bečvou", "Konice", "Svitavy", "Litomyšl",
    "Polička", "Vysoké Mýto", "Ústí nad Orlicí", "Česká Třebová", "Lanškroun", "Žamberk",
    "Rychnov nad Kněžnou", "Dobruška", "Jaroměř", "Dvůr Králové nad Labem", "Vrchlabí", "Jičín",
    "Nová Paka", "Turnov", "Semily", "Jilemnice", "Tanvald", "Frýdlant", "Nový Bor",
    "Varnsdorf", "Rumburk", "Šluknov", "Bílina", "Duchcov", "Krupka", "Roudnice nad Labem",
    "Lovosice", "Podbořany", "Ostrov", "Chodov", "Mariánské Lázně", "Aš", "Kraslice",
)
N_NON_PILOT = 150
#: Panel outcome levels (assumption): arrears rate of municipal tenancies (share), evictions,
#: households in need, shelter nights and children in care per 1,000 inhabitants a year.
PANEL_ARREARS_RATE = (0.06, 0.22)           # municipality level, uniform range
PANEL_ARREARS_PILOT_SHIFT = 0.03            # pilots start from higher arrears (selection on level)
PANEL_ARREARS_NOISE_SD = 0.008
PANEL_EVICTIONS_PER_1000 = (0.6, 1.8)
PANEL_NEED_PER_1000 = (3.0, 10.0)
PANEL_SHELTER_NIGHTS_PER_1000 = (150.0, 600.0)
PANEL_CHILDREN_IN_CARE_PER_1000 = (0.5, 1.5)
#: True effects of the pilot in year g on the arrears rate and on evictions per 1,000
#: inhabitants at e = t - g years after the start (e >= 0); group multipliers make them
#: heterogeneous by start year (assumption).
PANEL_ARREARS_EFFECT = (0.010, 0.004)       # -(a + b * e) * multiplier
PANEL_ARREARS_MULTIPLIER = {2016: 1.0, 2017: 1.5, 2018: 0.6}
PANEL_EVICTIONS_EFFECT = (0.30, 0.7)        # -a * (1 - r ** (e + 1)) * multiplier
PANEL_EVICTIONS_MULTIPLIER = {2016: 1.0, 2017: 0.7, 2018: 1.3}


# --------------------------------------------------------------------------------------
# The Brno Housing First trial (randomisation of the Brno families)
# --------------------------------------------------------------------------------------
#: The trial randomised the Brno families 1:2 to Housing First or treatment as usual (Ripka et al.
#: 2018: 50 of 150 families; 12-month follow-up interviews). The programme arm has as many places
#: as flats; a flat an assigned family does not take is offered to a control family (two-sided
#: non-compliance). Randomisation within strata of family size (flats differ in size) is an
#: assumption, as are the shares below.
TRIAL_MUNICIPALITY = "Brno"
TRIAL_FOLLOW_UP_MONTHS = 12
#: Strata by number of children: (label as the Brno team would write it, lowest, highest children).
TRIAL_STRATA: tuple[tuple[str, int, int], ...] = (("1 dítě", 1, 1), ("2 děti", 2, 2), ("3 a více dětí", 3, 99))
#: P(an assigned family does not take up the flat) and why (assumption).
TRIAL_P_NOT_TAKEN = 0.06
TRIAL_NON_RECEIPT_REASONS = (("declined", 0.55), ("not_reached", 0.30), ("ineligible", 0.15))
#: Follow-up interviews: P(completed) without the programme at average baseline arrears, the change
#: in its logit per standard deviation of baseline arrears (families deeper in debt are harder to
#: find), and P(a family the control arm would lose is still interviewed in the programme arm):
#: support workers keep in touch, so the programme never loses a family the control arm keeps
#: (monotone attrition, the assumption of Lee 2009 bounds). Assumptions.
TRIAL_P_FOLLOWED_UP_CONTROL = 0.85
TRIAL_FOLLOW_UP_ARREARS_LOGIT = -0.6
TRIAL_P_KEPT_BY_PROGRAMME = 0.6
TRIAL_ATTRITION_REASONS = (("lost_to_follow_up", 0.60), ("withdrew", 0.25), ("moved_away", 0.15))


# --------------------------------------------------------------------------------------
# National roll-out of the housing contact points (zákon č. 175/2025 Sb., o podpoře bydlení)
# --------------------------------------------------------------------------------------
# The national data set (``simulate(national=True)``): every ORP area, the 132 contact points
# of the bundled code list ``data_schema/codes/contact_points.csv`` (an ILLUSTRATIVE network
# with the structure of nařízení vlády č. 418/2025 Sb., not its annex), applications and the
# households behind them, support contacts of the act's measures and a monthly ORP panel.
#: Study period of the national data: two and a half years before the act's measures start and
#: eighteen months after (the synthetic information system is extracted at its end; assumption).
NATIONAL_STUDY_START = np.datetime64("2024-01-01", "D")
NATIONAL_STUDY_END = np.datetime64("2027-12-31", "D")
#: The act is in force since 1 January 2026 and its measures run from July 2026 (BRIEF.md; zákon
#: č. 175/2025 Sb.): no contact point opens before this month.
ACT_MEASURES_FROM = "2026-07"
#: Opening month of the contact points and how many open then. All 132 open in 2026 (issue 15:
#: "all contact points with staggered openings in 2026"), from July, when the act's measures
#: start, to December, as municipalities hire staff (assumption: the shares per month are not
#: published). The 115 points of the act are drawn for the earlier slots (districts with more
#: housing need first), the decree's 17 for the later ones. With every district treated by
#: December 2026 no district is left for comparison afterwards: a staggered design identifies
#: effects only up to November 2026 (tests/synthetic/test_synth_national.py).
CONTACT_POINT_OPENINGS: tuple[tuple[str | None, int], ...] = (
    ("2026-07", 46), ("2026-08", 18), ("2026-09", 22), ("2026-10", 18), ("2026-11", 14), ("2026-12", 14))
#: Residents of Czechia, about 10.9 million (ČSÚ, 1 January 2024; rounded); the ORP populations
#: are synthetic and add up to it.
POPULATION_TOTAL = 10_900_000
#: Approximate populations of the statutory cities (zákon č. 128/2000 Sb., § 4), rounded, of the
#: order published by ČSÚ for 2024; each is its ORP area's seat. Other seats and the other
#: municipalities of an ORP area are synthetic (below); then every area but Prague is scaled so
#: that the country adds up to POPULATION_TOTAL. Approximate, not ČSÚ figures.
STATUTORY_CITY_POPULATION: dict[str, int] = {
    "Praha": 1_384_000, "Brno": 400_000, "Ostrava": 283_000, "Plzeň": 185_000, "Liberec": 106_000,
    "Olomouc": 102_000, "České Budějovice": 97_000, "Hradec Králové": 93_000, "Pardubice": 92_000,
    "Ústí nad Labem": 91_000, "Zlín": 74_000, "Kladno": 70_000, "Havířov": 69_000, "Most": 64_000,
    "Opava": 55_000, "Frýdek-Místek": 54_000, "Jihlava": 54_000, "Teplice": 50_000, "Karviná": 49_000,
    "Děčín": 47_000, "Karlovy Vary": 47_000, "Chomutov": 47_000, "Mladá Boleslav": 47_000,
    "Jablonec nad Nisou": 46_000, "Prostějov": 43_000, "Přerov": 41_000, "Třinec": 34_000}
#: Synthetic seat towns (lognormal median and sigma, at least 2,500) and the other municipalities
#: of an area (lognormal median and sigma of their mean population, per area). Assumption.
SEAT_POPULATION = (11_000.0, 0.55)
OTHER_MUNICIPALITY_POPULATION = (700.0, 0.35)
#: Households in housing need: 71,100 households with 160,900 members (Platforma pro sociální
#: bydlení, Zpráva o vyloučení z bydlení za rok 2024, as reported by Lidovky.cz on 8 October 2024);
#: the stock of the synthetic country at the start of the data.
HOUSEHOLDS_IN_NEED = 71_100
#: More than half of the people in housing need live in 14 of the 206 ORP areas (Platforma pro
#: sociální bydlení and Lumos, Zpráva o vyloučení z bydlení za rok 2018). The need rate per 1,000
#: inhabitants is lognormal around region and city effects with this sigma, chosen so that the
#: 14 areas with the most households in need hold about half of them (a test checks 0.40-0.60).
NEED_RATE_SIGMA = 0.45
#: Higher need in the structurally disadvantaged regions (Ústecký, Moravskoslezský, Karlovarský)
#: and in statutory cities: additive on the log need rate (assumption).
NEED_REGION_EFFECT = {"CZ042": 0.6, "CZ080": 0.45, "CZ041": 0.4}
NEED_CITY_EFFECT = 0.9
#: Households newly falling into housing need each year: 11,700 (Zpráva o vyloučení z bydlení za
#: rok 2018); registrations a month per area follow its share of the stock.
NEED_INFLOW_PER_YEAR = 11_700
#: People in shelters (azylové domy): 5,981 in spring 2022 (MPSV census of people in housing need,
#: carried out by SocioFaktor; ČTK, December 2022) → about 16.7 nights per 1,000 inhabitants a
#: month nationally (5,981 × 30.4 / 10.9 million × 1,000); areas vary with their need rate.
SHELTER_RESIDENTS = 5_981
#: Evictions carried out per 1,000 inhabitants a year (assumption, as the pilot panel's
#: PANEL_EVICTIONS_PER_1000), rising with the area's need rate.
NATIONAL_EVICTIONS_PER_1000_YEAR = (0.6, 1.8)
#: True effects of a contact point opening in month g, e = months since the opening (e >= 0), on
#: rates per 1,000 inhabitants a month; m_g makes them differ by opening cohort (assumption):
#: evictions -a * (1 - r^(e + 1)) * m_g (prevention takes months to bite);
#: shelter nights -b * (1 - exp(-(e + 1) / k)) * m_g (households move on from shelters);
#: registered households in need +c * (l + (1 - l) * exp(-e / k2)) (the contact point finds need
#: nobody had recorded: a surge that settles; registered need RISES, a caution for evaluators).
NATIONAL_EVICTIONS_EFFECT = (0.022, 0.85)
NATIONAL_SHELTER_EFFECT = (2.0, 5.0)
NATIONAL_NEED_DETECTION = (0.035, 0.3, 4.0)
NATIONAL_COHORT_MULTIPLIER: dict[str, float] = {
    "2026-07": 1.0, "2026-08": 1.1, "2026-09": 0.9, "2026-10": 1.2, "2026-11": 0.8, "2026-12": 1.3}
#: Applicant households: new households a month per 100 households in housing need in the area,
#: once its contact point is open, reached over the first RAMP_UP_MONTHS (assumption; about
#: 50,000 households by the end of 2027 at scale 1: the act's counselling is also open to people
#: at risk of housing need, 1.6 million of whom the ministry counts, Hospodářské noviny 3 Dec 2025).
APPLICANTS_PER_100_IN_NEED = 4.5
RAMP_UP_MONTHS = 3
#: Further applications of a household after its first (0, 1, 2: shares) and the days between
#: them (exponential mean). Assumption.
FURTHER_APPLICATIONS = (0.70, 0.22, 0.08)
DAYS_BETWEEN_APPLICATIONS = 45.0
#: The act's measures: share of first applications and of later ones (counselling usually comes
#: first). Bridging assistance follows housing assistance, so none is asked for before 2027
#: (assumption).
MEASURES = ("poradenstvi", "asistence_v_bydleni", "navazujici_asistence", "bydleni_s_rucenim", "prispevek_obci")
MEASURE_SHARES_FIRST = (0.62, 0.22, 0.0, 0.07, 0.09)
MEASURE_SHARES_LATER = (0.10, 0.48, 0.06, 0.16, 0.20)
BRIDGING_FROM = "2027-01"
#: The request type a national application is recorded under (request_type is required).
MEASURE_REQUEST_TYPE = {"poradenstvi": "counselling", "asistence_v_bydleni": "other", "navazujici_asistence": "other",
                        "bydleni_s_rucenim": "affordable_flat", "prispevek_obci": "social_flat"}
#: Decisions by measure (granted, rejected, referred, withdrawn); assumption: guaranteed and
#: municipal flats are scarce.
NATIONAL_DECISION_SHARES: dict[str, tuple[float, ...]] = {
    "poradenstvi": (0.90, 0.01, 0.07, 0.02), "asistence_v_bydleni": (0.72, 0.12, 0.11, 0.05),
    "navazujici_asistence": (0.80, 0.10, 0.05, 0.05), "bydleni_s_rucenim": (0.38, 0.32, 0.20, 0.10),
    "prispevek_obci": (0.42, 0.30, 0.20, 0.08)}
#: Processing time: the median days of a contact point are lognormal across contact points
#: (median, sigma), days within one lognormal with PROCESSING_SIGMA; the share of applications a
#: contact point never decides is Beta(a, b) across contact points (mean about 3 %). Assumption.
NATIONAL_MEDIAN_DAYS = (21.0, 0.45)
NATIONAL_LOST_SHARE_BETA = (1.2, 40.0)
#: Applications filed at the seat municipality of the applicant's area (the rest: its other
#: municipalities, equally likely). Assumption.
P_APPLICANT_AT_SEAT = 0.55
#: Household composition and income of applicant households (the Ostrava waiting list's, above).
NATIONAL_REFERRAL_SHARES = (0.04, 0.18, 0.14, 0.12, 0.04, 0.03, 0.0, 0.43, 0.02)
#: Support contacts a month by measure while it runs (at most 24 months of housing assistance by
#: the act; assumption for the rates).
NATIONAL_CONTACTS_PER_MONTH = {"asistence_v_bydleni": 3.0, "navazujici_asistence": 1.5,
                               "bydleni_s_rucenim": 0.8, "prispevek_obci": 0.6}
ASSISTANCE_MAX_MONTHS = 24
