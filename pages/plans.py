"""规划列表 — every plan in force (shipped or published from the app) with its version and headline target."""

import streamlit as st

from ui import context, plan_history, queries
from ui.i18n import localized, t

lang = context.current().lang
st.header(t("plans", lang))
plans = queries.plans(queries.data_version())
if plans.empty:
    st.info(t("no_plans", lang))
    st.stop()
cat = queries.catalog()
rows = []
for p in plans.itertuples():
    versions = cat.plans[p.plan_id]
    plan = versions.latest()  # its targets as the latest version has them
    head = next((tg for tg in plan.targets if tg.headline), plan.targets[0])
    rows.append({
        t("plan", lang): localized(plan, "title", lang),
        t("issuer", lang): localized(plan, "issuer", lang),
        t("issued", lang): plan.issued,
        t("history.version", lang): plan_history.latest_words(versions, lang),
        t("horizon", lang): plan.horizon_end,
        t("targets", lang): len(plan.targets),
        t("headline", lang): f"{localized(head, 'name', lang)}: {t('figure.sig4', lang, value=head.value, unit=head.unit)}",
        t("source", lang): head.source_quote,
    })
st.dataframe(rows, hide_index=True, placeholder="—", width="stretch")
