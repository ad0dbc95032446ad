"""Charts as pictures for Word and PDF: plotly figures drawn by kaleido in Debian's chromium.

Kaleido starts a browser per call unless a sync server is running; the first picture starts one
for the process (about 2 s) and later pictures take about 0.2 s. Pictures are 1600 px wide, which
is ≥ 250 dpi at the 16 cm they are printed at.
"""

from __future__ import annotations

import os
import shutil
import threading

import plotly.graph_objects as go

from domain.config import settings
from reports.model import Chart
from ui import figures

WIDTH, HEIGHT, SCALE = 800, 400, 2
_lock = threading.Lock()
_server_started = False


class ChartImageError(RuntimeError):
    """Charts cannot be drawn here (no chromium): the report says so instead of failing."""


def browser_path() -> str | None:
    named = settings().browser_path
    if named:
        return named if os.access(named, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def figure(chart: Chart) -> go.Figure:
    """The chart's own plotly figure, or one drawn from its series in the dashboard's style."""
    if chart.figure is not None:
        fig = go.Figure(chart.figure)
    else:
        fig = figures.series_chart(chart.categories, [(s.name, s.values, s.style) for s in chart.series],
                                   chart.y_title, height=HEIGHT)
    # The title above the legend, which sits above the plot (ui.figures.house_style): the top margin
    # holds both.
    fig.update_layout(title=dict(text=chart.title, x=0, y=1, yref="container", yanchor="top", pad=dict(t=12),
                                 font=dict(size=15)), margin=dict(t=(fig.layout.margin.t or 30) + 36))
    return fig


def png(chart: Chart) -> bytes:
    """The chart as a PNG (1600 × 800 px)."""
    global _server_started
    path = browser_path()
    if path is None:
        raise ChartImageError("charts need Debian's chromium (apt-get install chromium)")
    import kaleido  # imported here: only exports need it

    with _lock:  # one browser per process, started on first use
        os.environ.setdefault("BROWSER_PATH", path)  # how kaleido (choreographer) is told which browser to start
        try:
            if not _server_started:
                kaleido.start_sync_server(silence_warnings=True)
                _server_started = True
            return kaleido.calc_fig_sync(figure(chart), opts=dict(format="png", width=WIDTH, height=HEIGHT, scale=SCALE))
        except Exception as e:  # a report without one chart beats no report; the file says which chart is missing
            raise ChartImageError(f"the chart could not be drawn ({type(e).__name__}: {e})") from e
