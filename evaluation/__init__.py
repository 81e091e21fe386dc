"""Evaluation of social-housing programmes."""
__version__ = "0.1.0"
