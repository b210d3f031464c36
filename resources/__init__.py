"""Bundled data files, installed as the package ``ivig_desktop.data``; read them through ``ivig_desktop.resources``."""
