"""The published reference pack (data/reference/national_software_revenue.yaml, store/reference.py):
the file parses and cites every figure, its levels and published 同比 cross-check as far as a
comparable base allows, a year published twice becomes two revisions in publication order, and
`init` without --demo leaves the pack in the store, once.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from service import commands
from store import reference
from store.db import connect


@pytest.fixture(scope="module")
def pack() -> reference.Pack:
    return reference.load_pack()


def test_pack_parses_as_the_national_software_revenue_series(pack):
    assert (pack.series.org_id, pack.series.indicator_id, pack.series.unit) == ("cn", "software_revenue", "亿元")
    assert [e.year for e in pack.entries] == [2018, 2019, 2020, 2021, 2022, 2023, 2024]
    # What could not be confirmed is said in the file, not silently dropped.
    assert {o.year for o in pack.left_out} == {2010, 2011, 2013, 2015, 2016, 2017, 2019}


def test_every_entry_is_cited_and_its_quote_holds_the_figure_and_the_rate(pack):
    for e in pack.entries:
        assert e.source.citation.startswith("工业和信息化部"), e.year
        assert e.source.urls, e.year
        # The quoted sentence carries both numbers the entry claims, as published.
        assert f"{e.value:.0f}" in e.source.quote, e.year
        assert f"{e.yoy:.1f}" in e.source.quote, e.year


def test_frame_is_in_canonical_units_with_yoy_as_a_fraction(pack):
    frame = reference.pack_frame(pack)
    y2022 = frame[frame.year == 2022].iloc[0]
    assert y2022.quarter == 4
    assert y2022.value == 108_126 * 10_000  # 1 亿元 = 10 000 万元
    assert (y2022.value_entered, y2022.unit_entered) == (108_126, "亿元")
    assert y2022.yoy == 0.112  # 11.2 % as published
    assert y2022.obs_status == "P"
    assert y2022.published_on == dt.datetime(2023, 1, 31)


# Levels against the published 同比. The ministry computes each year's growth on the same firms in
# both years (同口径); the published levels hold different populations of firms, so their ratio
# differs from the published rate. Each pair: (year, that year's level, last year's level, growth of
# the levels written by hand, published rate).
LEVELS_VS_PUBLISHED = [
    (2019, 72_072, 63_061, 72_072 / 63_061 - 1, 0.164),     # +14.3 % of levels vs +16.4 % (verified 2019)
    (2020, 81_616, 72_072, 81_616 / 72_072 - 1, 0.133),     # +13.2 % vs +13.3 %
    (2021, 94_994, 81_616, 94_994 / 81_616 - 1, 0.177),     # +16.4 % vs +17.7 %
    (2022, 108_126, 94_994, 108_126 / 94_994 - 1, 0.112),   # +13.8 % vs +11.2 %
    (2023, 123_258, 108_126, 123_258 / 108_126 - 1, 0.134),  # +14.0 % vs +13.4 %
    (2024, 137_276, 123_258, 137_276 / 123_258 - 1, 0.100),  # +11.4 % vs +10.0 %
]


@pytest.mark.parametrize(("year", "level", "previous", "level_growth", "published"), LEVELS_VS_PUBLISHED)
def test_levels_and_published_rate_cross_check(pack, year, level, previous, level_growth, published):
    latest = {e.year: e for e in sorted(pack.entries, key=lambda e: e.published_on)}  # the figure in force
    assert (latest[year].value, latest[year - 1].value) == (level, previous)
    assert latest[year].yoy / 100 == pytest.approx(published)
    assert latest[year].value / latest[year - 1].value - 1 == pytest.approx(level_growth)
    # The comparable-base effect seen in these releases stays under 3 points; a bigger gap would
    # point to a mistyped figure rather than a change of population.
    assert abs(level_growth - published) < 0.03


def test_which_years_disagree_by_more_than_a_point():
    # 2022 is the example: 108 126 / 94 994 = +13.8 % against +11.2 % published.
    apart = {year for year, _, _, growth, published in LEVELS_VS_PUBLISHED if abs(growth - published) > 0.01}
    assert apart == {2019, 2021, 2022, 2024}


def _pack_file(tmp_path: Path, entries: list[dict]) -> Path:
    path = tmp_path / "pack.yaml"
    path.write_text(yaml.safe_dump({
        "series": {"org_id": "cn", "indicator_id": "software_revenue", "unit": "亿元"},
        "entries": entries}, allow_unicode=True), encoding="utf-8")
    return path


def _entry(year: int, value: float, yoy: float, status: str, published_on: str) -> dict:
    return {"year": year, "value": value, "yoy": yoy, "status": status, "published_on": published_on,
            "date_basis": "stated",
            "source": {"citation": "工业和信息化部 test", "quote": f"{value} {yoy}", "urls": ["https://example.org/x"]}}


# The 2019 figure published twice, as the issue states it: 71 768 first (not shipped: no copy of that
# release could be read), 72 072 verified later. The dates here are the test's own.
TWICE_2019 = [_entry(2019, 72_072, 16.4, "A", "2020-12-01"), _entry(2019, 71_768, 15.4, "P", "2020-01-20")]


def test_a_year_published_twice_is_two_rows_provisional_then_verified(tmp_path):
    frame = reference.pack_frame(reference.load_pack(_pack_file(tmp_path, TWICE_2019)))
    assert list(frame.obs_status) == ["P", "A"]
    assert list(frame.value) == [71_768 * 10_000, 72_072 * 10_000]
    assert list(frame.published_on) == [dt.datetime(2020, 1, 20), dt.datetime(2020, 12, 1)]


def test_written_as_two_revisions_the_verified_in_force(store, tmp_path):
    path = _pack_file(tmp_path, TWICE_2019)
    assert reference.load_reference(store, path) == 2
    rows = store.execute("""SELECT revision, value, entered_at FROM observations
                            WHERE org_id = 'cn' AND indicator_id = 'software_revenue' AND year = 2019 AND quarter = 4
                            ORDER BY revision""").fetchall()
    assert rows == [(1, 71_768 * 10_000, dt.datetime(2020, 1, 20)), (2, 72_072 * 10_000, dt.datetime(2020, 12, 1))]
    current = store.execute("""SELECT value FROM current_observations
                               WHERE org_id = 'cn' AND indicator_id = 'software_revenue' AND year = 2019""").fetchall()
    assert current == [(72_072 * 10_000,)]
    assert reference.load_reference(store, path) == 0  # a second load writes nothing


def test_verified_before_provisional_is_refused(tmp_path):
    swapped = [_entry(2019, 72_072, 16.4, "A", "2020-01-20"), _entry(2019, 71_768, 15.4, "P", "2020-12-01")]
    with pytest.raises(reference.ReferencePackError, match="verified figure must be published after"):
        reference.load_pack(_pack_file(tmp_path, swapped))


@pytest.mark.parametrize(("change", "message"), [
    ({"yoy": 0.112}, "entry 1 (year 2022): yoy"),  # a fraction where a percent belongs
    ({"status": "X"}, "entry 1 (year 2022): status"),
    ({"published_on": "2022-06-30"}, "entry 1 (year 2022): published_on 2022-06-30 is not after the end of 2022"),
    ({"source": {"citation": "", "quote": "q", "urls": ["https://example.org"]}}, "entry 1 (year 2022): source.citation"),
])
def test_a_bad_entry_names_the_file_and_the_entry(tmp_path, change, message):
    path = _pack_file(tmp_path, [{**_entry(2022, 108_126, 11.2, "P", "2023-01-31"), **change}])
    with pytest.raises(reference.ReferencePackError) as err:
        reference.load_pack(path)
    assert str(err.value).startswith(str(path))
    assert message in str(err.value)


def _init(db: Path) -> subprocess.CompletedProcess[str]:
    """`manage.py init` without --demo, run as a user runs it."""
    env = {**os.environ, "TRACKER_DB": str(db.parent / "never-used.duckdb"), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "manage.py", "init", "--db", str(db)], cwd=Path(__file__).resolve().parent.parent,
                          env=env, capture_output=True, text=True, encoding="utf-8", timeout=300)


def _national(db: Path) -> list[tuple]:
    con = connect(db, read_only=True)
    try:
        return con.execute("""SELECT year, revision, value FROM observations
                              WHERE org_id = 'cn' AND indicator_id = 'software_revenue' ORDER BY year""").fetchall()
    finally:
        con.close()


def test_init_without_demo_leaves_the_pack_in_the_store_once(tmp_path, pack):
    db = tmp_path / "plain.duckdb"
    first = _init(db)
    assert first.returncode == 0, first.stderr
    assert f"reference figures loaded, {len(pack.entries)} observations" in first.stdout
    second = _init(db)
    assert second.returncode == 0, second.stderr
    assert "reference figures in place" in second.stdout
    assert _national(db) == [(e.year, 1, e.value * 10_000) for e in pack.entries]


def test_a_demo_store_keeps_its_own_national_series(demo_store):
    assert commands.load_reference(demo_store) is None
    assert not demo_store.execute("SELECT count(*) FROM submissions WHERE origin = 'reference'").fetchall()[0][0]


def test_init_keeps_the_published_rate_status_and_date(store):
    # Needs the observation columns yoy, obs_status and published_on (added by a parallel branch);
    # fails on this branch alone until both are merged.
    reference.load_reference(store)
    row = store.execute("""SELECT yoy, obs_status, published_on FROM observations
                           WHERE org_id = 'cn' AND indicator_id = 'software_revenue' AND year = 2022""").fetchall()
    assert row == [(pytest.approx(0.112), "P", dt.datetime(2023, 1, 31))]
