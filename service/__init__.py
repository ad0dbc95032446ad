"""The query and write layer every front end shares: the pages (through ui/queries.py, which
caches it), the briefings and the command line. Streamlit-free, so the CLI and the benchmarks use
the very same route to a number as the screen.
"""
