"""Exceptions the toolkit raises on purpose, each with a message written for its user."""


class EvaluationError(Exception):
    """Base of every error the toolkit raises for bad input or a failed step."""


class DataError(EvaluationError):
    """Input data cannot be used (the message lists every problem)."""


class IdentifierError(DataError):
    """A column holds direct identifiers (birth numbers, names) and no pseudonymisation key was given."""


class EstimationError(EvaluationError):
    """A model cannot be estimated on the data given (no comparison units, collinearity, ...)."""


class ConfigError(EvaluationError):
    """A run configuration or notebook parameter is wrong."""


class RenderError(EvaluationError):
    """A report could not be rendered."""


class DisclosureError(EvaluationError):
    """A table, figure or figure value would reveal individual households (identifiers,
    household-level rows, or small cells that cannot be protected)."""


class NotebookError(EvaluationError):
    """A notebook failed while it ran (the message names the notebook, the cell and the error)."""
