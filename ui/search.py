"""The search box: one field that finds a target of the plans the user may open, or a firm the
user may list, by name (in the page's language) or credit code, and opens it.

The field is Streamlit's own searchable select box: it filters its options as one types, on the
words each option's label holds, so every label carries what it can be found by (a target's name
in the page's language — a label holding both would put Chinese on English pages; a firm's name,
credit code and park). The options are what the data layer lets this user
see — visible plans' targets, `searchable_firms` for firms (none for a role that may list none) —
so the box cannot reveal a firm's name to someone who may not open its park.

Choosing a result sets the view in session state in the widget's callback (the only moment the
sidebar's plan may still be changed in a run) and the page then switches: a target opens the
plan page at that target (target= in the URL), a firm its park's page with the firm (park=, firm=).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from domain.catalog import Catalog
from domain.periods import Period
from ui import context, queries
from ui.i18n import localized, t

KEY = "search"
_GO = "search.go"  # session state: the page and query parameters the callback chose


@dataclass(frozen=True)
class Hit:
    kind: str  # "target" or "firm"
    plan_id: str
    target_id: str | None = None
    park_id: str | None = None
    firm_id: str | None = None


def _plan_label(catalog: Catalog, plan_id: str, lang: str) -> str:
    plan = catalog.plans[plan_id]
    place = catalog.organisations.get(plan.scope)
    return f"{localized(place, 'name', lang) if place else plan.scope} {plan.issued.year}"


def options(catalog: Catalog, plans: list[str], firms, current_plan: str | None, lang: str) -> dict[Hit, str]:
    """Every result the box offers, with the label it is found by."""
    found: dict[Hit, str] = {}
    for plan_id in plans:
        for target in catalog.plans[plan_id].latest().targets:
            found[Hit("target", plan_id, target_id=target.target_id)] = t(
                "search.target", lang, plan=_plan_label(catalog, plan_id, lang), names=localized(target, "name", lang))
    for firm in firms.itertuples(index=False):
        # The park page reads a firm's park in the light of a plan over it: the current one if it
        # covers the park, else the first visible plan that does.
        over = [p for p in plans if catalog.is_under(firm.park_id, catalog.plans[p].scope)]
        plan_id = current_plan if current_plan in over else (over[0] if over else current_plan)
        if plan_id is None:
            continue
        park = catalog.organisations.get(firm.park_id)
        found[Hit("firm", plan_id, park_id=firm.park_id, firm_id=firm.org_id)] = t(
            "search.firm", lang, firm=firm.name_zh, code=firm.credit_code or "—",
            park=localized(park, "name", lang) if park else firm.park_id)
    return found


def _chosen() -> None:
    """The callback: put the chosen result's view in session state (the sidebar's plan too, which
    only a callback may still change) and leave the page to switch."""
    hit: Hit | None = st.session_state.get(KEY)
    if hit is None:
        return
    st.session_state["plan_id"] = hit.plan_id
    if hit.kind == "target":
        st.session_state["target"] = hit.target_id
        st.session_state[_GO] = ("pages/plan.py", {"plan": hit.plan_id, "target": hit.target_id})
    else:
        st.session_state[f"firm-{hit.park_id}"] = hit.firm_id
        st.session_state[_GO] = ("pages/park.py", {"plan": hit.plan_id, "park": hit.park_id, "firm": hit.firm_id})
    st.session_state[KEY] = None  # the box is empty again on the page it leads to


def box(ctx: context.PageContext) -> None:
    """Draw the search field; after a choice, go to its page."""
    go = st.session_state.pop(_GO, None)
    if go is not None:
        page, params = go
        as_of: Period | None = ctx.as_of
        st.switch_page(page, query_params={"lang": ctx.lang, **({"q": str(as_of)} if as_of else {}), **params})
    catalog = queries.catalog()
    version = queries.data_version()
    found = options(catalog, queries.visible_plans(ctx.who), queries.searchable_firms(version, ctx.who),
                    ctx.plan_id, ctx.lang)
    st.selectbox(t("search.label", ctx.lang), list(found), index=None, key=KEY, on_change=_chosen,
                 format_func=found.get, placeholder=t("search.placeholder", ctx.lang),
                 label_visibility="collapsed")
