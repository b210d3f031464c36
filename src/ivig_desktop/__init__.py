"""ivig_desktop: IVIG dose, volume-load and titrated rate-schedule planning."""

__version__ = "0.1.0"
