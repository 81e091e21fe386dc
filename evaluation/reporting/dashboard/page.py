"""The dashboard as one HTML file: the page, its style and script inline, the data as JSON.

Nothing is loaded from elsewhere (no CDN, no fonts, no server), so the file opens from a shared
drive or an e-mail attachment and works offline. The data are the cells of the published tables
(:mod:`evaluation.reporting.dashboard.payload`); the script draws them as inline SVG.

Example
-------
>>> html = dashboard_html("output/published/results", lang="en")     # doctest: +SKIP
>>> html.count("<script src=")                                        # doctest: +SKIP
0
"""

from __future__ import annotations

import html as _html
import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

from evaluation.errors import EvaluationError
from evaluation.reporting.dashboard.payload import LANGS, dashboard_payload

#: Words of the page in both languages (the tables' own titles and labels come with the data).
UI: dict[str, dict[str, str]] = {
    "cs": {
        "title": "Kontaktní místa pro bydlení: průběžný přehled",
        "scope": "Rozsah výsledků", "region": "Kraj", "place": "Kontaktní místo",
        "all_regions": "Všechny kraje", "all_places": "Všechna kontaktní místa",
        "no_regions": "Výsledky neuvádějí kraje (zadejte adresář kontaktních míst s krajem).",
        "tile_applications": "Přijaté žádosti", "tile_decided": "Rozhodnuté žádosti",
        "tile_undecided": "Dosud nerozhodnuté žádosti", "tile_lost": "Ztracené žádosti (bez rozhodnutí po 90 dnech)",
        "tile_share_lost": "Podíl ztracených žádostí", "tile_median": "Medián doby vyřízení (dny)",
        "panel_applications": "Přijaté žádosti po čtvrtletích", "panel_decisions": "Výsledky žádostí",
        "panel_processing": "Doba vyřízení žádostí", "panel_lost": "Ztracené žádosti",
        "panel_tools": "Použité nástroje", "panel_equality": "Rovnost péče mezi obvody",
        "panel_need": "Bytová nouze podle kategorií ETHOS",
        "table": "Tabulka", "days": "dní", "ci": "95% interval spolehlivosti", "iqr": "mezikvartilové rozpětí",
        "sum_of": "součet {n} míst (všechny části zveřejněny)",
        "busiest": "Čáry {n} kontaktních míst s nejvíce žádostmi z {of}; ostatní ukáže výběr kraje nebo místa.",
        "sum_hidden": "součet nelze uvést: některé části jsou skryté", "choose_one": "vyberte jedno kontaktní místo",
        "no_rows": "výběr nemá v této tabulce řádky",
        "hidden_small": "Méně než práh zveřejnění (skryto kvůli ochraně soukromí)",
        "hidden_x": "Skryto, aby malý počet nešlo dopočítat z ostatních údajů",
        "hidden_point": "skryto (ochrana soukromí)", "hidden_part": "skryté počty",
        "gaps": "Prázdné kroužky na ose jsou čtvrtletí se skrytým počtem; čára je v nich přerušena.",
        "processing_reading": "Tečka: medián dní od podání do rozhodnutí (Kaplan–Meier, nerozhodnuté žádosti "
                              "cenzorovány), úsečka: 95% interval spolehlivosti, pruh: mezikvartilové rozpětí.",
        "lost_reading": "Podíl žádostí starších 90 dní, o nichž nebylo rozhodnuto; úsečka: 95% interval (Wilson).",
        "equality_scope": "Testy porovnávají všechny obvody rozsahu najednou (hladina významnosti 5 %); filtry je "
                          "nemění.",
        "eq_differs": "obvody se liší více, než by vysvětlila náhoda",
        "eq_same": "rozdíly mezi obvody nejsou průkazné", "eq_unknown": "test nebyl zveřejněn",
        "need_scope": "Bytová nouze je za celý rozsah výsledků; filtry kraje a kontaktního místa ji nemění.",
        "need_reading": "Pruhy: {column}.",
        "not_published": "Tuto tabulku zveřejněné výsledky neobsahují.",
        "nothing": "Zveřejněné výsledky neobsahují tabulky kontaktních míst.",
        "needs_script": "Přehled kreslí grafy JavaScriptem v prohlížeči; povolte ho pro tento soubor.",
        "results_of": "Výsledky ze dne", "threshold": "práh zveřejnění", "built": "přehled sestaven",
        "source": "Zdroj: zveřejněné (chráněné) výsledky běhu; přehled ukazuje jen to, co ukazují zprávy.",
        "symbols": "Značky: „<5“ méně než 5 (skryto kvůli ochraně soukromí); „x“ skryto, aby malý počet nešlo "
                   "dopočítat ze součtů nebo jiných údajů tabulky.",
    },
    "en": {
        "title": "Housing contact points: monitoring overview",
        "scope": "Scope of results", "region": "Region", "place": "Contact point",
        "all_regions": "All regions", "all_places": "All contact points",
        "no_regions": "The results name no regions (give a directory of contact points with their region).",
        "tile_applications": "Applications received", "tile_decided": "Applications decided",
        "tile_undecided": "Applications not yet decided", "tile_lost": "Lost applications (no decision after 90 days)",
        "tile_share_lost": "Share of applications lost", "tile_median": "Median processing time (days)",
        "panel_applications": "Applications received by quarter", "panel_decisions": "Outcomes of applications",
        "panel_processing": "Application processing time", "panel_lost": "Lost applications",
        "panel_tools": "Tools used", "panel_equality": "Equality of care between districts",
        "panel_need": "Housing need by ETHOS category",
        "table": "Table", "days": "days", "ci": "95% confidence interval", "iqr": "interquartile range",
        "sum_of": "sum of {n} places (every part published)",
        "busiest": "Lines of the {n} contact points with the most applications of {of}; choose a region or a "
                   "contact point for the others.",
        "sum_hidden": "no sum: some parts are hidden", "choose_one": "choose one contact point",
        "no_rows": "the selection has no rows in this table",
        "hidden_small": "Below the disclosure threshold (hidden to protect privacy)",
        "hidden_x": "Hidden so that a small number cannot be worked out from other figures",
        "hidden_point": "hidden (privacy)", "hidden_part": "hidden counts",
        "gaps": "Open circles on the axis are quarters with a hidden count; the line breaks there.",
        "processing_reading": "Dot: median days from submission to decision (Kaplan–Meier, undecided applications "
                              "censored), line: 95% confidence interval, band: interquartile range.",
        "lost_reading": "Share of applications older than 90 days with no decision; line: 95% interval (Wilson).",
        "equality_scope": "The tests compare all districts of the scope at once (5% significance level); the "
                          "filters do not change them.",
        "eq_differs": "districts differ more than chance would explain",
        "eq_same": "no clear difference between districts", "eq_unknown": "test not published",
        "need_scope": "Housing need is for the whole scope of results; the region and contact point filters do "
                      "not change it.",
        "need_reading": "Bars: {column}.",
        "not_published": "The published results do not contain this table.",
        "nothing": "The published results contain no contact-point tables.",
        "needs_script": "The overview draws its charts with JavaScript in the browser; allow it for this file.",
        "results_of": "Results of", "threshold": "disclosure threshold", "built": "overview built",
        "source": "Source: the run's published (protected) results; the overview shows only what the reports show.",
        "symbols": "Symbols: “<5” fewer than 5 (hidden to protect privacy); “x” hidden so that a small number "
                   "cannot be worked out from the totals or other figures of the table.",
    },
}


def _asset(name: str) -> str:
    return resources.files("evaluation.reporting.dashboard").joinpath("static", name).read_text(encoding="utf-8")


def _script_json(payload: Any) -> str:
    """JSON safe inside a <script> element (no ``</script>`` or ``<!--`` can end it early)."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def dashboard_html(published: str | os.PathLike[str], *, lang: str = "cs",
                   directory: str | os.PathLike[str] | None = None) -> str:
    """The dashboard page over the published results folder ``published``, opening in ``lang``
    (the page switches language itself). ``directory``: optional CSV naming each contact point's
    district and region (see :func:`evaluation.reporting.dashboard.payload.read_directory`)."""
    if lang not in LANGS:
        raise EvaluationError(f"the dashboard language must be one of {', '.join(LANGS)}, not {lang!r}")
    payload = {**dashboard_payload(published, directory=directory), "lang": lang}
    words = UI[lang]
    meta = " · ".join(part for part in (
        f"<span data-ui='results_of'>{words['results_of']}</span> {_html.escape(payload['results_date'])}"
        if payload["results_date"] else "",
        f"<span data-ui='threshold'>{words['threshold']}</span> {payload['threshold']}" if payload["threshold"] else "",
        f"<span data-ui='built'>{words['built']}</span> {payload['built']}",
        f"evaluation {_html.escape(str(payload['version']))}") if part)
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="evaluation {_html.escape(str(payload['version']))}">
<title>{_html.escape(words['title'])}</title>
<style>
{_asset('dashboard.css')}
</style>
</head>
<body>
<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>
<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
<rect width="6" height="6" fill="#fff"/><rect width="3" height="6" fill="#bbb"/></pattern></defs></svg>
<header>
<h1 data-ui="title">{_html.escape(words['title'])}</h1>
<div class="meta">{meta}</div>
<div class="filters">
<label><span data-ui="scope">{words['scope']}</span><select id="f-scope"></select></label>
<label><span data-ui="region">{words['region']}</span><select id="f-region"></select></label>
<label><span data-ui="place">{words['place']}</span><select id="f-place"></select></label>
<div class="lang" role="group" aria-label="Jazyk / Language">
<button type="button" data-lang="cs">Česky</button><button type="button" data-lang="en">English</button>
</div>
</div>
</header>
<main id="dashboard"><noscript>{_html.escape(words['needs_script'])}</noscript></main>
<footer><p data-ui="symbols">{_html.escape(words['symbols'])}</p><p data-ui="source">{_html.escape(words['source'])}</p></footer>
<script type="application/json" id="dashboard-ui">{_script_json(UI)}</script>
<script type="application/json" id="dashboard-data">{_script_json(payload)}</script>
<script>
{_asset('dashboard.js')}
</script>
</body>
</html>
"""


def write_dashboard(published: str | os.PathLike[str], out: str | os.PathLike[str], *, lang: str = "cs",
                    directory: str | os.PathLike[str] | None = None) -> Path:
    """Write the dashboard over ``published`` to the file ``out`` (atomically); return its path."""
    from evaluation.reporting.store import _write_atomic

    out = Path(out)
    if out.is_dir():
        out = out / "dashboard.html"
    _write_atomic(out, dashboard_html(published, lang=lang, directory=directory).encode("utf-8"))
    return out


def write_run_dashboard(published: str | os.PathLike[str], out: str | os.PathLike[str], *,
                        lang: str = "cs") -> Path | None:
    """What a run writes after publication: the dashboard when the published results hold
    contact-point tables (None, and no file, otherwise)."""
    from evaluation.reporting.dashboard.payload import has_contact_point_results
    from evaluation.reporting.store import ResultsStore

    if not has_contact_point_results(ResultsStore.read(published)):
        Path(out).unlink(missing_ok=True)
        return None
    return write_dashboard(published, out, lang=lang)
