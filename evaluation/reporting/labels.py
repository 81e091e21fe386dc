"""Czech and English labels of everything the reports show: column headers and category codes.

The one place for labels, used by the tables (:mod:`evaluation.reporting.assemble`,
:meth:`ResultsStore.add_table`) and by every chart's ``plot()``, so that no report shows a raw
field name (``unit_days_occupied``) or a raw code (``lost_home``) and a code reads the same in a
table and in a figure. Codes of the data contract (steps, exit reasons, ETHOS categories,
outcomes of applications, ...) take the contract's own labels
(:meth:`evaluation.data.schema.DataContract.label`); this module adds the codes the analyses
create themselves (:data:`VALUES`, :data:`DERIVED_CATEGORIES`: ``within_support``,
``lost_home``, ``net cost``, ...) and patterned codes (:data:`PATTERNS`: ``S(12)``, ``e=-3``).
Which field a column's codes belong to is :data:`CODE_FIELDS`, or :data:`RESULT_CODE_FIELDS`
for a column whose codes differ from result to result (``group``, ``outcome``).

:func:`column_labels` is what :meth:`ResultsStore.add_table` stores beside every table;
:func:`value_label` is what the renderer shows instead of a code; :func:`category_label` is
the same for a chart (the code itself when it has no label). The words of the charts that are
not labels of codes or columns (axis titles, legend phrases) are in
:mod:`evaluation.reporting.plot_labels`.

Example
-------
>>> column_labels(["step", "occupancy_rate"])["occupancy_rate"]
('Obsazenost', 'Occupancy rate')
>>> value_label("lost_home", "cause", "cs")
'ztráta bydlení'
>>> value_label("housing_first", "entry_step", "en")
'Housing First'
>>> value_label("S(12)", "term", "cs")
'12 měsíců'
>>> value_label("crisis", "group", "en", result="logrank_by_step")
'crisis housing'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from evaluation.errors import ConfigError

#: The report languages, in the order of the (Czech, English) pairs below.
LANGS = ("cs", "en")

#: Column name -> (Czech, English) header. Columns named like a field of the data contract
#: that are missing here take the contract's titles.
COLUMNS: dict[str, tuple[str, str]] = {
    # study design: the curves behind the power figures
    "size": ("Počet jednotek celkem", "Units in total"),
    "mc_std_error": ("Chyba simulace (SE)", "Simulation standard error"),
    "n_treated": ("Jednotky v programu", "Units in the programme"),
    # general
    "term": ("Ukazatel", "Term"),
    "estimate": ("Odhad", "Estimate"),
    "std_error": ("Směrodatná chyba", "Standard error"),
    "conf_low": ("95% IS – dolní mez", "95% CI – lower"),
    "conf_high": ("95% IS – horní mez", "95% CI – upper"),
    "p_value": ("p-hodnota", "p-value"),
    "statistic": ("Testová statistika", "Test statistic"),
    "df": ("Stupně volnosti", "Degrees of freedom"),
    "n": ("Počet (n)", "Number (n)"),
    "count": ("Počet", "Count"),
    "share": ("Podíl", "Share"),
    "total": ("Celkem", "Total"),
    "households": ("Domácnosti", "Households"),
    "group": ("Skupina", "Group"),
    "groups": ("Počet skupin", "Groups"),
    "period": ("Období", "Period"),
    "month": ("Měsíc", "Month"),
    "year": ("Rok", "Year"),
    "time": ("Měsíce od vstupu", "Months since entry"),
    "stage": ("Fáze", "Stage"),
    "reason": ("Důvod", "Reason"),
    "rule": ("Pravidlo", "Rule"),
    "kind": ("Druh", "Kind"),
    "method": ("Metoda", "Method"),
    "test": ("Test", "Test"),
    "band": ("Typ intervalu", "Interval type"),
    "reference": ("Referenční období", "Reference period"),
    "event_time": ("Čas od vstupu", "Time since entry"),
    "n_obs": ("Pozorování", "Observations"),
    # data quality
    "table": ("Tabulka", "Table"),
    "file": ("Soubor", "File"),
    "severity": ("Závažnost", "Severity"),
    "problems": ("Problémy", "Problems"),
    "rows": ("Řádky", "Rows"),
    "rows_received": ("Řádky v souboru", "Rows in the file"),
    "rows_excluded": ("Vyřazené řádky", "Rows excluded"),
    "rows_loaded": ("Načtené řádky", "Rows loaded"),
    "rows_in": ("Řádky na vstupu", "Rows in"),
    "rows_kept": ("Řádky v rozsahu běhu", "Rows kept"),
    "rows_left_out": ("Řádky mimo rozsah", "Rows left out"),
    "excluded_reasons": ("Důvody vyřazení", "Reasons for exclusion"),
    "all": ("Celkem", "Total"),
    "box": ("Fáze", "Stage"),
    "label": ("Popis", "Label"),
    # process: reach, occupancy, entry
    "measure": ("Ukazatel", "Measure"),
    "planned": ("Plán", "Planned"),
    "actual": ("Skutečnost", "Actual"),
    "percent_of_plan": ("Skutečnost v % plánu", "Actual as % of plan"),
    "units": ("Byty", "Flats"),
    "units_available": ("Byty k dispozici", "Flats available"),
    "unit_days_available": ("Bytodny k dispozici", "Flat-days available"),
    "unit_days_occupied": ("Obsazené bytodny", "Flat-days occupied"),
    "occupancy_rate": ("Obsazenost", "Occupancy rate"),
    "vacancy_rate": ("Neobsazenost", "Vacancy rate"),
    "first_month": ("První měsíc", "First month"),
    "days": ("Dny od podání", "Days since submission"),
    "design": ("Uspořádání", "Design"),
    "last_month": ("Poslední měsíc", "Last month"),
    "entry_step": ("Vstupní stupeň", "Entry step"),
    "characteristic": ("Charakteristika", "Characteristic"),
    "category": ("Kategorie", "Category"),
    # support dose
    "support_months": ("Délka podpory (měsíce)", "Support period (months)"),
    "household_months": ("Domácnost-měsíce", "Household-months"),
    "contacts": ("Kontakty", "Contacts"),
    "hours": ("Hodiny", "Hours"),
    "planned_contacts_per_month": ("Plán kontaktů za měsíc", "Planned contacts per month"),
    "planned_hours_per_month": ("Plán hodin za měsíc", "Planned hours per month"),
    "contacts_per_household_month": ("Kontakty na domácnost a měsíc", "Contacts per household-month"),
    "hours_per_household_month": ("Hodiny na domácnost a měsíc", "Hours per household-month"),
    "percent_of_planned_hours": ("Hodiny v % plánu", "Hours as % of plan"),
    "month_since_entry": ("Měsíc od nastěhování", "Month since move-in"),
    # move-in, drop-out, arrears
    "referred": ("Doporučené", "Referred"),
    "moved_in": ("Nastěhované", "Moved in"),
    "still_waiting": ("Stále čekají", "Still waiting"),
    "mean_days": ("Průměr dní", "Mean days"),
    "median_days": ("Medián dní", "Median days"),
    "q1_days": ("1. kvartil dní", "Lower quartile (days)"),
    "q3_days": ("3. kvartil dní", "Upper quartile (days)"),
    "min_days": ("Minimum dní", "Minimum days"),
    "max_days": ("Maximum dní", "Maximum days"),
    "median_days_waiting_so_far": ("Medián dosavadního čekání (dny)", "Median days waiting so far"),
    "spells": ("Pobyty", "Spells"),
    "dropout": ("Předčasně ukončené", "Dropped out"),
    "positive_exit": ("Pozitivní odchod (posun výš, standardní nájem)", "Positive exit (moved up, standard lease)"),
    "death": ("Úmrtí", "Death"),
    "completed_support": ("Dokončená podpora", "Support completed"),
    "censored": ("Dosud trvající (cenzurované)", "Still running (censored)"),
    "known_outcome": ("Se známým výsledkem", "Known outcome"),
    "dropout_share": ("Podíl předčasných ukončení", "Drop-out share"),
    "in_arrears": ("S dluhem", "In arrears"),
    "share_in_arrears": ("Podíl s dluhem", "Share in arrears"),
    "mean_balance": ("Průměrný zůstatek (Kč)", "Mean balance (CZK)"),
    "median_balance": ("Medián zůstatku (Kč)", "Median balance (CZK)"),
    "median_balance_in_arrears": ("Medián dluhu dlužníků (Kč)", "Median arrears of those in arrears (CZK)"),
    # contact points
    "applications": ("Žádosti", "Applications"),
    "submitted": ("Podané žádosti", "Applications submitted"),
    "decided": ("Rozhodnuté", "Decided"),
    "undecided": ("Nerozhodnuté", "Undecided"),
    "median_conf_low": ("Medián – dolní mez 95% IS", "Median – lower 95% CI"),
    "median_conf_high": ("Medián – horní mez 95% IS", "Median – upper 95% CI"),
    "mean_days_decided": ("Průměr dní (rozhodnuté)", "Mean days (decided)"),
    "old_enough": ("Starší než 90 dní", "Older than 90 days"),
    "decided_in_time": ("Rozhodnuto do 90 dní", "Decided within 90 days"),
    "decided_late": ("Rozhodnuto později", "Decided later"),
    "lost": ("Ztracené", "Lost"),
    "open_not_yet_lost": ("Otevřené (zatím ne ztracené)", "Open, not yet lost"),
    "share_lost": ("Podíl ztracených", "Share lost"),
    "tool": ("Nástroj", "Tool"),
    "tenancies": ("Nájmy", "Tenancies"),
    "ever_in_arrears": ("Někdy s dluhem", "Ever in arrears"),
    "share_ever_in_arrears": ("Podíl někdy s dluhem", "Share ever in arrears"),
    "mean_months_in_arrears": ("Průměr měsíců s dluhem", "Mean months in arrears"),
    "median_months_in_arrears": ("Medián měsíců s dluhem", "Median months in arrears"),
    "months_observed": ("Sledované měsíce", "Months observed"),
    "months_in_arrears": ("Měsíce s dluhem", "Months in arrears"),
    "share_of_months_in_arrears": ("Podíl měsíců s dluhem", "Share of months in arrears"),
    "not_recorded": ("Bez záznamu", "Not recorded"),
    "effect_size": ("Velikost efektu", "Effect size"),
    "effect_size_name": ("Míra velikosti efektu", "Effect-size measure"),
    "granted": ("Vyhověno", "Granted"),
    "rejected": ("Zamítnuto", "Rejected"),
    "referred_elsewhere": ("Předáno jinam", "Referred elsewhere"),
    "withdrawn": ("Zpětvzato", "Withdrawn"),
    "pending": ("Bez rozhodnutí", "Pending"),
    # retention
    "first_step": ("První stupeň", "First step"),
    "from_step": ("Ze stupně", "From step"),
    "to": ("Kam", "To"),
    "n_from": ("Domácnosti na stupni", "Households on the step"),
    "n_risk": ("V riziku", "At risk"),
    "n_events": ("Události", "Events"),
    "cause": ("Druh odchodu", "Type of exit"),
    "event": ("Událost (ztráta bydlení)", "Event (home lost)"),
    "observed": ("Pozorované události", "Observed events"),
    "expected": ("Očekávané události", "Expected events"),
    "outcome": ("Výsledek", "Outcome"),
    # impact
    "mean_treated": ("Průměr – program", "Mean – programme"),
    "mean_comparison": ("Průměr – srovnání", "Mean – comparison"),
    "smd_before": ("Stand. rozdíl před párováním", "Std. difference before matching"),
    "mean_treated_after": ("Průměr – program po párování", "Mean – programme, matched"),
    "mean_comparison_after": ("Průměr – srovnání po párování", "Mean – comparison, matched"),
    "smd_after": ("Stand. rozdíl po párování", "Std. difference after matching"),
    "var_ratio_before": ("Poměr rozptylů před", "Variance ratio before"),
    "var_ratio_after": ("Poměr rozptylů po", "Variance ratio after"),
    "null": ("Nulová hypotéza", "Null value"),
    "n_clusters": ("Klastry (obce)", "Clusters (municipalities)"),
    "n_draws": ("Replikace bootstrapu", "Bootstrap draws"),
    "weights": ("Váhy", "Weights"),
    "leads": ("Předstihy", "Leads"),
    # economics
    "cost_centre": ("Nákladové středisko", "Cost centre"),
    "cost_czk": ("Náklady (Kč)", "Cost (CZK)"),
    "cost_per_household": ("Náklady na domácnost (Kč)", "Cost per household (CZK)"),
    "retained_share": ("Podíl v bydlení na konci horizontu", "Share housed at the horizon"),
    "sustained": ("Udržená bydlení", "Tenancies sustained"),
    "cost_per_sustained": ("Náklady na udržené bydlení (Kč)", "Cost per sustained tenancy (CZK)"),
    "direct_entrants": ("Přímo nastěhované domácnosti", "Households entering directly"),
    "cost_per_application": ("Náklady na žádost (Kč)", "Cost per application (CZK)"),
    # need
    "ethos_category": ("Kategorie ETHOS", "ETHOS category"),
    "stock_start": ("Stav na začátku", "Stock at start"),
    "inflow": ("Přítok", "Inflow"),
    "outflow": ("Odtok", "Outflow"),
    "stock_end": ("Stav na konci", "Stock at end"),
    "t": ("Období projekce", "Projection period"),
    "stock_baseline": ("Nouze bez změny politiky", "Need, no policy change"),
    "stock_baseline_low": ("Nouze bez změny – dolní mez", "Need, no change – lower"),
    "stock_baseline_high": ("Nouze bez změny – horní mez", "Need, no change – upper"),
    "stock_target": ("Cílový stav nouze", "Target stock of need"),
    "placements_needed": ("Potřebná umístění", "Placements needed"),
    "additional_units": ("Další potřebné byty", "Additional flats needed"),
    "additional_units_low": ("Další byty – dolní mez", "Additional flats – lower"),
    "additional_units_high": ("Další byty – horní mez", "Additional flats – upper"),
    "total_units": ("Byty celkem", "Flats in total"),
    "intensive_support_places": ("Místa intenzivní podpory", "Intensive support places"),
    "standard_support_places": ("Místa běžné podpory", "Standard support places"),
    "units_recorded": ("Byty se záznamem", "Flats recorded"),
    "in_excluded_locality": ("V sociálně vyloučené lokalitě", "In a socially excluded locality"),
    # power and minimum detectable effects (evaluation.design; the opt-in design strand)
    "variance": ("Rozptyl", "Variance"),
    "cov_pre": ("Kovariance před vstupem", "Covariance before entry"),
    "cov_post": ("Kovariance po vstupu", "Covariance after entry"),
    "cov_cross": ("Kovariance před a po vstupu", "Covariance across entry"),
    "pre": ("Období před vstupem", "Periods before entry"),
    "post": ("Období po vstupu", "Periods after entry"),
    "estimated": ("Odhadnuto z dat", "Estimated from the data"),
    "n_units": ("Jednotky (průměr)", "Units (average)"),
    "windows": ("Okna", "Windows"),
    "treated_share": ("Podíl v programu", "Share in the programme"),
    "df_rule": ("Pravidlo pro stupně volnosti", "Degrees-of-freedom rule"),
    "target_power": ("Cílová síla testu", "Target power"),
    "simulations": ("Simulace", "Simulations"),
    "rejections": ("Zamítnutí", "Rejections"),
    "mean_estimate": ("Průměrný odhad", "Mean estimate"),
    "sd_estimate": ("Směrodatná odchylka odhadů", "SD of the estimates"),
    "mean_std_error": ("Průměrná směrodatná chyba", "Mean standard error"),
    "entry_offsets": ("Posuny vstupu kohort (měsíce)", "Entry offsets of the cohorts (months)"),
    "seed": ("Počáteční hodnota generátoru", "Random seed"),
    "sd": ("Směrodatná odchylka", "Standard deviation"),
    "allocation": ("Podíl přidělený programu", "Allocation to the programme"),
    "difference": ("Rozdíl", "Difference"),
    "p_control": ("Podíl ve srovnávací skupině", "Proportion in the comparison group"),
    "event_probability_control": ("Pravděpodobnost události ve srovnávací skupině",
                                  "Probability of an event, comparison group"),
    "event_probability_treated": ("Pravděpodobnost události v programu", "Probability of an event, programme"),
    "log_hazard_ratio": ("Logaritmus poměru rizik", "Log hazard ratio"),
    "withdrawal": ("Podíl odstoupení", "Withdrawal"),
    "control_survival": ("Udržení ve srovnávací skupině", "Survival in the comparison group"),
    "survival_time": ("Čas udržení (měsíce)", "Survival time (months)"),
    "accrual": ("Doba náboru (měsíce)", "Accrual (months)"),
    "follow_up": ("Doba sledování (měsíce)", "Follow-up (months)"),
    # economics: costs, offsets and their sensitivity
    "perspective": ("Perspektiva", "Perspective"),
    "scenario": ("Scénář", "Scenario"),
    "effect_discounted": ("Efekt (diskontovaný)", "Effect (discounted)"),
    "status": ("Stav dokladu", "Status of the evidence"),
    "grade": ("Síla dokladu", "Strength of evidence"),
    "sms_level": ("Úroveň na Maryland Scientific Methods Scale", "Maryland Scientific Methods Scale level"),
    "offset": ("Úspora (Kč)", "Offset (CZK)"),
    "offset_low": ("Úspora – dolní mez (Kč)", "Offset – lower (CZK)"),
    "offset_high": ("Úspora – horní mez (Kč)", "Offset – upper (CZK)"),
    "parameter": ("Parametr", "Parameter"),
    "base_value": ("Základní hodnota", "Base value"),
    "net_cost_base": ("Čistý náklad v základním scénáři (Kč)", "Net cost, base case (CZK)"),
    "swing": ("Rozpětí čistého nákladu (Kč)", "Swing of the net cost (CZK)"),
    "counted_in_base": ("Započteno v základním scénáři", "Counted in the base case"),
    "draws": ("Počet simulací", "Draws"),
    "mean": ("Průměr", "Mean"),
    "std": ("Směrodatná odchylka", "Standard deviation"),
    "unit": ("Jednotka", "Unit"),
    "setting": ("Nastavení", "Setting"),
    "value": ("Hodnota", "Value"),
    "quantity": ("Veličina", "Quantity"),
    "shared_allocated": ("Přidělené sdílené náklady (Kč)", "Shared costs allocated (CZK)"),
    "cost_per_household_month": ("Náklad na domácnost a měsíc (Kč)", "Cost per household-month (CZK)"),
    "cost_per_household_year": ("Náklad na domácnost a rok (Kč)", "Cost per household-year (CZK)"),
    # impact: inference with few treated places, robustness panel, HonestDiD
    "n_assignments": ("Možná přiřazení programu", "Possible assignments of the programme"),
    "min_p_value": ("Nejmenší dosažitelná p-hodnota", "Smallest attainable p-value"),
    "size_ratio": ("Skutečná / nominální hladina testu", "Actual / nominal size of the test"),
    "variance_ratio": ("Poměr rozptylů", "Variance ratio"),
    "can_reject": ("Test může zamítnout na zvolené hladině", "Test can reject at the chosen level"),
    "n_treated_clusters": ("Obce v programu", "Municipalities in the programme"),
    "exact": ("Přesný test (všechna přiřazení)", "Exact test (every assignment)"),
    "estimator": ("Metoda odhadu", "Estimator"),
    "weight": ("Váha", "Weight"),
    "contribution": ("Příspěvek k odhadu", "Contribution to the estimate"),
    "comparisons": ("Počet srovnání", "Comparisons"),
    "forbidden": ("Zakázané srovnání (dříve léčené jako kontrola)", "Forbidden comparison (earlier treated as controls)"),
    "restriction": ("Omezení porušení trendů", "Restriction on the violation of trends"),
}

#: Codes the analyses create (not in the data contract) -> (Czech, English).
VALUES: dict[str, tuple[str, str]] = {
    "missing": ("neuvedeno", "not recorded"),
    "True": ("ano", "yes"),
    "False": ("ne", "no"),
    # data quality and flow
    "received": ("přijaté", "received"),
    "loaded": ("načtené", "loaded"),
    "excluded": ("vyřazené", "excluded"),
    "error": ("chyba", "error"),
    "warning": ("varování", "warning"),
    # process
    "within_support": ("v období podpory", "within the support period"),
    "after_support": ("po skončení podpory", "after the support period"),
    "household_type": ("Typ domácnosti", "Household type"),
    "single_adult": ("jednotlivec", "single adult"),
    "adults_no_children": ("dospělí bez dětí", "adults without children"),
    "single_parent": ("jeden rodič s dětmi", "single parent"),
    "adults_with_children": ("dospělí s dětmi", "adults with children"),
    "processing_time": ("doba vyřízení", "processing time"),
    "outcome": ("výsledek žádosti", "outcome of the application"),
    "lost": ("ztracená žádost", "lost application"),
    "tools": ("použité nástroje", "tools used"),
    "log-rank": ("log-rank test", "log-rank test"),
    "chi-square": ("chí-kvadrát test", "chi-square test"),
    "Cramér's V": ("Cramérovo V", "Cramér's V"),
    "ratio of longest to shortest median": ("poměr nejdelšího a nejkratšího mediánu",
                                            "ratio of longest to shortest median"),
    # retention
    "step": ("přechod na jiný stupeň", "move to another step"),
    "exit": ("jiný výsledek pobytu", "other outcome of the spell"),
    # impact
    "overall ATT": ("celkový průměrný efekt (ATT)", "overall average effect (ATT)"),
    "pointwise": ("bodový", "pointwise"),
    "simultaneous": ("simultánní", "simultaneous"),
    "treated_post": ("program po zahájení", "programme after start"),
    "rademacher": ("Rademacherovy", "Rademacher"),
    "webb": ("Webbovy", "Webb"),
    "WCR": ("WCR (s omezením)", "WCR (restricted)"),
    "WCU": ("WCU (bez omezení)", "WCU (unrestricted)"),
    "income_band_rank": ("Příjmové pásmo (pořadí)", "Income band (rank)"),
    "pre-trend": ("test předtrendů (předstihy nulové)", "pre-trend test (leads zero)"),
    # economics
    "public_sector": ("veřejný sektor jako celek", "the public sector as a whole"),
    "net cost": ("čisté náklady", "net cost"),
    "offset: total": ("úspory celkem", "offsets in total"),
    "programme cost": ("náklady programu", "programme cost"),
    "no-system scenario cost": ("náklady scénáře bez systému", "no-system scenario cost"),
    "with-system cost": ("náklady se systémem", "with-system cost"),
    "evictions": ("vystěhování", "evictions"),
    "shelter_nights": ("noci v azylovém zařízení", "shelter nights"),
    "children_in_care": ("děti v péči mimo rodinu", "children in care"),
}

#: Codes the analyses derive for one kind of column: vocabulary -> code -> (Czech, English).
#: A column (or a column of one result) is tied to its vocabulary in :data:`CODE_FIELDS` /
#: :data:`RESULT_CODE_FIELDS` under the table name :data:`DERIVED`; a code is in one
#: vocabulary (or in :data:`VALUES`) only, so it reads the same in every table and figure.
DERIVED_CATEGORIES: dict[str, dict[str, tuple[str, str]]] = {
    # outcomes of the retention episodes (evaluation.retention.episodes.OUTCOME_OF_REASON); the
    # exit types of Aalen-Johansen. "positive" exists only in programme episodes, where the
    # first step ends with a move up the staircase or a standard lease.
    "episode_outcome": {
        "positive": ("pozitivní odchod (posun výš, standardní nájem)", "positive exit (moved up, standard lease)"),
        "lost_home": ("ztráta bydlení", "home lost"),
        "left": ("jiný odchod", "left otherwise"),
        "death": ("úmrtí", "death"),
        "censored": ("dosud bydlí (cenzurováno)", "still housed (censored)"),
    },
    # what reach is counted in against the plan (evaluation.process.reach)
    "reach_measure": {
        "units": ("byty", "flats"),
        "households": ("domácnosti", "households"),
        "cohorts": ("kohorty", "cohorts"),
    },
    # power calculations (evaluation.design.result): the design, what was solved for, the test's side
    "power_design": {
        "did": ("rozdíl v rozdílech", "difference-in-differences"),
        "did_simulation": ("rozdíl v rozdílech (simulace)", "difference-in-differences (simulation)"),
        "event_study": ("studie událostí", "event study"),
        "two_means": ("srovnání průměrů", "comparison of means"),
        "two_proportions": ("srovnání podílů", "comparison of proportions"),
        "logrank": ("log-rank test", "log-rank test"),
        "cox": ("Coxův model", "Cox model"),
    },
    "power_solved_for": {
        "effect": ("nejmenší zjistitelný efekt", "minimum detectable effect"),
        "power": ("síla testu", "power"),
        "n": ("velikost výběru", "sample size"),
    },
    "power_alternative": {
        "two-sided": ("oboustranná", "two-sided"),
        "larger": ("jednostranná (větší)", "one-sided (larger)"),
        "smaller": ("jednostranná (menší)", "one-sided (smaller)"),
    },
    "power_df_rule": {
        "cluster": ("počet klastrů − 1", "clusters − 1"),
        "pcpanel": ("panel (pcpanel)", "panel (pcpanel)"),
        "normal": ("normální rozdělení", "normal distribution"),
    },
}

#: Patterned codes: regex -> (Czech, English) format strings (groups as {0}, {1}).
PATTERNS: tuple[tuple[re.Pattern[str], tuple[str, str]], ...] = (
    (re.compile(r"^S\((\d+(?:\.\d+)?)\)$"), ("{0} měsíců", "{0} months")),
    (re.compile(r"^F_(\w+)\((\d+(?:\.\d+)?)\)$"), ("{0}: {1} měsíců", "{0}: {1} months")),
    (re.compile(r"^e\s*=\s*(-?\d+)$"), ("{0}", "{0}")),
    (re.compile(r"^e\s*<=\s*(-?\d+)$"), ("≤ {0}", "≤ {0}")),
    (re.compile(r"^e\s*>=\s*(-?\d+)$"), ("≥ {0}", "≥ {0}")),
    (re.compile(r"^offset: (\w+)$"), ("úspora: {0}", "offset: {0}")),
)

#: Table name under which :data:`CODE_FIELDS` points at a vocabulary of :data:`DERIVED_CATEGORIES`.
DERIVED = "derived"

#: Columns whose codes belong to one field wherever they are published: column -> (table, field)
#: of the data contract, or (:data:`DERIVED`, vocabulary). A column whose codes differ from
#: result to result (``group``: first steps in ``logrank_by_step``, programme/comparison in a
#: Kaplan-Meier fit by group, cohorts in the staggered designs; ``outcome``: decisions on
#: applications or episode outcomes) is not here but in :data:`RESULT_CODE_FIELDS`.
CODE_FIELDS: dict[str, tuple[str, str]] = {
    "step": ("tenancies", "step"),
    "entry_step": ("tenancies", "step"),
    "first_step": ("tenancies", "step"),
    "last_step": ("tenancies", "step"),
    "from_step": ("tenancies", "step"),
    "to": ("tenancies", "exit_reason"),  # transitions: an exit reason, or the step moved to
    "exit_reason": ("tenancies", "exit_reason"),
    "ethos_category": ("households", "ethos_category"),
    "referral_source": ("households", "referral_source"),
    "income_band": ("households", "income_band"),
    "programme": ("households", "programme"),
    "cost_centre": ("costs", "cost_centre"),
    "item": ("costs", "item"),
    "request_type": ("applications", "request_type"),
    "owner_type": ("units", "owner_type"),
    "contact_type": ("support_contacts", "contact_type"),
    "topic": ("support_contacts", "topic"),
    "worker_role": ("support_contacts", "worker_role"),
    "cause": (DERIVED, "episode_outcome"),  # Aalen-Johansen exit types
    "measure": (DERIVED, "reach_measure"),
    "design": (DERIVED, "power_design"),
    "solved_for": (DERIVED, "power_solved_for"),
    "alternative": (DERIVED, "power_alternative"),
    "df_rule": (DERIVED, "power_df_rule"),
}

#: Columns whose codes depend on the result that publishes them: (result, column) -> as in
#: :data:`CODE_FIELDS`. ``result`` is the name the table is stored under (``StoredTable.name``).
RESULT_CODE_FIELDS: dict[tuple[str, str], tuple[str, str]] = {
    ("logrank_by_step", "group"): ("tenancies", "step"),
    ("decisions", "outcome"): ("applications", "outcome"),
    ("decisions_detail", "outcome"): ("applications", "outcome"),
    ("episodes", "outcome"): (DERIVED, "episode_outcome"),
    ("episodes_all", "outcome"): (DERIVED, "episode_outcome"),
}

#: Columns holding a share in 0..1 (shown as per cent) and columns already in per cent.
SHARE_COLUMN = re.compile(r"(^|_)(share|rate|proportion)(_|$)|^share_|_share$")
PERCENT_COLUMN = re.compile(r"(^|_)percent(_|$)")
#: Columns holding a share whose confidence limits are the ``conf_low``/``conf_high`` of the row.
SHARE_LIMITS_WITH = frozenset({"share_lost", "retained_share"})

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def check_lang(lang: str) -> str:
    """``lang`` if it is a report language (``cs`` or ``en``), else a ConfigError."""
    if lang not in LANGS:
        raise ConfigError(f"lang must be 'cs' or 'en' (got {lang!r})")
    return lang


def bilingual_base(column: str) -> str | None:
    """``"reason"`` for ``"reason_cs"``/``"reason_en"`` (a column published in both languages)."""
    for suffix in ("_cs", "_en"):
        if column.endswith(suffix) and len(column) > 3:
            return column[: -len(suffix)]
    return None


@lru_cache(maxsize=1)
def _contract() -> Any:
    try:
        from evaluation.data.schema import get_schema

        return get_schema()
    except (FileNotFoundError, KeyError, ValueError, OSError):
        return None


@lru_cache(maxsize=1)
def _fields() -> dict[str, Any]:
    """Field name -> first field of the data contract with that name."""
    contract = _contract()
    found: dict[str, Any] = {}
    if contract is not None:
        for table in contract.tables:
            for item in table.fields:
                found.setdefault(item.name, item)
    return found


@lru_cache(maxsize=1)
def _code_labels() -> dict[str, tuple[str, str]]:
    """Every code of the contract -> (Czech, English) label (first field that defines it)."""
    contract = _contract()
    found: dict[str, tuple[str, str]] = {}
    if contract is not None:
        for table in contract.tables:
            for item in table.fields:
                if item.is_categorical:
                    for code in item.codes:
                        found.setdefault(code, (item.label(code, "cs"), item.label(code, "en")))
    return found


@lru_cache(maxsize=1)
def _table_titles() -> dict[str, tuple[str, str]]:
    contract = _contract()
    if contract is None:
        return {}
    return {t.name: (t.title("cs"), t.title("en")) for t in contract.tables}


def column_label(column: str) -> tuple[str, str] | None:
    """(Czech, English) header of a column, or None when neither this module nor the contract knows it."""
    base = bilingual_base(column)
    if base is not None and base in COLUMNS:
        return COLUMNS[base]
    if column in COLUMNS:
        return COLUMNS[column]
    field = _fields().get(column)
    if field is not None:
        return field.title("cs"), field.title("en")
    # a column named by a code (a pivoted table: one column per step or outcome)
    cs, en = value_label(column, "", "cs"), value_label(column, "", "en")
    if cs and en:
        return cs[:1].upper() + cs[1:], en[:1].upper() + en[1:]
    return None


def column_title(column: str, lang: str = "cs") -> str:
    """:func:`column_label` in ``lang`` (an axis title of a chart); the column's name if unlabelled."""
    known = column_label(column)
    return known[LANGS.index(check_lang(lang))] if known else column


def column_labels(columns: Iterable[str], given: Mapping[str, tuple[str, str]] | None = None
                  ) -> dict[str, tuple[str, str]]:
    """Headers for ``columns``: ``given`` first, then :data:`COLUMNS`, then the data contract.

    A column nobody labels keeps its name in both languages (``missing_labels`` finds them).
    """
    given = dict(given or {})
    labels: dict[str, tuple[str, str]] = {}
    for column in columns:
        column = str(column)
        if column in given:
            labels[column] = tuple(given[column])  # type: ignore[assignment]
        else:
            labels[column] = column_label(column) or (column, column)
    return labels


def missing_labels(columns: Iterable[str]) -> list[str]:
    """Columns without a Czech and English header (for tests and notebook authors)."""
    return [str(c) for c in columns if column_label(str(c)) is None]


def code_field(column: str, *, result: str | None = None, table: str | None = None) -> tuple[str, str] | None:
    """Where the codes of ``column`` are defined: ``(table, field)`` of the data contract or
    ``(DERIVED, vocabulary)``; None when the column is not tied to one field.

    ``table`` names the contract table of a column that is a field under its own name
    (``ethos_category`` of ``applications``); ``result`` is the stored name of the result, for
    columns whose codes differ between results (:data:`RESULT_CODE_FIELDS`).
    """
    if table is not None:
        return table, column
    if result is not None and (result, column) in RESULT_CODE_FIELDS:
        return RESULT_CODE_FIELDS[(result, column)]
    return CODE_FIELDS.get(column)


def _field_code(code: str, where: tuple[str, str] | None, lang: str) -> str | None:
    """The label of ``code`` in the one field or vocabulary ``where``, if it is defined there."""
    if where is None:
        return None
    table, field = where
    if table == DERIVED:
        found = DERIVED_CATEGORIES.get(field, {}).get(code)
        return None if found is None else found[LANGS.index(lang)]
    contract = _contract()
    if contract is None:
        return None
    try:
        item = contract.table(table).field(field)
    except (KeyError, ValueError):
        return None
    if item.is_categorical and code in item.codes:
        return item.label(code, lang)
    return None


@lru_cache(maxsize=1)
def _derived_codes() -> dict[str, tuple[str, str]]:
    """Every code the analyses derive -> (Czech, English): :data:`VALUES` and every vocabulary."""
    found = dict(VALUES)
    for vocabulary in DERIVED_CATEGORIES.values():
        found.update(vocabulary)
    return found


def _code(code: str, column: str, lang: str, where: tuple[str, str] | None) -> str | None:
    index = LANGS.index(lang)
    if column in ("table", "file") and code in _table_titles():
        return _table_titles()[code][index]
    found = _field_code(code, where, lang)
    if found is not None:
        return found
    if code in _derived_codes():
        return _derived_codes()[code][index]
    contract_label = _code_labels().get(code)
    if contract_label is not None:
        return contract_label[index]
    if code in _table_titles():
        return _table_titles()[code][index]
    field = _fields().get(code)
    if field is not None:
        return field.title(lang)
    return None


def value_label(value: Any, column: str = "", lang: str = "cs", *, result: str | None = None,
                table: str | None = None) -> str | None:
    """The label of a code in ``lang``, or None when ``value`` is not a known code.

    Looks in the field or vocabulary of the column (:func:`code_field`; ``result`` and ``table``
    as there), then the codes the analyses derive (:data:`VALUES`, :data:`DERIVED_CATEGORIES`),
    any field of the data contract, :data:`PATTERNS`, table names and field names.
    """
    check_lang(lang)
    if not isinstance(value, str) or not value or _NUMBER.match(value):
        return None
    where = code_field(column, result=result, table=table)
    found = _code(value, column, lang, where)
    if found is not None:
        return found
    for pattern, texts in PATTERNS:
        match = pattern.match(value)
        if match:
            parts = []
            for part in match.groups():
                if _NUMBER.match(part):
                    parts.append(_number(part, lang))
                else:
                    parts.append(_code(part, column, lang, where) or part.replace("_", " "))
            return texts[LANGS.index(lang)].format(*parts)
    return None


def category_label(column: str, code: Any, lang: str = "cs", *, result: str | None = None,
                   table: str | None = None) -> str:
    """:func:`value_label` of ``code`` for a chart: the code itself as text when it has no label
    (municipality and district names, numbers).

    >>> category_label("first_step", "housing_first", "cs"), category_label("cause", "lost_home", "en")
    ('Housing First', 'home lost')
    """
    return value_label(str(code), column, lang, result=result, table=table) or str(code)


def field_title(table: str, field: str, lang: str = "cs") -> str:
    """The contract's title of a field (``Noci v azylovém zařízení``); the field name if unknown."""
    check_lang(lang)
    contract = _contract()
    try:
        return contract.table(table).field(field).title(lang)
    except (AttributeError, KeyError, ValueError):
        return field


def _number(text: str, lang: str) -> str:
    from evaluation.reporting.formatting import format_number

    return format_number(float(text), lang)


#: Columns shown without decimals: money, days, flats and places, stocks of need.
WHOLE_NUMBER_COLUMN = re.compile(r"(_czk$|^cost|balance|(^|_)days($|_)|(^|_)(units|places|stock|placements)(_|$))")


def decimals_for(column: str) -> int | None:
    """Decimals a report shows in ``column`` (None: as many as the size of the number calls for)."""
    return 0 if WHOLE_NUMBER_COLUMN.search(column) else None


def is_share_column(column: str) -> bool:
    """A column holding a share in 0..1 (the report shows it as per cent)."""
    return bool(SHARE_COLUMN.search(column)) and not PERCENT_COLUMN.search(column) \
        and column not in ("vacancy_rate_percent",)


def is_percent_column(column: str) -> bool:
    """A column already in per cent (0..100)."""
    return bool(PERCENT_COLUMN.search(column))
