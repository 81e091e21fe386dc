"""A self-contained HTML dashboard over the contact points of a run, from its published results.

One HTML file, with its styles, script and data inside: it opens from a file or a shared drive,
offline, with no server. It is built only from the *published* results folder (the one the
reports are rendered from), so it shows exactly what the reports may show: hidden cells keep
their symbols (``<5``, ``x``) and no household-level row exists there to show.

Panels: applications by contact point (per year and quarter), outcomes of applications,
processing time (Kaplan–Meier median with its interval), undecided ("lost") applications,
tools used, equality of care between districts, and housing need by ETHOS category. Filters:
scope of the run, region and contact point. Czech by default, English with the page's switch,
``#en`` at the end of its address, or ``lang="en"`` here. The address keeps the choice
(``#lang=en&region=...&place=...``), so a link opens the same view.

Example
-------
>>> from evaluation.reporting.dashboard import write_dashboard
>>> write_dashboard("output/published/results", "output/published/reports/dashboard.html")  # doctest: +SKIP
PosixPath('output/published/reports/dashboard.html')
"""

from evaluation.reporting.dashboard.page import dashboard_html, write_dashboard, write_run_dashboard
from evaluation.reporting.dashboard.payload import dashboard_payload, has_contact_point_results

__all__ = ["dashboard_html", "dashboard_payload", "has_contact_point_results", "write_dashboard", "write_run_dashboard"]
