"""The demo company's OKRs (``seed_demo`` step): this and last quarter, per team.

KR starts and targets are derived from the demo KPIs' own numbers (last quarter's
value, a believable stretch), so linked KRs show sensible progress. Summed KPIs
(organic UU, leads) start at 0: the quarter's total grows week by week.
"""
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from metrics.models import Kpi
from okrs import scoring
from okrs.models import CheckIn, KeyResult, Objective, ObjectiveStatus
from okrs.selectors import _measurements, current_quarter
from teams.models import Team

# team: [(title, why, owner, [KR spec, ...]), ...]
# KR spec: (title, kpi code or None, kind, factor or (start, target), unit, direction, weight)
# factor: target = last quarter's value × factor (start = last quarter's value; 0 for sums).
THIS_QUARTER = {
    "marketing": [
        ("自然流入と購入率で新規売上を伸ばす",
         "広告費に頼らない集客と、来た人が買える導線で月間売上の土台を厚くする。", "sato", [
             ("自然流入UUを四半期で前期比+10%", "organic_uu", "metric", 1.10, None, None, 1),
             ("購入率を1割上げる", "cvr", "metric", 1.13, None, None, 2),
             ("LP直帰率を1割以上下げる", "lp_bounce_rate", "metric", 0.88, None, None, 1),
         ]),
        ("SNSでブランドの話題をつくる",
         "新商品の認知を広げ、指名検索を増やしたい。", "takahashi", [
             ("SNSフォロワー数を8%増やす", "sns_followers", "metric", 1.08, None, None, 1),
             ("インフルエンサー投稿 12本", None, "metric", (0, 12), "count", "higher", 1),
         ]),
    ],
    "sales": [
        ("まとめ買いを提案する売り場で客単価を上げる",
         "値引きに頼らず平均注文額を上げ、粗利を確保する。", "tanaka", [
             ("注文あたり点数を6%増やす", "items_per_order", "metric", 1.06, None, None, 1),
             ("値引率を13%下げる", "discount_rate", "metric", 0.87, None, None, 1),
             ("平均注文額を5%上げる", "aov", "metric", 1.05, None, None, 2),
         ]),
        ("法人チャネルを立ち上げる",
         "ギフト需要の法人顧客を来期の柱にする。", "suzuki", [
             ("法人リードを前期比+5%", "b2b_leads", "metric", 1.05, None, None, 1),
             ("新規法人契約 10社", None, "metric", (0, 10), "count", "higher", 1),
         ]),
    ],
    "cs": [
        ("既存顧客が「また来たくなる」体験をつくる",
         "リピート訪問は月間売上の3割。再訪問率を上げるのが一番効く。", "ito", [
             ("再訪問率を1割上げる", "return_visit_rate", "metric", 1.10, None, None, 2),
             ("定期便の解約率を2割下げる", "churn_rate", "metric", 0.82, None, None, 1),
             ("初回応答時間 6時間以内を維持", "first_response_hours", "control", (None, 6),
              None, None, 1),
         ]),
    ],
}

LAST_QUARTER = {
    "marketing": [("検索からの流入を立て直す", "SEO記事の更新が止まり自然流入が落ちていた。", "sato", [
        ("自然流入UUを四半期で前期比+8%", "organic_uu", "metric", 1.08, None, None, 1),
        ("SEO記事 24本公開", None, "metric", (0, 24), "count", "higher", 1),
    ])],
    "sales": [("値引きに頼らない販売へ", "夏のセールで値引率が上がり粗利を圧迫した。", "tanaka", [
        ("値引率を7%下げる", "discount_rate", "metric", 0.93, None, None, 1),
        ("平均商品単価を2%上げる", "avg_unit_price", "metric", 1.02, None, None, 1),
    ])],
    "cs": [("アクティブ顧客を減らさない", "夏場に購入間隔が空く顧客が多い。", "watanabe", [
        ("アクティブ顧客数を3%増やす", "active_customers", "metric", 1.03, None, None, 1),
        ("NPS 15以上を維持", "nps", "control", (None, 15), None, None, 1),
    ])],
}

# (KR title, [(days after quarter start, value or None, confidence, comment), ...])
CHECKINS = {
    "インフルエンサー投稿 12本": [(14, 2, 6, "2本公開。反応は上々。"),
                            (35, 5, 6, "撮影が1件延期。"), (49, 7, 7, "年末企画で巻き返し。")],
    "新規法人契約 10社": [(20, 1, 5, "1社目受注。"), (41, 3, 5, "提案中が5社。"),
                    (48, 4, 4, "決裁が年明けになる案件あり。")],
    "購入率を1割上げる": [(30, None, 5, "決済障害で一時低下。再発防止済み。"),
                   (50, None, 6, "LP改善のABテスト開始。")],
    "再訪問率を1割上げる": [(28, None, 7, "アプリ通知の配信曜日を変更。"),
                    (49, None, 8, "メルマガ経由の再訪が増加。")],
    "SEO記事 24本公開": [(30, 9, 7, ""), (60, 18, 8, ""), (85, 23, 8, "1本は翌期に。")],
}


@transaction.atomic
def seed_okrs(company):
    """This and last quarter's Objectives for each team, KRs on demo KPIs, a few check-ins."""
    if Objective.objects.filter(company=company).exists():
        return company
    quarter = current_quarter(company)
    last = quarter.previous()
    kpis = {k.code: k for k in Kpi.objects.filter(company=company)}
    before_last = last.previous()
    values = {
        q.code: _kpi_values(kpis, q) for q in (last, before_last)
    }
    teams = {t.slug: t for t in Team.objects.filter(company=company)}
    users = {u.username.removeprefix(f"{company.slug}-"): u
             for u in get_user_model().objects.filter(memberships__company=company)}
    krs_by_title = {}
    for q, base_label, plan, status in (
        (quarter, last.code, THIS_QUARTER, ObjectiveStatus.ACTIVE),
        (last, before_last.code, LAST_QUARTER, ObjectiveStatus.DONE),
    ):
        for team_slug, objectives in plan.items():
            team = teams.get(team_slug)
            if team is None:
                continue
            for title, why, owner, kr_specs in objectives:
                objective = Objective.objects.create(
                    company=company, team=team, quarter=q.code, quarter_start=q.start,
                    title=title, why=why, owner=users.get(owner), status=status,
                )
                rows = [_key_result(objective, i, spec, kpis, values[base_label])
                        for i, spec in enumerate(kr_specs)]
                KeyResult.objects.bulk_create(rows)
                for kr in rows:
                    krs_by_title[kr.title] = (kr, q)
    _seed_checkins(krs_by_title, users)
    _grade_last_quarter(company, last)
    return company


def _kpi_values(kpis, quarter):
    series = _measurements([k.pk for k in kpis.values()], quarter)
    return {code: scoring.aggregate([v for _d, v in series.get(k.pk, [])], k.aggregation)
            for code, k in kpis.items()}


def _round(value, unit):
    places = {"count": 0, "JPY": -2, "percent": 1, "ratio": 2}.get(unit, 1)
    return Decimal(str(round(value, places))) if places >= 0 else Decimal(round(value, places))


def _key_result(objective, position, spec, kpis, base):
    title, code, kind, plan, unit, direction, weight = spec
    kpi = kpis.get(code) if code else None
    if kpi is not None:
        unit, direction = kpi.unit, kpi.direction
    if isinstance(plan, tuple):
        start, target = plan
    else:
        reference = base.get(code) or 0
        summed = kpi is not None and kpi.aggregation == "sum"
        start = 0 if summed else reference
        target = reference * plan
    return KeyResult(
        objective=objective, position=position, title=title, kind=kind, kpi=kpi,
        unit=unit, direction=direction,
        start=None if kind == "control" else _round(float(start), unit),
        target=_round(float(target), unit), weight=Decimal(weight),
    )


def _seed_checkins(krs_by_title, users):
    author = users.get("manager")
    now = timezone.now()
    rows, stamps = [], []
    for title, entries in CHECKINS.items():
        if title not in krs_by_title:
            continue
        kr, quarter = krs_by_title[title]
        for days, value, confidence, comment in entries:
            when = timezone.make_aware(timezone.datetime.combine(
                quarter.start + timedelta(days=days), timezone.datetime.min.time()))
            if when > now:
                continue
            rows.append(CheckIn(key_result=kr, value=value, confidence=confidence,
                                comment=comment, author=author))
            stamps.append(when)
            if value is not None:
                kr.current = Decimal(value)
        KeyResult.objects.filter(pk=kr.pk).update(current=kr.current)
    CheckIn.objects.bulk_create(rows)
    for checkin, when in zip(rows, stamps, strict=True):
        checkin.created_at = when
    CheckIn.objects.bulk_update(rows, ["created_at"])


def _grade_last_quarter(company, quarter):
    from okrs.selectors import okr_rows

    graded = []
    for row in okr_rows(company, quarter):
        for r in row.krs:
            r.kr.final_score = Decimal(str(r.score))
            graded.append(r.kr)
    KeyResult.objects.bulk_update(graded, ["final_score"])
