"""Command line of the tracker: python manage.py COMMAND [--db PATH] …

Every command opens the store named by --db, else $TRACKER_DB, else data/tracker.duckdb, and goes
through the same service layer as the app's pages (service/queries.py to read, service/commands.py
to write), so the command line and the screen refuse, audit and compute alike.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import math
import os
import sys
import tempfile
import traceback
from pathlib import Path

import duckdb
import pandas as pd

from app import cli_plans
from app.cli_shared import operator as _operator
from app.cli_shared import plan_in_force
from app.cli_shared import print_json as _print_json
from domain import sso
from domain.access import Identity, Role
from domain.config import ConfigError, secrets_files, settings
from domain.messages import MessageError, render, text
from domain.observation import parse_as_at
from domain.periods import PeriodError, parse_period
from domain.register import Change, RegisterInputError, RegisterPlan
from metrics.criteria import UnitCheck
from metrics.tracker import ProgressRow
from service import commands, mail, plans, queries
from store import ingest, snapshots
from store.backup import Manifest
from store.catalog import CatalogError, default_catalog
from store.db import StoreError, connect, resolve_path
from store.org_events import OrgEvent
from store.register import RegisterRejected
from store.users import UserError
from ui.safe import safe_frame


def _finite(v: object) -> object:
    return None if isinstance(v, float) and not math.isfinite(v) else v


def _records(frame) -> list[dict]:
    return [{k: _finite(v) for k, v in r.items()} for r in frame.to_dict(orient="records")]


def cmd_init(args: argparse.Namespace) -> int:
    catalog = default_catalog()
    con = connect(args.db)
    commands.sync_catalog(con, catalog, actor=args.user)
    line = f"store ready at {resolve_path(args.db)}: {len(catalog.plans)} plans, " \
           f"{sum(len(p.targets) for p in catalog.plans.values())} targets"
    if args.demo:
        n = commands.load_demo(con, catalog)
        line += f"; demo data {'loaded, ' + str(n) + ' observations' if n else 'already present'}"
    else:
        n = commands.load_reference(con)
        if n is None:
            line += "; reference figures not loaded (the store holds the demo's own national series)"
        else:
            line += f"; reference figures {'loaded, ' + str(n) + ' observations' if n else 'in place'}"
    print(line)
    if args.demo:
        created = commands.create_demo_users(con)
        if created:
            print("demo users created — these passwords are shown only now:")
            for name, password in created.items():
                ident = queries.identity(con, name)
                scope = f" scope={ident.scope_org_id}" if ident.scope_org_id else ""
                print(f"  {name:15} {password:20} role={ident.role.value}{scope}")
    return 0


def cmd_users(args: argparse.Namespace) -> int:
    con = connect(args.db, create=False)  # `init` makes a store; a mistyped path is refused
    who = _operator(args)
    try:
        match args.action:
            case "list":
                frame = queries.user_list(con, who)
                if args.json:
                    _print_json(_records(frame))
                else:
                    print(frame.to_string(index=False))
            case "add":
                password = commands.add_user(con, who, args.username, args.name or args.username, Role(args.role),
                                             args.scope, args.password, args.email)
                print(f"user {args.username} added" + ("" if args.password else f"; password (shown once): {password}"))
            case "set-email":
                email = commands.set_email(con, who, args.username, args.email)
                print(f"user {args.username} " + (f"signs in through single sign-on as {email}" if email
                                                  else "has no e-mail: single sign-on no longer maps to it"))
            case "set-role":
                commands.set_role(con, who, args.username, Role(args.role), args.scope)
                print(f"user {args.username} is now {args.role}" + (f" of {args.scope}" if args.scope else ""))
            case "reset-password":
                password = commands.reset_password(con, who, args.username, args.password)
                shown = "" if args.password else f"; new password (shown once): {password}"
                print(f"password of {args.username} reset, every sign-in of that user ended{shown}")
            case "disable" | "enable":
                commands.set_disabled(con, who, args.username, args.action == "disable")
                print(f"user {args.username} {args.action}d" + ("; every sign-in has ended" if args.action == "disable" else ""))
            case "create-for-register":
                return _create_for_register(con, who, args.park, args.csv, args.email)
    except RegisterInputError as e:
        print(f"error: {render(e.reason, 'en')}", file=sys.stderr)
        return 2
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


def cmd_sso_check(args: argparse.Namespace) -> int:
    """The [auth] section as the app will read it, checked, and the provider asked for its metadata;
    every line in both languages. Exit 0: usable, or absent (SSO off); 1: what is wrong."""
    paths = [Path(p) for p in args.secrets] if args.secrets else secrets_files()
    if args.secrets and (absent := [str(p) for p in paths if not p.is_file()]):
        print(f"error: no such secrets file: {', '.join(absent)}", file=sys.stderr)
        return 2
    section, problems = sso.section_from_files(paths)
    result = sso.check_section(section)
    problems += result.problems
    if result.provider is not None:
        problems += sso.probe(result.provider.metadata_url)
    if not problems:
        line = ("sso.check.off", {}) if result.provider is None else (
            "sso.check.ok", {"provider": result.provider.name, "client_id": result.provider.client_id,
                             "url": result.provider.metadata_url})
        print(text(line[0], "zh", **line[1]))
        print(text(line[0], "en", **line[1]))
        return 0
    for lang in ("zh", "en"):
        print(text("sso.check.problems", lang))
        for p in problems:
            print(f"  - {render(p, lang)}")
    return 1


def _print_frame(frame: pd.DataFrame, as_json: bool, columns: list[str] | None = None) -> int:
    """Every column as JSON records, or the chosen ones as a plain table."""
    if as_json:
        _print_json(_records(frame))
    else:
        print((frame if columns is None else frame[columns]).to_string(index=False))
    return 0


ORG_TEXT_COLUMNS = ["org_id", "name_zh", "name_en", "kind", "parent_id", "credit_code", "origin"]


def cmd_orgs(args: argparse.Namespace) -> int:
    if getattr(args, "action", None) is None:  # the listing: every column as JSON, the usual ones as text
        return _print_frame(queries.organisations(connect(args.db, create=False)), args.json,
                            None if args.json else ORG_TEXT_COLUMNS)
    return cmd_register(args)


# ------------------------------------------------------- the register of reporting units (issue 17)


def _date(text_: str | None, flag: str) -> dt.date | None:
    if text_ is None:
        return None
    try:
        return dt.date.fromisoformat(text_)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{flag} {text_!r}: a date is written YYYY-MM-DD") from None


def _changes(c: Change) -> str:
    before = {"name": c.before.name, "parent": c.before.parent, "email": c.before.email}
    after = {"name": c.entry.name, "parent": c.entry.parent, "email": c.entry.email}
    return "; ".join(f"{f}: {before[f] or '-'} -> {after[f] or '-'}" for f in c.fields)


def _print_plan(plan: RegisterPlan, written: bool) -> None:
    n = plan.counts()
    verb = "loaded" if written else "plan (dry run, nothing written)"
    print(f"{plan.file}: {verb}, effective {plan.effective.isoformat()}: {n['added']} added, {n['changed']} changed, "
          f"{n['unchanged']} unchanged, {n['absent']} registered firm(s) not in the file (kept)")
    for e in plan.added:
        print(f"  added      row {e.row:<5} {e.org_id}  {e.name}  -> {e.parent}")
    for c in plan.changed:
        print(f"  changed    row {c.entry.row:<5} {c.before.org_id}  {c.entry.name}  ({_changes(c)})")
    for e in plan.unchanged:
        print(f"  unchanged  row {e.row:<5} {e.org_id}  {e.name}")
    for f in plan.absent:
        print(f"  not in file          {f.org_id}  {f.name}")
    for p in plan.warnings:
        print(f"  {p.text('en')}")


def cmd_register(args: argparse.Namespace) -> int:
    """`orgs import | set-email | edit | event`: the register of reporting units."""
    con = connect(args.db, create=False)
    who = _operator(args)
    try:
        match args.action:
            case "import":
                effective = _date(args.effective, "--effective")
                try:
                    plan = commands.import_register_file(con, who, Path(args.file), effective, dry_run=args.dry_run)
                except RegisterRejected as e:
                    plan = e.plan
                if plan.errors:
                    print(f"{plan.file}: rejected, nothing written ({len(plan.errors)} error(s)):", file=sys.stderr)
                    for p in plan.problems:
                        print(f"  {p.text('en')}", file=sys.stderr)
                    return 1
                _print_plan(plan, written=not args.dry_run)
            case "set-email":
                email = commands.set_contact_email(con, who, args.org_id, args.email)
                print(f"{args.org_id}: contact e-mail " + (email or "cleared"))
            case "edit":
                if (args.park is None) != (args.on is None):
                    print("error: --park and --on go together (the park it moves to, and the day)", file=sys.stderr)
                    return 2
                if args.name is None and args.park is None and args.email is None:
                    print("error: nothing to change: give --name, --email or --park with --on", file=sys.stderr)
                    return 2
                on = _date(args.on, "--on")
                commands.edit_org(con, who, args.org_id, name=args.name, email=args.email, to_parent=args.park,
                                  effective=on, note=args.note or "")
                done = [f"renamed {args.name}" if args.name is not None else "",
                        f"contact e-mail {args.email or 'cleared'}" if args.email is not None else "",
                        f"moved to {args.park} on {on.isoformat()}" if on is not None else ""]
                print(f"{args.org_id}: " + "; ".join(d for d in done if d))
            case "event":
                on = _date(args.on, "--on")
                event_id = commands.record_org_event(con, who, args.org_id, args.event, on, note=args.note or "")
                print(f"{args.org_id}: {args.event} on {on.isoformat()} recorded (event {event_id})")
    except argparse.ArgumentTypeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except RegisterInputError as e:
        print(f"error: {render(e.reason, 'en')}", file=sys.stderr)
        return 2
    return 0


ACCOUNT_COLUMNS = ["username", "org_id", "org_name", "contact_email", "password"]


def _create_for_register(con, who: Identity, park: str | None, out: str | None, email: bool) -> int:
    """Accounts for the firms without one. With `email`, each firm with a contact e-mail is sent
    its password (nothing is created without a mail server). The passwords of the rest — every
    account, without `email` — are written once, to OUT (created, never overwritten, readable by its
    owner only) or to stdout; the counts go to stderr."""
    target = Path(out) if out else None
    if target is not None and target.exists():
        print(f"error: {target} exists; passwords are written to a new file only", file=sys.stderr)
        return 2
    if email and mail.server() is None:
        for lang in ("zh", "en"):
            print(text("mail.not_configured", lang), file=sys.stderr)
        return 2
    before = queries.register(con, who, park)
    existing = int((before.accounts > 0).sum())
    created = commands.create_accounts_for_register(con, who, park)
    mailed: set[str] = set()
    failed = 0
    if email and created:
        outcome = commands.send_account_notices(con, who, created)
        mailed = {m.org_id for m in outcome.sent if m.org_id}
        failed = len(outcome.failed)
    rest = [a for a in created if a.org_id not in mailed]
    frame = safe_frame(pd.DataFrame([[getattr(a, c) for c in ACCOUNT_COLUMNS] for a in rest], columns=ACCOUNT_COLUMNS))
    if rest and target is None:
        sys.stdout.write(frame.to_csv(index=False))
    elif rest:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(frame.to_csv(index=False).encode("utf-8-sig"))  # with BOM: Excel shows the names
    where = f"; passwords (shown once) in {target}" if target is not None and rest else ""
    sent = f", {len(mailed)} password(s) e-mailed, {failed} failed (in the CSV instead)" if email else ""
    print(f"{len(created)} account(s) created, {existing} firm(s) with an account left alone{sent}{where}", file=sys.stderr)
    return 1 if failed else 0


def cmd_indicators(args: argparse.Namespace) -> int:
    return _print_frame(queries.indicators(connect(args.db, create=False)), args.json,
                        ["indicator_id", "code", "name_zh", "unit", "kind"])


def cmd_targets(args: argparse.Namespace) -> int:
    con = connect(args.db, create=False)
    known = plans.catalog_in_force(con).plans  # the shipped plans and those published from the app
    if args.plan and args.plan not in known:
        print(f"unknown plan {args.plan!r}; known: {', '.join(known)}", file=sys.stderr)
        return 2
    frame = queries.targets(con, args.plan).rename(columns={"scope_id": "scope_org_id", "scope_name": "scope_org_name",
                                                          "indicator_id": "indicator"})
    if args.json:
        _print_json(_records(frame))
    else:
        print(frame[["plan_id", "target_id", "kind", "scope_org_name", "comparator", "value", "unit",
                     "target_year"]].to_string(index=False))
    return 0


def _progress(line: str) -> None:
    """Progress of a long command on stderr, flushed at once (an operator, or a test, can see
    where it is)."""
    print(line, file=sys.stderr, flush=True)


def cmd_import(args: argparse.Namespace) -> int:
    con = connect(args.db)
    path = Path(args.file)
    try:
        sub, n = commands.import_file(con, plans.catalog_in_force(con), _operator(args), path, status=args.status,
                                      explanation=args.explanation, progress=_progress)
    except ingest.SubmissionRejected as e:
        print(f"{path.name}: rejected, nothing written ({len(e.problems)} problem(s)):", file=sys.stderr)
        for p in e.problems:
            print(f"  {p.text('en')}", file=sys.stderr)  # the command line speaks English
        return 1
    except ingest.AlreadySubmitted as e:
        # The same file (the same figures, by the same user) is already in: what was asked for is
        # done, so a re-run of a script succeeds (exit 0) and writes nothing.
        print(f"{path.name}: {render(e.reason, 'en')} / {render(e.reason, 'zh')}")
        return 0
    print(f"{path.name}: {n} rows written as submission {sub} ({args.status})")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    try:
        manifest = commands.backup_store(args.db, args.dir, args.user)
    except StoreError as e:
        if e.kind != "locked":
            raise
        print(f"error: {e}\nThe running app holds the store, so no other process can read it. Back it up from the "
              "app instead: an administrator's page 备份 / Backup, or nightly backups with TRACKER_BACKUP_DIR set "
              "(see the README). Or stop the service, run this command, and start it again.", file=sys.stderr)
        return 2
    print(f"backup written to {args.dir}: {_summary(manifest)}")
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    """The first snapshot for reader processes, before the writer starts (its unit's ExecStartPre):
    the writer publishes again only once its first visitor has opened the store."""
    given = settings()
    folder = Path(args.dir) if args.dir else (given.snapshot_dir or resolve_path(args.db).parent / "snapshots")
    con = connect(args.db, create=False)
    try:
        snap = snapshots.publish(con, folder)
    finally:
        con.close()
    print(f"snapshot {snap.path} published (data version {snap.version})")
    return 0


def _summary(m: Manifest) -> str:
    return (f"created {m.created_at:%Y-%m-%d %H:%M:%S} by {m.created_by}, schema {m.schema_version}, "
            f"app {m.app_version}, {len(m.tables)} tables, {m.tables['observations'].rows} observations, "
            f"{m.tables['submissions'].rows} submissions")


def cmd_verify(args: argparse.Namespace) -> int:
    manifest = queries.verify_backup(args.dir, trust_unsigned=args.trust_unsigned)
    print(f"backup {args.dir} is intact: {_summary(manifest)}; row counts, content checksums, sequences and "
          "sha256 match its manifest")
    if not queries.backup_signed(args.dir):
        print("warning: it has no signature, so nothing proves the manifest is the one the backup was made with; "
              "accepted because of --trust-unsigned", file=sys.stderr)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    target = resolve_path(args.db)
    done = commands.restore(args.dir, target, args.user, trust_unsigned=args.trust_unsigned)
    print(f"restored {args.dir} into {target}: {_summary(done.manifest)}")
    if done.previous:
        print(f"the store it replaced is kept as {done.previous}")
    return 0


def _pct(x: float | None) -> str:
    return "" if x is None else f"{x:.1%}"


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:,.2f}"


def _row_json(r: ProgressRow) -> dict:
    """A progress row for scripts: its numbers, and its reason in both languages beside the code."""
    out = r.model_dump(mode="json", exclude={"reason"})
    out |= {"status_reason": render(r.reason, "en"), "status_reason_zh": render(r.reason, "zh"), "reason_code": r.reason_code}
    # A figure too large for a float (a store written before values were bounded) makes a sum or a
    # growth rate infinite: such a number is null here, with the reason beside it under null_reasons.
    bad = {k: v for k, v in out.items() if isinstance(v, float) and not math.isfinite(v)}
    if bad:
        out |= dict.fromkeys(bad)
        out["null_reasons"] = {k: text("progress.json.not_finite", "en", value=str(v)) for k, v in bad.items()}
        out["null_reasons_zh"] = {k: text("progress.json.not_finite", "zh", value=str(v)) for k, v in bad.items()}
    return out


def cmd_progress(args: argparse.Namespace) -> int:
    if (opened := plan_in_force(args)) is None:
        return 2
    con, catalog = opened
    try:
        as_of = parse_period(args.as_of, catalog.period_bounds())
    except PeriodError as e:
        print(f"error: --as-of {args.as_of!r}: {e}", file=sys.stderr)
        return 2
    try:
        as_at = None if args.as_at is None else parse_as_at(args.as_at)
    except ValueError as e:
        print(e, file=sys.stderr)
        return 2
    rows = queries.plan_progress(con, catalog, _operator(args), args.plan, as_of, as_at)
    if args.json:
        # The JSON is a list of rows, which scripts index; the admission check has no place in it
        # without changing that shape, so it is shown in the text output only.
        _print_json([_row_json(r) for r in rows])
        return 0
    header = ["target", "status", "actual", "period", "target", "unit", "completion", "in-year", "序时",
              "actual g", "required g", "R", "projected", "gap", "series"]
    table = [header] + [[
        r.target_id, r.status.value, _num(r.actual), r.actual_period or "", _num(r.target), r.unit,
        _pct(r.completion), _pct(r.in_year_completion), _pct(r.time_elapsed), _pct(r.actual_cagr),
        _pct(r.required_cagr), "" if r.ratio is None else f"{r.ratio:.2f}", _num(r.projected_value),
        _num(r.gap), r.series or "",
    ] for r in rows]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    ytd = text("period.ytd", "zh", year=as_of.year, quarter=as_of.quarter, end_month=as_of.end_month)
    stood = "" if as_at is None else f", as it stood on {as_at.isoformat()}"
    print(f"{catalog.plans[args.plan].title_zh} — as of {as_of} ({ytd}){stood}")
    for row in table:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    print()
    for r in rows:
        print(f"{r.target_id}: {render(r.reason, 'en')}")
    _print_admission(queries.admission_check(con, catalog, _operator(args), args.plan, as_of, as_at))
    return 0


def _print_admission(checks: list[UnitCheck]) -> None:
    """The plan's conditions of admission after the rows, park by park, units below a criterion first."""
    if not checks:
        return
    print()
    print(f"{text('criteria.heading', 'zh')} / {text('criteria.heading', 'en')} ({checks[0].year}):")
    table = [[c.criterion.criterion_id, c.unit.org_id, text(f"check.{c.result.value}", "en"), _num(c.value),
              f"{c.criterion.comparator} {c.threshold:g} {c.unit_symbol}", render(c.detail, "en")] for c in checks]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]) - 1)]
    for row in table:
        print("  " + "  ".join(cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True)) + "  " + row[-1])


def cmd_report(args: argparse.Namespace) -> int:
    """The quarterly briefing of one plan (or of every plan with --all) as docx, pdf or xlsx."""
    from reports import FORMATS, render
    from reports.briefing import build

    con = connect(args.db, create=False)
    catalog = plans.catalog_in_force(con)
    plan_ids = sorted(catalog.plans) if args.all else [args.plan]
    unknown = [p for p in plan_ids if p not in catalog.plans]
    if unknown:
        print(f"error: unknown plan {unknown[0]!r}; plans: {', '.join(sorted(catalog.plans))}", file=sys.stderr)
        return 2
    if args.plan and not args.quarter:
        print("error: --quarter is needed with --plan (for example --quarter 2015Q3)", file=sys.stderr)
        return 2
    try:
        quarter = parse_period(args.quarter, catalog.period_bounds()) if args.quarter else None
    except PeriodError as e:
        print(f"error: --quarter {args.quarter!r}: {e}", file=sys.stderr)
        return 2
    try:
        as_at = None if args.as_at is None else parse_as_at(args.as_at)
    except ValueError as e:
        print(f"error: --as-at {args.as_at!r}: {e}", file=sys.stderr)
        return 2
    formats = list(FORMATS) if args.format == "all" else [args.format]
    out = Path(args.output)
    if len(plan_ids) * len(formats) > 1 and out.suffix:
        print("error: several files need a directory for -o, not a file name", file=sys.stderr)
        return 2
    jobs = []
    for plan_id in plan_ids:
        if quarter is not None:
            as_of = quarter
        else:  # batch default: the quarter each plan is read at (latest with data, within its horizon)
            as_of = catalog.plans[plan_id].reading_quarter(queries.periods(con, catalog.plans[plan_id].scope,
                                                                           catalog.period_bounds()))
            if as_of is None:
                _progress(f"{plan_id}: no data, skipped")
                continue
        jobs += [(plan_id, as_of, fmt) for fmt in formats]
    for i, (plan_id, as_of, fmt) in enumerate(jobs, start=1):
        try:
            judged = None if as_at is None else queries.plan_judgement(con, catalog, _operator(args), plan_id, as_of, as_at)
            doc = build(queries.briefing_inputs(con, catalog, _operator(args), plan_id, as_of, args.park, judged),
                        args.lang)
        except ValueError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        path = out / f"{doc.file_stem}.{fmt}" if len(jobs) > 1 or not out.suffix else out
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(render(doc, fmt))
        _progress(f"[{i}/{len(jobs)}] {plan_id} {as_of} {fmt} -> {path}")
    print(f"{len(jobs)} report(s) written")
    return 0


# ------------------------------------------------------------------- e-mail (issue 17)


def cmd_remind(args: argparse.Namespace) -> int:
    """E-mail the firms that have not reported for the quarter now (催报). Exit 0: every message
    sent (or none due); 1: some failed; 2: no mail server configured, or a bad quarter or organisation."""
    try:
        period = parse_period(args.quarter, default_catalog().period_bounds())
    except PeriodError as e:
        print(f"error: --quarter {args.quarter!r}: {e}", file=sys.stderr)
        return 2
    con = connect(args.db, create=False)
    if args.under and args.under not in set(queries.organisations(con).org_id):
        print(f"error: --under {args.under!r}: no such organisation (see `orgs`)", file=sys.stderr)
        return 2
    who = _operator(args)
    try:
        srv = mail.server()
    except ConfigError as e:  # a mistyped TRACKER_SMTP_* (--db spares the store's own reading of them)
        print(f"error: {e}", file=sys.stderr)
        return 2
    if srv is None and not args.dry_run:
        for lang in ("zh", "en"):
            print(text("mail.not_configured", lang), file=sys.stderr)
        return 2
    plan = mail.reminder_plan(con, who, period, args.under)
    ytd = text("period.ytd", "zh", year=period.year, quarter=period.quarter, end_month=period.end_month)
    print(f"reminders for {period} ({ytd}) under {queries.org_name(con, plan.under)} ({plan.under}): "
          f"deadline {plan.deadline.isoformat()}, kind {plan.kind.value}")
    if args.dry_run:
        if srv is None:
            print(text("mail.not_configured", "en"))
        for firm in plan.to_send:
            print(f"  would send  {firm.email}  {firm.name}")
        sent, failed = len(plan.to_send), 0
    else:
        done = mail.send_reminders(con, who, period, args.under)
        for out in done.sent:
            print(f"  sent    {out.recipient}  {out.org_name}")
        for out, reason in done.failed:
            print(f"  failed  {out.recipient}  {out.org_name}: {reason}")
        sent, failed = len(done.sent), len(done.failed)
    if plan.no_address:
        print(f"no contact e-mail ({len(plan.no_address)}): {', '.join(f.name for f in plan.no_address)}")
    if plan.already:
        print(f"reminded today already ({len(plan.already)}): {', '.join(f.name for f in plan.already)}")
    verb = "would send" if args.dry_run else "sent"
    print(f"{verb} {sent}, failed {failed}, no contact e-mail {len(plan.no_address)}, reminded today already "
          f"{len(plan.already)}")
    return 1 if failed else 0


def _register_parser(p: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    """`orgs` alone lists; its actions maintain the register of reporting units."""
    p.help = "list organisations, or maintain the register: import | set-email | edit | event"
    actions = p.add_subparsers(dest="action")
    a = actions.add_parser("import", parents=[common], help="load a register file (CSV/XLSX), all or nothing")
    a.add_argument("file")
    a.add_argument("--effective", help="YYYY-MM-DD: the day new firms entered the survey and moves took effect, where a "
                        "row gives none (default: 1 January of the last complete quarter's year)")
    a.add_argument("--dry-run", action="store_true", help="print the plan and the problems, write nothing")
    a = actions.add_parser("set-email", parents=[common], help="the contact e-mail of an organisation")
    a.add_argument("org_id")
    a.add_argument("email", help='the address; "" clears it')
    a = actions.add_parser("edit", parents=[common], help="rename a firm, set its e-mail, or move it (--park --on)")
    a.add_argument("org_id")
    a.add_argument("--name")
    a.add_argument("--email")
    a.add_argument("--park", help="the park or district it moves to (with --on)")
    a.add_argument("--on", help="YYYY-MM-DD: the day of the move")
    a.add_argument("--note")
    a = actions.add_parser("event", parents=[common], help="record that a firm closed, left or entered the survey")
    a.add_argument("org_id")
    a.add_argument("event", choices=[e.value for e in OrgEvent if e != OrgEvent.MOVED])
    a.add_argument("--on", required=True, help="YYYY-MM-DD: the day it took effect")
    a.add_argument("--note")
# ------------------------------------------------------------------- submissions and review

SUBMISSION_FIELDS = ["submission_id", "status", "origin", "file_name", "submitted_by", "submitted_at", "organisations",
                     "periods", "rows", "flags", "explanation", "reviewed_by", "reviewed_at", "comment", "answers"]


def _plain(v: object) -> object:
    """A cell of the submissions frame as JSON takes it: NULL (NaN, NaT, NA) as None, numbers as
    numbers, times as ISO text, lists as lists."""
    if isinstance(v, (list, tuple)) or hasattr(v, "tolist") and not pd.api.types.is_scalar(v):
        return [_plain(x) for x in list(v)]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if pd.api.types.is_scalar(v) and pd.isna(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.isoformat(sep=" ")
    if hasattr(v, "item"):  # a numpy number
        return v.item()
    return _finite(v)


def _submission_records(frame: pd.DataFrame) -> list[dict]:
    return [{
        "submission_id": int(r["submission_id"]), "status": r["status"], "origin": r["origin"],
        "file_name": _plain(r["file_name"]), "submitted_by": r["submitted_by"],
        "submitted_at": _plain(r["submitted_at"]),
        "organisations": _plain(r["org_list"]) or [], "periods": _plain(r["period_list"]) or [],
        "rows": int(r["row_count"]), "flags": int(r["flag_count"]), "explanation": _plain(r["explanation"]),
        "reviewed_by": _plain(r["reviewed_by"]), "reviewed_at": _plain(r["reviewed_at"]),
        "comment": _plain(r["review_comment"]), "answers": _plain(r["answers"]),
    } for r in frame.to_dict(orient="records")]


def _clip(text: object, width: int = 40) -> str:
    """A cell of the text table on one line, cut to `width` characters."""
    if text is None:
        return ""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= width else flat[:width - 1] + "…"


def cmd_submissions(args: argparse.Namespace) -> int:
    con = connect(args.db, create=False)
    if args.org is not None and args.org not in set(queries.organisations(con).org_id):
        print(f"error: unknown organisation {args.org!r} (see `manage.py orgs`)", file=sys.stderr)
        return 2
    if args.limit < 1:
        print(f"error: --limit must be at least 1, not {args.limit}", file=sys.stderr)
        return 2
    records = _submission_records(queries.submissions(con, _operator(args), args.status, args.limit, args.org))
    if args.json:
        _print_json(records)
        return 0
    if not records:
        print("no submissions")
        return 0
    table = pd.DataFrame([{
        "id": r["submission_id"], "status": r["status"], "origin": r["origin"], "by": r["submitted_by"],
        "at": (r["submitted_at"] or "")[:16], "organisations": _clip("、".join(o["name"] for o in r["organisations"])),
        "periods": _clip(" ".join(r["periods"]), 24), "rows": r["rows"], "flags": r["flags"],
        "answers": "" if r["answers"] is None else r["answers"], "explanation": _clip(r["explanation"]),
        "reviewer": r["reviewed_by"] or "", "reviewed_at": (r["reviewed_at"] or "")[:16], "comment": _clip(r["comment"]),
    } for r in records])
    # Chinese characters take two columns in a terminal: pandas pads by that width when told to.
    with pd.option_context("display.unicode.east_asian_width", True, "display.width", 10_000,
                           "display.max_columns", None, "display.max_colwidth", None):
        print(table.to_string(index=False))
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    decision = {"accept": "accepted", "return": "returned"}[args.decision]
    con = connect(args.db, create=False)
    try:
        changed = commands.review(con, _operator(args), args.id, decision, args.comment)
    except MessageError as e:
        print(f"error: {e.message('en')}", file=sys.stderr)  # the command line speaks English
        return 2
    if not changed:
        print(f"error: submission {args.id} is not pending (no such submission, or already reviewed); "
              "nothing changed", file=sys.stderr)
        return 1
    print(f"submission {args.id} {decision}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="manage.py", description=__doc__)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help="DuckDB file (default: $TRACKER_DB or data/tracker.duckdb)")
    common.add_argument("--user", default=f"cli:{getpass.getuser()}", help="who is acting (for the audit log)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init", parents=[common], help="create or migrate the store (idempotent)")
    p.add_argument("--demo", action="store_true", help="also load the demo data set")
    p.set_defaults(func=cmd_init)
    for name, func in (("orgs", cmd_orgs), ("indicators", cmd_indicators)):
        p = sub.add_parser(name, parents=[common], help=f"list {name}")
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=func)
    _register_parser(sub.choices["orgs"], common)
    p = sub.add_parser("targets", parents=[common], help="list the targets of every plan or of one")
    p.add_argument("--plan")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_targets)
    p = sub.add_parser("import", parents=[common], help="import a tidy CSV/XLSX (org, period, indicator, value, unit)")
    p.add_argument("file")
    p.add_argument("--status", choices=["accepted", "pending"], default="accepted")
    p.add_argument("--explanation", help="explanation for warnings such as |同比| > 50 %%")
    p.set_defaults(func=cmd_import)
    p = sub.add_parser("backup", parents=[common], help="write a consistent snapshot and its manifest into DIR")
    p.add_argument("dir")
    p.set_defaults(func=cmd_backup)
    trust = ("--trust-unsigned", {"action": "store_true", "help": "accept a backup without a signature (made before "
                                   "backups were signed) if it is otherwise intact; a restore records it in the audit log"})
    p = sub.add_parser("publish", parents=[common],
                       help="publish a read-only snapshot for reader processes (default: $TRACKER_SNAPSHOT_DIR)")
    p.add_argument("--dir", help="the snapshot folder (default: TRACKER_SNAPSHOT_DIR, else snapshots/ beside the store)")
    p.set_defaults(func=cmd_publish)
    p = sub.add_parser("verify", parents=[common], help="check a backup in DIR: its signature, then its manifest")
    p.add_argument("dir")
    p.add_argument(trust[0], **trust[1])
    p.set_defaults(func=cmd_verify)
    p = sub.add_parser("restore", parents=[common], help="replace the store with the backup in DIR (service stopped)")
    p.add_argument("dir")
    p.add_argument(trust[0], **trust[1])
    p.set_defaults(func=cmd_restore)
    p = sub.add_parser("users", parents=[common],
                       help="manage users: list | add | set-email | set-role | reset-password | disable | enable")
    actions = p.add_subparsers(dest="action", required=True)
    a = actions.add_parser("list", parents=[common])
    a.add_argument("--json", action="store_true")
    roles = [r.value for r in Role]
    a = actions.add_parser("add", parents=[common])
    a.add_argument("username")
    a.add_argument("--role", required=True, choices=roles)
    a.add_argument("--scope", help="park id for a park manager, enterprise id for an enterprise user")
    a.add_argument("--name", help="display name")
    a.add_argument("--password", help="default: generate one and print it once")
    a.add_argument("--email", help="the e-mail single sign-on maps to this user (see the README)")
    a = actions.add_parser("set-email", parents=[common])
    a.add_argument("username")
    a.add_argument("email", help='the address; "" clears it (single sign-on then no longer maps to the user)')
    a = actions.add_parser("set-role", parents=[common])
    a.add_argument("username")
    a.add_argument("role", choices=roles)
    a.add_argument("--scope")
    a = actions.add_parser("create-for-register", parents=[common],
                           help="an enterprise account for every registered firm without one; passwords as CSV, once")
    a.add_argument("--park", help="only the firms of this park or district (id)")
    a.add_argument("--csv", help="write the passwords to this new file (default: stdout)")
    a.add_argument("--email", action="store_true",
                   help="e-mail each firm with a contact e-mail its password; only the others go to the CSV")
    a = actions.add_parser("reset-password", parents=[common])
    a.add_argument("username")
    a.add_argument("--password", help="default: generate one and print it once")
    for action in ("disable", "enable"):
        a = actions.add_parser(action, parents=[common])
        a.add_argument("username")
    p.set_defaults(func=cmd_users)
    p = sub.add_parser("sso-check", help="check the [auth] section for single sign-on and ask its provider")
    p.add_argument("--secrets", action="append", help="a secrets.toml to read (repeatable, later wins); default: "
                   "Streamlit's own files, as the app reads them")
    p.set_defaults(func=cmd_sso_check)
    p = sub.add_parser("progress", parents=[common], help="how every target of a plan stands at a quarter")
    p.add_argument("--plan", required=True)
    p.add_argument("--as-of", required=True, help="2015Q3 or 2015年1-9月")
    p.add_argument("--as-at", help="YYYY-MM-DD: the table as it stood on that date (the figures published by then)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_progress)
    p = sub.add_parser("remind", parents=[common], help="e-mail the firms that have not reported for a quarter (催报)")
    p.add_argument("--quarter", required=True, help="2016Q3 or 2016年1-9月")
    p.add_argument("--under", help="a city or park id (default: every organisation)")
    p.add_argument("--dry-run", action="store_true", help="list who would get a reminder; send nothing")
    p.set_defaults(func=cmd_remind)
    p = sub.add_parser("submissions", parents=[common], help="list submissions, newest first, with their review")
    p.add_argument("--org", help="an organisation id: submissions holding a figure of it or of one under it")
    p.add_argument("--status", choices=["pending", "accepted", "returned"])
    p.add_argument("--limit", type=int, default=200, help="at most this many (default 200)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_submissions)
    p = sub.add_parser("review", parents=[common], help="accept or return a pending submission")
    p.add_argument("id", type=int)
    p.add_argument("decision", choices=["accept", "return"])
    p.add_argument("--comment", help="the reviewer's comment (required to return: the submitter must know why)")
    p.set_defaults(func=cmd_review)
    p = sub.add_parser("report", parents=[common], help="write the quarterly briefing as docx, pdf or xlsx")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--plan", help="plan id (see `targets`)")
    which.add_argument("--all", action="store_true", help="every plan, each at its latest quarter unless --quarter")
    p.add_argument("--quarter", help="2015Q3 or 2015年1-9月 (required with --plan)")
    p.add_argument("--park", help="a park id: the park's own briefing")
    p.add_argument("--as-at", help="YYYY-MM-DD: the briefing as it stood on that date (the figures published by then)")
    p.add_argument("--format", choices=["docx", "pdf", "xlsx", "all"], default="docx")
    p.add_argument("--lang", choices=["zh", "en"], default="zh")
    p.add_argument("-o", "--output", required=True, help="a file, or a directory for several files")
    p.set_defaults(func=cmd_report)
    p = sub.add_parser("plans", help="plans as data: extract | add | import | export | history | adjust")
    cli_plans.register(p, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (StoreError, CatalogError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except duckdb.Error as e:  # a full disk at commit, a damaged block met halfway through a command
        print(f"error: the store could not complete this: {e}\nThe write under way was rolled back: nothing of it "
              "was stored. If the disk is full, free space and run the command again; if the file is damaged, "
              "restore the latest backup (python manage.py restore DIR).", file=sys.stderr)
        return 2
    except OSError as e:  # a file named on the command line that cannot be read or written
        where = f" {e.filename}" if e.filename else ""
        print(f"error: cannot use{where}: {e.strerror or e}", file=sys.stderr)
        return 2
    except Exception:  # a fault of ours, not of the input: the details go to a log file, not the screen
        with tempfile.NamedTemporaryFile("w", prefix="tracker-cli-", suffix=".log", delete=False) as f:
            traceback.print_exc(file=f)
        print(f"error: the command failed unexpectedly; the details are in {f.name}", file=sys.stderr)
        return 3
