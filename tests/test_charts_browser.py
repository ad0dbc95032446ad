"""Charts as drawn in real Chromium at 1366×768: on the plan page and the overview, no legend covers
an axis's labels, the in-year gauge (a quarter column) keeps its title and scale inside its picture,
and the year-to-date bars stand on their year's tick. Measured from the drawn SVG's boxes; the
screenshots land in test-artifacts/."""

from __future__ import annotations

import pytest

from tests.browser import ARTIFACTS, BROWSER, chromium, demo_app, idle, screenshot, sign_in

pytestmark = BROWSER
PASSWORD = "browser-test-password"

# Per drawn chart: the boxes of its legend, its axis tick labels, every text, and the picture.
MEASURE = """() => [...document.querySelectorAll('.js-plotly-plot')].map(plot => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const svg = plot.querySelector('.main-svg');
  const legend = plot.querySelector('.legend .bg');
  return {
    svg: box(svg),
    legend: legend ? box(legend) : null,
    ticks: [...plot.querySelectorAll('.xtick text, .ytick text')].filter(t => t.textContent).map(box),
    xticks: [...plot.querySelectorAll('.xtick text')].filter(t => t.textContent).map(box),
    texts: [...plot.querySelectorAll('text')].filter(t => t.textContent.trim()).map(t => [t.textContent, ...box(t)]),
    gauge: !!plot.querySelector('.indicatorlayer .angular'),
  };
})"""


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.fixture(scope="module")
def app(tmp_path_factory, demo_db):
    yield from demo_app(tmp_path_factory, demo_db, "charts-browser", PASSWORD, "leader")


@pytest.mark.parametrize(("lang", "path", "least"), [
    ("zh", "/plan?plan=qingdao-2012&q=2014Q3&target=qd-software-revenue", 4),  # target, gauge, parks, components
    ("en", "/plan?lang=en&plan=qingdao-2012&q=2014Q3&target=qd-software-revenue", 4),
    ("zh", "/?q=2014Q3", 2),  # the overview's compact charts
])
def test_charts_drawn_whole_with_legends_clear_of_the_axes(app, lang, path, least):
    with chromium(1366, 768) as page:
        sign_in(page, app, "leader", PASSWORD)
        page.goto(app + path)
        page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=60_000)
        idle(page)
        page.wait_for_timeout(1500)  # plotly draws after Streamlit goes idle
        charts = page.evaluate(MEASURE)
        name = f"charts-{lang}-{'plan' if 'plan' in path else 'overview'}"
        screenshot(page, name)
        for i, plot in enumerate(page.locator(".js-plotly-plot").all()):  # each chart as a reader sees it
            plot.scroll_into_view_if_needed()
            plot.screenshot(path=str(ARTIFACTS / f"{name}-{i}.png"))
        assert len(charts) >= least
        for chart in charts:
            if chart["legend"]:
                assert not any(overlap(chart["legend"], tick) for tick in chart["ticks"]), chart["legend"]
                assert chart["legend"][3] <= min((t[1] for t in chart["xticks"]), default=1e9)  # above the plot
            left, top, right, bottom = chart["svg"]
            for text, *b in chart["texts"]:  # nothing cut at the picture's edge (the gauge's title and scale)
                assert left - 1 <= b[0] and b[2] <= right + 1 and top - 1 <= b[1] and b[3] <= bottom + 1, text
        if "plan" in path:
            gauge = [c for c in charts if c["gauge"]]
            assert gauge and gauge[0]["svg"][2] - gauge[0]["svg"][0] < 400  # in its quarter column
