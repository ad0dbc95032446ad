"""Persistence: the catalog files, the DuckDB schema and every read and write of the store.

The only package that touches the database or the files under data/; nothing here imports
streamlit, so the command line, the reports and the tests use the same functions as the pages.
"""
