"""The package version, in a module of its own so that any layer can name it without
importing the package's public facade (``okmo_models/__init__``)."""

__version__ = "0.1.0"
