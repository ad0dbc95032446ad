"""Statistics as a bureau publishes them (issue 15), on the storage and input side: the published
同比, the SDMX observation status and the publication date of a figure — stored by migration 6,
accepted from the tidy file, the wide MIIT layout and the form's rows with their validation, read
into the snapshot, and read "as it stood" on a date (by publication date) down to `progress --as-at`.

Real DuckDB files in tmp_path; every expected number is worked out in the test.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest

from domain.access import Identity, Role
from domain.observation import FINAL, ObsStatus, check_as_at, is_final, parse_as_at, parse_status
from domain.periods import Period
from domain.snapshot import Needs, SeriesKey
from domain.validation import Severity, explanation_missing
from store import figures, ingest, snapshot, submissions
from store.db import connect
from tests import rawsql
from tests.test_cli import REPO

ADMIN = Identity(username="tester", display_name="tester", role=Role.ADMIN)
YI = 10_000  # 1 亿元 = 10 000 万元 (software_revenue is stored in 万元)
CN = SeriesKey("cn", "software_revenue")


def write(con, rows: list[tuple], **kw) -> int:
    """Rows (org, indicator, year, quarter, value in 万元, yoy, status, published_on) as one accepted submission."""
    frame = pd.DataFrame([(o, i, y, q, v, v, "万元", None, yoy, st, pub) for o, i, y, q, v, yoy, st, pub in rows],
                         columns=submissions.OBSERVATION_COLUMNS)
    return submissions.write_submission(con, frame, actor="tester", origin="import", status="accepted", **kw)


def official(con, key: SeriesKey, as_of: Period, as_at: dt.date | None = None):
    return snapshot.read(con, Needs(series=frozenset({key})), as_of, as_at).figures(key.org_id, key.indicator_id)


# ------------------------------------------------------------------------ the status code list


@pytest.mark.parametrize(("typed", "expected"), [
    ("A", ObsStatus.NORMAL), ("p", ObsStatus.PROVISIONAL), (" E ", ObsStatus.ESTIMATED), ("", ObsStatus.NORMAL),
    ("B", ObsStatus.BREAK), ("X", None), ("provisional", None),
])
def test_status_is_an_sdmx_code(typed, expected):
    assert parse_status(typed) == expected


@pytest.mark.parametrize(("code", "final"), [("A", True), ("B", True), ("D", True), ("P", False), ("E", False),
                                             ("F", False), ("U", False), ("V", False), ("I", False), ("?", False)])
def test_which_statuses_are_final(code, final):
    assert is_final(code) is final
    assert (code in {s.value for s in FINAL}) is final


def test_every_status_has_a_name_in_both_languages():
    from domain.messages import text
    for s in ObsStatus:
        assert text(f"obs_status.{s.value}", "zh") and text(f"obs_status.{s.value}", "en")
    assert text("obs_status.P", "zh") == "初步数（快报）" and text("obs_status.P", "en") == "provisional value"


# ----------------------------------------------------------------------------------- migration


def test_migration_6_keeps_every_row_of_an_older_store(tmp_path):
    path = tmp_path / "v5.duckdb"
    con = rawsql.store_before(path, 6)
    con.execute("""INSERT INTO submissions (submission_id, origin, status, submitted_by, row_count) VALUES
                   (1, 'import', 'accepted', 't', 2), (2, 'upload', 'accepted', 't', 1)""")
    con.execute("""INSERT INTO observations (org_id, indicator_id, year, quarter, revision, value, value_entered,
                                             unit_entered, submission_id, entered_by) VALUES
                   ('cn', 'software_revenue', 2018, 4, 1, 630610000, 63061, '亿元', 1, 't'),
                   ('cn', 'software_revenue', 2019, 4, 1, 717680000, 71768, '亿元', 1, 't'),
                   ('cn', 'software_revenue', 2019, 4, 2, 720720000, 72072, '亿元', 2, 't')""")
    con.execute("""INSERT INTO current_figures SELECT o.org_id, o.indicator_id, o.year, o.quarter, o.value, o.revision,
                   o.submission_id FROM observations o QUALIFY row_number() OVER (
                   PARTITION BY o.org_id, o.indicator_id, o.year, o.quarter ORDER BY o.revision DESC) = 1""")
    before = con.execute("SELECT * FROM observations ORDER BY ALL").fetchall()
    con.close()
    con = connect(path)  # migrates
    try:
        after = rawsql.frame(con, "SELECT * FROM observations ORDER BY ALL")
        assert [tuple(r[:12]) for r in after.itertuples(index=False)] == [tuple(r) for r in before]
        assert after.obs_status.tolist() == ["A", "A", "A"]  # an older figure is a normal one
        assert after.yoy.isna().all() and after.published_on.isna().all()
        cur = rawsql.frame(con, "SELECT year, value, revision, yoy, obs_status FROM current_observations ORDER BY year")
        assert cur[["year", "value", "revision"]].values.tolist() == [[2018, 630610000, 1], [2019, 720720000, 2]]
        assert cur.obs_status.tolist() == ["A", "A"]
    finally:
        con.close()


# ----------------------------------------------------------------------- revisions and as-at reads


def test_provisional_then_verified_national_2019(store):
    # 2019: 71 768 亿元 provisional (快报, +15.4 %), published 2020-02-01; then 72 072 亿元 verified
    # (年报核实, +16.4 %), published 2021-01-15. 2018: 63 061 亿元, published 2019-01-30.
    write(store, [("cn", "software_revenue", 2018, 4, 63_061 * YI, 0.142, "A", dt.datetime(2019, 1, 30))])
    write(store, [("cn", "software_revenue", 2019, 4, 71_768 * YI, 0.154, "P", dt.datetime(2020, 2, 1))])
    write(store, [("cn", "software_revenue", 2019, 4, 72_072 * YI, 0.164, "A", dt.datetime(2021, 1, 15))])
    kept = submissions.history(store, "cn", "software_revenue", 2019, 4)
    assert kept.revision.tolist() == [1, 2]  # both kept, the verified one the newer revision
    assert kept.obs_status.tolist() == ["P", "A"]
    q4 = Period(2019, 4)

    now = official(store, CN, q4)
    assert now.official[q4] == 72_072 * YI and now.official_status[q4] == "A"
    assert now.official_yoy[q4] == pytest.approx(0.164)
    assert now.official_yoy[Period(2018, 4)] == pytest.approx(0.142)

    stood = official(store, CN, q4, as_at=dt.date(2020, 6, 30))  # between the two publications
    assert stood.official[q4] == 71_768 * YI and stood.official_status[q4] == "P"
    assert stood.official_yoy[q4] == pytest.approx(0.154)

    on_the_day = official(store, CN, q4, as_at=dt.date(2021, 1, 15))  # published that day: it stood by its end
    assert on_the_day.official[q4] == 72_072 * YI

    before = official(store, CN, q4, as_at=dt.date(2019, 12, 31))  # 2019's figure was not out yet
    assert q4 not in before.official
    assert before.official == {Period(2018, 4): 63_061 * YI}

    earliest = official(store, CN, q4, as_at=dt.date(2019, 1, 29))
    assert earliest.official == {} and earliest.official_status == {}


def test_as_at_sums_and_counts_use_the_figures_then_in_force(store):
    # Two firms under 滨江 (hz-binjiang): A 100 then revised to 130 on 2016-03-01; B 50 from 2016-02-01.
    from domain.models import Organisation, OrgKind
    from store import orgs

    orgs.upsert_orgs(store, [Organisation(org_id=o, name_zh=o, kind=OrgKind.ENTERPRISE, parent="hz-binjiang")
                             for o in ("ent-a", "ent-b")], "user")
    write(store, [("ent-a", "software_revenue", 2015, 4, 100.0, None, "A", dt.datetime(2016, 1, 20))])
    write(store, [("ent-b", "software_revenue", 2015, 4, 50.0, None, "A", dt.datetime(2016, 2, 1))])
    write(store, [("ent-a", "software_revenue", 2015, 4, 130.0, None, "A", dt.datetime(2016, 3, 1))])
    key, q4 = SeriesKey("hz-binjiang", "software_revenue"), Period(2015, 4)
    assert official(store, key, q4).bottom_up[q4] == 130.0 + 50.0
    assert official(store, key, q4, dt.date(2016, 2, 15)).bottom_up[q4] == 100.0 + 50.0
    assert official(store, key, q4, dt.date(2016, 1, 31)).bottom_up[q4] == 100.0
    assert q4 not in official(store, key, q4, dt.date(2016, 1, 1)).bottom_up
    # Firms at or above 120: A's 130 counts now, not as it stood on 2016-02-15 (A was 100 then).
    assert figures.threshold_counts_many(store, "hz-binjiang", "software_revenue", [(120.0, False)], 2015) \
        == {(120.0, False): {2015: 1}}
    assert figures.threshold_counts_many(store, "hz-binjiang", "software_revenue", [(120.0, False)], 2015,
                                         dt.date(2016, 2, 15)) == {(120.0, False): {2015: 0}}


def test_a_figure_without_a_publication_date_stands_from_its_entry(store):
    write(store, [("cn", "software_revenue", 2019, 4, 1.0, None, "A", None)], at=dt.datetime(2020, 5, 1, 9, 30))
    q4 = Period(2019, 4)
    assert q4 not in official(store, CN, q4, dt.date(2020, 4, 30)).official
    assert official(store, CN, q4, dt.date(2020, 5, 1)).official[q4] == 1.0
    assert official(store, CN, q4).official_yoy == {}  # no published rate: absent, not zero


@pytest.mark.parametrize(("text", "ok"), [("2020-06-30", True), ("2020-6-30", False), ("30/06/2020", False),
                                          ("2099-01-01", False), ("", False)])
def test_as_at_dates(text, ok):
    if ok:
        assert parse_as_at(text, today=dt.date(2024, 1, 1)) == dt.date(2020, 6, 30)
    else:
        with pytest.raises(ValueError, match="--as-at"):
            parse_as_at(text, today=dt.date(2024, 1, 1))
    assert check_as_at(dt.date(2024, 1, 1), today=dt.date(2024, 1, 1)) == dt.date(2024, 1, 1)  # today is allowed


# ------------------------------------------------------------------------------------- inputs


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


TODAY = dt.date(2024, 6, 1)


def test_tidy_file_with_published_rate_status_and_date(store, catalog):
    data = csv_bytes("org,period,indicator,value,unit,同比增减%,status,published_on",
                     "cn,2021Q4,software_revenue,94994,亿元,17.7,A,2022-01-28",
                     "cn,2022Q4,software_revenue,108126,亿元,11.2,P,2023-02-01",
                     "cn,2023Q4,software_revenue,123258,亿元,,,")
    checked = ingest.check_file(store, catalog, "national.csv", data, today=TODAY)
    # 2022 from the levels: 108 126 / 94 994 − 1 = +13.8 %, 2.6 points from the published +11.2 %: no warning.
    # 2023: 123 258 / 108 126 − 1 = +14.0 %, with no published rate: nothing to compare.
    assert checked.problems == ()
    rows = checked.rows
    assert rows.yoy.tolist()[:2] == [pytest.approx(0.177), pytest.approx(0.112)] and pd.isna(rows.yoy.tolist()[2])
    assert rows.obs_status.tolist() == ["A", "P", "A"]
    assert rows.published_on.tolist()[:2] == [dt.datetime(2022, 1, 28), dt.datetime(2023, 2, 1)]
    assert pd.isna(rows.published_on.tolist()[2])  # published when it is entered
    ingest.submit(store, checked, who=ADMIN, origin="import", status="accepted")
    got = official(store, CN, Period(2023, 4))
    assert got.official[Period(2022, 4)] == 108_126 * YI
    assert got.official_yoy == {Period(2021, 4): pytest.approx(0.177), Period(2022, 4): pytest.approx(0.112)}
    assert got.official_status[Period(2022, 4)] == "P" and got.official_status[Period(2023, 4)] == "A"
    assert official(store, CN, Period(2023, 4), dt.date(2023, 1, 31)).official == {Period(2021, 4): 94_994 * YI}


def test_wide_layout_reads_the_rate_beside_its_code_column(store, catalog):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["软件和信息技术服务业企业统计报表"])
    ws.append(["报告期：2015年1-12月", "单位：万元"])
    ws.append(["org", "2020 软件业务收入", "同比增减%", "2112 从业人员"])
    ws.append(["hz-binjiang", 1200, 12.5, 300])
    buf = io.BytesIO()
    wb.save(buf)
    checked = ingest.check_file(store, catalog, "form.xlsx", buf.getvalue(), today=TODAY)
    assert checked.errors == []
    by_indicator = dict(zip(checked.rows.indicator_id, checked.rows.yoy, strict=True))
    assert by_indicator["software_revenue"] == pytest.approx(0.125)  # 12.5 % as printed
    assert pd.isna(by_indicator["employees"])  # the 同比 column follows 2020 only


def test_wide_layout_rate_column_naming_its_code(store, catalog):
    data = csv_bytes("org,period,2020 软件业务收入,2112 从业人员,2112 同比增减%",
                     "hz-binjiang,2015Q4,1200,300,abc")
    checked = ingest.check_file(store, catalog, "form.csv", data, today=TODAY)
    assert [(p.row, p.column, p.value, p.reason.code) for p in checked.errors] == [
        (2, "2112 同比增减%", "abc", "validation.yoy_not_a_number")]


def test_a_bad_status_is_an_error_naming_row_and_column(store, catalog):
    data = csv_bytes("org,period,indicator,value,unit,status",
                     "cn,2022Q4,software_revenue,108126,亿元,P",
                     "cn,2023Q4,software_revenue,123258,亿元,X")
    checked = ingest.check_file(store, catalog, "national.csv", data, today=TODAY)
    assert [(p.file, p.row, p.column, p.value, p.reason.code) for p in checked.problems] == [
        ("national.csv", 3, "status", "X", "validation.status_unknown")]
    assert "第 3 行" in checked.problems[0].text("zh") and "CL_OBS_STATUS" in checked.problems[0].text("en")


@pytest.mark.parametrize(("published", "code"), [("2024-06-02", "validation.published_on_future"),
                                                 ("2023/02/01", "validation.published_on_invalid"),
                                                 ("soon", "validation.published_on_invalid")])
def test_publication_date_in_the_future_or_unreadable_is_an_error(store, catalog, published, code):
    data = csv_bytes("org,period,indicator,value,unit,published_on", f"cn,2022Q4,software_revenue,1,亿元,{published}")
    checked = ingest.check_file(store, catalog, "n.csv", data, today=TODAY)
    assert [(p.row, p.column, p.severity, p.reason.code) for p in checked.problems] == [
        (2, "published_on", Severity.ERROR, code)]


def test_a_published_rate_far_from_the_levels_needs_an_explanation(store, catalog):
    write(store, [("cn", "software_revenue", 2021, 4, 94_994 * YI, None, "A", None)])
    # From the levels 108 126 / 94 994 − 1 = +13.82 %; a published +43.8 % is 30.0 points off (> 10): warning.
    data = csv_bytes("org,period,indicator,value,unit,yoy", "cn,2022Q4,software_revenue,108126,亿元,43.8")
    checked = ingest.check_file(store, catalog, "n.csv", data, today=TODAY)
    assert [(p.row, p.column, p.value, p.severity, p.reason.code) for p in checked.problems] == [
        (2, "yoy", "43.8", Severity.WARNING, "validation.yoy_off_levels")]
    assert dict(checked.problems[0].reason.params)["gap"] == pytest.approx((0.438 - (108_126 / 94_994 - 1)) * 100)
    assert explanation_missing(checked.problems, None)
    assert not explanation_missing(checked.problems, "published on the comparable base")
    with pytest.raises(ingest.SubmissionRejected):
        ingest.submit(store, checked, who=ADMIN, origin="import", status="accepted")
    # +11.2 % is 2.6 points from the levels' +13.8 %: on a comparable base, no warning.
    fine = ingest.check_file(store, catalog, "n.csv", csv_bytes("org,period,indicator,value,unit,yoy",
                                                                 "cn,2022Q4,software_revenue,108126,亿元,11.2"),
                             today=TODAY)
    assert fine.problems == ()


def test_the_form_rows_carry_the_published_rate_and_status(store, catalog):
    # What pages/entry.py builds (ui.services.form_rows + ui.entry.with_published), checked by the same path.
    from ui import entry, services

    ind = catalog.indicators["software_revenue"]
    rows = entry.with_published(services.form_rows("hz-binjiang", Period(2015, 4), {"software_revenue": 1200.0}, [ind]),
                                {"software_revenue": 12.5}, "P", dt.date(2016, 1, 20))
    checked = ingest.validate_tidy(store, catalog, "form", rows, today=TODAY)
    assert checked.problems == ()
    assert checked.rows[["yoy", "obs_status", "published_on"]].values.tolist() == [
        [pytest.approx(0.125), "P", dt.datetime(2016, 1, 20)]]


# ------------------------------------------------------------------------------ progress --as-at


def test_progress_as_at_end_to_end(empty_db, tmp_path):
    db = tmp_path / "store.duckdb"
    shutil.copy(empty_db, db)
    # 青岛: 2011 base 1 000 亿元; 2015 provisional 1 800 亿元 (published 2016-02-01), verified 1 900 亿元 (2016-06-30).
    first = tmp_path / "first.csv"
    first.write_bytes(csv_bytes("org,period,indicator,value,unit,status,published_on",
                                "qingdao,2011Q4,software_revenue,1000,亿元,A,2012-02-01",
                                "qingdao,2015Q4,software_revenue,1800,亿元,P,2016-02-01"))
    second = tmp_path / "second.csv"
    second.write_bytes(csv_bytes("org,period,indicator,value,unit,status,published_on",
                                 "qingdao,2015Q4,software_revenue,1900,亿元,A,2016-06-30"))

    def manage(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "manage.py", *args, "--db", str(db)], cwd=REPO, capture_output=True,
                              text=True, encoding="utf-8", timeout=300,
                              env={"TRACKER_DB": str(tmp_path / "never.duckdb"), "PYTHONIOENCODING": "utf-8",
                                   "PATH": "/usr/bin:/bin"})

    for f in (first, second):
        assert manage("import", str(f)).returncode == 0

    def actual(*extra: str) -> float:
        run = manage("progress", "--plan", "qingdao-2012", "--as-of", "2015Q4", "--json", *extra)
        assert run.returncode == 0, run.stderr
        rows = json.loads(run.stdout)
        assert isinstance(rows, list)  # the JSON stays a list of rows
        return next(r for r in rows if r["target_id"] == "qd-software-revenue")["actual"]

    assert actual() == pytest.approx(1900)  # 亿元: the verified figure in force today
    assert actual("--as-at", "2016-03-31") == pytest.approx(1800)  # the provisional one, as it stood then
    text = manage("progress", "--plan", "qingdao-2012", "--as-of", "2015Q4", "--as-at", "2016-03-31")
    assert "as it stood on 2016-03-31" in text.stdout
    for bad in ("2016-13-01", "2999-01-01"):
        run = manage("progress", "--plan", "qingdao-2012", "--as-of", "2015Q4", "--as-at", bad)
        assert run.returncode == 2 and "--as-at" in run.stderr
