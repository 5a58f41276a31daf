"""Domain package of the map of energy & mobility communs: importable without Streamlit."""

__version__ = "0.1.0"
