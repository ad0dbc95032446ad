"""Benchmarks: national-size data (generate.py), one figure per process (measure.py), the runner (run.py)."""
