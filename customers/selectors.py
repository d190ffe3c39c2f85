"""Customer-success reads shared by pages, the API and the KPI feed."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.calendar import month_start, parse_month, previous_month
from customers.ledger import team_answers, team_ledger
from customers.models import Customer, CustomerMrr
from customers.notes import explain
from engine import saas, saas_ledger, saas_risk
from engine.saas import CustomerRecord
from engine.saas_risk import AtRiskRules

GROSS_MARGIN = saas.DEFAULT_GROSS_MARGIN

# key: (label, definition) — the published definitions (help page and metrics page).
METRICS = {
    "logo_churn": (
        gettext_lazy("Logo churn rate"),
        gettext_lazy("Customers lost in the month ÷ customers active at its start. A customer "
                     "who signed and left within the same month counts in neither."),
    ),
    "gross_revenue_churn": (
        gettext_lazy("Gross revenue churn"),
        gettext_lazy("(MRR of customers lost in the month + contraction) ÷ MRR at the month's "
                     "start. New customers are left out."),
    ),
    "grr": (
        gettext_lazy("GRR (gross revenue retention)"),
        gettext_lazy("(Start MRR − contraction − churned MRR) ÷ start MRR; expansion is not "
                     "counted, so it is never above 100 %."),
    ),
    "nrr": (
        gettext_lazy("NRR (net revenue retention)"),
        gettext_lazy("(Start MRR + expansion − contraction − churned MRR) ÷ start MRR."),
    ),
    "arpa": (
        gettext_lazy("ARPA"),
        gettext_lazy("MRR at the month's start ÷ customers active at its start."),
    ),
    "ltv": (
        gettext_lazy("LTV"),
        gettext_lazy("ARPA × gross margin (80 %) ÷ monthly logo churn. Undefined in a month "
                     "with no churn: dividing by zero would claim customers stay forever."),
    ),
    "onboarding_completion": (
        gettext_lazy("Onboarding completion (30 days)"),
        gettext_lazy("Contracts signed in the month that completed onboarding within 30 days "
                     "÷ those contracts. Contracts whose 30 days have not passed yet are left "
                     "out; “complete” without a date counts as on time."),
    ),
    "nps": (
        gettext_lazy("NPS"),
        gettext_lazy("% promoters (9–10) − % detractors (0–6) among customers active in the "
                     "month who answered; from −100 to +100."),
    ),
    "nps_average": (
        gettext_lazy("Average NPS score"),
        gettext_lazy("The plain mean of the 0–10 answers."),
    ),
    "csat": (
        gettext_lazy("CSAT"),
        gettext_lazy("Share of 4–5 answers on the 1–5 scale."),
    ),
}

REASONS = {
    "onboarding_incomplete": gettext_lazy("Onboarding not complete %(days)s days after contract"),
    "no_recent_login": gettext_lazy("No login for %(days)s days"),
    "never_logged_in": gettext_lazy("Never logged in"),
    "low_nps": gettext_lazy("NPS %(nps)s"),
    "note_words": gettext_lazy("Notes mention: %(words)s"),
}


def cs_team_for(company):
    """The team whose roster the nav opens: slug "cs", else the first team with customers."""
    from teams.models import Team

    teams = Team.objects.filter(company=company)
    return (teams.filter(slug="cs").first()
            or teams.filter(customers__isnull=False).order_by("name").first()
            or teams.order_by("name").first())


def customer_records(team) -> list[CustomerRecord]:
    """The team's customers as engine records (customers without a contract date left out)."""
    history = defaultdict(dict)
    for customer_id, month, mrr in CustomerMrr.objects.filter(
        customer__team=team
    ).values_list("customer_id", "month", "mrr"):
        history[customer_id][month] = mrr
    answers = team_answers(team)
    records = []
    for c in Customer.objects.filter(team=team, contract_date__isnull=False).order_by("name"):
        records.append(_record(c, history.get(c.pk, {}), answers.get(c.pk, {})))
    return records


def _record(c: Customer, history, answers=None) -> CustomerRecord:
    status = c.onboarding_status if c.onboarding_status in saas.ONBOARDING_STATUSES else None
    return CustomerRecord(
        id=str(c.pk), contract_date=c.contract_date, churn_date=c.churn_date,
        onboarding_status=status, onboarding_completed_on=c.onboarding_completed_on,
        last_login=c.last_login, nps=c.nps, csat=c.csat, mrr=c.mrr or 0, mrr_history=history,
        notes=f"{c.notes} {c.nps_comment}".strip(),
        nps_answers=(answers or {}).get("nps", {}), csat_answers=(answers or {}).get("csat", {}),
    )


def month_from_param(text: str | None, today: date) -> date:
    """The month named ``YYYY-MM`` up to this one; missing, malformed or future → last month."""
    value = parse_month(text)
    if value is None or value > month_start(today):
        value = previous_month(today)
    return value


def month_metrics(team, month: date, today: date, records=None) -> list[dict]:
    """Every metric for ``month`` with numerator, denominator and note, in METRICS order."""
    records = customer_records(team) if records is None else records
    # Onboarding windows are judged with what we know today, so a past month's cohort is
    # complete once its 30 days have passed (the engine would otherwise stop at month end).
    computed = saas.monthly_metrics(records, month, gross_margin=GROSS_MARGIN, as_of=today)
    # Revenue retention from the stored MRR movements once the team has them: a closed
    # month's figures then stay as they were, whatever today's MRR says.
    stored = team_ledger(team)
    if stored:
        computed.update(saas_ledger.retention_metrics(stored, month))
    rows = []
    for key, (label, definition) in METRICS.items():
        metric = computed[key]
        rows.append({
            "key": key, "label": label, "definition": definition, "value": metric.value,
            "unit": metric.unit, "numerator": metric.numerator,
            "denominator": metric.denominator, "note": explain(metric.note),
            "numerator_display": _number(metric.numerator),
            "denominator_display": _number(metric.denominator),
            "undefined": metric.value is None,
            "display": _display(metric),
        })
    return rows


def _number(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.4g}" if abs(value) < 1 else f"{value:,.0f}"
    return f"{value:,.0f}"


def _display(metric: saas.Metric) -> str:
    if metric.value is None:
        return _("undefined")
    if metric.unit == "ratio":
        return f"{metric.value * 100:.1f} %"
    if metric.unit == "currency":
        return f"¥{metric.value:,.0f}"
    if metric.unit == "score":
        return f"{metric.value:+.1f}"
    return f"{metric.value:.2f}"


def risk_rules_engine(rules) -> AtRiskRules:
    return AtRiskRules(onboarding_days=rules.onboarding_days, no_login_days=rules.no_login_days,
                       nps_max=rules.nps_max, note_words=rules.word_list,
                       min_reasons=rules.min_reasons or 1)


def reason_text(reason: saas_risk.RiskReason) -> str:
    p = reason.params
    if reason.code == "onboarding_incomplete":
        return str(REASONS[reason.code]) % {"days": p["days_since_contract"]}
    if reason.code == "no_recent_login":
        if p["days_since_login"] is None:
            return str(REASONS["never_logged_in"])
        return str(REASONS[reason.code]) % {"days": p["days_since_login"]}
    if reason.code == "low_nps":
        return str(REASONS[reason.code]) % {"nps": p["nps"]}
    return str(REASONS[reason.code]) % {"words": "、".join(p["words"])}


def _flagged(team, rules, today):
    customers = {str(c.pk): c for c in Customer.objects.filter(team=team,
                                                               contract_date__isnull=False)}
    records = [_record(c, {}) for c in customers.values()]
    records.sort(key=lambda r: customers[r.id].name)
    return customers, saas_risk.at_risk(records, today, risk_rules_engine(rules))


def at_risk_rows(team, rules, today: date) -> list[dict]:
    """Active customers breaking at least ``rules.min_reasons`` rules, the most MRR at risk
    first (then most reasons), each with its reasons and its MRR."""
    return at_risk_list(team, rules, today)[0]


def at_risk_list(team, rules, today: date) -> tuple[list[dict], dict]:
    """(at_risk_rows, the list's totals: customers, MRR at risk, and per rule how many it
    puts on the list), from one read of the roster."""
    customers, flagged = _flagged(team, rules, today)
    rows = [{"customer": customers[cid], "reasons": [reason_text(r) for r in reasons],
             "codes": [r.code for r in reasons], "mrr": customers[cid].mrr}
            for cid, reasons in flagged]
    rows.sort(key=lambda row: (-(row["mrr"] or 0), -len(row["codes"])))
    return rows, _summary(customers, flagged, rules, today)


RULE_LABELS = {
    "onboarding_incomplete": gettext_lazy("Onboarding not complete"),
    "no_recent_login": gettext_lazy("No recent login"),
    "low_nps": gettext_lazy("Low NPS"),
    "note_words": gettext_lazy("Words in notes"),
}


def _summary(customers, flagged, rules, today) -> dict:
    additions = saas_risk.rule_additions(flagged, rules.min_reasons or 1)
    return {
        "mrr_at_risk": sum((customers[cid].mrr or 0) for cid, _r in flagged),
        "active": sum(1 for c in customers.values() if c.churn_date is None
                      or c.churn_date > today),
        "rules": [{"code": code, "label": RULE_LABELS[code], "adds": additions[code]}
                  for code in saas_risk.RULE_CODES],
    }


def customer_risk(customer, rules, today: date) -> dict:
    """One customer's reasons as the at-risk list shows them (empty lists when none)."""
    if customer.contract_date is None:
        return {"reasons": [], "codes": []}
    record = _record(customer, {})
    reasons = (saas_risk.risk_reasons(record, today, risk_rules_engine(rules))
               if record.is_active_on(today) else [])
    return {"reasons": [reason_text(r) for r in reasons], "codes": [r.code for r in reasons]}


def customer_list(team, *, q="", status="", plan="", state=""):
    qs = Customer.objects.filter(team=team)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(notes__icontains=q) | Q(external_id=q)
                       | Q(nps_comment__icontains=q))
    if status:
        qs = qs.filter(onboarding_status=status)
    if plan:
        qs = qs.filter(plan=plan)
    if state == "active":
        qs = qs.filter(churn_date__isnull=True)
    elif state == "churned":
        qs = qs.filter(churn_date__isnull=False)
    return qs.order_by("name")


def plans(team) -> list[str]:
    return list(Customer.objects.filter(team=team).exclude(plan="").order_by("plan")
                .values_list("plan", flat=True).distinct())


def causal_chain(team, today: date) -> dict:
    """Cohorts by contract month (onboarded on time vs not), the LTV gap and a chart config."""
    records = customer_records(team)
    cohorts = [c for c in saas_risk.onboarding_cohorts(records, today)
               if c.completed.n or c.not_completed.n][-12:]
    gap = saas_risk.ltv_gap(records, today, gross_margin=GROSS_MARGIN)
    interval = (saas_risk.ltv_gap_interval(records, today, gross_margin=GROSS_MARGIN)
                if gap.difference is not None else None)

    def pct(group):
        return None if group.churn_rate is None else round(group.churn_rate * 100, 1)

    chart = {
        "type": "bar",
        "data": {
            "labels": [c.contract_month.strftime("%Y-%m") for c in cohorts],
            "datasets": [
                {"label": _("Onboarded within 30 days"), "backgroundColor": "#12805c",
                 "data": [pct(c.completed) for c in cohorts]},
                {"label": _("Not onboarded in 30 days"), "backgroundColor": "#c01048",
                 "data": [pct(c.not_completed) for c in cohorts]},
            ],
        },
        "options": {"responsive": True, "maintainAspectRatio": False,
                    "scales": {"y": {"beginAtZero": True,
                                     "title": {"display": True, "text": _("Churned so far") + " (%)"}}}},
    }
    def churn_pct(segment):
        return None if segment.monthly_churn is None else f"{segment.monthly_churn * 100:.1f} %"

    def yen(value):
        return None if value is None else f"¥{value:,.0f}"

    figures = {
        "done_churn": churn_pct(gap.completed), "notdone_churn": churn_pct(gap.not_completed),
        "done_ltv": yen(gap.completed.ltv), "notdone_ltv": yen(gap.not_completed.ltv),
        "difference": yen(gap.difference), "arpa": yen(gap.arpa),
        "low": yen(interval.low) if interval else None,
        "high": yen(interval.high) if interval else None,
        "level": f"{interval.level * 100:.0f} %" if interval else None,
    }
    return {"cohorts": cohorts, "gap": gap, "gap_note": explain(gap.note), "chart": chart,
            "figures": figures}
