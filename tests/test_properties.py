"""Invariants of the metrics, checked with hypothesis over many generated series."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.models import Comparator
from metrics import progress as pg
from metrics.growth import cagr
from metrics.periods import quarters_to_ytd, ytd_to_quarters

positive = st.floats(min_value=1.0, max_value=1e7, allow_nan=False, allow_infinity=False)
RANK = {s: i for i, s in enumerate(pg.STATUS_ORDER)}


@given(value=positive, years=st.integers(1, 20))
def test_constant_series_has_zero_growth(value, years):
    assert cagr(value, value, years) == pytest.approx(0.0, abs=1e-12)


@given(actual=positive, target=positive, k=st.floats(min_value=0.1, max_value=10))
def test_completion_is_linear_in_the_actual(actual, target, k):
    assert pg.completion(actual * k, target, Comparator.GE) == pytest.approx(k * pg.completion(actual, target, Comparator.GE))


@settings(max_examples=300)
@given(base=positive, target_factor=st.floats(1.01, 20), low=positive, high=positive,
       years_done=st.integers(1, 4), final=st.booleans())
def test_status_never_worsens_as_the_actual_rises(base, target_factor, low, high, years_done, final):
    low, high = sorted((low, high))
    target = base * target_factor
    t0, T = 2010, 2015
    latest = T if final else t0 + years_done
    s_low = pg.assess_level({t0: base, latest: low}, target, Comparator.GE, t0, T, latest)
    s_high = pg.assess_level({t0: base, latest: high}, target, Comparator.GE, t0, T, latest)
    assert RANK[s_high.status] >= RANK[s_low.status]


@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=4))
def test_ytd_quarters_round_trip(quarters):
    single = {q + 1: v for q, v in enumerate(quarters)}
    ytd = quarters_to_ytd(single)
    back = ytd_to_quarters(ytd)
    assert back.keys() == single.keys()
    for q in single:
        assert back[q] == pytest.approx(single[q], rel=1e-9, abs=1e-6)


@given(done=st.floats(0, 1e5), quota=positive, quarter=st.integers(1, 4))
def test_in_year_completion_is_ytd_over_yearly_target(done, quota, quarter):
    cur = pg.in_year(done, quota, 2020, quarter)
    assert cur.completion == pytest.approx(done / quota)
    assert cur.time_elapsed == quarter / 4


@given(base=positive, rate=st.floats(0.01, 1.0), years=st.integers(1, 10))
def test_a_series_on_its_required_path_is_on_track(base, rate, years):
    target = base * (1 + rate) ** 10
    value = base * (1 + rate) ** years
    a = pg.assess_level({2000: base, 2000 + years: value}, target, Comparator.GE, 2000, 2010, 2000 + years)
    assert a.status in (pg.Status.ON_TRACK, pg.Status.ACHIEVED)
    if a.ratio is not None:
        assert a.ratio == pytest.approx(1.0)
