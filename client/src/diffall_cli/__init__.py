"""diffall: DiffALL's command-line client (compare, check, whoami)."""

__version__ = "0.1.0"
