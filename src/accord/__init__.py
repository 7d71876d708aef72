"""accord: a peace settlement as working software."""

__version__ = "0.1.0"
