"""Streamlit entry: `streamlit run dashboard.py`. The router itself is app/router.py.

The store comes from $TRACKER_DB or data/tracker.duckdb and is created with demo data on first start.
"""

from app.router import run

run()
