"""Logistic Lens: a neural network shown as the logistic regressions it is built from."""

__version__ = "0.1.0"
