"""The maintained tables of migration 4: `current_figures` (the figure in force), `bottom_up`
(each organisation's sums over its reporting descendants) and `org_periods` (the quarters with
data at or below each organisation) must always equal what they cache.

Every number is worked out by hand from the figures written; each test also compares both tables
with their definitions recomputed from the raw observations."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from domain.models import Organisation, OrgKind
from domain.periods import Period
from store import figures, orgs, placements, plans, submissions
from store.db import connect, migrate
from tests import rawsql

BINJIANG, XIASHA = "hz-binjiang", "hz-xiasha"


def rows(*figures: tuple[str, str, int, int, float]) -> pd.DataFrame:
    return pd.DataFrame([(o, i, y, q, v, v, "万元", None) for o, i, y, q, v in figures],
                        columns=submissions.REQUIRED_COLUMNS)


def write(con, *figures, status: str = "accepted") -> int:
    return submissions.write_submission(con, rows(*figures), actor="test", origin="import", status=status)


def firms(con, *pairs: tuple[str, str]) -> None:
    orgs.upsert_orgs(con, [Organisation(org_id=o, name_zh=o, kind=OrgKind.ENTERPRISE, parent=p) for o, p in pairs], "user")


def current(con, org: str, indicator: str = "software_revenue", year: int = 2015, quarter: int = 4):
    return rawsql.first(con, """SELECT value, revision FROM current_observations
                                WHERE org_id = ? AND indicator_id = ? AND year = ? AND quarter = ?""",
                        [org, indicator, year, quarter])


def summed(con, org: str, indicator: str = "software_revenue", year: int = 2015, quarter: int = 4):
    return rawsql.first(con, """SELECT total, reporters FROM bottom_up
                                WHERE ancestor_id = ? AND indicator_id = ? AND year = ? AND quarter = ?""",
                        [org, indicator, year, quarter])


def _placed_definition(con) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`bottom_up` and `org_periods` worked out figure by figure in Python from the register's events
    (store/placements.py's rule, written here independently): a figure counts under the ancestors
    of where its organisation was in the figure's quarter — before its first move under that
    move's from_parent, between moves under the earlier one's to_parent, from its last move on (or
    always, without a move) under its current parent."""
    parent = dict(con.execute("SELECT org_id, parent_id FROM orgs").fetchall())
    kind = dict(con.execute("SELECT org_id, kind FROM orgs").fetchall())
    reported_by = dict(con.execute("SELECT indicator_id, reported_by FROM indicators").fetchall())
    moves: dict[str, list[tuple[int, str | None, str | None]]] = {}
    for org, day, src, dst in con.execute("""SELECT org_id, effective, from_parent, to_parent FROM org_events
                                             WHERE event = 'moved' ORDER BY effective, event_id""").fetchall():
        moves.setdefault(org, []).append((Period.containing(day).ordinal, src, dst))

    def parent_at(org: str, ordinal: int) -> str | None:
        done = [m for m in moves.get(org, []) if m[0] <= ordinal]
        if org not in moves or done and done[-1] == moves[org][-1]:
            return parent[org]
        return (done[-1][2] if done else moves[org][0][1]) or parent[org]

    def chain(org: str, ordinal: int) -> list[str]:
        out = [org]
        while (up := parent_at(out[-1], ordinal)) is not None:
            out.append(up)
        return out

    sums: dict[tuple, list] = {}
    quarters: set[tuple] = set()
    for org, indicator, year, quarter, value in con.execute(
            "SELECT org_id, indicator_id, year, quarter, value FROM current_figures").fetchall():
        ancestors = chain(org, Period(int(year), int(quarter)).ordinal)
        quarters |= {(a, year, quarter) for a in ancestors}
        if reported_by[indicator] == kind[org]:
            for a in ancestors[1:]:
                total = sums.setdefault((a, indicator, year, quarter), [0.0, 0])
                total[0] += value
                total[1] += 1
    bottom = pd.DataFrame([(*k, t, n) for k, (t, n) in sums.items()],
                          columns=["ancestor_id", "indicator_id", "year", "quarter", "total", "reporters"])
    return (bottom.sort_values(list(bottom.columns)).reset_index(drop=True),
            pd.DataFrame(sorted(quarters), columns=["org_id", "year", "quarter"]))


def _kept(con, table: str, like: pd.DataFrame) -> pd.DataFrame:
    kept = rawsql.frame(con, f"SELECT * FROM {table} ORDER BY ALL")
    return kept.astype(kept.dtypes.to_dict() if like.empty else like.dtypes.to_dict())


def assert_matches_definition(con) -> None:
    """The three tables equal their definitions recomputed from observations (migration 4's SQL, with
    the published 同比 and status migration 6 added; the sums and quarters placed where each firm
    was in each quarter, figure by figure) and what a full rebuild makes of them; with no firm ever
    moved by an event, the sums are today's tree's (migration 4's join over org_closure)."""
    defined = rawsql.frame(con, """
        SELECT o.org_id, o.indicator_id, o.year, o.quarter, o.value, o.revision, o.submission_id, o.yoy, o.obs_status
        FROM observations o JOIN submissions s USING (submission_id) WHERE s.status = 'accepted'
        QUALIFY row_number() OVER (PARTITION BY o.org_id, o.indicator_id, o.year, o.quarter ORDER BY o.revision DESC) = 1
        ORDER BY ALL""")
    kept = rawsql.frame(con, "SELECT * FROM current_figures ORDER BY ALL")
    pd.testing.assert_frame_equal(kept.astype(defined.dtypes.to_dict()), defined)
    sums, quarters = _placed_definition(con)
    kept_sums, kept_quarters = rawsql.frame(con, "SELECT * FROM bottom_up ORDER BY ALL"), _kept(con, "org_periods", quarters)
    pd.testing.assert_frame_equal(kept_sums, sums.astype(kept_sums.dtypes.to_dict()), check_exact=False)
    pd.testing.assert_frame_equal(kept_quarters, quarters.astype(kept_quarters.dtypes.to_dict()))
    if not rawsql.scalar(con, "SELECT count(*) FROM org_events WHERE event = 'moved'"):
        today = rawsql.frame(con, """
            SELECT c.ancestor_id, f.indicator_id, f.year, f.quarter, sum(f.value) AS total, count(*) AS reporters
            FROM current_figures f JOIN orgs d ON d.org_id = f.org_id
            JOIN indicators i ON i.indicator_id = f.indicator_id AND i.reported_by = d.kind
            JOIN org_closure c ON c.descendant_id = f.org_id AND c.depth > 0
            GROUP BY ALL ORDER BY ALL""")
        pd.testing.assert_frame_equal(kept_sums.astype(today.dtypes.to_dict()), today)
        assert not rawsql.scalar(con, "SELECT count(*) FROM org_closure_dated")
    incremental = [rawsql.frame(con, f"SELECT * FROM {t} ORDER BY ALL")
                   for t in ("current_figures", "bottom_up", "org_periods", "org_closure_dated")]
    placements.rebuild(con)
    figures.rebuild_figures(con)
    for table, before in zip(("current_figures", "bottom_up", "org_periods", "org_closure_dated"), incremental, strict=True):
        pd.testing.assert_frame_equal(rawsql.frame(con, f"SELECT * FROM {table} ORDER BY ALL"), before)


def test_accepted_figures_are_summed_at_every_ancestor(store):
    firms(store, ("ent-a", BINJIANG), ("ent-b", XIASHA))
    write(store, ("ent-a", "software_revenue", 2015, 4, 100.0), ("ent-b", "software_revenue", 2015, 4, 50.0),
          ("hangzhou", "software_revenue", 2015, 4, 900.0))  # the city's own official figure is not a reporter
    assert summed(store, BINJIANG) == (100.0, 1)
    assert summed(store, XIASHA) == (50.0, 1)
    for org in ("hangzhou", "zhejiang", "cn"):
        assert summed(store, org) == (150.0, 2)
    assert current(store, "hangzhou") == (900.0, 1)
    assert summed(store, "hangzhou", year=2015, quarter=3) is None
    write(store, ("ent-a", "software_revenue", 2016, 1, 30.0))
    assert figures.periods(store, "zhejiang") == [Period(2015, 4), Period(2016, 1)]
    assert figures.periods(store, XIASHA) == [Period(2015, 4)]
    assert figures.periods(store, "qingdao") == []
    assert_matches_definition(store)


def test_pending_and_returned_revisions_change_nothing_until_accepted(store):
    firms(store, ("ent-a", BINJIANG), ("ent-b", XIASHA))
    write(store, ("ent-a", "software_revenue", 2015, 4, 100.0), ("ent-b", "software_revenue", 2015, 4, 50.0))
    pending = write(store, ("ent-a", "software_revenue", 2015, 4, 120.0), status="pending")
    returned = write(store, ("ent-b", "software_revenue", 2015, 4, 999.0), status="pending")
    assert current(store, "ent-a") == (100.0, 1)
    assert summed(store, "hangzhou") == (150.0, 2)
    assert submissions.review_submission(store, returned, reviewer="r", decision="returned", comment="no")
    assert summed(store, "hangzhou") == (150.0, 2)
    assert submissions.review_submission(store, pending, reviewer="r", decision="accepted", comment=None)
    assert current(store, "ent-a") == (120.0, 2)
    assert summed(store, BINJIANG) == (120.0, 1)
    assert summed(store, "cn") == (170.0, 2)  # 120 + 50
    assert_matches_definition(store)


def test_a_late_acceptance_of_an_older_revision_does_not_replace_a_newer_one(store):
    firms(store, ("ent-a", BINJIANG))
    write(store, ("ent-a", "software_revenue", 2015, 4, 100.0))  # revision 1
    older = write(store, ("ent-a", "software_revenue", 2015, 4, 110.0), status="pending")  # revision 2
    write(store, ("ent-a", "software_revenue", 2015, 4, 130.0))  # revision 3, accepted at once
    assert current(store, "ent-a") == (130.0, 3)
    submissions.review_submission(store, older, reviewer="r", decision="accepted", comment=None)
    assert current(store, "ent-a") == (130.0, 3)
    assert summed(store, "hangzhou") == (130.0, 1)
    assert_matches_definition(store)


def test_moving_a_firm_moves_its_figures_between_sums(store):
    firms(store, ("ent-a", BINJIANG), ("ent-b", XIASHA))
    write(store, ("ent-a", "software_revenue", 2015, 4, 100.0), ("ent-b", "software_revenue", 2015, 4, 50.0),
          ("ent-a", "employees", 2015, 4, 40.0))
    firms(store, ("ent-a", "qd-softcity"))  # re-registered in Qingdao's software city
    assert summed(store, BINJIANG) is None
    assert summed(store, "hangzhou") == (50.0, 1)
    assert summed(store, "zhejiang") == (50.0, 1)
    assert summed(store, "qd-softcity") == (100.0, 1)
    assert summed(store, "qd-base") == (100.0, 1)
    assert summed(store, "qingdao", "employees") == (40.0, 1)
    assert summed(store, "cn") == (150.0, 2)
    assert figures.periods(store, BINJIANG) == [] and figures.periods(store, "qingdao") == [Period(2015, 4)]
    assert_matches_definition(store)


def test_a_changed_reporting_level_rebuilds_the_sums(store, catalog):
    firms(store, ("ent-a", BINJIANG))
    write(store, ("ent-a", "software_revenue", 2015, 4, 100.0), (BINJIANG, "software_revenue", 2015, 4, 400.0))
    assert summed(store, "hangzhou") == (100.0, 1)  # enterprises report software revenue
    by_park = dataclasses.replace(catalog, indicators={
        **catalog.indicators,
        "software_revenue": catalog.indicators["software_revenue"].model_copy(update={"reported_by": OrgKind.PARK})})
    plans.sync_catalog(store, by_park)
    assert summed(store, "hangzhou") == (400.0, 1)  # now the parks' own reports are summed
    assert summed(store, BINJIANG) is None
    assert_matches_definition(store)
    plans.sync_catalog(store, catalog)
    assert summed(store, "hangzhou") == (100.0, 1)


def test_migration_4_derives_both_tables_from_an_older_store(tmp_path, catalog):
    path = tmp_path / "v3.duckdb"
    import duckdb

    rawsql.store_before(path, 4).close()
    # A store as release 3 left it: figures written through the old view, no derived tables.
    con = duckdb.connect(str(path))
    assert not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'current_figures'").fetchall()[0][0]
    con.execute("""INSERT INTO indicators VALUES ('software_revenue', '2020', '软件业务收入', 'Software revenue', '万元',
                   'flow', 'enterprise', NULL, false, false, '[]')""")
    con.execute("""INSERT INTO orgs (org_id, name_zh, kind, parent_id, origin) VALUES
                   ('cn', '全国', 'country', NULL, 'catalog'), ('p', '园区', 'park', 'cn', 'catalog'),
                   ('e1', '甲', 'enterprise', 'p', 'user'), ('e2', '乙', 'enterprise', 'p', 'user')""")
    orgs.rebuild_closure(con)
    con.execute("""INSERT INTO submissions (submission_id, origin, status, submitted_by, row_count) VALUES
                   (1, 'import', 'accepted', 't', 2), (2, 'upload', 'accepted', 't', 1), (3, 'upload', 'pending', 't', 1)""")
    con.execute("""INSERT INTO observations (org_id, indicator_id, year, quarter, revision, value, value_entered,
                                             unit_entered, submission_id, entered_by) VALUES
                   ('e1', 'software_revenue', 2015, 4, 1, 10, 10, '万元', 1, 't'),
                   ('e2', 'software_revenue', 2015, 4, 1, 20, 20, '万元', 1, 't'),
                   ('e1', 'software_revenue', 2015, 4, 2, 15, 15, '万元', 2, 't'),
                   ('e2', 'software_revenue', 2015, 4, 2, 99, 99, '万元', 3, 't')""")
    con.close()
    con = connect(path)  # migrates to the latest version
    assert current(con, "e1") == (15.0, 2)
    assert current(con, "e2") == (20.0, 1)  # revision 2 is still pending
    assert summed(con, "p") == (35.0, 2)
    assert summed(con, "cn") == (35.0, 2)
    assert_matches_definition(con)
    con.close()


@pytest.mark.parametrize("status", ["accepted", "pending"])
def test_a_failed_write_leaves_both_tables_as_they_were(store, status):
    firms(store, ("ent-a", BINJIANG))
    write(store, ("ent-a", "software_revenue", 2015, 4, 100.0))
    bad = rows(("ent-a", "software_revenue", 2015, 4, 1.0), ("ent-a", "software_revenue", 2015, 4, 2.0))  # same key twice
    with pytest.raises(Exception):  # noqa: B017 (the primary key refuses the second row: any DuckDB error)
        submissions.write_submission(store, bad, actor="t", origin="import", status=status)
    assert current(store, "ent-a") == (100.0, 1)
    assert summed(store, "hangzhou") == (100.0, 1)
    migrate(store)  # nothing pending: a no-op
    assert_matches_definition(store)
