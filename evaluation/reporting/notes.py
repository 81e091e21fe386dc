"""Czech wording of the notes the estimators write in English: one catalogue for the reports.

Estimators explain their tables in ``notes`` (``Result.notes``), in English, and the store
keeps them as written (``{"cs": text, "en": text}``). Rather than teach every estimator Czech,
the reports look each note up here: a note is read sentence by sentence (pieces the
estimators write one after another, sometimes in one string), and every piece must match an
entry of :data:`CATALOGUE` — an English template with typed placeholders and its Czech
wording. Placeholders are converted for the Czech reader: numbers and dates in Czech format,
table and step codes as the data contract names them, reasons of exclusions through
:data:`REASONS`. A note with a piece the catalogue does not know gets ``None`` from
:func:`translate_note`; the Czech report then says that a technical note in English is kept
in the results folder, so no English sentence reaches a Czech report.

Placeholder types (the name before an optional digit): ``num`` (number as the estimator
printed it, ``80,000``, ``0.0558``), ``czk`` (an amount, shown with Kč), ``date`` (ISO),
``table`` (a table of the data contract), ``steps`` (step codes, comma-separated), ``p``
(p-value), ``pct`` (``95%`` as a share: ``95 %``), ``pcta`` (adjectival: ``95% interval``),
``text`` (names, kept), ``reason`` (see :data:`REASONS`),
``method`` (see :data:`METHODS`), ``costs`` (``name = N CZK; ...``), ``czklist`` (``Praha
(1,234 CZK), ...``), ``column`` (a column name, as the labels module heads it), ``columns``, ``outcomes``
(``lost_home: 1, left: 2``: episode outcomes with counts), and for the power calculations
``sci`` (``3.16687e+06``), ``mde`` (an effect), ``what``, ``unit``, ``sided``.

Example
-------
>>> translate_note("Excluded 12 row(s) of support_contacts: contact after the as-of date.")
'Vyřazené řádky tabulky „Kontakty podpory“: 12 (kontakt po dni hodnocení).'
>>> translate_note("Chi-square 8.569 on 3 df, p = 0.0356.")
'Chí-kvadrát 8,569 při 3 stupních volnosti, p = 0,036.'
>>> translate_note("Something no catalogue knows.") is None
True
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

NBSP = "\u00a0"

#: (English template, Czech template). Placeholders in braces; literal text is matched exactly.
ENTRIES: tuple[tuple[str, str], ...] = (
    # ---- data quality and scope
    ("Counts of households as of {date}; follow-up {num} months.",
     "Počty domácností ke dni {date}; doba sledování {num} měsíců."),
    ("As of {date}; follow-up {num} months.", "Stav ke dni {date}; doba sledování {num} měsíců."),
    ("all municipalities, programme steps and the whole study period",
     "všechny obce, všechny stupně programu a celé sledované období"),
    ("municipality: {text}", "obec: {text}"),
    ("programme step: {steps}", "stupeň programu: {steps}"),
    ("period: {date1} to {date2}", "období: {date1} až {date2}"),
    ("{num} spell(s) running at the period end were censored there",
     "pobyty trvající na konci období, sledování ukončeno k tomuto dni (cenzurovány): {num}"),
    ("no errors, {num} warning(s); rows with errors are excluded and counted in the ledger",
     "bez chyb, varování: {num}; řádky s chybami se vyřazují a započítávají v evidenci záznamů"),
    ("{num1} error(s), {num2} warning(s); rows with errors are excluded and counted in the ledger",
     "chyby: {num1}, varování: {num2}; řádky s chybami se vyřazují a započítávají v evidenci záznamů"),
    # ---- rows a run's scope left out, by reason (evaluation.runner.selection; table cells "reason: n; ...")
    ("other municipality: {num}", "jiná obec: {num}"),
    ("other pilot municipality: {num}", "jiná pilotní obec: {num}"),
    ("household outside the scope: {num}", "domácnost mimo rozsah běhu: {num}"),
    ("spell outside the scope: {num}", "pobyt mimo rozsah běhu: {num}"),
    ("other programme step: {num}", "jiný stupeň programu: {num}"),
    ("programme household with no spell in this step: {num}", "domácnost programu bez pobytu na tomto stupni: {num}"),
    ("year outside the period: {num}", "rok mimo sledované období: {num}"),
    ("{column} outside the period: {num}", "„{column}“ mimo sledované období: {num}"),
    # ---- the disclosure audit's remarks on totals it could not use (evaluation.reporting.disclosure)
    (("Kontrola zveřejnění: the total of '{column1}' in '{column2}' ({num1}) is not the sum of its parts "
     "({num2}); not used as a margin."),
     ("Kontrola zveřejnění: součet „{column1}“ v řádku „Celkem“ členění „{column2}“ ({num1}) se nerovná "
     "součtu částí ({num2}); jako okrajový součet nebyl použit.")),
    ("Kontrola zveřejnění: {num} total rows in '{column}' for one group; not used as a margin.",
     ("Kontrola zveřejnění: řádků „Celkem“ v členění „{column}“ je v jedné skupině {num}; jako okrajový "
     "součet nebyly použity.")),
    ("Kontrola zveřejnění: row {num}: '{column}' is not the sum of {columns}; not used as a margin.",
     ("Kontrola zveřejnění: v řádku {num} se „{column}“ nerovná součtu sloupců {columns}; jako okrajový "
     "součet nebyl použit.")),
    # ---- exclusions (every analysis)
    ("Excluded {num} row(s) of {table}: {reason}.",
     "Vyřazené řádky tabulky „{table}“: {num} ({reason})."),
    ("excluded {num} row(s): {reason}", "vyřazené řádky: {num} ({reason})"),
    ("excluded {num} row(s): missing {column}", "vyřazené řádky: {num} (chybí údaj „{column}“)"),
    # ---- process: reach, dose, move-in, drop-out, arrears, occupancy, entry
    (("Households and flats with a programme spell that started by {date}; cohorts are the distinct "
     "cohort numbers of those households."),
     ("Domácnosti a byty s pobytem v programu zahájeným do {date}; kohorty jsou různá čísla kohort těchto "
     "domácností.")),
    (("Exposure up to {date}; a household-month is {num} days. Planned intensity applies within the support "
     "period of each step (first months of the spell)."),
     ("Doba v programu do {date}; jeden domácnost-měsíc má {num} dne. Plánovaná intenzita platí v období "
     "podpory každého stupně (první měsíce pobytu).")),
    ("As of {date}.", "Stav ke dni {date}."),
    ("As of {date}", "Stav ke dni {date}."),
    (("Quartiles (linear interpolation) and mean describe households that moved in; households still waiting "
     "are counted separately with the median of their waiting time so far (a lower bound)."),
     ("Kvartily (lineární interpolace) a průměr popisují domácnosti, které se nastěhovaly; domácnosti, které "
     "stále čekají, jsou započteny zvlášť s mediánem dosavadní doby čekání (dolní odhad).")),
    (("Drop-out = eviction, abandonment, leaving voluntarily or other exit within the support period; deaths "
     "are not drop-out."),
     ("Předčasné ukončení = vystěhování, opuštění bytu, dobrovolný odchod nebo jiný odchod v období podpory; "
     "úmrtí se za předčasné ukončení nepočítá.")),
    (("dropout_share = dropout / known_outcome, where spells still running and shorter than the support period "
     "at {date} are censored and left out of known_outcome (a crude share; for time-to-event estimates use "
     "evaluation.retention)."),
     ("Podíl předčasných ukončení = předčasně ukončené / pobyty se známým výsledkem; pobyty, které k {date} "
     "trvaly kratší dobu než období podpory, jsou cenzurované a do jmenovatele se nepočítají (hrubý podíl; "
     "odhady v čase dává analýza udržení bydlení).")),
    (("In arrears = month-end balance above {num} CZK. mean/median_balance over all household-months "
     "(overpayments negative); median_balance_in_arrears over those in arrears."),
     ("Dluh = zůstatek na konci měsíce nad {num} Kč. Průměrný a mediánový zůstatek se počítá ze všech "
     "domácnost-měsíců (přeplatky jsou záporné); medián dluhu dlužníků jen z měsíců s dluhem.")),
    ("Window {date1} to {date2}.", "Období {date1} až {date2}."),
    (("Every flat in the units table counts as available for the whole window (the data contract has no "
     "availability dates); a flat is occupied from the move-in day up to the day before move-out, and "
     "overlapping spells in one flat count once."),
     ("Každý byt z tabulky bytů se počítá jako dostupný po celé období (datový standard neobsahuje data "
     "dostupnosti); byt je obsazený ode dne nastěhování do dne před vystěhováním a překrývající se pobyty "
     "v jednom bytě se počítají jednou.")),
    ("Entry = first programme spell; shares are of entrants in the group (n).",
     "Vstup = první pobyt v programu; podíly jsou z domácností, které do skupiny vstoupily (n)."),
    ("Household type 'single_parent' means children with exactly one non-child member.",
     "Typ domácnosti „jeden rodič s dětmi“ znamená děti a právě jednoho dospělého člena."),
    # ---- process: contact points
    ("Outcome as of the as-of date; a decision dated later counts as pending.",
     "Výsledek ke dni hodnocení; rozhodnutí s pozdějším datem se počítá jako dosud nerozhodnuté."),
    ("Outside statutory cities the municipality stands in for the district.",
     "Mimo statutární města zastupuje obvod celá obec."),
    ("Kaplan–Meier estimate: undecided applications are censored at their age on the as-of date.",
     "Kaplanův–Meierův odhad: nerozhodnuté žádosti jsou cenzurovány dobou, po kterou ke dni hodnocení čekaly."),
    ("Median interval ({pct}) from the log(-log) Greenwood band.",
     "Interval mediánu ({pct}) z Greenwoodova pásu na škále log(−log)."),
    ("NaN: fewer than half (a quarter) decided.",
     "Prázdná hodnota: rozhodnuta méně než polovina (čtvrtina) žádostí."),
    ("mean_days_decided ignores open cases and is biased downwards when many are open.",
     "Průměr dní u rozhodnutých žádostí pomíjí otevřené případy, a je proto podhodnocený, když je jich mnoho."),
    ("Lost = no decision more than {num1} days after submission on the as-of date.",
     ("Žádost bez rozhodnutí déle než {num1} dní = ke dni hodnocení o ní nebylo rozhodnuto více než {num1} dní "
     "po podání.")),
    (("share_lost = lost / old_enough (submitted more than {num} days before the as-of date), Wilson {pcta} "
     "interval."),
     ("Podíl = žádosti bez rozhodnutí / žádosti podané více než {num} dní před dnem hodnocení; {pcta} interval "
     "podle Wilsona.")),
    ("decided_late = decided, but after more than {num} days.",
     "Rozhodnuto později = rozhodnuto, ale až po více než {num} dnech."),
    ("share = applications with the tool / applications where it was recorded.",
     "Podíl = žádosti, u kterých byl nástroj použit / žádosti, u kterých byl údaj zaznamenán."),
    (("processing_time: log-rank test (censoring-aware; Kruskal–Wallis would drop the open cases); effect size "
     "= longest / shortest Kaplan–Meier median."),
     ("Doba vyřízení: log-rank test (respektuje cenzurování; Kruskalův–Wallisův test by otevřené případy "
     "vypustil); velikost efektu = nejdelší / nejkratší Kaplanův–Meierův medián.")),
    (("outcome: decided applications only; lost: no decision after {num} days, among applications old "
     "enough."),
     ("Výsledek žádosti: jen rozhodnuté žádosti; bez rozhodnutí: žádosti bez rozhodnutí po {num} dnech "
     "mezi dostatečně starými žádostmi.")),
    ("Effect size for both is Cramér's V; small expected counts switch to Fisher / Monte-Carlo p-values.",
     ("Velikost efektu je u obou Cramérovo V; při malých očekávaných četnostech se p-hodnota počítá Fisherovým "
     "testem nebo simulací Monte Carlo.")),
    ("Chi-square {num1} on {num2} df, p = {p}.", "Chí-kvadrát {num1} při {num2} stupních volnosti, p = {p}."),
    ("Chi-square {num1} on {num2} df, p = {p}", "Chí-kvadrát {num1} při {num2} stupních volnosti, p = {p}."),
    # ---- retention
    ("{num1} households; censoring date {date}.", "Domácnosti: {num1}; datum cenzurování {date}."),
    ("Time in months (days / {num}).", "Čas v měsících (dny / {num})."),
    ("Time in months.", "Čas v měsících."),
    ("{pcta} confidence intervals from Greenwood's variance, log-log transform.",
     "{pcta} intervaly spolehlivosti z Greenwoodova rozptylu s transformací log(−log)."),
    ("{num} episodes end on their first day ({outcomes}): exit placed at half a day.",
     "Epizody, které skončily první den (odchod se počítá po půl dni): {num} ({outcomes})."),
    ("Households already housed when records start enter the risk set at that date (late entry).",
     ("Domácnosti, které už bydlely, když záznamy začínají, vstupují do rizikové množiny k tomuto dni "
     "(opožděný vstup).")),
    (("Aalen–Johansen estimator; {pcta} intervals from the delta-method variance (Collett {num}) on the "
     "log(-log) scale."),
     "Aalenův–Johansenův odhad; {pcta} intervaly z rozptylu delta metodou (Collett {num}) na škále log(−log)."),
    ("Each exit type's incidence accounts for the competing exits (it is not 1 - Kaplan–Meier).",
     "Incidence každého druhu odchodu zohledňuje konkurenční odchody (není to 1 − Kaplan–Meier)."),
    ("One row per spell: to the next step when the household has a next spell, else to its exit reason.",
     "Jeden řádek na pobyt: přechod na další stupeň, má-li domácnost další pobyt, jinak důvod odchodu."),
    ("Shares are of the spells in each step (rows sum to {num}).",
     "Podíly jsou z pobytů na každém stupni (řádky dávají v součtu {num})."),
    # ---- impact: panels, event study, staggered DiD, wild bootstrap, matching
    ("{num1} observations, {num2} household_id × {num3} month (unbalanced)",
     "Pozorování: {num1}; domácnosti: {num2} × měsíce: {num3} (nevyvážený panel)."),
    ("{num1} observations, {num2} household_id × {num3} month (balanced)",
     "Pozorování: {num1}; domácnosti: {num2} × měsíce: {num3} (vyvážený panel)."),
    ("{num1} observations, {num2} municipality × {num3} year (unbalanced)",
     "Pozorování: {num1}; obce: {num2} × roky: {num3} (nevyvážený panel)."),
    ("{num1} observations, {num2} municipality × {num3} year (balanced)",
     "Pozorování: {num1}; obce: {num2} × roky: {num3} (vyvážený panel)."),
    (("{num} household_id-month observation(s) missing inside units' observed spans (gaps); estimates use "
     "the rows present"),
     ("Chybějící pozorování domácnost-měsíc uvnitř sledovaného období domácnosti (mezery): {num}; odhady "
     "používají dostupné řádky.")),
    (("{num1} treated unit(s), {num2} never treated; event window [{num3}, {num4}], reference {num5}, end "
     "points binned"),
     ("Jednotky v programu: {num1}, nikdy v programu: {num2}; okno události [{num3}, {num4}], referenční "
     "období {num5}, krajní období sloučena.")),
    ("{num1} treated unit(s), {num2} never treated; event window [{num3}, {num4}], reference {num5}",
     ("Jednotky v programu: {num1}, nikdy v programu: {num2}; okno události [{num3}, {num4}], referenční "
     "období {num5}.")),
    ("no never-treated units: the comparison comes from not-yet-treated units only",
     "Žádné jednotky mimo program: srovnání vychází jen z jednotek, které do programu zatím nevstoupily."),
    (("{num} entry cohorts: with effects that differ by cohort, TWFE event-study coefficients mix cohorts and "
     "leads can pick up lagged effects (Sun & Abraham {num2}); compare with staggered_did"),
     ("Kohorty vstupu: {num}; liší-li se účinek mezi kohortami, koeficienty studie událostí s fixními efekty "
     "mísí kohorty a předstihy mohou zachytit zpožděné účinky (Sun a Abraham {num2}); srovnejte s odhadem "
     "podle Callawaye a Sant’Anny.")),
    ("overall effect: average of the event-time effects for e >= {num}",
     "Celkový efekt: průměr efektů podle času od vstupu pro čas od vstupu ≥ {num}."),
    ("overall effect: average of all post-treatment ATT(g,t) weighted by group size",
     "Celkový efekt: průměr všech ATT(g,t) po vstupu vážený velikostí kohorty."),
    ("overall effect: average of the group effects weighted by group size",
     "Celkový efekt: průměr efektů kohort vážený jejich velikostí."),
    ("overall effect: average of the period effects", "Celkový efekt: průměr efektů jednotlivých období."),
    ("standard errors: bootstrap; simultaneous {pcta} bands for the event_time effects (critical value {num})",
     ("Směrodatné chyby: bootstrap; simultánní {pcta} pásy pro efekty podle času od vstupu (kritická hodnota "
     "{num}).")),
    ("standard errors: bootstrap; pointwise {pcta} intervals for the event_time effects",
     "Směrodatné chyby: bootstrap; bodové {pcta} intervaly pro efekty podle času od vstupu."),
    ("standard errors: analytic; pointwise {pcta} intervals for the event_time effects",
     "Směrodatné chyby: analytické; bodové {pcta} intervaly pro efekty podle času od vstupu."),
    ("event times limited to [{num1}, {num2}]", "Čas od vstupu omezen na [{num1}, {num2}]."),
    ("{num1} clusters, {num2} observations", "Klastry: {num1}; pozorování: {num2}."),
    ("{num1} random rademacher draws (seed {num2})",
     "Náhodná losování s Rademacherovými váhami: {num1} (počáteční hodnota {num2})."),
    ("{num1} random webb draws (seed {num2})",
     "Náhodná losování s Webbovými váhami: {num1} (počáteční hodnota {num2})."),
    ("all 2^G = {num} Rademacher sign vectors enumerated (B ignored)",
     "Vyčíslena všechna 2^G = {num} znaménková schémata s Rademacherovými váhami."),
    ("null imposed (WCR); interval by test inversion",
     "S vnucenou nulovou hypotézou (WCR); interval inverzí testu."),
    ("null not imposed (WCU); interval by test inversion of the unrestricted bootstrap",
     "Bez vnucené nulové hypotézy (WCU); interval inverzí testu neomezeného bootstrapu."),
    ("the interval is unbounded: too few clusters for a finite interval at this alpha",
     "Interval je neomezený: klastrů je na konečný interval při této hladině významnosti příliš málo."),
    ("with {num1} clusters the smallest attainable p-value is {num2}",
     "Při {num1} klastrech je nejmenší dosažitelná p-hodnota {num2}."),
    ("fewer than 12 clusters: Webb weights give a less discrete bootstrap distribution (Webb {num})",
     "Méně než 12 klastrů: Webbovy váhy dávají méně diskrétní rozdělení bootstrapu (Webb {num})."),
    (("nearest neighbour {num1}:{num2} on the logit score, without replacement, greedy from the highest score, "
     "caliper {num3} SD = {num4}"),
     ("Párování na nejbližšího souseda {num1}:{num2} podle logitu skóre sklonu, bez vracení, od nejvyššího "
     "skóre; mez (caliper) {num3} směrodatné odchylky = {num4}.")),
    (("{num} treated unit(s) excluded: no comparison unit within the caliper; the estimand is the effect on "
     "the matched treated"),
     ("Vyřazené jednotky v programu bez srovnávací jednotky v mezi: {num}; odhadovaný efekt se týká "
     "spárovaných jednotek v programu.")),
    ("{num1} treated, {num2} comparison units; logit converged: True",
     "Jednotky v programu: {num1}, srovnávací: {num2}; logitový model konvergoval."),
    ("{num1} treated, {num2} comparison units; logit converged: False",
     "Jednotky v programu: {num1}, srovnávací: {num2}; logitový model nekonvergoval."),
    # ---- design (evaluation.design: power and minimum detectable effects, opt-in strand)
    (("The minimum detectable effect ({what}) at {pct1} power and a {pct2} significance level ({sided}) with "
     "{num1} {unit} in the programme and {num2} in the comparison group is {mde}."),
     ("Nejmenší zjistitelný efekt ({what}) při síle testu {pct1} a hladině významnosti {pct2} ({sided}; {unit} "
     "v programu: {num1}, ve srovnávací skupině: {num2}) je {mde}.")),
    ("The minimum detectable effect ({what}) at {pct1} power and a {pct2} significance level ({sided}) is {mde}.",
     "Nejmenší zjistitelný efekt ({what}) při síle testu {pct1} a hladině významnosti {pct2} ({sided}) je {mde}."),
    (("The power for an effect of {mde} ({what}) at a {pct1} significance level ({sided}) with {num1} {unit} in "
     "the programme and {num2} in the comparison group is {pct2}."),
     ("Síla testu pro efekt {mde} ({what}) při hladině významnosti {pct1} ({sided}; {unit} v programu: {num1}, "
     "ve srovnávací skupině: {num2}) je {pct2}.")),
    ("The power for an effect of {mde} ({what}) at a {pct1} significance level ({sided}) is {pct2}.",
     "Síla testu pro efekt {mde} ({what}) při hladině významnosti {pct1} ({sided}) je {pct2}."),
    (("Detecting an effect of {mde} ({what}) with {pct1} power at a {pct2} significance level ({sided}) needs "
     "{num} {unit} ({num1} in the programme and {num2} in the comparison group)."),
     ("Ke zjištění efektu {mde} ({what}) se silou testu {pct1} při hladině významnosti {pct2} ({sided}) je "
     "potřeba: {unit} {num} (v programu {num1}, ve srovnávací skupině {num2}).")),
    (("Detecting an effect of {mde} ({what}) with {pct1} power at a {pct2} significance level ({sided}) needs "
     "{num} {unit}."),
     ("Ke zjištění efektu {mde} ({what}) se silou testu {pct1} při hladině významnosti {pct2} ({sided}) je "
     "potřeba: {unit} {num}.")),
    (("Estimated from two-way fixed-effects residuals over {num1} window(s) of {num2} periods, {num3} units on "
     "average; BPW's Appendix E correction applies."),
     ("Odhadnuto z reziduí modelu s fixními efekty jednotek a období; okna: {num1}, každé o {num2} obdobích, "
     "průměrně {num3} jednotek; s korekcí podle přílohy E práce Burlig, Preonas a Woerman (BPW).")),
    ("{num} unit-window(s) left out: not observed in every period of the window.",
     "Vynechané kombinace jednotky a okna, které nejsou pozorovány ve všech obdobích okna: {num}."),
    ("Estimated from '{column1}' by '{column2}' and '{column3}'.",
     "Odhadnuto z údaje „{column1}“ podle „{column2}“ a „{column3}“."),
    ("Common start for every treated unit (BPW); for staggered entry use simulate_did_power().",
     "Společný začátek pro všechny jednotky v programu (BPW); pro postupný vstup kohort slouží simulace síly."),
    ("AR(1) errors: variance {sci1}, coefficient {sci2}.", "Chyby AR(1): rozptyl {sci1}, koeficient {sci2}."),
    ("Proportion {sci} in the comparison group; pooled-variance z test.",
     "Podíl ve srovnávací skupině {sci}; z test se společným rozptylem."),
    ("Log-rank test, Schoenfeld formula; events needed {num} at the stated power.",
     "Log-rank test, Schoenfeldův vzorec; potřebný počet událostí při uvedené síle testu: {num}."),
    ("Cox model, Wald test of one covariate (Hsieh & Lavori {num}).",
     "Coxův model, Waldův test jedné proměnné (Hsieh a Lavori {num})."),
    (("Coefficient of event time {num1} against {num2}: the DiD of those two periods (balanced panel, common "
     "timing, all other event times with their own coefficient)."),
     ("Koeficient času od vstupu {num1} proti {num2}: rozdíl v rozdílech těchto dvou období (vyvážený panel, "
     "společný začátek, všechny ostatní časy od vstupu s vlastním koeficientem).")),
    (("{num1} placebo experiments per size on '{column}': random windows of {num2} periods ({num3} possible), "
     "random units observed in all of them, random assignment; TWFE DiD with CR1 errors clustered by unit, t "
     "test with units - 1 df."),
     ("Placebo experimenty na každou velikost výběru: {num1}, údaj „{column}“: náhodná okna o {num2} obdobích "
     "(možných {num3}), náhodné jednotky pozorované ve všech obdobích, náhodné přiřazení; rozdíl v rozdílech "
     "s fixními efekty a chybami CR1 shlukovanými podle jednotek, t test s počtem jednotek − 1 stupni "
     "volnosti.")),
    # ---- economics
    # (the economic evaluation by stated convention, evaluation.economics.economic_evaluation)
    ("Declared perspective: the public sector as a whole; both perspectives are reported.",
     "Zvolená perspektiva: veřejný sektor jako celek; vykazují se obě perspektivy."),
    ("Declared perspective: the municipal budget; both perspectives are reported.",
     "Zvolená perspektiva: rozpočet obce; vykazují se obě perspektivy."),
    ("Declared perspective: the public sector as a whole; both perspectives shown.",
     "Zvolená perspektiva: veřejný sektor jako celek; uvádějí se obě perspektivy."),
    ("Declared perspective: the municipal budget; both perspectives shown.",
     "Zvolená perspektiva: rozpočet obce; uvádějí se obě perspektivy."),
    (("Municipal budget: the municipality's share of each item; public sector as a whole: municipality, state and "
      "regions, EU funds."),
     ("Rozpočet obce: podíl obce na každé položce; veřejný sektor jako celek: obec, stát a kraje, fondy EU.")),
    (("Each unit cost brought from its own price year to the price year by the CPI; 'assumption' marks a value to "
      "be replaced by local figures."),
     ("Každý jednotkový náklad je přepočten z cen svého roku do cenové úrovně indexem spotřebitelských cen; "
      "„předpoklad“ označuje hodnotu, kterou mají nahradit místní údaje.")),
    # (years are {text}: a year is not a number to format)
    (("Costs in {text1} prices: each month's amount x CPI({text2}) / CPI(its year); index: Consumer price index "
      "(CPI), annual average (Český statistický úřad (ČSÚ), {date}; years {text3}–{text4})."),
     ("Náklady v cenách roku {text1}: částka každého měsíce × CPI({text2}) / CPI(jejího roku); index: index "
      "spotřebitelských cen, roční průměr (Český statistický úřad, {date}; roky {text3}–{text4}).")),
    (("Household-months: days in a spell of the step within the months the municipality's costs cover / 30.4375; "
      "shared costs allocated to the housing steps by household-months."),
     ("Měsíce pobytu domácností: dny pobytu ve stupni v měsících, které náklady obce pokrývají, / 30,4375; "
      "společné náklady rozpočteny na stupně bydlení podle měsíců pobytu domácností.")),
    ("Costs of municipalities without programme households are not programme costs here: {czklist}.",
     "Náklady obcí bez domácností programu zde nejsou náklady programu: {czklist}."),
    ("Every cost item counted (all payers).", "Započteny všechny nákladové položky (všichni plátci)."),
    (("Cost per household: expected cost of the programme steps in the first {num} months after entry, "
      "undiscounted and discounted at {pct} a year by month since entry."),
     ("Náklady na domácnost: očekávané náklady stupňů programu v prvních {num} měsících od vstupu, "
      "nediskontované a diskontované sazbou {pct} ročně podle měsíce od vstupu.")),
    ("Cost per household-year in the programme: cost per household / (months in the programme / 12).",
     "Náklady na rok podpory: náklady na domácnost / (měsíce v programu / 12)."),
    (("Housed share: Kaplan–Meier probability of still being housed {num} months after entry (losing the home, "
      "leaving or death end the episode; moves up and standard leases do not); cost per sustained tenancy = cost "
      "per household (undiscounted) / housed share; interval: household bootstrap, percentile."),
     ("Podíl v bydlení: Kaplanův–Meierův odhad pravděpodobnosti, že domácnost bydlí ještě {num} měsíců po vstupu "
      "(epizodu ukončí ztráta bydlení, odchod nebo úmrtí, ne posun na vyšší stupeň či standardní nájem); náklady "
      "na udržené bydlení = náklady na domácnost (nediskontované) / podíl v bydlení; interval: percentilový "
      "bootstrap po domácnostech.")),
    (("An offset counts only where its effect is established (evaluation.findings status 'effect' at the declared "
      "grade); otherwise it counts 0 and appears in the sensitivity analyses only."),
     ("Úspora se započte jen tam, kde je její efekt prokázán (pravidla síly důkazů, nejméně stanovená jistota); "
      "jinak se počítá nulou a objevuje se jen v analýzách citlivosti.")),
    (("Shelter nights and children in care: Callaway–Sant'Anna against waiting-list households; losing the home: "
      "Cox model adjusted for the households' characteristics, standardised over the programme households (never "
      "the comparison group's raw risk)."),
     ("Noci v azylových zařízeních a děti v péči mimo rodinu: Callaway–Sant'Anna vůči domácnostem na čekací "
      "listině; ztráta bydlení: Coxův model očištěný o vlastnosti domácností, standardizovaný na domácnosti "
      "programu (nikdy neočištěné riziko srovnávací skupiny).")),
    ("Offset = -effect x unit cost; discounted by month since entry at {pct} a year.",
     "Úspora = −efekt × jednotkový náklad; diskontováno podle měsíce od vstupu sazbou {pct} ročně."),
    ("Discounted by month since entry at {pct1} a year (alternative {pct2}); undiscounted beside.",
     "Diskontováno podle měsíce od vstupu sazbou {pct1} ročně (alternativně {pct2}); vedle nediskontovaně."),
    (("Offsets counted (effect established): {items1}. Not counted (effect not established; in the sensitivity "
      "analyses only): {items2}."),
     ("Započtené úspory (efekt prokázán): {items1}. Nezapočtené (efekt neprokázán; jen v analýzách citlivosti): "
      "{items2}.")),
    (("Outcome costs: the programme households' own use of the offset resources, valued; without the programme = "
      "with it minus the counted effects."),
     ("Náklady výsledků: oceněné využití služeb domácnostmi programu; bez programu = s programem minus započtené "
      "efekty.")),
    (("Each input moved alone to its low and high value; effects to the ends of their interval (counted even where "
      "not established), unit costs over their stated range, the programme cost by its bootstrap interval, the "
      "discount rate over its range."),
     ("Každý vstup posunut samostatně na svou dolní a horní hodnotu: efekty na meze intervalu (započtené i tam, "
      "kde nejsou prokázány), jednotkové náklady v uvedeném rozpětí, náklady programu v intervalu bootstrapu, "
      "diskontní sazba v jejím rozpětí.")),
    (("Effects normal on their estimate; unit costs gamma (mean = value, SD = range / 3.92); programme cost gamma "
      "with its household-bootstrap relative standard error."),
     ("Efekty normálně kolem odhadu; jednotkové náklady gama rozdělením (průměr = hodnota, SD = rozpětí / 3,92); "
      "náklady programu gama rozdělením s relativní směrodatnou chybou z bootstrapu po domácnostech.")),
    (("Scenario 'established': only the offsets whose effect is established count (the base case); 'all_effects': "
      "every estimated effect counts."),
     ("Scénář „jen prokázané efekty“: počítají se jen úspory s prokázaným efektem (základní případ); „všechny "
      "odhadnuté efekty“: počítá se každý odhadnutý efekt.")),
    ("Monte Carlo seed {num}.", "Počáteční hodnota simulace Monte Carlo: {num}."),
    ("Shared costs: allocated to steps in proportion to households supported.",
     "Společné náklady jsou rozpočteny na stupně v poměru počtu podpořených domácností."),
    (("Households supported: programme households with any spell in the step (direct entrants and households "
     "that moved up into it; direct entrants are shown separately)."),
     ("Podpořené domácnosti: domácnosti programu s pobytem na daném stupni (přímo nastěhované i ty, které na "
     "stupeň postoupily z nižšího; přímo nastěhované jsou uvedeny zvlášť).")),
    (("Sustained tenancies = households x Kaplan–Meier probability of still being housed {num} months after "
     "entering the step (any exit other than a move up or a standard lease is a failure)."),
     ("Udržená bydlení = domácnosti × Kaplanův–Meierův odhad pravděpodobnosti, že domácnost bydlí ještě {num} "
     "měsíců po vstupu na stupeň (každý odchod kromě posunu na vyšší stupeň nebo do standardního nájmu je "
     "neúspěch).")),
    ("Interval for cost per sustained tenancy: household bootstrap, percentile; costs are totals.",
     "Interval nákladů na udržené bydlení: percentilový bootstrap po domácnostech; náklady jsou pevné úhrny."),
    ("Unit costs: {costs} (assumptions unless replaced).",
     "Jednotkové náklady: {costs} (předpoklady, dokud je nenahradí místní údaje)."),
    (("Offset = -(programme effect per treated household-month, staggered difference-in-differences against "
     "never-treated comparison households) x unit cost x {num} treated months per programme household."),
     ("Úspora = −(účinek programu na domácnost a měsíc v programu, rozdíl v rozdílech s postupným vstupem proti "
     "srovnávacím domácnostem, které do programu nevstoupily) × jednotkový náklad × {num} měsíců v programu "
     "na domácnost programu.")),
    (("Intervals: from the effects' standard errors (household-clustered influence functions); programme cost "
     "is a total."),
     ("Intervaly vycházejí ze směrodatných chyb účinků (vlivové funkce shlukované podle domácností); náklady "
     "programu jsou pevný úhrn.")),
    ("Programme cost: housing-programme cost centres of {text} with their share of shared costs ({czk} CZK).",
     ("Náklady programu: nákladová střediska bytových programů (obce {text}) včetně jejich podílu na "
     "společných nákladech ({czk} Kč).")),
    ("Costs of municipalities without analysed programme households are not included: {czklist}.",
     "Náklady obcí bez analyzovaných domácností programu nejsou zahrnuty: {czklist}."),
    (("{num1} households ({num2} programme) without an outcome in every quarter (e.g. after a death) were "
     "excluded to balance the panel."),
     ("Aby byl panel vyvážený, byly vyřazeny domácnosti bez výsledku v každém čtvrtletí (např. po úmrtí): "
     "{num1}, z toho v programu {num2}.")),
    (("Valued outcome: pre-test of parallel trends ({method}, {num1} draws; {num2} pre-treatment ATT(g,t) = "
     "{num3}): max |t| = {num4}, p = {p}."),
     ("Oceňovaný výsledek: test paralelních trendů ({method}, losování: {num1}; předtrendových ATT(g,t) "
     "rovných {num3}: {num2}): max |t| = {num4}, p = {p}.")),
    (("Valued outcome: pre-test of parallel trends ({method}; {num2} pre-treatment ATT(g,t) = {num3}): "
     "{text} = {num4}, p = {p}."),
     ("Oceňovaný výsledek: test paralelních trendů ({method}; předtrendových ATT(g,t) rovných {num3}: {num2}): "
     "{text} = {num4}, p = {p}.")),
    (("Comparison-group risk of losing the home (eviction or abandonment) over the treated months: {num1}, "
     "estimated from its tenancies (Aalen–Johansen; {num2} households; unadjusted for differences between "
     "the groups)."),
     ("Riziko ztráty bydlení (vystěhování nebo opuštění bytu) ve srovnávací skupině za měsíce v programu: "
     "{num1}, odhadnuté z jejích nájemních vztahů (Aalen–Johansen; domácnosti: {num2}; bez očištění o rozdíly "
     "mezi skupinami).")),
    ("Comparison-group risk of losing the home: {num}, as given (no sampling error counted).",
     "Riziko ztráty bydlení ve srovnávací skupině: {num}, zadané (výběrová chyba se nezapočítává)."),
    ("Programme risk of losing the home over the treated months: {num} (Aalen–Johansen, from entry).",
     "Riziko ztráty bydlení domácností programu za měsíce v programu: {num} (Aalen–Johansen, od vstupu)."),
    ("Losing the home (eviction or abandonment) is valued at the eviction unit cost.",
     "Ztráta bydlení (vystěhování nebo opuštění bytu) se oceňuje jednotkovým nákladem vystěhování."),
    (("Effects from {num1} programme and {num2} comparison households; programme cost per household over all "
     "{num3} programme households."),
     ("Účinky z domácností programu: {num1} a srovnávacích domácností: {num2}; náklady programu na domácnost "
     "ze všech domácností programu: {num3}.")),
    # ---- need
    ("Source: applications; an applicant leaves the stock at the first decision granted/withdrawn.",
     "Zdroj: žádosti; žadatel ze stavu nouze odchází prvním rozhodnutím o vyhovění nebo zpětvzetím."),
    ("Stock before the first recorded entry is unknown and taken as zero, so early periods understate it.",
     ("Stav před prvním zaznamenaným vstupem není znám a počítá se jako nula, první období jsou proto "
     "podhodnocená.")),
    (("Horizon {num1} periods, target reduction {pct1}, average stay {num2} periods, {pct2} needing intensive "
     "support, current capacity {num3} flats."),
     ("Horizont {num1} období, cílové snížení {pct1}, průměrná doba pobytu {num2} období, intenzivní podporu "
     "potřebuje {pct2}, současná kapacita {num3} bytů.")),
    (("Baseline = current system (observed exits continue); additional flats are on top of the current "
     "capacity."),
     ("Výchozí stav = současný systém (pozorované odchody pokračují); další byty jsou navíc k současné "
     "kapacitě.")),
    ("_low/_high: {pcta} range from the uncertainty of inflow and exit rate.",
     "Dolní a horní mez: {pcta} rozpětí z nejistoty přítoku a míry odchodů."),
    (("share = flats in an SVL / flats with the SVL flag recorded; flats without the flag are counted in "
     "not_recorded and left out of the share."),
     ("Podíl = byty v sociálně vyloučené lokalitě / byty s vyplněným údajem o lokalitě; byty bez údaje jsou "
     "uvedeny zvlášť a do podílu se nepočítají.")),
)

#: Reasons of exclusions (``ExclusionLog.add``): English template -> Czech (placeholders as above).
REASON_ENTRIES: tuple[tuple[str, str], ...] = (
    ("comparison-group household", "domácnost srovnávací skupiny"),
    ("comparison-group households are not programme reach", "domácnosti srovnávací skupiny nejsou dosahem programu"),
    ("spell starts after the as-of date", "pobyt začíná po dni hodnocení"),
    ("spell starts after the as-of date {date}", "pobyt začíná po dni hodnocení {date}"),
    ("spell not in a programme flat (no unit_id)", "pobyt mimo byt programu (bez identifikace bytu)"),
    ("spell overlaps an earlier spell in the same flat (overlap counted once)",
     "pobyt se překrývá s dřívějším pobytem ve stejném bytě (překryv se počítá jednou)"),
    ("unit_id not in the units table", "byt není v tabulce bytů"),
    ("step not in the pilot plan", "stupeň, který plán pilotu neobsahuje"),
    ("spell at a step not in the pilot plan ({steps})", "pobyt na stupni, který plán pilotu neobsahuje: {steps}"),
    ("contact after the as-of date", "kontakt po dni hodnocení"),
    ("duration (minutes) is empty", "chybí délka kontaktu (minuty)"),
    ("contact not during a programme spell (before move-in or after move-out)",
     "kontakt mimo pobyt v programu (před nastěhováním nebo po odchodu)"),
    ("contact during a spell at a step not in the pilot plan ({steps})",
     "kontakt během pobytu na stupni, který plán pilotu neobsahuje: {steps}"),
    ("referral date is empty", "chybí datum doporučení"),
    ("referred after the as-of date", "doporučení po dni hodnocení"),
    ("first move-in precedes the referral date (referral recorded late)",
     "první nastěhování předchází datu doporučení (doporučení zapsáno pozdě)"),
    ("moved in before the referral date (never in the need stock as recorded)",
     "nastěhování před datem doporučení (podle záznamů nikdy ve stavu nouze)"),
    ("programme household without a spell", "domácnost programu bez pobytu"),
    ("programme household without a spell by the as-of date", "domácnost programu bez pobytu do dne hodnocení"),
    ("tenancy_id not in the tenancies table", "nájemní vztah není v tabulce nájemních vztahů"),
    ("arrears balance is empty", "chybí zůstatek dluhu"),
    ("month after the as-of date", "měsíc po dni hodnocení"),
    ("submitted after the as-of date", "podána po dni hodnocení"),
    ("submitted after the as-of date {date}", "podána po dni hodnocení {date}"),
    ("submission date is empty", "chybí datum podání"),
    ("further application of an applicant already in the stock (one episode per applicant)",
     "další žádost žadatele, který už ve stavu nouze je (jedna epizoda na žadatele)"),
    ("flat has no area_code", "byt nemá kód území"),
    ("flat's area_code is not in the population frame", "kód území bytu není v tabulce obyvatel"),
    ("household size is empty", "chybí velikost domácnosti"),
    ("{column} is empty", "chybí údaj „{column}“"),
)

#: Method labels of the pre-tests of parallel trends (evaluation.impact.staggered_pretest.METHOD_LABELS).
METHODS: dict[str, str] = {
    "Wald, chi-square reference (as R did)": "Waldův test, rozdělení chí-kvadrát (jako balík R did)",
    "sup-t, multiplier bootstrap (R did's uniform band)": "sup-t test, multiplikátorový bootstrap "
                                                          "(simultánní pás balíku R did)",
    "Wald, studentised wild bootstrap with the null imposed": "Waldův test, studentizovaný divoký bootstrap "
                                                              "s vnucenou nulovou hypotézou",
    "sup-t, studentised wild bootstrap with the null imposed": "sup-t test, studentizovaný divoký bootstrap "
                                                               "s vnucenou nulovou hypotézou",
    "Hotelling-type F by group, combined by Fisher's method": "F test Hotellingova typu po kohortách, "
                                                              "spojený Fisherovou metodou",
}

#: What a power calculation's effect is (evaluation.design.result.EFFECT_LABELS).
EFFECTS: dict[str, str] = {
    "difference in means": "rozdíl průměrů",
    "proportion in the programme group": "podíl v programu",
    "hazard ratio": "poměr rizik",
    "hazard ratio per unit of the covariate": "poměr rizik na jednotku proměnné",
    "difference-in-differences": "rozdíl v rozdílech",
    "effect in the given period after entry": "efekt v daném období po vstupu",
    "effect": "efekt",
}

#: Unit costs named in the economics notes (evaluation.economics.UnitCosts fields).
UNIT_COSTS: dict[str, str] = {
    "shelter_night": "noc v azylovém zařízení",
    "eviction": "vystěhování",
    "child_in_care_month": "měsíc péče o dítě mimo rodinu",
}

_TYPES: dict[str, str] = {
    "num": r"-?\d[\d,]*(?:\.\d+)?",
    "czk": r"-?\d[\d,]*(?:\.\d+)?",
    "date": r"\d{4}-\d{2}-\d{2}",
    "table": r"[a-z_]+",
    "steps": r"[a-z_]+(?:, [a-z_]+)*",
    "p": r"\d+(?:\.\d+)?(?:e-?\d+)?",
    "pct": r"\d+(?:\.\d+)?%",
    "pcta": r"\d+(?:\.\d+)?%",
    "text": r"[^.;()]+",
    "reason": r"[^;]+?",
    "method": r"[^;()]+?(?:\([^()]*\))?",
    "costs": r"\w+ = [\d,.]+ CZK(?:; \w+ = [\d,.]+ CZK)*",
    "czklist": r"[^()]+ \([\d,.]+ CZK\)(?:, [^()]+ \([\d,.]+ CZK\))*",
    "column": r"[a-z_]+",
    "columns": r"[a-z_]+(?:, [a-z_]+)*",
    "items": r"[a-z_]+(?:, [a-z_]+)*",
    "outcomes": r"[a-z_]+: \d+(?:, [a-z_]+: \d+)*",
    "sci": r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?",
    "mde": r"-?[\d,]+(?:\.\d+)?%?(?: \(a difference of -?[\d.]+ percentage points\))?",
    "what": r"[a-z -]+",
    "unit": r"households|clusters|units",
    "sided": r"two-sided|one-sided",
}
_PLACEHOLDER = re.compile(r"\{([a-z]+)(\d*)\}")


@dataclass(frozen=True)
class NotePattern:
    """One catalogue entry: the compiled English template and the Czech wording."""

    english: str
    czech: str
    regex: re.Pattern[str]

    def render(self, match: re.Match[str]) -> str | None:
        values = {}
        for name, value in match.groupdict().items():
            converted = _convert(re.sub(r"\d+$", "", name), value)
            if converted is None:
                return None
            values[name] = converted
        return self.czech.format(**values)


def _compile(english: str, *, whole: bool) -> re.Pattern[str]:
    parts, last = [], 0
    for placeholder in _PLACEHOLDER.finditer(english):
        kind = placeholder.group(1)
        if kind not in _TYPES:
            raise ValueError(f"unknown placeholder {{{kind}}} in note template {english!r}")
        parts.append(re.escape(english[last:placeholder.start()]))
        parts.append(f"(?P<{kind}{placeholder.group(2)}>{_TYPES[kind]})")
        last = placeholder.end()
    parts.append(re.escape(english[last:]))
    # a piece ends the note or is followed by the next piece
    return re.compile("".join(parts) + (r"\Z" if whole else r"(?=[\s;]|\Z)"))


@lru_cache(maxsize=1)
def catalogue() -> tuple[NotePattern, ...]:
    """The compiled :data:`ENTRIES`."""
    return tuple(NotePattern(en, cs, _compile(en, whole=False)) for en, cs in ENTRIES)


@lru_cache(maxsize=1)
def _reasons() -> tuple[NotePattern, ...]:
    return tuple(NotePattern(en, cs, _compile(en, whole=True)) for en, cs in REASON_ENTRIES)


def _number(text: str) -> str:
    from evaluation.reporting.formatting import format_number

    plain = text.replace(",", "")
    decimals = len(plain.split(".")[1]) if "." in plain else 0
    return format_number(float(plain), "cs", decimals)


def _p_value(text: str) -> str:
    from evaluation.reporting.formatting import format_p_value

    return format_p_value(float(text), "cs")


def _design_value(text: str) -> str:
    """An effect of a power calculation: a number, or a share with its difference in points."""
    match = re.fullmatch(r"(-?[\d,]+(?:\.\d+)?)(%?)(?: \(a difference of (-?[\d.]+) percentage points\))?", text)
    value = _number(match.group(1)) + (f"{NBSP}%" if match.group(2) else "")
    return value + (f" (rozdíl {_number(match.group(3))} procentního bodu)" if match.group(3) else "")


def _czk_list(text: str) -> str:
    return re.sub(r"([\d,.]+) CZK", lambda m: f"{_number(m.group(1))}{NBSP}Kč", text)


def _costs(text: str) -> str | None:
    items = []
    for item in text.split("; "):
        name, amount = item.split(" = ")
        if name not in UNIT_COSTS:
            return None
        items.append(f"{UNIT_COSTS[name]} {_number(amount.removesuffix(' CZK'))}{NBSP}Kč")
    return "; ".join(items)


def _label(code: str, column: str) -> str:
    from evaluation.reporting.labels import value_label

    return value_label(code, column, "cs") or code.replace("_", " ")


def _column(code: str) -> str:
    from evaluation.reporting.labels import column_label

    known = column_label(code)
    return known[0] if known else code.replace("_", " ")


def _offset_item(code: str) -> str:
    """An offset item of the economic evaluation in Czech (``none``: none)."""
    from evaluation.economics.words import OFFSET_ITEMS, word

    return "žádné" if code == "none" else word(OFFSET_ITEMS, code, "cs")


def _reason(text: str) -> str | None:
    for pattern in _reasons():
        match = pattern.regex.match(text)
        if match:
            return pattern.render(match)
    return None


_CONVERTERS: dict[str, Callable[[str], str | None]] = {
    "num": _number,
    "czk": _number,
    "date": lambda text: __import__("evaluation.reporting.formatting", fromlist=["format_date"]).format_date(
        text, "cs"),
    "table": lambda code: _label(code, "table"),
    "steps": lambda codes: ", ".join(_label(c, "step") for c in codes.split(", ")),
    "p": _p_value,
    "pct": lambda text: f"{_number(text.removesuffix('%'))}{NBSP}%",
    # adjectival use (a 95% interval: "95% interval" in Czech too)
    "pcta": lambda text: f"{_number(text.removesuffix('%'))}%",
    "text": lambda text: text,
    "reason": _reason,
    "method": METHODS.get,
    "costs": _costs,
    "czklist": _czk_list,
    "column": _column,
    "columns": lambda codes: ", ".join(f"„{_column(c)}“" for c in codes.split(", ")),
    "items": lambda codes: ", ".join(_offset_item(c) for c in codes.split(", ")),
    "sci": lambda text: __import__("evaluation.reporting.formatting", fromlist=["format_number"]).format_number(
        float(text), "cs"),
    "mde": lambda text: _design_value(text),
    "what": EFFECTS.get,
    "unit": {"households": "domácnosti", "clusters": "klastry", "units": "jednotky"}.get,
    "sided": {"two-sided": "oboustranně", "one-sided": "jednostranně"}.get,
    "outcomes": lambda items: ", ".join(f"{_label(code, 'cause')}: {n}"
                                        for code, n in (item.split(": ") for item in items.split(", "))),
}


def _convert(kind: str, value: str) -> str | None:
    return _CONVERTERS[kind](value)


def translate_note(text: str) -> str | None:
    """The Czech wording of an estimator's English note, or None when a piece is not in the catalogue.

    The note is read from the start: at each position the longest catalogue entry that
    matches (and whose placeholders convert) is taken, then the next piece.
    """
    text = " ".join(str(text).split())
    position, pieces = 0, []
    while position < len(text):
        best: tuple[int, str] | None = None
        for pattern in catalogue():
            match = pattern.regex.match(text, position)
            if match is None or (best is not None and match.end() <= best[0]):
                continue
            rendered = pattern.render(match)
            if rendered is not None:
                best = (match.end(), rendered)
        if best is None:
            return None
        position, piece = best
        # pieces follow one another with a space, or a semicolon (a list of reasons)
        separator = re.compile(r";?\s*").match(text, position)
        position = separator.end()
        pieces.append(piece + ("; " if ";" in separator.group(0) and position < len(text) else " "))
    from evaluation.reporting.czech import polish

    return polish("".join(pieces).strip(), "cs")


def untranslated(notes: Iterable[str]) -> list[str]:
    """The notes of ``notes`` that :func:`translate_note` cannot word in Czech (for tests and checks)."""
    return [note for note in dict.fromkeys(notes) if translate_note(note) is None]
