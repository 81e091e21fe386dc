"""One module per strand: which analyses a notebook runs and under which stable names it stores them.

Each module has ``analyse(data, **parameters) -> StrandOutput`` (the calls into
``evaluation.process``, ``evaluation.impact``, ...) and ``save(session, output)``
(tables, figures, key figures and findings texts under the names the report
templates read; see notebooks/README.md). Import is cheap: nothing runs at import.
"""
