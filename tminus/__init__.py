"""T-Minus: release planning and go-live."""

__version__ = "0.1.0"
