"""The authoring page's parts (pages/authoring.py lays them out): a new plan from its document, a
mid-term adjustment of a plan in force, and plan files in and out.

A new plan: the upload is read (bounded, in a child process) and the extractor proposes every
candidate commitment; the header and four tables (targets, incentives, tasks, new scopes) start
from the proposal, each row beside its sentence, for the person to keep, correct, drop or add to;
"check" shows every problem at once — the draft's shape (domain/drafts.py) and then the catalog's
own checks — pointed at the table and row; "publish" writes, or writes nothing and shows why.

Reads go through ui/queries.py, writes through ui/services.py. Session state keys start with
"authoring." and survive reruns; an editor's starting rows are kept there too, so a person's edits
are not lost when the page runs again. Text from a document is shown in tables, selectbox options
and st.text (plain), or escaped (ui/text.py md) where Streamlit renders markdown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from domain import drafts
from domain.access import Identity
from domain.catalog import Catalog
from domain.config import settings
from domain.models import Adjustment, Comparator, OrgKind, Plan, TargetKind
from domain.problems import CatalogProblem, shape_reason
from ui import entry, queries, services
from ui.i18n import Message, localized, md, md_message, render, t
from ui.services import PlanDraft, PlanRejected

P = "authoring."  # every session-state key of the page starts with it
DONE = P + "done"  # (message, plan_id) of the last write, shown until the next
DRAFT = P + "draft"  # (the upload's key, its PlanDraft) for the new plan
FRAMES = P + "frames"  # (the upload's key, {table: the editor's starting rows})
PROBLEMS = P + "problems"  # the last check's problems, as a table
ROUND = P + "round"  # how many plans were published: part of the uploader's key
ADJ_DRAFT = P + "adj.draft"  # (the upload's key, its PlanDraft) for an adjustment
ADJ_FRAME = P + "adj.frame"  # (the upload's key and plan, the adjustment's starting rows)
HEADER = ("plan_id", "title_zh", "issuer_zh", "issued", "scope", "base_year", "horizon_end")
TABLES = ("targets", "incentives", "tasks", "scopes")
COLUMNS = {"targets": drafts.TARGET_COLUMNS, "incentives": drafts.INCENTIVE_COLUMNS, "tasks": drafts.TASK_COLUMNS,
           "scopes": drafts.SCOPE_COLUMNS}
_NUMBER = {"value", "threshold_value", "reward_value", "min_growth_pct"}
_YEAR = {"base_year", "target_year", "first_year"}
_FLAG = {"keep", "headline"}
NEW = "new"  # an adjustment's target that replaces none
DOCUMENTS = ["txt", "docx", "pdf"]
YEARS = (1990, 2100)  # the years a plan's header and rows may name
PLAN_SCOPES = (OrgKind.COUNTRY, OrgKind.PROVINCE, OrgKind.CITY, OrgKind.DISTRICT)
NEW_SCOPE_KINDS = (OrgKind.PARK, OrgKind.DISTRICT, OrgKind.BASE)  # what a plan may declare for itself


def confirmation(lang: str) -> None:
    """The last write's confirmation and a link to the plan it wrote (until the next write)."""
    done = st.session_state.get(DONE)
    if done:
        message, plan_id = done
        st.success(message)
        st.page_link("pages/plan.py", label=t("authoring.open_plan", lang), icon=":material/analytics:",
                     query_params={"lang": lang, "plan": plan_id})


def _done(message: str, plan_id: str) -> None:
    st.session_state[DONE] = (message, plan_id)
    st.rerun()  # the sidebar's plans and every page read the catalog in force again


def _uploader(label: str, key: str, types: list[str], lang: str, max_mb: int | None = None,
              hint: str | None = None):
    """A file uploader bounded at the plan document's size (settings: plan_upload_mb), in the page's
    words only (ui/entry.py hides Streamlit's English ones inside a keyed container)."""
    box = key.replace(".", "-") + "-box"  # a CSS class: no dots
    entry.hide_uploader_words(box, lang)
    with st.container(key=box):
        return st.file_uploader(label, type=types, key=key, help=hint,
                                max_upload_size=max_mb or settings().plan_upload_mb)


def _key(name: str, data: bytes, *more: object) -> tuple:
    return (name, hashlib.sha256(data).hexdigest(), *more)


def _drafted(slot: str, key: tuple, name: str, data: bytes, scope: str | None, lang: str) -> tuple[PlanDraft, bool]:
    """The upload read and proposed once per content (the page runs again at every click while the
    file sits in the uploader); True when it was read now."""
    kept = st.session_state.get(slot)
    if kept is not None and kept[0] == key:
        return kept[1], False
    with st.spinner(t("authoring.reading", lang)):
        draft = services.propose_from_upload(name, data, scope)
    st.session_state[slot] = (key, draft)
    return draft, True


# ------------------------------------------------------------------------------ rows and frames


def frame(table: str, rows: list[dict]) -> pd.DataFrame:
    """A draft table as its editor starts: the drafts module's columns, typed so an added row's
    empty cells stay empty (nullable integers for years, floats for values, text for the rest)."""
    columns = COLUMNS[table]
    # Numbered from 1, as the problems name the rows.
    out = pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=list(columns),
                       index=pd.RangeIndex(1, len(rows) + 1))
    for c in columns:
        if c in _FLAG:
            out[c] = out[c].astype("boolean")
        elif c in _YEAR:
            out[c] = pd.to_numeric(out[c]).astype("Int64")
        elif c in _NUMBER:
            out[c] = pd.to_numeric(out[c]).astype("float64")
        else:
            out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out


def _plain(v: object) -> object:
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return None
    if hasattr(v, "item"):  # a numpy scalar: the Python value
        return v.item()
    return v


def records(edited: pd.DataFrame) -> list[dict]:
    """An edited table's rows as the drafts module takes them: plain Python values, None for empty."""
    return [{c: _plain(v) for c, v in row.items()} for row in edited.to_dict("records")]


def header_defaults(draft: PlanDraft, catalog: Catalog, today: dt.date) -> dict[str, object]:
    """The header form's first values from the proposal: the plan's scope is the city or province the
    candidates name most, its id the scope and the year it was issued."""
    p = draft.proposal
    scopes = [c.scope for c in p.candidates if c.scope in catalog.organisations
              and catalog.organisations[c.scope].kind in PLAN_SCOPES] if p else []
    options = scope_options(catalog)
    scope = max(set(scopes), key=scopes.count) if scopes else (options[0] if options else None)
    known = [o.name_zh for o in catalog.organisations.values()]
    place = None if scopes or p is None else (drafts.place_named(p.title_zh, known) or drafts.place_named(p.issuer_zh, known))
    issued = (p.issued if p else None) or today
    base = min(max((p.base_year if p else None) or issued.year - 1, YEARS[0]), YEARS[1] - 1)  # the inputs' bounds
    horizon = min(max((p.horizon_end if p else None) or base + 5, base + 1), YEARS[1])
    return {"plan_id": drafts.suggested_plan_id(None if place else scope, issued.year),
            # A plan of a place the catalog does not hold (a bureau's own city): declared with the plan.
            "new_place": place is not None, "place_name": place or "", "place_id": "",
            "place_kind": (OrgKind.PROVINCE if place and place.endswith(("省", "自治区")) else OrgKind.CITY).value,
            "place_parent": _parent_guess(catalog, p.title_zh if p else None),
            "title_zh": (p.title_zh if p else None) or "",
            "issuer_zh": (p.issuer_zh if p else None) or "", "issued": issued, "scope": scope,
            "base_year": int(base), "horizon_end": int(horizon)}


def _parent_guess(catalog: Catalog, title: str | None) -> str:
    """The province a new city lies in, where the title names one the catalog holds; else the country."""
    for o in catalog.organisations.values():
        if o.kind == OrgKind.PROVINCE and title and o.name_zh in title:
            return o.org_id
    return catalog.root


def _parent_of(catalog: Catalog, header: Mapping[str, object]) -> str | None:
    """The province a share of 全省 divides by: the new place's parent, or the catalog's province of the scope."""
    if header.get("new_place"):
        return str(header.get("place_parent") or "") or None
    return catalog.province_of(str(header.get("scope")))


def parent_options(catalog: Catalog) -> list[str]:
    """What a new city or province may lie under: the country and its provinces."""
    return [catalog.root, *sorted(o.org_id for o in catalog.organisations.values() if o.kind == OrgKind.PROVINCE)]


def scope_options(catalog: Catalog) -> list[str]:
    return sorted((o.org_id for o in catalog.organisations.values() if o.kind in PLAN_SCOPES),
                  key=lambda o: (list(PLAN_SCOPES).index(catalog.organisations[o].kind), o))


# --------------------------------------------------------------------------------- problems

_ROWS = {"targets": "targets", "incentives": "incentives", "tasks": "tasks", "organisations": "scopes",
         "organisation": "scopes"}  # a plan's lists as the page's tables


def located(build_problems: list[drafts.Problem], catalog_problems: list[CatalogProblem],
            rows: Mapping[str, list[dict]], lang: str) -> pd.DataFrame:
    """Every problem as one table: the table and row (as numbered on the page) and the column it
    lies in, and the reason, all in the reader's language. The catalog's problems name the plan's
    n-th target (incentive, task) or an organisation's id: mapped back to the row it came from."""
    kept = {table: [n for n, r in enumerate(rows.get(table, []), start=1) if r.get("keep") is not False]
            for table in TABLES}
    scope_rows = {r.get("org_id"): n for n, r in enumerate(rows.get("scopes", []), start=1)}
    out = [(p.table, p.row, p.column, p.reason) for p in build_problems]
    for p in catalog_problems:
        step = p.last(tuple(_ROWS))
        if step is None:
            out.append(("plan", None, None, p.reason))
            continue
        group, i, label = step
        table = _ROWS[group]
        if table == "scopes":
            row = scope_rows.get(label)
        else:
            row = kept[table][i] if i is not None and i < len(kept[table]) else None
        out.append((table, row, None, p.reason))
    col = {k: t(f"authoring.problem.{k}", lang) for k in ("table", "row", "column", "reason")}
    return pd.DataFrame({
        col["table"]: [t(f"authoring.table.{table}", lang) for table, *_ in out],
        col["row"]: pd.array([row for _, row, _, _ in out], dtype="Int64"),
        col["column"]: [_column_label(c, lang) if c else "" for _, _, c, _ in out],
        col["reason"]: [render(reason, lang) for *_, reason in out],  # a table shows text, not markdown
    })


def _column_label(column: str, lang: str) -> str:
    head = column.split(".")[0]
    head = {"threshold": "threshold_value", "reward": "reward_value", "denominator": "denominator_scope",
            "source_quote": "quote"}.get(head, head)
    try:
        return t(f"authoring.col.{head}", lang)
    except KeyError:
        return column


def _show_problems(problems: pd.DataFrame, lang: str) -> None:
    st.error(t("authoring.refused", lang, n=len(problems)))
    st.dataframe(problems, hide_index=True, width="stretch")


# ------------------------------------------------------------------------------ the new plan


def _column_config(table: str, catalog: Catalog, lang: str) -> dict:
    cc = st.column_config
    label = {c: t(f"authoring.col.{c}", lang) for c in COLUMNS[table]}
    indicators = sorted(catalog.indicators)
    config: dict = {c: cc.TextColumn(label[c]) for c in COLUMNS[table]}
    config |= {c: cc.NumberColumn(label[c]) for c in COLUMNS[table] if c in _NUMBER}
    config |= {c: cc.NumberColumn(label[c], min_value=YEARS[0], max_value=YEARS[1], step=1, format="%d")
               for c in COLUMNS[table] if c in _YEAR}
    config |= {c: cc.CheckboxColumn(label[c]) for c in COLUMNS[table] if c in _FLAG}
    config["quote"] = cc.TextColumn(label["quote"], disabled=True, width="large")
    for c in ("indicator", "denominator_indicator"):
        if c in config:
            config[c] = cc.SelectboxColumn(label[c], options=indicators, format_func=lambda i: (
                f"{localized(catalog.indicators[i], 'name', lang)}（{i}）" if i in catalog.indicators else i))
    if table == "targets":
        config["kind"] = cc.SelectboxColumn(label["kind"], options=[k.value for k in TargetKind],
                                            format_func=lambda k: t(f"kind_{k}", lang))
        config["comparator"] = cc.SelectboxColumn(label["comparator"], options=[c.value for c in Comparator],
                                                  format_func=lambda c: t(f"authoring.cmp.{Comparator(c).name.lower()}",
                                                                          lang))
    if table == "scopes":
        config["kind"] = cc.SelectboxColumn(label["kind"], options=[k.value for k in NEW_SCOPE_KINDS],
                                            format_func=lambda k: t(f"authoring.orgkind.{k}", lang))
    return config


def _order(columns: tuple[str, ...]) -> list[str]:
    """The sentence right after the keep box: the row is read beside its words."""
    return [columns[0], "quote", *(c for c in columns[1:] if c != "quote")]


def _header(catalog: Catalog, lang: str) -> dict[str, object]:
    options = scope_options(catalog)
    name = lambda o: f"{localized(catalog.organisations[o], 'name', lang)}（{o}）"
    a, b = st.columns(2)
    values = {"plan_id": a.text_input(t("authoring.plan_id", lang), key=P + "h.plan_id",
                                      help=t("authoring.plan_id_help", lang))}
    values["new_place"] = b.toggle(t("authoring.new_place", lang), key=P + "h.new_place",
                                   help=t("authoring.new_place_help", lang))
    if values["new_place"]:  # the plan's own city or province, declared with it
        c, d, e, f = st.columns(4)
        values["place_id"] = c.text_input(t("authoring.place_id", lang), key=P + "h.place_id", max_chars=64,
                                          help=t("authoring.plan_id_help", lang))
        values["place_name"] = d.text_input(t("authoring.place_name", lang), key=P + "h.place_name", max_chars=40)
        values["place_kind"] = e.selectbox(t("authoring.place_kind", lang), [OrgKind.CITY.value, OrgKind.PROVINCE.value],
                                           key=P + "h.place_kind", format_func=lambda k: t(f"authoring.orgkind.{k}", lang))
        values["place_parent"] = f.selectbox(t("authoring.place_parent", lang), parent_options(catalog),
                                             key=P + "h.place_parent", format_func=name)
        values["scope"] = str(values["place_id"] or "").strip()
    else:
        values["scope"] = b.selectbox(t("authoring.scope", lang), options, key=P + "h.scope", format_func=name)
    values["title_zh"] = st.text_input(t("authoring.title", lang), key=P + "h.title_zh", max_chars=300)
    values["issuer_zh"] = st.text_input(t("authoring.issuer", lang), key=P + "h.issuer_zh", max_chars=200)
    c, d, e = st.columns(3)
    values["issued"] = c.date_input(t("authoring.issued", lang), key=P + "h.issued", min_value=dt.date(2000, 1, 1),
                                    format="YYYY-MM-DD")
    values["base_year"] = d.number_input(t("authoring.base_year", lang), *YEARS, step=1, key=P + "h.base_year")
    values["horizon_end"] = e.number_input(t("authoring.horizon_end", lang), *YEARS, step=1, key=P + "h.horizon_end")
    return values


def _start(draft: PlanDraft, key: tuple, catalog: Catalog) -> None:
    """A new upload: the header's widgets and the editors start from its proposal."""
    for name, value in header_defaults(draft, catalog, dt.date.today()).items():
        st.session_state[P + "h." + name] = value
    # A new place's parks get no parent yet: the draft puts them under the plan's scope as finally chosen.
    scope = None if st.session_state[P + "h.new_place"] else st.session_state[P + "h.scope"]
    rows = drafts.rows_from(draft.proposal, scope)
    st.session_state[FRAMES] = (key, {table: frame(table, rows[table]) for table in TABLES})
    st.session_state.pop(PROBLEMS, None)


def new_plan_section(who: Identity, lang: str) -> None:
    catalog = queries.catalog()
    st.caption(t("authoring.new.help", lang))
    # A published plan's file leaves the uploader: its key changes with every plan published.
    upload = _uploader(t("authoring.upload", lang), P + f"upload.{st.session_state.get(ROUND, 0)}", DOCUMENTS, lang)
    if upload is None:
        return
    data = upload.getvalue()
    key = _key(upload.name, data)
    draft, fresh = _drafted(DRAFT, key, upload.name, data, None, lang)
    if draft.problem is not None:
        st.error(md_message(draft.problem, lang))
        return
    if fresh or st.session_state.get(FRAMES, (None,))[0] != key:
        _start(draft, key, catalog)
    counts = {table: len(f) for table, f in st.session_state[FRAMES][1].items()}
    st.caption(t("authoring.proposed", lang, chars=len(draft.text), **counts))
    header = _header(catalog, lang)
    if header["plan_id"] in catalog.plans:
        st.warning(md("authoring.replaces", lang, plan=localized(catalog.plans[header["plan_id"]], "title", lang)))
    edited: dict[str, pd.DataFrame] = {}
    for table in TABLES:
        st.subheader(t(f"authoring.table.{table}", lang))
        st.caption(t(f"authoring.table.{table}.help", lang))
        edited[table] = st.data_editor(
            st.session_state[FRAMES][1][table], key=P + f"editor.{table}.{key[1][:12]}", num_rows="dynamic",
            hide_index=False, column_config=_column_config(table, catalog, lang), width="stretch", placeholder="—",
            column_order=_order(COLUMNS[table]))
    rows = {table: records(edited[table]) for table in TABLES}
    check, publish = st.columns(2)
    if check.button(t("authoring.check", lang), key=P + "check"):
        plan, problems = _checked(who, header, draft, rows, catalog, lang)
        st.session_state[PROBLEMS] = problems
        if plan is not None and problems.empty:
            st.session_state[PROBLEMS] = None
            st.success(t("authoring.check_ok", lang, targets=len(plan.targets), incentives=len(plan.incentives),
                         tasks=len(plan.tasks), scopes=len(plan.organisations)))
    if publish.button(t("authoring.publish", lang), type="primary", key=P + "publish"):
        plan, problems = _checked(who, header, draft, rows, catalog, lang, check_catalog=False)
        if plan is not None:
            try:
                services.publish_plan(who, plan, {draft.text_name: (draft.file_name, draft.text)})
            except PlanRejected as e:
                problems = located([], e.problems, rows, lang)
            else:
                for k in (DRAFT, FRAMES, PROBLEMS):
                    st.session_state.pop(k, None)
                st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1
                _done(md("authoring.published", lang, title=plan.title_zh, plan=plan.plan_id, version=plan.version,
                         targets=len(plan.latest().targets)), plan.plan_id)
        st.session_state[PROBLEMS] = problems
    problems = st.session_state.get(PROBLEMS)
    if problems is not None and not problems.empty:
        _show_problems(problems, lang)


def _checked(who: Identity, header: Mapping[str, object], draft: PlanDraft, rows: dict[str, list[dict]],
             catalog: Catalog, lang: str, check_catalog: bool = True) -> tuple[Plan | None, pd.DataFrame]:
    """The plan the form makes, or None; and every problem (the draft's, then the catalog's)."""
    try:
        head = drafts.Header(plan_id=str(header["plan_id"]).strip(), title_zh=str(header["title_zh"]).strip(),
                             issuer_zh=str(header["issuer_zh"]).strip(), issued=header["issued"],
                             scope=str(header["scope"]), base_year=int(header["base_year"]),
                             horizon_end=int(header["horizon_end"]), seed_file=draft.text_name,
                             scope_parent=_parent_of(catalog, header), country=catalog.root)
    except (TypeError, ValueError):
        return None, located([drafts.Problem("plan", None, None, Message.of("authoring.header_incomplete"))], [],
                             rows, lang)
    scopes = rows["scopes"]
    if header.get("new_place"):
        scopes = [*scopes, drafts.place_row(head.scope, str(header["place_name"]).strip(), str(header["place_kind"]),
                                            str(header["place_parent"]), draft.text)]
    plan, problems = drafts.build(head, catalog.indicators, rows["targets"], rows["incentives"], rows["tasks"], scopes)
    if plan is None or not check_catalog:
        return plan, located(problems, [], rows, lang)
    found = services.check_plan(who, plan, {draft.text_name: (draft.file_name, draft.text)})
    return (plan if not found else None), located([], found, rows, lang)


# ----------------------------------------------------------------------- a mid-term adjustment


def matched(row: Mapping, plan: Plan) -> str:
    """The plan's target a proposed target replaces, by kind, indicator and scope; NEW when none
    (or more than one) matches."""
    scope = row.get("scope") or plan.scope
    same = [x.target_id for x in plan.latest().targets
            if x.kind.value == row.get("kind") and x.indicator == row.get("indicator") and x.scope == scope]
    return same[0] if len(same) == 1 else NEW


def adjustment_from(plan: Plan, rows: list[dict], effective: dt.date, document_zh: str, seed_file: str,
                    sentence: str, dropped: list[str], indicators: Mapping) -> tuple[Adjustment | None, list]:
    """The adjustment the kept rows make: each row's target under the id it replaces (keeping that
    target's name and headline) or a new id; or None and every problem (drafts.Problem)."""
    latest = plan.latest()
    old = {x.target_id: x for x in latest.targets}
    kept = [r for r in rows if r.get("keep") is not False]
    numbered = []
    for n, r in enumerate(kept, start=1):
        replaces = r.get("replaces") or NEW
        target_id = replaces if replaces in old else f"{plan.plan_id}-v{plan.version + 1}-t{n}"
        numbered.append({**r, "target_id": target_id, "headline": False,
                         "name_zh": old[replaces].name_zh if replaces in old else r.get("name_zh")})
    header = drafts.Header(plan.plan_id, plan.title_zh, plan.issuer_zh, plan.issued, plan.scope, plan.base_year,
                           plan.horizon_end, seed_file)
    built, problems = drafts.build(header, indicators, numbered)
    if built is None and not (numbered == [] and dropped):
        return None, problems
    targets = [] if built is None else [
        x.model_copy(update={"headline": old[x.target_id].headline, "name_en": old[x.target_id].name_en})
        if x.target_id in old else x.model_copy(update={"headline": False}) for x in built.targets]
    try:
        return Adjustment(effective=effective, document_zh=document_zh, seed_file=seed_file, source_quote=sentence,
                          targets=tuple(targets), dropped=tuple(dropped)), []
    except ValidationError as e:
        return None, [drafts.Problem("plan", None, ".".join(str(x) for x in err["loc"]) or None, shape_reason(err))
                      for err in e.errors()]


def adjust_section(who: Identity, lang: str) -> None:
    catalog = queries.catalog()
    st.caption(t("authoring.adjust.help", lang))
    plan_ids = sorted(catalog.plans)
    plan_id = st.selectbox(t("authoring.adjust.plan", lang), plan_ids, key=P + "adj.plan",
                           format_func=lambda p: f"{localized(catalog.plans[p], 'title', lang)}（{p}）")
    if plan_id is None:
        return
    plan = catalog.plans[plan_id]
    st.caption(t("authoring.adjust.version", lang, version=plan.version, targets=len(plan.latest().targets)))
    upload = _uploader(t("authoring.adjust.upload", lang), P + "adj.upload", DOCUMENTS, lang)
    if upload is None:
        return
    data = upload.getvalue()
    key = _key(upload.name, data, plan_id)
    draft, _ = _drafted(ADJ_DRAFT, key, upload.name, data, plan.scope, lang)
    if draft.problem is not None:
        st.error(md_message(draft.problem, lang))
        return
    if st.session_state.get(ADJ_FRAME, (None,))[0] != key:
        rows = drafts.rows_from(draft.proposal, plan.scope)["targets"]
        start = frame("targets", rows)
        start.insert(1, "replaces", [matched(r, plan) for r in rows])
        st.session_state[ADJ_FRAME] = (key, start)
        st.session_state[P + "adj.title"] = (draft.proposal.title_zh if draft.proposal else None) or ""
        st.session_state[P + "adj.effective"] = (draft.proposal.issued if draft.proposal else None) or dt.date.today()
    a, b = st.columns(2)
    document_zh = a.text_input(t("authoring.adjust.document", lang), key=P + "adj.title", max_chars=300)
    effective = b.date_input(t("authoring.adjust.effective", lang), key=P + "adj.effective",
                             min_value=dt.date(plan.issued.year, 1, 1), format="YYYY-MM-DD")
    quotes = [""] + list(dict.fromkeys(c.quote for c in draft.proposal.candidates)) if draft.proposal else [""]
    picked = st.selectbox(t("authoring.adjust.sentence", lang), quotes, key=P + "adj.sentence_pick",
                          format_func=lambda q: q or t("authoring.adjust.sentence_none", lang))
    typed = st.text_area(t("authoring.adjust.sentence_typed", lang), key=P + "adj.sentence_typed", max_chars=2000)
    sentence = typed.strip() or picked
    latest = plan.latest()
    config = _column_config("targets", catalog, lang)
    names = {x.target_id: f"{x.name_zh}（{x.target_id}）" for x in latest.targets}
    config["replaces"] = st.column_config.SelectboxColumn(
        t("authoring.col.replaces", lang), options=[NEW, *names], required=True,
        format_func=lambda r: names.get(r) or t("authoring.new_target", lang))
    st.subheader(t("authoring.table.targets", lang))
    start = st.session_state[ADJ_FRAME][1]
    edited = st.data_editor(start, key=P + f"adj.editor.{key[1][:12]}", num_rows="dynamic", column_config=config,
                            width="stretch", placeholder="—", column_order=_order(tuple(start.columns)))
    dropped = st.multiselect(t("authoring.adjust.dropped", lang), list(names), key=P + "adj.dropped",
                             format_func=names.get)
    if not st.button(t("authoring.adjust.publish", lang), type="primary", key=P + "adj.publish"):
        return
    rows = records(edited)
    if not sentence or sentence not in draft.text:
        st.error(t("authoring.adjust.not_verbatim", lang))
        return
    adjustment, problems = adjustment_from(plan, rows, effective, document_zh.strip(), draft.text_name, sentence,
                                           dropped, catalog.indicators)
    if adjustment is None:
        _show_problems(located(problems, [], {"targets": rows}, lang), lang)
        return
    document = None if queries.plan_text_kept(draft.text_name) else (draft.file_name, draft.text)
    try:
        services.adjust_plan(who, plan_id, adjustment, document)
    except PlanRejected as e:
        _show_problems(located([], e.problems, {"targets": rows}, lang), lang)
        return
    for k in (ADJ_DRAFT, ADJ_FRAME):
        st.session_state.pop(k, None)
    _done(md("authoring.adjusted", lang, plan=plan_id, version=plan.version + 1, effective=effective.isoformat()),
          plan_id)


# -------------------------------------------------------------------------------- plan files


def files_section(who: Identity, lang: str) -> None:
    catalog = queries.catalog()
    st.caption(t("authoring.files.help", lang))
    plan_id = st.selectbox(t("authoring.files.plan", lang), sorted(catalog.plans), key=P + "files.plan",
                           format_func=lambda p: f"{localized(catalog.plans[p], 'title', lang)}（{p}）")
    if plan_id is not None:
        st.download_button(t("authoring.files.download", lang), services.export_plan_yaml(who, plan_id).encode("utf-8"),
                           f"{plan_id}.yaml", "application/x-yaml", key=P + "files.download")
    st.subheader(t("authoring.files.import", lang))
    yaml_file = _uploader(t("authoring.files.yaml", lang), P + "files.yaml", ["yaml", "yml"], lang, max_mb=1)
    text_file = _uploader(t("authoring.files.text", lang), P + "files.text", DOCUMENTS, lang,
                          hint=t("authoring.files.text_help", lang))
    if yaml_file is None or not st.button(t("authoring.files.publish", lang), type="primary", key=P + "files.publish"):
        return
    text = None
    if text_file is not None:
        read = services.read_plan_document(text_file.name, text_file.getvalue())
        if isinstance(read, str):
            text = (text_file.name, read)
        else:
            st.error(md_message(read, lang))
            return
    try:
        yaml_text = yaml_file.getvalue().decode("utf-8-sig")
    except UnicodeDecodeError:
        st.error(t("authoring.files.not_utf8", lang))
        return
    try:
        plan = services.import_plan_yaml(who, yaml_text, yaml_file.name, text)
    except PlanRejected as e:
        st.error(t("authoring.refused", lang, n=len(e.problems)))
        st.dataframe(pd.DataFrame({t("authoring.problem.reason", lang): [p.render(lang) for p in e.problems]}),
                     hide_index=True, width="stretch")
        return
    _done(md("authoring.imported", lang, title=plan.title_zh, plan=plan.plan_id), plan.plan_id)
