"""Published plans in the store: the texts they quote and every revision of every plan.

A plan reaches the product three ways — a shipped file under data/plans (synced at every start), a
plan confirmed on the authoring page, a YAML file imported from the command line — and all three
end here, as a revision: the whole validated plan, its version (1 as issued, one more per mid-term
adjustment), where it came from, who published it and when. Revisions are only ever added, so the
history of a plan is never overwritten; the newest revision of each plan is the one in force.

The texts are kept beside them (plan_texts): what every quote of a published plan was checked
against, under the name its `seed_file` (or an adjustment's) gives.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from domain.models import Plan
from store.sql import Con, frame, scalar


def text_id_for(file_name: str, text: str) -> str:
    """The name an uploaded text is kept under: its file's stem and the first 16 hex digits of its
    SHA-256, so two uploads of one file share a row and two different files never collide."""
    stem = "".join(ch for ch in file_name.rsplit(".", 1)[0] if ch.isalnum() or ch in "-_")[:40] or "plan"
    return f"{stem}_{hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]}.txt"


def put_text(con: Con, text_id: str, file_name: str, text: str, actor: str) -> bool:
    """Keep a text under `text_id` (a no-op if that exact text is already kept). Returns whether it
    was added. A different text under a kept name is refused: a quote checked against one text must
    never come to point at another."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    kept = scalar(con, "SELECT sha256 FROM plan_texts WHERE text_id = ?", [text_id])
    if kept == digest:
        return False
    if kept is not None:
        raise ValueError(f"a different text is already kept as {text_id!r}")
    con.execute("INSERT INTO plan_texts (text_id, file_name, sha256, text, added_by) VALUES (?, ?, ?, ?, ?)",
                [text_id, file_name, digest, text, actor])
    return True


def text(con: Con, text_id: str) -> str | None:
    return scalar(con, "SELECT text FROM plan_texts WHERE text_id = ?", [text_id])


def record(con: Con, plan: Plan, origin: str, actor: str) -> int:
    """Add a revision of `plan` (returns its number). The caller has validated it and holds the
    write transaction."""
    return scalar(
        con,
        "INSERT INTO plan_revisions (plan_id, version, spec, origin, published_by) VALUES (?, ?, ?, ?, ?) "
        "RETURNING revision",
        [plan.plan_id, plan.version, plan.model_dump_json(), origin, actor],
    )


def latest_spec(con: Con, plan_id: str, origin: str | None = None) -> str | None:
    """The newest revision's plan (as JSON) of `plan_id`, or of those from `origin` only."""
    return scalar(
        con,
        """SELECT spec FROM plan_revisions WHERE plan_id = ? AND (? IS NULL OR origin = ?)
           ORDER BY revision DESC LIMIT 1""",
        [plan_id, origin, origin],
    )


def in_force(con: Con) -> list[Plan]:
    """Every plan as its newest revision has it, in the order they were first published."""
    rows = con.execute(
        """SELECT spec FROM (
               SELECT spec, min(revision) OVER (PARTITION BY plan_id) AS first,
                      row_number() OVER (PARTITION BY plan_id ORDER BY revision DESC) AS newest
               FROM plan_revisions)
           WHERE newest = 1 ORDER BY first"""
    ).fetchall()
    return [Plan.model_validate_json(spec) for (spec,) in rows]


def newest(con: Con) -> int:
    """The newest revision number of any plan (0 with none): what a cached catalog is keyed on."""
    return scalar(con, "SELECT coalesce(max(revision), 0) FROM plan_revisions")


def revisions(con: Con, plan_id: str) -> pd.DataFrame:
    """A plan's revisions, newest first: number, version, origin, who, when."""
    return frame(
        con,
        """SELECT revision, version, origin, published_by, published_at FROM plan_revisions
           WHERE plan_id = ? ORDER BY revision DESC""",
        [plan_id],
    )
