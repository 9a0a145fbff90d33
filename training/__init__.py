"""Training and evaluation of cleaner's models from ../shared/data (never shipped)."""
