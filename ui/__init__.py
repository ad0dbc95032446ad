"""Presentation helpers: figure builders, number formatting, i18n strings, cached reads.

Streamlit caching lives only here, at the edge, so metrics and store stay plain functions.
"""
