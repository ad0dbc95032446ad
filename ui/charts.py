"""The dashboard's charts, built once and shared by every session.

A chart is a pure function of what it is given (ui/figures.py, ui/programme_figures.py), and
building one costs 10–20 ms of plotly validation (the template above all) on every run of every
session: under load that was a fifth of the server's CPU (bench/ANALYSIS.md, "Under load"). Here a
built figure is kept, keyed by its builder and a digest of its arguments — the cached results it is
drawn from (so a new data version, another plan, quarter, scope or date gives other arguments),
the language and the size — and handed to `st.plotly_chart`, which only reads it.

The figure object itself is shared, so it must never be changed after it is returned: exports,
which restyle theirs (reports/images.py), call the builders directly.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go
import streamlit as st

KEPT = 512  # figures held per process (a few hundred KB each at most): every plan's cards and charts in both languages


def shared(build: Callable[..., go.Figure], *args: Any, **kwargs: Any) -> go.Figure:
    """`build(*args, **kwargs)`, built by the first session that asks and shared after that."""
    key = hashlib.blake2b(pickle.dumps((build.__module__, build.__qualname__, args, sorted(kwargs.items())),
                                       protocol=pickle.HIGHEST_PROTOCOL), digest_size=20).hexdigest()
    return _built(key, build, args, kwargs)


@st.cache_resource(max_entries=KEPT, show_spinner=False)
def _built(key: str, _build: Callable[..., go.Figure], _args: tuple, _kwargs: dict) -> go.Figure:
    """Keyed by `key` alone (Streamlit does not hash arguments named with a leading underscore)."""
    return _build(*_args, **_kwargs)
