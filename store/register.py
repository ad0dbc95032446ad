"""The register of reporting units in the store: checking a register file against it, loading it
all or nothing, editing one firm, recording its dated events, and the accounts of its firms.

The rules and the plan are domain/register.py's; this module reads what they compare with (the
parks and districts, the registered firms), and writes: new firms (origin 'user', id ent-<code>)
with an `entered_survey` event, a changed park or district as a move (orgs.parent_id through
store/orgs.upsert_orgs, which recomputes the sums, and a `moved` event), names and contact e-mails.
Every function names its caller and refuses — audited — anyone without MANAGE_REGISTER
(store/access.py `require`); a load or an edit is one transaction with one audit row, so a refused
file or a failed write leaves nothing behind.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import pandas as pd

from domain import register as rules
from domain.access import Identity, Role
from domain.messages import Message
from domain.models import Organisation, OrgKind
from domain.policy import Permission
from domain.register import RegisterInputError, RegisterPlan, StoredFirm
from domain.sso import normalise_email, valid_email
from domain.validation import Problem
from store import access, figures, org_events, orgs, readers, sql, users
from store.audit import audit
from store.org_events import OrgEvent
from store.readers import FileRejected


class RegisterRejected(ValueError):
    """A register file with errors: nothing was written; `plan` holds every problem."""

    def __init__(self, plan: RegisterPlan):
        self.plan = plan
        super().__init__("\n".join(str(p) for p in plan.errors))


def _require(con: sql.Con, who: Identity, action: str, objects: list[str]) -> None:
    access.require(con, who, Permission.MANAGE_REGISTER, action, objects)


# ------------------------------------------------------------------------------------ reads


def _stored_firms(con: sql.Con) -> list[StoredFirm]:
    """Every organisation holding a credit code (any kind: a code must not be given to a second one)."""
    rows = con.execute("""SELECT org_id, name_zh, credit_code, parent_id, contact_email, kind FROM orgs
                          WHERE credit_code IS NOT NULL OR kind = 'enterprise' ORDER BY org_id""").fetchall()
    return [StoredFirm(*r) for r in rows]


def _places(con: sql.Con) -> rules.Places:
    rows = con.execute(
        """SELECT o.org_id, o.name_zh, o.kind, min(x.ancestor_id) FILTER (WHERE a.kind = 'city') AS city
           FROM orgs o LEFT JOIN org_closure x ON x.descendant_id = o.org_id LEFT JOIN orgs a ON a.org_id = x.ancestor_id
           WHERE o.kind <> 'enterprise' GROUP BY ALL""").fetchall()
    return rules.Places(rules.Place(*r) for r in rows)


def register(con: sql.Con, who: Identity, under: str | None = None) -> pd.DataFrame:
    """The registered enterprises (those under `under` when given): name, code, park or district,
    contact e-mail, how many events, how many accounts (administrators)."""
    _require(con, who, "read the register", [under or "register"])
    return sql.frame(
        con,
        """SELECT o.org_id, o.name_zh, o.credit_code, o.parent_id, p.name_zh AS parent_name, p.kind AS parent_kind,
                  o.contact_email, o.origin,
                  (SELECT count(*) FROM org_events e WHERE e.org_id = o.org_id) AS events,
                  (SELECT count(*) FROM users u WHERE u.scope_org_id = o.org_id) AS accounts
           FROM orgs o LEFT JOIN orgs p ON p.org_id = o.parent_id
           WHERE o.kind = 'enterprise'
             AND (? IS NULL OR o.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ?))
           ORDER BY p.name_zh, o.name_zh, o.org_id""", [under, under])


def places(con: sql.Con, who: Identity) -> pd.DataFrame:
    """The parks and districts a firm may belong to, with the city above each and their own contact
    e-mail (administrators)."""
    _require(con, who, "read the register", ["register"])
    return sql.frame(
        con,
        """SELECT o.org_id, o.name_zh, o.name_en, o.kind, c.name_zh AS city_name, c.name_en AS city_name_en,
                  o.contact_email FROM orgs o
           LEFT JOIN org_closure x ON x.descendant_id = o.org_id
           LEFT JOIN orgs c ON c.org_id = x.ancestor_id AND c.kind = 'city'
           WHERE o.kind IN ('park', 'district') AND (x.ancestor_id IS NULL OR c.org_id IS NOT NULL)
           ORDER BY c.name_zh, o.kind DESC, o.name_zh""")


def events(con: sql.Con, who: Identity, org_id: str | None = None) -> pd.DataFrame:
    _require(con, who, "read the register", [org_id or "register"])
    return org_events.events(con, org_id)


# ------------------------------------------------------------------------------- the import


def _read(name: str, data: bytes) -> tuple[list[rules.RegisterRow], list[Problem]]:
    """The file's rows (read within the readers' limits), or the problem that refuses it."""
    try:
        grid = readers.grid(name, data)
    except FileRejected as e:
        return [], [Problem(file=name, row=e.row, column=e.column, value=None, reason=e.reason)]
    return rules.read_rows(name, grid)


def _plan(con: sql.Con, name: str, read: tuple[list[rules.RegisterRow], list[Problem]],
          effective: dt.date) -> RegisterPlan:
    """The rows checked against the store as it is now, and the plan of what loading them changes."""
    rows, problems = read
    if not rows:
        return RegisterPlan(name, effective, problems=tuple(problems))
    firms = _stored_firms(con)
    ctx = rules.Context(name, _places(con), {f.credit_code.upper(): f for f in firms if f.credit_code},
                        frozenset(r[0] for r in con.execute("SELECT org_id FROM orgs").fetchall()), effective)
    entries, found = rules.check(ctx, rows)
    plan = rules.plan(name, effective, entries, firms, [*problems, *found])
    late = [Problem(file=name, row=c.entry.row, column=None, value=c.entry.effective.isoformat(),
                    reason=Message.of("register.move_before_last", last=last.isoformat()))
            for c in plan.changed if c.moved and (last := _last_move(con, c.before.org_id)) is not None
            and c.entry.effective <= last]
    return dataclasses.replace(plan, problems=(*plan.problems, *late)) if late else plan


def _last_move(con: sql.Con, org_id: str) -> dt.date | None:
    """The day of an organisation's latest recorded move. A move is only ever added after it: one
    dated earlier would rewrite where the firm sat in quarters a later move has already placed."""
    return sql.scalar(con, "SELECT max(effective) FROM org_events WHERE org_id = ? AND event = 'moved'", [org_id])


def check_file(con: sql.Con, who: Identity, name: str, data: bytes, effective: dt.date | None = None) -> RegisterPlan:
    """What loading the file would change, and every problem in it (nothing written)."""
    _require(con, who, "check a register file", [f"file:{name}"[:200]])
    return _plan(con, name, _read(name, data), effective or rules.default_effective(dt.date.today()))


def import_file(con: sql.Con, who: Identity, name: str, data: bytes, effective: dt.date | None = None) -> RegisterPlan:
    """Load a register file, all or nothing: checked again inside the write (the store may have
    changed since it was shown), then every new firm, change, move and event written with one
    audit row. A file with errors raises RegisterRejected and writes nothing, audit row included."""
    _require(con, who, "load a register file", [f"file:{name}"[:200]])
    effective = effective or rules.default_effective(dt.date.today())
    read = _read(name, data)  # parsed before the write lock is taken: only the comparison needs it
    with sql.transaction(con):
        plan = _plan(con, name, read, effective)
        if plan.errors:
            raise RegisterRejected(plan)
        _write(con, who, plan)
    return plan


def _write(con: sql.Con, who: Identity, plan: RegisterPlan) -> None:
    names_en = dict(con.execute("SELECT org_id, name_en FROM orgs WHERE kind = 'enterprise'").fetchall())
    new = [Organisation(org_id=e.org_id, name_zh=e.name, kind=OrgKind.ENTERPRISE, parent=e.parent,
                        credit_code=e.credit_code) for e in plan.added]
    edited = [Organisation(org_id=c.before.org_id, name_zh=c.entry.name, name_en=names_en.get(c.before.org_id) or "",
                           kind=OrgKind.ENTERPRISE, parent=c.entry.parent, credit_code=c.before.credit_code)
              for c in plan.changed if {"name", "parent"} & set(c.fields)]
    orgs.upsert_orgs(con, [*new, *edited], "user")
    for e in [*plan.added, *(c.entry for c in plan.changed if "email" in c.fields)]:
        if e.email is not None:
            _set_email(con, e.org_id, e.email)
    for e in plan.added:
        org_events.add_event(con, e.org_id, OrgEvent.ENTERED_SURVEY, e.effective, actor=who.username,
                             note=f"register:{plan.file}"[:200])
    for c in plan.changed:
        if c.moved:
            org_events.add_event(con, c.before.org_id, OrgEvent.MOVED, c.entry.effective, actor=who.username,
                                 from_parent=c.before.parent, to_parent=c.entry.parent,
                                 note=f"register:{plan.file}"[:200])
    # The events just written decide where each firm counts in each quarter (store/placements.py).
    figures.refresh_after_events(con, [e.org_id for e in plan.added] + [c.before.org_id for c in plan.changed if c.moved])
    audit(con, who.username, "register.import", f"file:{plan.file}"[:200],
          {**plan.counts(), "moved": sum(c.moved for c in plan.changed), "effective": plan.effective.isoformat(),
           "warnings": len(plan.warnings)})


def _set_email(con: sql.Con, org_id: str, email: str | None) -> None:
    con.execute("UPDATE orgs SET contact_email = ? WHERE org_id = ?", [email, org_id])


# ------------------------------------------------------------------------- one firm at a time


def _org(con: sql.Con, org_id: str) -> tuple[str, str, str, str | None, str | None, str | None]:
    row = sql.first(con, "SELECT org_id, name_zh, name_en, kind, parent_id, credit_code FROM orgs WHERE org_id = ?",
                    [org_id])
    if row is None:
        raise RegisterInputError(Message.of("register.unknown_org", org=org_id))
    return row


def _firm(con: sql.Con, org_id: str) -> tuple:
    row = _org(con, org_id)
    if row[3] != OrgKind.ENTERPRISE.value:
        raise RegisterInputError(Message.of("register.not_a_firm", org=org_id))
    return row


def check_email(email: str | None) -> str | None:
    """A contact e-mail as stored (lower case), None for none; RegisterInputError if malformed."""
    if email is None or not email.strip():
        return None
    email = normalise_email(email)
    if not valid_email(email):
        raise RegisterInputError(Message.of("register.email_invalid_value", email=email))
    return email


def set_contact_email(con: sql.Con, who: Identity, org_id: str, email: str | None) -> str | None:
    """The address reminders and notices for an organisation (a firm, a park …) go to; "" or None
    clears it. Returns it as stored."""
    _require(con, who, "set the contact e-mail of", [org_id])
    email = check_email(email)
    with sql.transaction(con):
        _org(con, org_id)
        _set_email(con, org_id, email)
        audit(con, who.username, "register.set_email", org_id, {"email": email})
    return email


def rename(con: sql.Con, who: Identity, org_id: str, name: str) -> None:
    """A firm's registered name (the rules a register file's name meets)."""
    _require(con, who, "rename", [org_id])
    name = name.strip()
    if (why := rules.name_problem(name)) is not None:
        raise RegisterInputError(why)
    with sql.transaction(con):
        oid, old, name_en, kind, parent, code = _firm(con, org_id)
        if old == name:
            return
        orgs.upsert_orgs(con, [Organisation(org_id=oid, name_zh=name, name_en=name_en or "", kind=OrgKind(kind),
                                            parent=parent, credit_code=code)], "user")
        audit(con, who.username, "register.rename", org_id, {"from": old, "to": name})


def edit(con: sql.Con, who: Identity, org_id: str, *, name: str | None = None, email: str | None = None,
         to_parent: str | None = None, effective: dt.date | None = None, note: str = "") -> None:
    """Change a firm's name, contact e-mail and place at once, all or nothing: every value is
    checked before anything is written, and the writes share one transaction, so a refused e-mail
    never leaves a rename behind. None leaves a field as it is ("" clears the e-mail); a new place
    needs the day of the move."""
    _require(con, who, "edit", [org_id])
    if name is not None and (why := rules.name_problem(name.strip())) is not None:
        raise RegisterInputError(why)
    if email is not None:
        check_email(email)
    if (to_parent is None) != (effective is None):
        raise RegisterInputError(Message.of("register.move_needs_place"))
    with sql.transaction(con):
        if name is not None:
            rename(con, who, org_id, name)
        if email is not None:
            set_contact_email(con, who, org_id, email)
        if to_parent is not None:
            record_event(con, who, org_id, OrgEvent.MOVED, effective, to_parent=to_parent, note=note)


def record_event(con: sql.Con, who: Identity, org_id: str, event: OrgEvent, effective: dt.date, *,
                 to_parent: str | None = None, note: str = "") -> int:
    """A dated event of a firm; `moved` also moves it (orgs.parent_id, so the sums follow) to
    `to_parent`, a park or district other than its own. Returns the event's id."""
    _require(con, who, "record an event of", [org_id])
    event = OrgEvent(event)
    if (event == OrgEvent.MOVED) != (to_parent is not None):
        raise RegisterInputError(Message.of("register.move_needs_place" if event == OrgEvent.MOVED
                                            else "register.place_only_for_move"))
    with sql.transaction(con):
        oid, name, name_en, kind, parent, code = _firm(con, org_id)
        if event != OrgEvent.MOVED:
            event_id = org_events.add_event(con, oid, event, effective, actor=who.username, note=note)
        else:
            place = sql.first(con, "SELECT kind FROM orgs WHERE org_id = ?", [to_parent])
            if place is None or place[0] not in rules.PLACE_KINDS:
                raise RegisterInputError(Message.of("register.not_a_place", org=to_parent))
            if to_parent == parent:
                raise RegisterInputError(Message.of("register.already_there", org=to_parent))
            if (last := _last_move(con, oid)) is not None and effective <= last:
                raise RegisterInputError(Message.of("register.move_before_last", last=last.isoformat()))
            orgs.upsert_orgs(con, [Organisation(org_id=oid, name_zh=name, name_en=name_en or "", kind=OrgKind(kind),
                                                parent=to_parent, credit_code=code)], "user")
            event_id = org_events.add_event(con, oid, event, effective, actor=who.username, from_parent=parent,
                                            to_parent=to_parent, note=note)
        figures.refresh_after_events(con, [oid])  # where (and whether) the firm counts, quarter by quarter
        audit(con, who.username, f"register.{event.value}", org_id,
              {"effective": effective.isoformat(), "from": parent if event == OrgEvent.MOVED else None,
               "to": to_parent, "note": note, "event_id": event_id})
    return event_id


# ---------------------------------------------------------------------------------- accounts


@dataclass(frozen=True)
class NewAccount:
    """An enterprise account made for a registered firm, with its one-time password."""

    username: str
    org_id: str
    org_name: str
    contact_email: str | None
    password: str
    credit_code: str | None = None


def _password() -> str:
    """A generated password that starts with a letter or digit: one starting with "-" would be
    handed over with an apostrophe before it, since a CSV export neutralises formula triggers."""
    while not (password := users.new_password())[0].isalnum():
        continue
    return password


def create_accounts(con: sql.Con, who: Identity, park: str | None = None) -> list[NewAccount]:
    """An enterprise user for every firm of `park` (or of the whole register) that has none:
    username the credit code in lower case (the firm's id when it has no code), display name the
    firm's name, scope the firm, a generated password. Existing accounts are left alone; a firm
    whose username another account already holds is skipped (its account is made by hand)."""
    _require(con, who, "create the accounts of", [park or "register"])
    if park is not None:
        row = sql.first(con, "SELECT kind FROM orgs WHERE org_id = ?", [park])
        if row is None or row[0] not in rules.PLACE_KINDS:
            raise RegisterInputError(Message.of("register.not_a_place", org=park))
    firms = con.execute(
        """SELECT o.org_id, o.name_zh, o.credit_code, o.contact_email FROM orgs o
           WHERE o.kind = 'enterprise'
             AND (? IS NULL OR o.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ?))
             AND NOT EXISTS (SELECT 1 FROM users u WHERE u.scope_org_id = o.org_id)
             AND NOT EXISTS (  -- closed, or out of the survey: nobody there reports any more
                 SELECT 1 FROM (SELECT event FROM org_events v WHERE v.org_id = o.org_id AND v.event <> 'moved'
                                ORDER BY effective DESC, event_id DESC LIMIT 1) last
                 WHERE last.event IN ('closed', 'left_survey'))
           ORDER BY o.org_id""", [park, park]).fetchall()
    taken = {r[0] for r in con.execute("SELECT username FROM users").fetchall()}
    wanted = []
    for org_id, name, code, email in firms:
        username = users.normalise(code or org_id.removeprefix("ent-"))
        if username in taken:
            continue
        taken.add(username)
        wanted.append(NewAccount(username, org_id, name, email, _password(), code))
    users.add_users(con, who, [(a.username, a.org_name[:users.MAX_DISPLAY_NAME], Role.ENTERPRISE, a.org_id, a.password)
                               for a in wanted])
    return wanted
