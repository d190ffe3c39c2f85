"""Customer-success rules that change data: roster import, hand edits, risk rules, KPI feed."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.calendar import add_months, month_start
from core.integrity import refuse_constraints
from customers import ledger
from customers.models import (
    CsRiskRules,
    Customer,
    CustomerMrr,
    CustomerRevision,
    RosterImport,
    RosterImportStatus,
)
from engine import saas
from metrics.measurements import Entry, MeasurementError, measurements_bulk_upsert
from metrics.models import Cadence, Kpi, PeriodKind, Source, Target
from spreadsheets import FileRejected, read_table
from spreadsheets.roster import RosterRow, map_columns, table_to_roster

# The roster fields an import or an edit may change, in display order.
FIELDS = ("external_id", "name", "plan", "contract_date", "onboarding_status",
          "onboarding_completed_on", "last_login", "nps", "nps_comment", "csat", "mrr",
          "churn_date", "notes")

# Which roster metric feeds which KPI code (see cs_sync_measurements).
METRIC_TO_KPI = {
    "logo_churn": "churn_rate",
    "nps": "nps",
    "onboarding_completion": "onboarding_completion",
    "csat": "csat",
}
SYNC_MONTHS = 12

# Which KPI a follow-up of an at-risk customer is about, by the first rule it breaks
# (rules come in the engine's onboarding → login → NPS → notes order, so the earliest
# link of the onboarding → churn chain wins).
RISK_REASON_TO_KPI = {
    "onboarding_incomplete": METRIC_TO_KPI["onboarding_completion"],
    "no_recent_login": METRIC_TO_KPI["logo_churn"],
    "low_nps": METRIC_TO_KPI["nps"],
    "note_words": METRIC_TO_KPI["logo_churn"],
}


def _problem_json(problem):
    return {"row": problem.row, "column": problem.column, "code": problem.code,
            "message": str(problem.message)}


def _json_value(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _find(customers_by_id, customers_by_name, row: RosterRow):
    if row.external_id and row.external_id in customers_by_id:
        return customers_by_id[row.external_id]
    return customers_by_name.get(row.name)


def _row_changes(customer, row: RosterRow, fields) -> dict:
    changes = {}
    for field in fields:
        new = getattr(row, field)
        if field == "external_id" and not new:
            continue  # a file without IDs never erases an ID set earlier
        old = getattr(customer, field)
        if field == "mrr" and old is not None:
            old = Decimal(old)
        if old != new:
            changes[field] = [_json_value(old), _json_value(new)]
    return changes


def _applied_fields(columns) -> tuple[str, ...]:
    # A column missing from the file leaves that field as it is; name is always present.
    return tuple(f for f in FIELDS if f in columns or f == "name")


@transaction.atomic
def roster_import_preview(*, company, team, user, data: bytes, filename: str,
                          as_of: date | None = None, batch: RosterImport | None = None
                          ) -> RosterImport:
    """Read and check an uploaded roster; nothing changes until roster_import_commit.

    ``batch``: a stored upload a worker reads (``customers.roster_jobs``), filled in place."""
    as_of = as_of or timezone.localdate()
    if batch is None:
        batch = RosterImport(company=company, team=team, uploaded_by=user,
                             filename=filename[:255], as_of=as_of)
    batch.status, batch.data = RosterImportStatus.PREVIEW, b""
    try:
        table = read_table(data, filename)
    except FileRejected as exc:
        batch.status = RosterImportStatus.REJECTED
        batch.problems = [_problem_json(p) for p in exc.problems]
        batch.save()
        return batch
    batch.encoding = table.encoding or ""
    rows, problems, warnings = table_to_roster(table)
    columns, ignored = map_columns(table.headers)
    fields = _applied_fields(columns)
    problem_list = [_problem_json(p) for p in problems]
    existing = list(Customer.objects.filter(company=company))
    by_id = {c.external_id: c for c in existing if c.external_id}
    by_name = {c.name: c for c in existing}
    created = updated = unchanged = 0
    for row in rows:
        customer = _find(by_id, by_name, row)
        if customer is None:
            created += 1
            continue
        if customer.team_id != team.pk:
            problem_list.append({"row": row.row, "column": None, "code": "other_team",
                                 "message": _("“%(name)s” belongs to the team %(team)s.")
                                 % {"name": customer.name, "team": customer.team.name}})
            continue
        other = by_name.get(row.name)
        if other is not None and other.pk != customer.pk:
            problem_list.append({"row": row.row, "column": None, "code": "name_taken",
                                 "message": _("Another customer is already called “%(name)s”.")
                                 % {"name": row.name}})
            continue
        if _row_changes(customer, row, fields):
            updated += 1
        else:
            unchanged += 1
    batch.rows = [r.to_json() for r in rows]
    batch.problems = problem_list
    batch.warnings = [_problem_json(w) for w in warnings]
    batch.summary = {"created": created, "updated": updated, "unchanged": unchanged,
                     "rows": len(rows), "fields": list(fields), "ignored": ignored}
    if problem_list:
        batch.status = RosterImportStatus.REJECTED
    batch.save()
    return batch


@transaction.atomic
def roster_import_commit(*, roster_import: RosterImport, user) -> RosterImport:
    """Apply a previewed roster all-or-nothing: create, update (with history) and log MRR."""
    # Lock the batch so a double click can't apply it twice.
    batch = RosterImport.objects.select_for_update().get(pk=roster_import.pk)
    if batch.status != RosterImportStatus.PREVIEW or batch.problems:
        raise ValidationError(_("This import cannot be applied: it was already applied or "
                                "has problems."))
    fields = tuple(batch.summary.get("fields") or FIELDS)
    existing = list(Customer.objects.select_for_update().filter(company=batch.company))
    by_id = {c.external_id: c for c in existing if c.external_id}
    by_name = {c.name: c for c in existing}
    month = month_start(batch.as_of)
    revisions, created, updated, unchanged = [], 0, 0, 0
    for data in batch.rows:
        row = RosterRow.from_json(data)
        customer = _find(by_id, by_name, row)
        if customer is not None and customer.team_id != batch.team_id:
            raise ValidationError(_("“%(name)s” belongs to another team.") % {"name": row.name})
        if customer is None:
            customer = Customer(company=batch.company, team=batch.team)
            changes = {f: [None, _json_value(getattr(row, f))] for f in fields
                       if getattr(row, f) not in (None, "")}
            is_new = True
        else:
            changes = _row_changes(customer, row, fields)
            is_new = False
        if changes:
            for field in fields:
                if field == "external_id" and not row.external_id:
                    continue
                setattr(customer, field, getattr(row, field))
            customer.full_clean(exclude=["company", "team"], validate_unique=False)
            customer.save()
            revisions.append(CustomerRevision(customer=customer, roster_import=batch,
                                              changes=changes, created=is_new, changed_by=user))
            ledger.record_roster_mrr(
                customer, as_of=batch.as_of, is_new=is_new, roster_import=batch,
                mrr=customer.mrr if "mrr" in changes else None,
                churn_date=customer.churn_date if "churn_date" in changes else None)
            ledger.record_answers(customer, changes, batch.as_of, roster_import=batch)
            created += is_new
            updated += not is_new
        else:
            unchanged += 1
        if "mrr" in fields and row.mrr is not None:
            CustomerMrr.objects.update_or_create(customer=customer, month=month,
                                                 defaults={"mrr": row.mrr})
    CustomerRevision.objects.bulk_create(revisions)
    from customers.voice import roster_lost_reasons_add

    roster_lost_reasons_add(batch=batch, user=user)
    batch.status = RosterImportStatus.COMMITTED
    batch.committed_at = timezone.now()
    batch.summary = {**batch.summary, "created": created, "updated": updated,
                     "unchanged": unchanged}
    batch.save(update_fields=["status", "committed_at", "summary"])
    cs_sync_measurements(team=batch.team)
    return batch


def _refuse_duplicates(customer: Customer) -> None:
    """The company-wide unique name and external ID, as form errors rather than a 500."""
    others = Customer.objects.filter(company_id=customer.company_id).exclude(pk=customer.pk)
    errors = {}
    if others.filter(name=customer.name).exists():
        errors["name"] = _("Another customer of this company is already called %(name)s.") % {
            "name": customer.name}
    if customer.external_id and others.filter(external_id=customer.external_id).exists():
        errors["external_id"] = _("Another customer already has the ID %(id)s.") % {
            "id": customer.external_id}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def customer_update(*, customer: Customer, data: dict, user) -> Customer:
    """Edit one customer by hand; the change is kept as a revision, MRR logged for this month."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    changes = {}
    for field in FIELDS:
        if field not in data:
            continue
        old, new = getattr(customer, field), data[field]
        if old != new:
            changes[field] = [_json_value(old), _json_value(new)]
            setattr(customer, field, new)
    if not changes:
        return customer
    customer.full_clean(exclude=["company", "team"])
    _refuse_duplicates(customer)
    with refuse_constraints():  # someone took the name (or ID) since our check
        customer.save()
    CustomerRevision.objects.create(customer=customer, changes=changes, changed_by=user)
    today = timezone.localdate()
    if "mrr" in changes and customer.mrr is not None:
        CustomerMrr.objects.update_or_create(
            customer=customer, month=month_start(today), defaults={"mrr": customer.mrr})
        ledger.record_mrr(customer, today, customer.mrr)
    if "churn_date" in changes and customer.churn_date is not None:
        ledger.record_mrr(customer, customer.churn_date, 0, churned=True)
    ledger.record_answers(customer, changes, today)
    cs_sync_measurements(team=customer.team)
    return customer


def risk_rules_for(team) -> CsRiskRules:
    """The team's rules, or unsaved defaults."""
    return CsRiskRules.objects.filter(team=team).first() or CsRiskRules(team=team)


@transaction.atomic
def risk_rules_save(*, team, user, onboarding_days, no_login_days, nps_max, words,
                    min_reasons=None) -> CsRiskRules:
    rules, _created = CsRiskRules.objects.select_for_update().get_or_create(team=team)
    if min_reasons is not None:
        rules.min_reasons = min_reasons
    rules.onboarding_days = onboarding_days
    rules.no_login_days = no_login_days
    rules.nps_max = nps_max
    rules.words = words
    rules.updated_by = user
    rules.full_clean(exclude=["team"])
    rules.save()
    return rules


def _kpi_value(kpi: Kpi, metric: saas.Metric) -> Decimal:
    value = metric.value
    if metric.unit == "ratio" and kpi.unit == "percent":
        value *= 100
    return Decimal(str(round(value, 4)))


def closed_months(today: date, count: int = SYNC_MONTHS) -> list[date]:
    """The ``count`` months before ``today``'s month, oldest first."""
    return [add_months(today, -n) for n in range(count, 0, -1)]


@transaction.atomic
def cs_sync_measurements(*, team, today: date | None = None, months=None) -> dict:
    """Write the roster's monthly churn / NPS / onboarding / CSAT into the team's KPIs.

    For each closed month (the last 12 by default) and each *monthly* KPI of the team whose
    code is in METRIC_TO_KPI, the month's value is stored as a ``computed`` measurement of
    that month, through the one writer of measurements (``measurements_bulk_upsert``, as the
    system), so corrections keep a revision and formula KPIs built on these are recomputed.
    A month's figure is never written into a weekly or daily KPI (one week a month would
    carry it: a saw-tooth and false anomalies); such KPIs are counted in "other_cadence".
    Values typed by hand (source "manual") are never overwritten; a KPI with a formula is
    computed from its inputs, not fed. Undefined months are skipped. Running it twice
    changes nothing. Returns {"written": n, "skipped_manual": n, "refused": n[, "other_cadence": n]}.
    """
    from customers.selectors import customer_records

    today = today or timezone.localdate()
    found = [k for k in Kpi.objects.filter(company=team.company, team=team,
                                           code__in=METRIC_TO_KPI.values())
             if not k.is_computed]
    kpis = [k for k in found if k.cadence == Cadence.MONTHLY]
    result = {"written": 0, "skipped_manual": 0, "refused": 0}
    if len(kpis) < len(found):
        result["other_cadence"] = len(found) - len(kpis)
    if not kpis:
        return result
    records = customer_records(team)
    if not records:
        return result
    by_code = {k.code: k for k in kpis}
    entries = []
    for month in months or closed_months(today):
        metrics = saas.monthly_metrics(records, month, as_of=today)
        for key, code in METRIC_TO_KPI.items():
            kpi, metric = by_code.get(code), metrics[key]
            if kpi is None or metric.value is None:
                continue
            entries.append(Entry(kpi, month, _kpi_value(kpi, metric), f"{month:%Y-%m} {key}"))
    if not entries:
        return result
    write = partial(measurements_bulk_upsert, company=team.company, source=Source.COMPUTED,
                    user=None, keep_sources={Source.MANUAL})
    try:
        written = write(entries=entries)
    except MeasurementError as exc:
        # A value the KPI cannot hold (a negative NPS on a percent KPI) is left out; the
        # roster change that triggered the sync still goes through.
        refused = {error.ref for error in exc.errors}
        result["refused"] = len(refused)
        entries = [e for e in entries if e.ref not in refused]
        if not entries:
            return result
        written = write(entries=entries)
    result["written"] = written.new + written.changed
    result["skipped_manual"] = written.kept
    return result


@transaction.atomic
def churn_target_create(*, team, user, target_percent: Decimal, baseline_percent,
                        quarter: date) -> Target:
    """A SMART churn target for the team's churn KPI over one quarter (replaces the current one)."""
    kpi = Kpi.objects.filter(company=team.company, team=team,
                             code=METRIC_TO_KPI["logo_churn"]).first()
    if kpi is None:
        raise ValidationError(_("This team has no churn KPI (code churn_rate)."))
    value = Decimal(target_percent) if kpi.unit == "percent" else Decimal(target_percent) / 100
    if baseline_percent is not None:
        note = _("Churn %(from)s %% → %(to)s %% within one quarter") % {
            "from": f"{baseline_percent:.1f}", "to": f"{Decimal(target_percent):.1f}"}
    else:
        note = _("Churn → %(to)s %% within one quarter") % {"to": f"{Decimal(target_percent):.1f}"}
    Target.objects.select_for_update().filter(
        kpi=kpi, period_kind=PeriodKind.QUARTER, period_start=quarter, superseded_at__isnull=True
    ).update(superseded_at=timezone.now())
    return Target.objects.create(kpi=kpi, period_kind=PeriodKind.QUARTER, period_start=quarter,
                                 value=value, note=note[:200], created_by=user)
