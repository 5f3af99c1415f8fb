"""Renderers of check results: text, json (and later sarif, github)."""
