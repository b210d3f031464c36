"""Bundled data files, installed as the package ``ivig_desktop.data``.

Read them through ``ivig_desktop.resources``, never by path.
"""
