"""Read a customer-success roster (顧客名, 契約プラン, 契約日, …) from a read Table.

`table_to_roster(table)` gives (rows, problems, warnings). Problems block the import;
warnings are imperfect data that is accepted and reported (a missing NPS, a status word
nobody defined), because measuring before the data is perfect beats not measuring.
"""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from spreadsheets.dates import parse_date
from spreadsheets.headers import normalize_header
from spreadsheets.i18n import gettext_lazy as _
from spreadsheets.table import Problem, Table, Text
from spreadsheets.values import ValueProblem, parse_number

# field: accepted headers (compared after normalize_header: NFKC, case, spaces, "(unit)").
COLUMNS: dict[str, tuple[str, ...]] = {
    "external_id": ("ID", "顧客ID", "customer id", "顧客番号", "external id"),
    "name": ("顧客名", "customer", "customer name", "会社名", "企業名", "name", "顧客"),
    "plan": ("契約プラン", "plan", "プラン", "contract plan"),
    "contract_date": ("契約日", "contract date", "契約開始日", "contract start"),
    "onboarding_status": ("オンボーディング状況", "onboarding status", "onboarding",
                          "オンボーディング"),
    "onboarding_completed_on": ("オンボーディング完了日", "onboarding completed",
                                "onboarding completed on", "onboarding date"),
    "last_login": ("最終ログイン日", "last login", "最終ログイン", "last login date"),
    "nps": ("NPSスコア", "NPS", "nps score", "推奨度"),
    "nps_comment": ("NPSコメント", "nps comment", "アンケートコメント", "comment", "コメント"),
    "csat": ("CSAT", "満足度", "csat score", "顧客満足度"),
    "mrr": ("MRR", "月額", "月額料金", "monthly fee", "月額費用"),
    "churn_date": ("解約日", "churn date", "cancellation date", "解約年月日"),
    "notes": ("特記事項", "notes", "note", "備考", "メモ"),
    "lost_reason": ("失注理由", "解約理由", "lost reason", "lost-deal reason", "churn reason",
                    "reason lost"),
}
_KEYS = {normalize_header(alias): field for field, aliases in COLUMNS.items() for alias in aliases}

# Status words as teams write them; anything else is kept as "unknown" and reported.
STATUS_WORDS = {
    "complete": ("完了", "済", "完了済", "完了済み", "done", "complete", "completed", "finished",
                 "済み", "○", "yes"),
    # 未完了 / "incomplete" say "not finished yet", not "never started".
    "in_progress": ("進行中", "対応中", "実施中", "導入中", "in progress", "in_progress",
                    "ongoing", "started", "途中", "未完了", "not complete", "incomplete"),
    "not_started": ("未着手", "未実施", "未", "not started", "not_started", "no", "×"),
}
_STATUS = {
    unicodedata.normalize("NFKC", word).casefold().replace(" ", ""): status
    for status, words in STATUS_WORDS.items() for word in words
}


# What people type for "no answer" in a score column: a blank, not an error.
NO_ANSWER = frozenset({"-", "--", "—", "–", "ー", "―", "未回答", "無回答", "回答なし", "なし",
                       "n/a", "na", "none", "null", "not answered", "no answer"})


@dataclass(frozen=True)
class RosterRow:
    """One customer as the file states it; None means the file left the cell empty."""

    row: int
    name: str
    external_id: str = ""
    plan: str = ""
    contract_date: date | None = None
    onboarding_status: str = "unknown"
    onboarding_completed_on: date | None = None
    last_login: date | None = None
    nps: int | None = None
    nps_comment: str = ""
    csat: int | None = None
    mrr: Decimal | None = None
    churn_date: date | None = None
    notes: str = ""
    lost_reason: str = ""  # kept as a voice-of-the-customer text, not on the customer

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, date):
                data[key] = value.isoformat()
            elif isinstance(value, Decimal):
                data[key] = str(value)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RosterRow:
        values = dict(data)
        for key in ("contract_date", "onboarding_completed_on", "last_login", "churn_date"):
            if values.get(key):
                values[key] = date.fromisoformat(values[key])
        if values.get("mrr") is not None:
            values["mrr"] = Decimal(values["mrr"])
        return cls(**values)


def map_columns(headers: list[str]) -> tuple[dict[str, int], list[str]]:
    """{field: column index} for the headers we know, and the headers we ignore."""
    found: dict[str, int] = {}
    ignored = []
    for index, header in enumerate(headers):
        field = _KEYS.get(normalize_header(header))
        if field and field not in found:
            found[field] = index
        elif header:
            ignored.append(header)
    return found, ignored


def status_of(raw: Any) -> str | None:
    """complete / in_progress / not_started for a known word, "" for an empty cell, else None."""
    text = unicodedata.normalize("NFKC", str(raw or "")).strip().casefold().replace(" ", "")
    if not text:
        return ""
    return _STATUS.get(text)


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw).strip()


class _Row:
    """Collects one row's values and problems."""

    def __init__(self, number: int, cells: list[Any], columns: dict[str, int], headers: list[str]):
        self.number = number
        self.cells = cells
        self.columns = columns
        self.headers = headers
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def raw(self, field: str) -> Any:
        index = self.columns.get(field)
        if index is None:
            return None
        value = self.cells[index]
        return None if isinstance(value, str) and not value.strip() else value

    def column(self, field: str) -> str:
        return self.headers[self.columns[field]] if field in self.columns else field

    def problem(self, field: str, code: str, message: Text) -> None:
        self.problems.append(Problem(self.number, self.column(field), message, code))

    def warn(self, field: str, code: str, message: Text) -> None:
        self.warnings.append(Problem(self.number, self.column(field), message, code))

    def date(self, field: str) -> date | None:
        raw = self.raw(field)
        if raw is None:
            return None
        try:
            return parse_date(raw)
        except ValueProblem as exc:
            self.problem(field, exc.code, exc.message)
            return None

    def score(self, field: str, low: int, high: int) -> int | None:
        raw = self.raw(field)
        if raw is None:
            return None
        if isinstance(raw, str) and unicodedata.normalize("NFKC", raw).strip().lower() in NO_ANSWER:
            self.warn(field, "no_answer", Text(
                _("“%(value)s” is read as no answer."), value=raw))
            return None
        try:
            value = parse_number(raw).value
        except ValueProblem as exc:
            self.problem(field, exc.code, exc.message)
            return None
        if value != value.to_integral_value() or not low <= value <= high:
            self.problem(field, "score_out_of_range", Text(
                _("“%(value)s” is not a whole number from %(low)s to %(high)s."),
                value=raw, low=low, high=high))
            return None
        return int(value)

    def money(self, field: str) -> Decimal | None:
        raw = self.raw(field)
        if raw is None:
            return None
        try:
            value = parse_number(raw).value
        except ValueProblem as exc:
            self.problem(field, exc.code, exc.message)
            return None
        if value < 0:
            self.problem(field, "negative_mrr", Text(_("MRR cannot be negative (“%(value)s”)."),
                                                     value=raw))
            return None
        return value.quantize(Decimal(1))


def table_to_roster(table: Table) -> tuple[list[RosterRow], list[Problem], list[Problem]]:
    """The roster rows of a read table, the problems that block it and the warnings."""
    columns, _ignored = map_columns(table.headers)
    problems: list[Problem] = list(table.problems)
    warnings: list[Problem] = []
    if "name" not in columns:
        problems.append(Problem(table.header_row, None, Text(
            _("No customer column: the header row needs 顧客名 (or “customer”).")),
            "missing_name_column"))
        return [], problems, warnings
    if "contract_date" not in columns:
        warnings.append(Problem(table.header_row, None, Text(
            _("No contract date column (契約日): churn and onboarding rates need it.")),
            "missing_contract_date_column"))
    rows: list[RosterRow] = []
    seen_names: dict[str, int] = {}
    seen_ids: dict[str, int] = {}
    for number, cells in table.rows:
        row = _Row(number, cells, columns, table.headers)
        name = unicodedata.normalize("NFKC", _text(row.raw("name")))
        if not name:
            row.problem("name", "missing_name", Text(_("The customer name is empty.")))
        elif len(name) > 200:
            row.problem("name", "name_too_long", Text(_("The customer name is over 200 characters.")))
        elif name in seen_names:
            row.problem("name", "duplicate_name", Text(
                _("“%(name)s” is already on row %(row)s."), name=name, row=seen_names[name]))
        else:
            seen_names[name] = number
        external_id = _text(row.raw("external_id"))[:64]
        if external_id:
            if external_id in seen_ids:
                row.problem("external_id", "duplicate_id", Text(
                    _("ID “%(id)s” is already on row %(row)s."), id=external_id,
                    row=seen_ids[external_id]))
            seen_ids.setdefault(external_id, number)
        contract = row.date("contract_date")
        if contract is None and "contract_date" in columns and row.raw("contract_date") is None:
            row.warn("contract_date", "contract_date_missing",
                     Text(_("No contract date: left out of churn and onboarding rates.")))
        churn = row.date("churn_date")
        if contract and churn and churn < contract:
            row.problem("churn_date", "churn_before_contract", Text(
                _("The churn date %(churn)s is before the contract date %(contract)s."),
                churn=churn.isoformat(), contract=contract.isoformat()))
        raw_status = row.raw("onboarding_status")
        status = status_of(raw_status)
        if status is None:
            row.warn("onboarding_status", "unknown_status", Text(
                _("“%(value)s” is not a status we know (完了 / 進行中 / 未完了); kept as unknown."),
                value=_text(raw_status)[:40]))
            status = "unknown"
        elif status == "":
            status = "unknown"
        completed_on = row.date("onboarding_completed_on")
        if completed_on and status == "unknown":
            status = "complete"
        nps = row.score("nps", 0, 10)
        if nps is None and row.raw("nps") is None and "nps" in columns:
            row.warn("nps", "nps_missing", Text(_("No NPS answer.")))
        rows.append(RosterRow(
            row=number,
            name=name,
            external_id=external_id,
            plan=_text(row.raw("plan"))[:100],
            contract_date=contract,
            onboarding_status=status,
            onboarding_completed_on=completed_on,
            last_login=row.date("last_login"),
            nps=nps,
            nps_comment=_text(row.raw("nps_comment")),
            csat=row.score("csat", 1, 5),
            mrr=row.money("mrr"),
            churn_date=churn,
            notes=_text(row.raw("notes")),
            lost_reason=_text(row.raw("lost_reason"))[:2000],
        ))
        problems += row.problems
        warnings += row.warnings
    return rows, problems, warnings
