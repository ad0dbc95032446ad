"""`manage.py plans …`: plans as data from the command line (issue 20).

    extract FILE [--json]                 the candidate commitments of a plan document; writes nothing
    add FILE --plan-id ID --scope ORG     a new plan from its document: the proposals as a draft plan file
        [--draft OUT.yaml | --publish]    to review, with what the review must settle (nothing written to the
                                          store), or published as they are
    import PLAN.yaml [--text FILE …]      publish a plan file (a reviewed draft, an edited export), with the
                                          texts it quotes that the store does not keep yet
    export ID [-o FILE]                   the plan in force as a plan file, for review in version control
    history ID                            its revisions and how each changed target was set in each version
    adjust ID --document FILE --effective DATE --quote SENTENCE --set TARGET=VALUE[@YEAR] … [--drop TARGET …]
                                          a mid-term adjustment (中期调整): the next version

Every refusal lists every problem on stderr and exits non-zero, writing nothing. The command line
speaks English; the problems are the catalog's own (store/catalog.py), as on the authoring page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from app.cli_shared import operator, plan_in_force, print_json
from domain import drafts
from domain.extract import Proposal, propose
from domain.messages import render, text
from domain.models import Adjustment, Plan
from service import plans
from store.catalog import default_catalog, plan_yaml, read_plan
from store.db import connect
from store.documents import DocumentRejected, read_plan_text

EXTRACT_FIELDS = ("quote", "start", "kind", "indicator", "scope", "scope_name", "comparator", "value", "unit",
                  "base_year", "target_year", "first_year", "threshold", "denominator_scope", "denominator_indicator",
                  "reward", "lead_departments", "text")
_SET = re.compile(r"^(?P<target>[a-z0-9][a-z0-9_.-]*)=(?P<value>-?[0-9]+(?:\.[0-9]+)?)(?:@(?P<year>[0-9]{4}))?$")


def _refused(problems: Sequence[object], what: str) -> int:
    """Every problem on stderr, in English (a CatalogProblem's or a draft's Problem's str)."""
    print(f"{what}: refused, nothing written ({len(problems)} problem(s)):", file=sys.stderr)
    for p in problems:
        print(f"  {p}", file=sys.stderr)
    return 1


def _document(path: Path) -> str | None:
    """The text of a plan document, or None after saying on stderr why it cannot be read."""
    try:
        return read_plan_text(path.name, path.read_bytes())
    except DocumentRejected as e:
        print(f"error: {render(e.reason, 'en')}", file=sys.stderr)
        return None


def cmd_extract(args: argparse.Namespace) -> int:
    """The candidates of a document; the store is not opened."""
    path = Path(args.file)
    plan_text = _document(path)
    if plan_text is None:
        return 2
    catalog = default_catalog()
    if args.scope and args.scope not in catalog.organisations:
        print(f"error: --scope {args.scope!r}: no such organisation (see `orgs`)", file=sys.stderr)
        return 2
    proposal = propose(plan_text, catalog, args.scope)
    if args.json:
        head = proposal.model_dump(mode="json", exclude={"candidates"})
        rows = [c.model_dump(mode="json", include=set(EXTRACT_FIELDS)) for c in proposal.candidates]
        print(json.dumps({**head, "candidates": rows}, ensure_ascii=False, indent=1))
        return 0
    _print_candidates(proposal, path)
    return 0


def _print_candidates(proposal: Proposal, path: Path) -> None:
    print(text("plans.extract.header", "en", title=proposal.title_zh or path.name, count=len(proposal.candidates),
               base=proposal.base_year or "?", horizon=proposal.horizon_end or "?"))
    if not proposal.candidates:
        print(text("plans.extract.none", "en"))
    for c in proposal.candidates:
        amount = "" if c.value is None else f"{c.comparator or ''} {c.value:g} {c.unit}"
        if c.threshold is not None:
            amount += f" (≥ {c.threshold.value:g} {c.threshold.unit})"
        if c.reward is not None:
            amount += f" → {c.reward.value:g} {c.reward.unit}"
        years = f"{c.base_year or ''}→{c.target_year or ''}" if c.target_year else ""
        who = "、".join(c.lead_departments)
        print(f"{c.kind:<16} {c.indicator or '-':<24} {c.scope or c.scope_name or '-':<14} {amount:<26} {years:<10} "
              f"{who}  {c.quote[:60]}")


def cmd_add(args: argparse.Namespace) -> int:
    """A new plan from its document: every proposal kept, as a draft plan file or published."""
    path = Path(args.file)
    plan_text = _document(path)
    if plan_text is None:
        return 2
    con = connect(args.db, create=False)  # the plans in force, and the checks a draft will meet
    catalog = plans.catalog_in_force(con)
    new_place = args.scope not in catalog.organisations
    if new_place and not (args.scope_name and args.scope_parent in catalog.organisations):
        print(f"error: --scope {args.scope!r}: no such organisation (see `orgs`); to declare it with the plan, "
              "give --scope-name NAME and --scope-parent ORG (a province, or the country)", file=sys.stderr)
        return 2
    proposal = propose(plan_text, catalog, None if new_place else args.scope)
    rows = drafts.rows_from(proposal, None if new_place else args.scope)
    if new_place:  # the plan's own city or province, declared with it (its new parks fall under it)
        kind = "province" if args.scope_name.endswith(("省", "自治区")) else "city"
        rows["scopes"].append(drafts.place_row(args.scope, args.scope_name, kind, args.scope_parent, plan_text))
    issued = proposal.issued or dt.date.today()
    base = args.base_year or proposal.base_year or issued.year - 1
    header = drafts.Header(
        plan_id=args.plan_id, title_zh=args.title or proposal.title_zh or path.stem,
        issuer_zh=args.issuer or proposal.issuer_zh or "—", issued=args.issued or issued, scope=args.scope,
        base_year=base, horizon_end=args.horizon or proposal.horizon_end or base + 5,
        seed_file=plans.text_name(path.name, plan_text),
        scope_parent=args.scope_parent if new_place else catalog.province_of(args.scope),
        country=catalog.root)
    plan, problems = drafts.build(header, catalog.indicators, rows["targets"], rows["incentives"], rows["tasks"],
                                  rows["scopes"])
    if plan is None:
        return _refused(problems, path.name)
    texts = {header.seed_file: (path.name, plan_text)}
    if not args.publish:
        draft = plan_yaml(plan)
        if args.draft:
            Path(args.draft).write_text(draft, encoding="utf-8")
            print(f"{len(plan.targets)} targets, {len(plan.incentives)} incentives, {len(plan.tasks)} tasks proposed; "
                  f"draft written to {args.draft}: review it, then `plans import {args.draft} --text {path}`")
        else:
            sys.stdout.write(draft)
        to_fix = plans.check(con, operator(args), plan, texts)
        if to_fix:  # the draft is written; these are what the review must settle before it imports
            print(f"{len(to_fix)} problem(s) to settle in the draft before it can be imported:", file=sys.stderr)
            for problem in to_fix:
                print(f"  {problem}", file=sys.stderr)
        return 0
    try:
        revision = plans.publish(con, operator(args), plan, texts, "cli")
    except plans.PlanRejected as e:
        return _refused(e.problems, path.name)
    print(f"{plan.plan_id}: published as revision {revision} ({len(plan.targets)} targets)")
    return 0


def _texts_for(plan: Plan, files: list[str]) -> dict[str, tuple[str, str]] | None:
    """The texts given with --text, each under the name the plan quotes it by: its file name, or
    the name the store keeps an upload of it under. None after saying why one cannot be used."""
    quoted = {plan.seed_file, *(a.seed_file for a in plan.adjustments)}
    out: dict[str, tuple[str, str]] = {}
    for name in files:
        path = Path(name)
        body = _document(path)
        if body is None:
            return None
        names = {path.name, plans.text_name(path.name, body)} & quoted
        if not names:
            print(f"error: --text {path.name}: the plan quotes no text of that name ({', '.join(sorted(quoted))})",
                  file=sys.stderr)
            return None
        out[names.pop()] = (path.name, body)
    return out


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    yaml_text = path.read_text(encoding="utf-8")
    plan, problems = read_plan(yaml_text, path.name)
    if plan is None:
        return _refused(problems, path.name)
    texts = _texts_for(plan, args.text or [])
    if texts is None:
        return 2
    con = connect(args.db, create=False)
    try:
        plans.publish(con, operator(args), plan, texts, "cli")  # the file is read once, above
    except plans.PlanRejected as e:
        return _refused(e.problems, path.name)
    print(f"{plan.plan_id}: published, version {plan.version} ({len(plan.latest().targets)} targets in force)")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    if (opened := plan_in_force(args)) is None:
        return 2
    con, _ = opened
    out = plans.export_yaml(con, operator(args), args.plan)
    if args.output:
        Path(args.output).write_text(out, encoding="utf-8")
        print(f"{args.plan} written to {args.output}")
    else:
        sys.stdout.write(out)
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    if (opened := plan_in_force(args)) is None:
        return 2
    con, catalog = opened
    plan = catalog.plans[args.plan]
    revisions = plans.revisions_of(con, args.plan)
    changed = {}
    for t in plan.all_targets():
        history = plan.history(t.target_id)
        if len(history) > 1:
            changed[t.target_id] = [{"version": v, "from": str(day), "value": None if x is None else x.value,
                                     "unit": None if x is None else x.unit,
                                     "target_year": None if x is None else x.target_year, "quote": quote}
                                    for v, day, x, quote in history]
    if args.json:
        print_json({"plan_id": plan.plan_id, "version": plan.version,
                    "revisions": revisions.astype(str).to_dict(orient="records"), "changed_targets": changed})
        return 0
    print(f"{plan.plan_id}: version {plan.version}, {len(revisions)} revision(s)")
    for r in revisions.itertuples():
        print(f"  revision {r.revision}  version {r.version}  {r.origin:<4}  {r.published_by}  {r.published_at:%Y-%m-%d %H:%M}")
    for target_id, steps in changed.items():
        print(f"{target_id}:")
        for s in steps:
            value = "dropped" if s["value"] is None else f"{s['value']:g} {s['unit']} by {s['target_year']}"
            print(f"  version {s['version']} from {s['from']}: {value}  “{s['quote']}”")
    return 0


def cmd_adjust(args: argparse.Namespace) -> int:
    """A mid-term adjustment: the targets named by --set as in force, with the new value (and
    year), quoting the adjusting sentence; --drop stops judging a target."""
    if (opened := plan_in_force(args)) is None:
        return 2
    con, catalog = opened
    current = {t.target_id: t for t in catalog.plans[args.plan].latest().targets}
    problems, targets = [], []
    for spec in args.set or []:
        m = _SET.match(spec)
        if m is None:
            problems.append(f"--set {spec!r}: write TARGET=VALUE or TARGET=VALUE@YEAR")
        elif m["target"] not in current:
            problems.append(f"--set {spec!r}: {m['target']!r} is not a target in force ({', '.join(current)})")
        else:
            old = current[m["target"]]
            year = int(m["year"]) if m["year"] else old.target_year
            targets.append(old.model_copy(update={"value": float(m["value"]), "target_year": year,
                                                  "source_quote": args.quote}))
    if not targets and not args.drop:
        problems.append("nothing to adjust: give --set TARGET=VALUE or --drop TARGET")
    if problems:
        return _refused(problems, args.plan)
    path = Path(args.document)
    body = _document(path)
    if body is None:
        return 2
    try:
        adjustment = Adjustment(effective=args.effective, document_zh=args.title or path.stem,
                                seed_file=plans.text_name(path.name, body), source_quote=args.quote,
                                targets=tuple(targets), dropped=tuple(args.drop or ()))
        revision = plans.adjust(con, operator(args), args.plan, adjustment, (path.name, body), "cli")
    except plans.PlanRejected as e:
        return _refused(e.problems, args.plan)
    except ValueError as e:  # the adjustment's own shape (a target rebuilt with a year before its base)
        return _refused([str(e)], args.plan)
    version = plans.catalog_in_force(con).plans[args.plan].version
    print(f"{args.plan}: adjusted, version {version} in force from {args.effective} (revision {revision})")
    return 0


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _year(value: str) -> int:
    if not re.fullmatch(r"(19|20)[0-9]{2}", value):
        raise argparse.ArgumentTypeError(f"{value!r} is not a year")
    return int(value)


def register(p: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    """The `plans` group and its actions."""
    actions = p.add_subparsers(dest="action", required=True)
    a = actions.add_parser("extract", help="print the candidate targets, incentives and tasks of a plan document "
                                           "(text, .docx, PDF with a text layer); writes nothing")
    a.add_argument("file")
    a.add_argument("--json", action="store_true", help="the candidates as JSON")
    a.add_argument("--scope", help="the organisation the plan governs (default: guessed from its title)")
    a.set_defaults(func=cmd_extract)
    a = actions.add_parser("add", parents=[common], help="a new plan from its document: a draft plan file of every "
                                                         "proposal to review, or --publish it as proposed")
    a.add_argument("file")
    a.add_argument("--plan-id", required=True, help="the new plan's id (lower case, digits, - and _)")
    a.add_argument("--scope", required=True, help="the city or province the plan governs (an org id)")
    a.add_argument("--scope-name", help="a --scope the catalog lacks: its Chinese name (南湖市), declared with the plan")
    a.add_argument("--scope-parent", help="a --scope the catalog lacks: the province (or country) it lies in")
    a.add_argument("--title", help="default: the document's title as proposed")
    a.add_argument("--issuer")
    a.add_argument("--issued", type=_date, help="YYYY-MM-DD; default: the date the document gives")
    a.add_argument("--base-year", type=_year)
    a.add_argument("--horizon", type=_year, help="the plan's last year")
    out = a.add_mutually_exclusive_group()
    out.add_argument("--draft", help="write the draft plan file here (default: standard output)")
    out.add_argument("--publish", action="store_true", help="publish the proposals as they are")
    a.set_defaults(func=cmd_add)
    a = actions.add_parser("import", parents=[common], help="publish a plan file (the data/plans schema)")
    a.add_argument("file")
    a.add_argument("--text", action="append", help="a text the plan quotes that the store does not keep yet "
                                                   "(repeat for an adjusting document)")
    a.set_defaults(func=cmd_import)
    a = actions.add_parser("export", parents=[common], help="the plan in force as a plan file")
    a.add_argument("plan")
    a.add_argument("-o", "--output")
    a.set_defaults(func=cmd_export)
    a = actions.add_parser("history", parents=[common], help="a plan's revisions and changed targets")
    a.add_argument("plan")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=cmd_history)
    a = actions.add_parser("adjust", parents=[common], help="a mid-term adjustment (中期调整): the next version")
    a.add_argument("plan")
    a.add_argument("--document", required=True, help="the adjusting document (text, .docx, PDF)")
    a.add_argument("--title", help="its title (default: its file name)")
    a.add_argument("--effective", required=True, type=_date, help="the day it takes effect, YYYY-MM-DD")
    a.add_argument("--quote", required=True, help="the sentence of the document that makes the adjustment")
    a.add_argument("--set", action="append", metavar="TARGET=VALUE[@YEAR]")
    a.add_argument("--drop", action="append", metavar="TARGET")
    a.set_defaults(func=cmd_adjust)
