"""Organisations: the tree of country, provinces, cities, districts, parks and enterprises, its
ancestry closure (every ancestor–descendant pair, so a bottom-up sum is one join), and the reads
of organisations the pages and the command line need.

An organisation moved to another parent, or of another kind, changes the sums of its old and new
ancestors; `upsert_orgs` has them recomputed (store/figures.py keeps the derived tables), for the
quarters the move holds (store/placements.py: all of them unless a `moved` event dates it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from domain.models import Organisation
from store import figures, placements
from store.sql import Con, frame, registered, scalar, transaction


def _org_rows(orgs: Iterable[Organisation], origin: str) -> pd.DataFrame:
    return pd.DataFrame(
        [(o.org_id, o.name_zh, o.name_en, o.kind.value, o.parent, o.credit_code, origin) for o in orgs],
        columns=["org_id", "name_zh", "name_en", "kind", "parent_id", "credit_code", "origin"],
    )


def upsert_orgs(con: Con, orgs: Sequence[Organisation], origin: str) -> None:
    """Insert or update organisations, then rebuild the ancestry closure if the tree changed.

    The app syncs the catalog at every start; with nothing new or moved the closure (and the
    bottom-up sums that follow it) are left alone, so a start costs no recomputation. An
    organisation moved to another parent, or of another kind, changes the sums of its old and new
    ancestors: those are recomputed."""
    if not orgs:
        return
    with transaction(con):
        _upsert_orgs(con, orgs, origin)


def _upsert_orgs(con: Con, orgs: Sequence[Organisation], origin: str) -> None:
    rows = _org_rows(orgs, origin)
    with registered(con, "new_orgs", rows):
        reparented = [r[0] for r in con.execute(
            """SELECT n.org_id FROM new_orgs n JOIN orgs o USING (org_id)
               WHERE o.parent_id IS DISTINCT FROM n.parent_id""").fetchall()]
        rekinded = [r[0] for r in con.execute(
            "SELECT n.org_id FROM new_orgs n JOIN orgs o USING (org_id) WHERE o.kind <> n.kind").fetchall()]
        added = scalar(con, "SELECT count(*) FROM new_orgs WHERE org_id NOT IN (SELECT org_id FROM orgs)")
        placed_before = placements.ancestry(con, reparented)
        kind_before = _ancestors_of_subtrees(con, rekinded)
        con.execute(
            """INSERT INTO orgs (org_id, name_zh, name_en, kind, parent_id, credit_code, origin)
               SELECT org_id, name_zh, name_en, kind, parent_id, credit_code, origin FROM new_orgs
               ON CONFLICT (org_id) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en,
                   kind = excluded.kind, parent_id = excluded.parent_id"""
        )
    if reparented or rekinded or added:
        rebuild_closure(con)
        placements.rebuild(con)  # the last range of a moved firm follows its current parent
    # A new parent moves the figures of the quarters it holds (all of them without a `moved` event);
    # only the ancestors that gain or lose some are recomputed. A new kind changes what is summed.
    changed = {a for a, *_ in placed_before ^ placements.ancestry(con, reparented)}
    changed |= kind_before | _ancestors_of_subtrees(con, rekinded)
    if changed:
        figures.refresh_ancestors(con, sorted(changed))


def _ancestors_of_subtrees(con: Con, org_ids: Sequence[str]) -> set[str]:
    """Every ancestor, in any quarter, of every organisation at or under the given ones (whose sums
    they feed)."""
    return {a for a, *_ in placements.ancestry(con, org_ids)}


def rebuild_closure(con: Con) -> None:
    with transaction(con):  # never a deleted closure without its replacement
        _rebuild_closure(con)


def _rebuild_closure(con: Con) -> None:
    con.execute("DELETE FROM org_closure")
    con.execute(
        """INSERT INTO org_closure
           WITH RECURSIVE up(ancestor_id, descendant_id, depth) AS (
               SELECT org_id, org_id, 0 FROM orgs
               UNION ALL
               SELECT o.parent_id, up.descendant_id, up.depth + 1
               FROM up JOIN orgs o ON o.org_id = up.ancestor_id
               WHERE o.parent_id IS NOT NULL)
           SELECT ancestor_id, descendant_id, depth FROM up"""
    )


# ------------------------------------------------------------------------------------ reads


def orgs(con: Con) -> pd.DataFrame:
    return frame(con, """SELECT org_id, name_zh, name_en, kind, parent_id, credit_code, origin, contact_email
                         FROM orgs ORDER BY org_id""")


def name_of(con: Con, org_id: str, lang: str = "zh") -> str | None:
    """The name of an organisation in `lang` (its Chinese name where it has no English one), or
    None when there is none of that id."""
    if lang == "zh":
        return scalar(con, "SELECT name_zh FROM orgs WHERE org_id = ?", [org_id])
    return scalar(con, "SELECT coalesce(nullif(trim(name_en), ''), name_zh) FROM orgs WHERE org_id = ?", [org_id])


def count_of(con: Con, *kinds: str) -> int:
    """How many organisations there are of the given kinds."""
    return int(scalar(con, "SELECT count(*) FROM orgs WHERE list_contains(?, kind)", [list(kinds)]))


def parks(con: Con) -> pd.DataFrame:
    return frame(
        con,
        """SELECT p.org_id, p.name_zh, p.name_en, p.parent_id, c.org_id AS city_id, c.name_zh AS city_name,
                  c.name_en AS city_name_en
           FROM orgs p
           JOIN org_closure x ON x.descendant_id = p.org_id
           JOIN orgs c ON c.org_id = x.ancestor_id AND c.kind = 'city'
           WHERE p.kind = 'park' ORDER BY c.org_id, p.org_id""",
    )


def writable_orgs(con: Con, root: str | None) -> pd.DataFrame:
    """Enterprises and parks at or under `root` (everything when None), for the entry form."""
    return frame(
        con,
        """SELECT o.org_id, o.name_zh, o.name_en, o.kind, o.credit_code FROM orgs o
           WHERE o.kind IN ('enterprise', 'park')
             AND (? IS NULL OR o.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ?))
           ORDER BY o.kind DESC, o.name_zh""",
        [root, root],
    )


def firms_in_parks(con: Con, under: str | None) -> pd.DataFrame:
    """Every enterprise that lies in a park, with its park, at or under `under` (all when None):
    what the search box offers (a firm outside any park has no page to open)."""
    return frame(
        con,
        """SELECT e.org_id, e.name_zh, e.credit_code, p.org_id AS park_id FROM orgs e
           JOIN org_closure x ON x.descendant_id = e.org_id
           JOIN orgs p ON p.org_id = x.ancestor_id AND p.kind = 'park'
           WHERE e.kind = 'enterprise'
             AND (? IS NULL OR e.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ?))
           ORDER BY e.name_zh, e.org_id""",
        [under, under],
    )


def city_of(con: Con, org_id: str) -> str | None:
    return scalar(con, """SELECT c.ancestor_id FROM org_closure c JOIN orgs o ON o.org_id = c.ancestor_id
                          WHERE c.descendant_id = ? AND o.kind = 'city'""", [org_id])


def orgs_of_kind(con: Con, under: str, kind: str) -> pd.DataFrame:
    return frame(
        con,
        """SELECT g.org_id, g.name_zh, g.name_en, g.parent_id FROM orgs g
           JOIN org_closure c ON c.descendant_id = g.org_id AND c.ancestor_id = ?
           WHERE g.kind = ? ORDER BY g.name_zh""",
        [under, kind],
    )


# ------------------------------------------------------- contact e-mails (issue 17: reminders)
# Written by the register (store/register.py, MANAGE_REGISTER); read here for reminders and notices.


def contacts(con: Con, org_ids: Iterable[str]) -> dict[str, str]:
    """The contact e-mail of each of `org_ids` that has one (reminders and notices go there)."""
    ids = sorted(set(org_ids))
    if not ids:
        return {}
    found = frame(con, "SELECT org_id, contact_email FROM orgs WHERE list_contains(?, org_id) AND contact_email IS NOT NULL",
                  [ids])
    return dict(zip(found.org_id, found.contact_email, strict=True))

