"""The register of reporting units (统计调查单位名录): reading a bureau's register file, the rules each
of its rows must pass, and the plan of what loading it would change.

A bureau already keeps its register as a spreadsheet: one row per firm with its name (单位名称), its
unified social credit code (统一社会信用代码), the park (所属园区) or district (所属区县) it belongs to,
often a contact e-mail (联系邮箱) and sometimes the day it entered the survey (生效日期). `read_rows`
finds the header (Chinese or English words) in the grid store/readers.py read and turns each row
into a `RegisterRow`; `check` runs every rule over every row and collects every problem, each with
the file, row, column, cell and a reason (a `Message`), as domain/validation.py does for figures;
`plan` compares the rows that passed with the firms the store holds: added, changed (which fields),
unchanged, and registered firms the file does not name (listed, never deleted).

Pure: no store. The store hands in the places (parks and districts) and the firms it knows.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from domain.credit_code import credit_code_problem
from domain.messages import Message, listed
from domain.models import OrgKind
from domain.periods import last_complete_quarter
from domain.spreadsheet import runs_as_formula
from domain.sso import normalise_email, valid_email
from domain.validation import HasProblems, Problem, Severity, whole_file

MAX_NAME = 100  # characters of a firm's name (a registered name is far shorter)


def default_effective(today: dt.date) -> dt.date:
    """The day a register loaded without dates takes effect: the first day of the year of the last
    complete quarter. The survey's list of units (名录) is a year's, and a bureau loading it today
    collects that quarter next, so its firms must be reporting units of it; a row's own 生效日期 wins."""
    return dt.date(last_complete_quarter(today).year, 1, 1)
HEADER_SEARCH_ROWS = 20  # a title block may sit above the header
PLACE_KINDS = (OrgKind.PARK.value, OrgKind.DISTRICT.value)  # what a firm may belong to

# Each field under the header words it is found by (compared without surrounding spaces, case-blind).
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("单位名称", "单位详细名称", "企业名称", "name", "name_zh"),
    "credit_code": ("统一社会信用代码", "社会信用代码", "信用代码", "credit_code", "credit code"),
    "park": ("所属园区", "园区", "park", "park_id"),
    "district": ("所属区县", "所在区县", "区县", "district", "district_id"),
    "email": ("联系邮箱", "电子邮箱", "邮箱", "contact_email", "email", "e-mail"),
    "effective": ("生效日期", "effective", "effective_date"),
}
REQUIRED = ("name", "credit_code")  # and one of park / district
CHANGE_FIELDS = ("name", "parent", "email")

_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")


class RegisterInputError(ValueError):
    """An edit of the register that cannot be made (an unknown firm, a place that is not a park or
    district, a move to where it already is); `reason` says why."""

    def __init__(self, reason: Message):
        self.reason = reason
        super().__init__(reason)


# ------------------------------------------------------------------------------------ inputs


@dataclass(frozen=True)
class RegisterRow:
    """One row of a register file as typed (each field stripped text, blank where absent)."""

    row: int  # spreadsheet row
    name: str
    credit_code: str
    park: str = ""
    district: str = ""
    email: str = ""
    effective: str = ""
    columns: Mapping[str, str] = field(default_factory=dict)  # field -> the header of its column

    def column(self, name: str) -> str:
        return self.columns.get(name, name)


@dataclass(frozen=True)
class Place:
    org_id: str
    name: str
    kind: str
    city: str | None = None  # the city it lies in


class Places:
    """Every organisation a row may name as its park or district, by id or exact Chinese name."""

    def __init__(self, places: Iterable[Place]):
        self.by_id = {p.org_id: p for p in places}
        self.by_name: dict[str, list[Place]] = {}
        for p in self.by_id.values():
            self.by_name.setdefault(p.name, []).append(p)

    def find(self, text: str) -> Place | list[Place] | None:
        """The place named by id or exact name, several when a name is ambiguous, None when unknown."""
        if text in self.by_id:
            return self.by_id[text]
        found = self.by_name.get(text, [])
        return found[0] if len(found) == 1 else (found or None)


@dataclass(frozen=True)
class StoredFirm:
    """A firm of the store as the plan compares it."""

    org_id: str
    name: str
    credit_code: str | None
    parent: str | None
    email: str | None = None
    kind: str = OrgKind.ENTERPRISE.value


@dataclass(frozen=True)
class Entry:
    """A row that passed every rule: what the register should say about one firm."""

    row: int
    org_id: str  # the store's id of the firm, or the one it gets (ent-<code>)
    name: str
    credit_code: str  # upper case
    parent: str
    email: str | None  # lower case; None: the file gives none (the stored one is kept)
    effective: dt.date


@dataclass(frozen=True)
class Change:
    entry: Entry
    before: StoredFirm
    fields: tuple[str, ...]  # of CHANGE_FIELDS

    @property
    def moved(self) -> bool:
        return "parent" in self.fields


@dataclass(frozen=True)
class RegisterPlan(HasProblems):
    """What loading a register file would do, and every problem found in it."""

    file: str
    effective: dt.date
    added: tuple[Entry, ...] = ()
    changed: tuple[Change, ...] = ()
    unchanged: tuple[Entry, ...] = ()
    absent: tuple[StoredFirm, ...] = ()  # registered firms the file does not name: listed, never deleted
    problems: tuple[Problem, ...] = ()

    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "changed": len(self.changed), "unchanged": len(self.unchanged),
                "absent": len(self.absent)}


def org_id_for(credit_code: str) -> str:
    """The id a new firm gets: its code in lower case after `ent-` (the demo's convention)."""
    return f"ent-{credit_code.strip().lower()}"


def parse_date(text: str) -> dt.date | None:
    """A date as a register writes it (2024-01-05, 2024/1/5, 2024.1.5, 2024年1月5日); None if none of them."""
    s = unicodedata.normalize("NFKC", text).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T]00:00:00", s):  # a date cell of a workbook, read as a datetime
        s = s[:10]
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    return None


def _header_of(cells: Sequence[str]) -> dict[str, int]:
    lowered = [c.strip().lower() for c in cells]
    out: dict[str, int] = {}
    for name, words in HEADERS.items():
        for w in words:
            if w.lower() in lowered:
                out[name] = lowered.index(w.lower())
                break
    return out


def _cell(row: Sequence[str], at: int | None) -> str:
    return row[at].strip() if at is not None and at < len(row) else ""


def read_rows(file: str, grid: Sequence[tuple[int, Sequence[str]]]) -> tuple[list[RegisterRow], list[Problem]]:
    """The rows of a register file below its header (found in the first rows, under a title block),
    or a problem naming the columns it lacks."""
    for position, (_, cells) in enumerate(grid[:HEADER_SEARCH_ROWS]):
        at = _header_of(cells)
        if all(f in at for f in REQUIRED) and ("park" in at or "district" in at):
            header = [c.strip() for c in cells]
            columns = {f: header[i] for f, i in at.items()}
            rows = [RegisterRow(number, *(_cell(row, at.get(f)) for f in HEADERS), columns=columns)
                    for number, row in grid[position + 1:]]
            if not rows:
                return [], [whole_file(file, Message.of("register.no_rows"))]
            return rows, []
    needed = [HEADERS["name"][0], HEADERS["credit_code"][0], f"{HEADERS['park'][0]}/{HEADERS['district'][0]}"]
    return [], [whole_file(file, Message.of("register.missing_columns", columns=listed(needed)))]


# --------------------------------------------------------------------------------- row rules


@dataclass
class Reading:
    """What the rules have read from one row so far (a rule whose input an earlier rule refused stays silent)."""

    code: str | None = None
    parent: str | None = None
    email: str | None = None
    effective: dt.date | None = None


@dataclass(frozen=True)
class Context:
    file: str
    places: Places
    firms: Mapping[str, StoredFirm]  # by credit code, upper case: every organisation holding a code
    taken_ids: frozenset[str]  # every org id in the store (a new firm's id must be free)
    effective: dt.date  # the import's date, for rows that give none

    def problem(self, rec: RegisterRow, name: str, value: str, reason: Message,
                severity: Severity = Severity.ERROR) -> Problem:
        return Problem(file=self.file, row=rec.row, column=rec.column(name), value=value, reason=reason,
                       severity=severity)


RowRule = Callable[[RegisterRow, Reading, Context], list[Problem]]


def name_problem(name: str) -> Message | None:
    """None for a usable firm name: present, at most MAX_NAME characters, no control characters."""
    if not name:
        return Message.of("register.name_missing")
    if len(name) > MAX_NAME:
        return Message.of("register.name_too_long", length=len(name), limit=MAX_NAME)
    if any(unicodedata.category(c).startswith("C") for c in name):
        return Message.of("register.name_control")
    if runs_as_formula(name):  # no registered name starts so, and this one would run in every template
        return Message.of("register.name_formula")
    return None


def name_valid(rec: RegisterRow, got: Reading, ctx: Context) -> list[Problem]:
    """A firm has a name, of at most MAX_NAME characters, without control characters."""
    if (why := name_problem(rec.name)) is None:
        return []
    shown = rec.name[:MAX_NAME] + "…" if len(rec.name) > MAX_NAME else rec.name
    if why.code == "register.name_control":
        shown = shown.encode("unicode_escape").decode("ascii")  # the control characters made visible
    return [ctx.problem(rec, "name", shown, why)]


def credit_code_valid(rec: RegisterRow, got: Reading, ctx: Context) -> list[Problem]:
    """The code is a valid unified social credit code (GB 32100-2015: length, alphabet, check character)."""
    if not rec.credit_code:
        return [ctx.problem(rec, "credit_code", "", Message.of("register.code_missing"))]
    if fault := credit_code_problem(rec.credit_code):
        return [ctx.problem(rec, "credit_code", rec.credit_code, Message.of("register.code_invalid", problem=fault))]
    got.code = rec.credit_code.strip().upper()
    return []


def code_of_a_firm(rec: RegisterRow, got: Reading, ctx: Context) -> list[Problem]:
    """A code the store holds belongs to an enterprise (not a park or a college), and a new firm's
    id (ent-<code>) is free; a registered firm under another name is shown as a change."""
    if got.code is None:
        return []
    stored = ctx.firms.get(got.code)
    if stored is None:
        if org_id_for(got.code) in ctx.taken_ids:
            got.code = None
            return [ctx.problem(rec, "credit_code", rec.credit_code,
                                Message.of("register.id_taken", org_id=org_id_for(rec.credit_code)))]
        return []
    if stored.kind != OrgKind.ENTERPRISE.value:
        got.code = None
        return [ctx.problem(rec, "credit_code", rec.credit_code,
                            Message.of("register.code_not_enterprise", org=stored.name, kind=Message.of(
                                f"register.kind.{stored.kind}") if stored.kind in _KINDS else stored.kind))]
    if rec.name and stored.name != rec.name:
        return [ctx.problem(rec, "name", rec.name, Message.of("register.name_changed", old=stored.name, new=rec.name),
                            Severity.WARNING)]
    return []


_KINDS = {k.value for k in OrgKind}


def _place(rec: RegisterRow, name: str, ctx: Context) -> tuple[Place | None, list[Problem]]:
    text = getattr(rec, name)
    found = ctx.places.find(text)
    if found is None:
        return None, [ctx.problem(rec, name, text, Message.of("register.parent_unknown"))]
    if isinstance(found, list):
        return None, [ctx.problem(rec, name, text, Message.of("register.parent_ambiguous",
                                                              ids=listed(sorted(p.org_id for p in found))))]
    if found.kind not in PLACE_KINDS:
        return None, [ctx.problem(rec, name, text, Message.of(
            "register.parent_not_place", kind=Message.of(f"register.kind.{found.kind}") if found.kind in _KINDS
            else found.kind))]
    if found.kind != (OrgKind.PARK.value if name == "park" else OrgKind.DISTRICT.value):
        return None, [ctx.problem(rec, name, text, Message.of(f"register.not_a_{name}"))]
    return found, []


def parent_known(rec: RegisterRow, got: Reading, ctx: Context) -> list[Problem]:
    """The firm belongs to a known park (所属园区) or, outside any park, a known district (所属区县),
    named by id or exact name; given both, the park is where it is counted (a warning if the two lie
    in different cities)."""
    if not rec.park and not rec.district:
        return [ctx.problem(rec, "park" if "park" in rec.columns else "district", "",
                            Message.of("register.parent_missing"))]
    problems: list[Problem] = []
    park, district = None, None
    if rec.park:
        park, found = _place(rec, "park", ctx)
        problems += found
    if rec.district:
        district, found = _place(rec, "district", ctx)
        problems += found
    if park is not None and district is not None and park.city != district.city:
        # A park need not lie inside a district in the tree (parks hang from their city), so only
        # two different cities are suspicious; the park is where the firm is counted.
        problems.append(ctx.problem(rec, "park", rec.park, Message.of(
            "register.park_outside_district", park=park.name, district=district.name), Severity.WARNING))
    if not any(p.severity == Severity.ERROR for p in problems):
        got.parent = (park or district).org_id  # type: ignore[union-attr]  # one of them is given and found
    return problems


def email_valid(rec: RegisterRow, got: Reading, ctx: Context) -> list[Problem]:
    """An e-mail, if given, is an address (stored in lower case)."""
    if not rec.email:
        return []
    email = normalise_email(rec.email)
    if not valid_email(email):
        return [ctx.problem(rec, "email", rec.email, Message.of("register.email_invalid"))]
    got.email = email
    return []


def effective_valid(rec: RegisterRow, got: Reading, ctx: Context) -> list[Problem]:
    """A 生效日期, if given, is a date; a row without one takes the import's."""
    if not rec.effective:
        got.effective = ctx.effective
        return []
    day = parse_date(rec.effective)
    if day is None:
        return [ctx.problem(rec, "effective", rec.effective, Message.of("register.effective_invalid"))]
    got.effective = day
    return []


class NoDuplicates:
    """A code appears once in a file (error); one name under two codes is more likely two firms'
    typing slip than two firms (warning)."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}
        self.names: dict[str, tuple[int, str]] = {}

    def __call__(self, rec: RegisterRow, got: Reading, ctx: Context) -> list[Problem]:
        problems = []
        code = rec.credit_code.strip().upper()
        if code:
            if code in self.codes:
                problems.append(ctx.problem(rec, "credit_code", rec.credit_code,
                                            Message.of("register.code_duplicate", first_row=self.codes[code])))
                got.code = None
            else:
                self.codes[code] = rec.row
        if rec.name and code:
            first = self.names.setdefault(rec.name, (rec.row, code))
            if first[1] != code:
                problems.append(ctx.problem(rec, "name", rec.name, Message.of(
                    "register.name_duplicate", first_row=first[0], code=first[1]), Severity.WARNING))
        return problems


def row_rules() -> tuple[RowRule, ...]:
    """The rules in the order they run on each row (a fresh duplicate check per file)."""
    return (name_valid, credit_code_valid, NoDuplicates(), code_of_a_firm, parent_known, email_valid, effective_valid)


def check(ctx: Context, rows: Iterable[RegisterRow]) -> tuple[list[Entry], list[Problem]]:
    """Every rule on every row, every problem collected; the rows that passed as entries."""
    rules = row_rules()
    entries, problems = [], []
    for rec in rows:
        got = Reading()
        found = [p for rule in rules for p in rule(rec, got, ctx)]
        problems += found
        if not any(p.severity == Severity.ERROR for p in found) and got.code and got.parent and got.effective:
            stored = ctx.firms.get(got.code)
            entries.append(Entry(rec.row, stored.org_id if stored else org_id_for(got.code), rec.name, got.code,
                                 got.parent, got.email, got.effective))
    return entries, problems


# ------------------------------------------------------------------------------------ plan


def changed_fields(entry: Entry, stored: StoredFirm) -> tuple[str, ...]:
    """Which of name, parent and e-mail the file changes (a blank e-mail keeps the stored one)."""
    out = []
    if entry.name != stored.name:
        out.append("name")
    if entry.parent != stored.parent:
        out.append("parent")
    if entry.email is not None and entry.email != (stored.email or None):
        out.append("email")
    return tuple(out)


def plan(file: str, effective: dt.date, entries: Sequence[Entry], firms: Iterable[StoredFirm],
         problems: Sequence[Problem] = ()) -> RegisterPlan:
    """Entries compared with the store's enterprises (matched by credit code)."""
    enterprises = [f for f in firms if f.kind == OrgKind.ENTERPRISE.value]
    by_code = {f.credit_code.upper(): f for f in enterprises if f.credit_code}
    added, changed, unchanged = [], [], []
    for e in entries:
        stored = by_code.get(e.credit_code)
        if stored is None:
            added.append(e)
        elif fields := changed_fields(e, stored):
            changed.append(Change(e, stored, fields))
        else:
            unchanged.append(e)
    named = {e.credit_code for e in entries}
    absent = sorted((f for f in enterprises if (f.credit_code or "").upper() not in named), key=lambda f: f.org_id)
    return RegisterPlan(file, effective, tuple(added), tuple(changed), tuple(unchanged), tuple(absent), tuple(problems))
