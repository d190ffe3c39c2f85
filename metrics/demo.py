"""The demo company's KGI, KPI tree and a year of believable numbers (``seed_demo`` steps).

The tree is an online retailer's: monthly revenue = UU × CVR × AOV, with UU split
into paid, organic and returning visitors, each team owning its branch, plus the
monitoring and vanity metrics real teams keep.
"""
import math
import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.calendar import month_start, subperiod_weights, week_of
from engine.formula import parse_formula
from metrics.models import Campaign, Kgi, KgiStatus, Kpi, Measurement, PeriodKind, Source, Target
from teams.models import Team

# code: (ja, en, unit, direction, kind, phase, cadence, team, aggregation, vanity, focus,
#        formula, base, weekly trend, noise, season amplitude, definition, lever, source)
TREE = {
    "monthly_revenue": ("月間売上", "Monthly revenue", "JPY", "higher", "lagging", "revenue",
                        "monthly", None, "sum", False, "monitoring", "uu * cvr * aov",
                        None, 0, 0, 0, "EC売上の月次合計（税抜）", "全社施策", "基幹システム"),
    "uu": ("ユニークユーザー数", "Unique users", "count", "higher", "leading", "acquisition",
           "weekly", "marketing", "sum", False, "active", "paid_uu + organic_uu + returning_uu",
           None, 0, 0, 0, "週内の重複を除いた訪問者数", "集客チャネル全体", "GA4"),
    "paid_uu": ("広告流入UU", "Paid UU", "count", "higher", "leading", "acquisition", "weekly",
                "marketing", "sum", False, "active", "ad_spend / cpc", None, 0, 0, 0,
                "広告経由のユニークユーザー", "入札・クリエイティブ", "広告管理画面"),
    "ad_spend": ("広告費", "Ad spend", "JPY", "higher", "leading", "acquisition", "weekly",
                 "marketing", "sum", False, "active", "", 2_400_000, 0.002, 0.05, 0.10,
                 "週次の広告出稿額", "予算配分", "広告管理画面"),
    "cpc": ("クリック単価", "Cost per click", "JPY", "lower", "leading", "acquisition", "weekly",
            "marketing", "average", False, "active", "", 210, -0.001, 0.04, 0.06,
            "広告クリック1件あたりの費用", "キーワード最適化", "広告管理画面"),
    "organic_uu": ("自然流入UU", "Organic UU", "count", "higher", "leading", "acquisition",
                   "weekly", "marketing", "sum", False, "active", "", 8_000, 0.012, 0.06, 0.12,
                   "検索・SNSからの自然流入", "SEO記事・SNS投稿", "GA4"),
    "cvr": ("購入率", "Conversion rate", "percent", "higher", "leading", "conversion", "weekly",
            "marketing", "average", False, "active", "", 1.55, 0.004, 0.05, 0.05,
            "購入者数 ÷ UU", "LP改善・決済導線", "GA4"),
    "lp_bounce_rate": ("LP直帰率", "LP bounce rate", "percent", "lower", "leading", "conversion",
                       "weekly", "marketing", "average", False, "monitoring", "", 48, -0.001,
                       0.04, 0, "LPで離脱した割合", "ファーストビュー改善", "GA4"),
    "email_open_rate": ("メール開封率", "Email open rate", "percent", "higher", "leading",
                        "retention", "weekly", "marketing", "average", False, "monitoring", "",
                        22, 0, 0.06, 0, "配信メールの開封率", "件名テスト", "MA"),
    "cpa": ("獲得単価", "Cost per acquisition", "JPY", "lower", "lagging", "acquisition",
            "weekly", "marketing", "average", False, "monitoring", "", 9_800, -0.001, 0.06, 0,
            "新規購入1件あたり広告費", "", "広告管理画面"),
    "sns_followers": ("SNSフォロワー数", "SNS followers", "count", "higher", "lagging",
                      "acquisition", "weekly", "marketing", "last", True, "monitoring", "",
                      58_000, 0.006, 0.01, 0, "", "", "SNS"),
    "page_views": ("ページビュー", "Page views", "count", "higher", "lagging", "acquisition",
                   "weekly", "marketing", "sum", True, "monitoring", "", 410_000, 0.002, 0.07,
                   0.1, "", "", "GA4"),
    "aov": ("平均注文額", "Average order value", "JPY", "higher", "lagging", "revenue", "weekly",
            "sales", "average", False, "active",
            "avg_unit_price * items_per_order * (1 - discount_rate)", None, 0, 0, 0,
            "売上 ÷ 注文数", "セット提案・値引き管理", "基幹システム"),
    "avg_unit_price": ("平均商品単価", "Average item price", "JPY", "higher", "leading",
                       "revenue", "weekly", "sales", "average", False, "active", "", 13_000,
                       0.003, 0.02, 0, "販売商品1点あたりの平均価格", "上位モデルの提案",
                       "基幹システム"),
    "items_per_order": ("注文あたり点数", "Items per order", "ratio", "higher", "leading",
                        "revenue", "weekly", "sales", "average", False, "active", "", 2.35,
                        0.0005, 0.03, 0, "1注文あたりの商品点数", "セット販売・同梱提案",
                        "基幹システム"),
    "discount_rate": ("値引率", "Discount rate", "percent", "lower", "leading", "revenue",
                      "weekly", "sales", "average", False, "active", "", 7.5, -0.002, 0.08,
                      0, "定価に対する平均値引き", "値引き承認ルール", "基幹システム"),
    "daily_orders": ("日次注文数", "Daily orders", "count", "higher", "lagging", "revenue",
                     "daily", "sales", "sum", False, "monitoring", "", 330, 0.0004, 0.12, 0.1,
                     "1日の確定注文件数", "", "基幹システム"),
    "b2b_leads": ("法人リード数", "B2B leads", "count", "higher", "leading", "acquisition",
                  "weekly", "sales", "sum", False, "monitoring", "", 64, 0.002, 0.15, 0,
                  "法人向け問い合わせ件数", "展示会・ウェビナー", "CRM"),
    "meetings": ("商談数", "Meetings", "count", "higher", "leading", "conversion", "weekly",
                 "sales", "sum", False, "monitoring", "", 21, 0.002, 0.18, 0, "実施した商談",
                 "インサイドセールス", "CRM"),
    "win_rate": ("受注率", "Win rate", "percent", "higher", "lagging", "conversion", "weekly",
                 "sales", "average", False, "monitoring", "", 27, 0.001, 0.12, 0,
                 "受注 ÷ 商談", "提案書の標準化", "CRM"),
    "pipeline_value": ("パイプライン金額", "Pipeline value", "JPY", "higher", "leading",
                       "revenue", "weekly", "sales", "last", False, "monitoring", "",
                       38_000_000, 0.003, 0.05, 0, "見込み案件の金額合計", "", "CRM"),
    "returning_uu": ("リピート訪問UU", "Returning UU", "count", "higher", "leading",
                     "retention", "weekly", "cs", "sum", False, "active",
                     "active_customers * return_visit_rate", None, 0, 0, 0,
                     "既存顧客の再訪問者数", "会員施策", "GA4"),
    "active_customers": ("アクティブ顧客数", "Active customers", "count", "higher", "lagging",
                         "retention", "weekly", "cs", "last", False, "active", "", 41_000,
                         0.002, 0.01, 0, "過去90日に購入した顧客", "オンボーディング・CRM施策",
                         "基幹システム"),
    "return_visit_rate": ("再訪問率", "Return visit rate", "percent", "higher", "leading",
                          "retention", "weekly", "cs", "average", False, "active", "", 13.5,
                          0.001, 0.05, 0.04, "アクティブ顧客のうち週内に再訪問した割合",
                          "メルマガ・アプリ通知", "GA4"),
    "churn_rate": ("解約率", "Churn rate", "percent", "lower", "lagging", "retention", "monthly",
                   "cs", "average", False, "monitoring", "", 1.6, -0.002, 0.1, 0,
                   "定期便の解約割合", "オンボーディング", "基幹システム"),
    "nps": ("NPS", "NPS", "score", "higher", "lagging", "retention", "monthly", "cs", "average",
            False, "monitoring", "", 12, 0.004, 0.25, 0, "推奨者% − 批判者%", "サポート品質",
            "アンケート"),
    "onboarding_completion": ("オンボーディング完了率", "Onboarding completion", "percent",
                              "higher", "leading", "retention", "monthly", "cs", "average", False,
                              "monitoring", "", 71, 0.002, 0.05, 0, "契約後30日以内の初期設定完了",
                              "初回ガイド", "CSツール"),
    "first_response_hours": ("初回応答時間", "First response time", "hours", "lower", "leading",
                             "retention", "weekly", "cs", "average", False, "monitoring", "", 5.2,
                             -0.003, 0.12, 0, "問い合わせから初回返信まで", "当番制", "サポートツール"),
    "csat": ("CSAT", "CSAT", "percent", "higher", "lagging", "retention", "monthly", "cs",
             "average", False, "monitoring", "", 84, 0.0005, 0.03, 0, "満足(4–5)の割合", "",
             "アンケート"),
    "health_score": ("ヘルススコア", "Health score", "score", "higher", "leading", "retention",
                     "weekly", "cs", "average", False, "monitoring", "", 68, 0.001, 0.04, 0,
                     "利用状況から算出した健全度", "", "CSツール"),
}

# The monthly plan, from the KGI's first month (a month target stays until changed). It
# passes the tree's own check: revenue 120,000 UU × 2.0 % × ¥34,596 ≈ ¥83.0M; UU = paid
# 50,000 (¥10M ÷ ¥200) + organic 50,000 + returning ≈ 20,000 (40,000 active × 11.5 % a
# week); AOV = ¥15,500 × 2.4 items × (1 − 7 %). Summed KPIs are monthly totals.
MONTH_TARGETS = {
    "uu": 120_000, "paid_uu": 50_000, "ad_spend": 10_000_000, "cpc": 200,
    "organic_uu": 50_000, "returning_uu": 20_000, "active_customers": 40_000,
    "return_visit_rate": Decimal("11.5"), "cvr": Decimal("2.0"), "aov": 34_596,
    "avg_unit_price": 15_500, "items_per_order": Decimal("2.4"),
    "discount_rate": Decimal("7.0"),
}
KGI_TARGET = 83_000_000
# Revenue in the month before the KGI's year began; the data grows from there (organic
# UU, CVR and item price trend up), so the latest month sits between baseline and target.
KGI_BASELINE = 61_000_000

CAMPAIGNS = [
    ("ブラックフライデーセール", 52, 2, ["paid_uu", "organic_uu", "uu", "cvr", "ad_spend"]),
    ("夏のセール", 18, 2, ["paid_uu", "organic_uu", "uu", "cvr"]),
]


def demo_weeks(today=None, weeks=53):
    """Mondays of the last ``weeks`` complete ISO weeks, oldest first."""
    today = today or timezone.localdate()
    this_monday = week_of(today).monday
    return [this_monday - timedelta(weeks=n) for n in range(weeks, 0, -1)]


@transaction.atomic
def seed_tree(company):
    """The KGI, the KPI tree with owners and formulas, and the planning targets."""
    teams = {t.slug: t for t in Team.objects.filter(company=company)}
    for code, spec in TREE.items():
        (ja, en, unit, direction, kind, phase, cadence, team, aggregation, vanity, focus,
         formula, _base, _trend, _noise, _season, definition, lever, source) = spec
        Kpi.objects.get_or_create(
            company=company, code=code,
            defaults=dict(
                name_ja=ja, name_en=en, unit=unit, direction=direction, kind=kind, phase=phase,
                cadence=cadence, team=teams.get(team), aggregation=aggregation,
                is_vanity=vanity, focus=focus, formula=formula, definition=definition,
                lever=lever, data_source=source,
            ),
        )
    root = Kpi.objects.get(company=company, code="monthly_revenue")
    today = timezone.localdate()
    if not Kgi.objects.filter(company=company).exists():
        # The fiscal year under way; the name says the deadline's month (a monthly target).
        deadline = date(today.year + 1 if today.month >= 4 else today.year, 3, 31)
        Kgi.objects.create(
            company=company, name=f"月間売上 8,300万円（{deadline.year}年3月）", kpi=root,
            unit="JPY", baseline=Decimal(KGI_BASELINE), target=Decimal(KGI_TARGET),
            start_date=date(deadline.year - 1, 4, 1), deadline=deadline,
            why="既存顧客のリピートと新規集客の両輪で、来期の出店投資を自己資金で賄うため。",
            status=KgiStatus.ACTIVE,
        )
    kgi = Kgi.objects.get(company=company, status=KgiStatus.ACTIVE)
    Target.objects.get_or_create(
        kpi=root, period_kind=PeriodKind.DEADLINE, period_start=kgi.deadline,
        superseded_at=None, defaults={"value": Decimal(KGI_TARGET)},
    )
    month = month_start(kgi.start_date)
    for code, value in MONTH_TARGETS.items():
        Target.objects.get_or_create(
            kpi=Kpi.objects.get(company=company, code=code), period_kind=PeriodKind.MONTH,
            period_start=month, superseded_at=None, defaults={"value": Decimal(value)},
        )
    return company


def _series(rng, spec, n, campaign_weeks):
    base, trend, noise, season = spec[12], spec[13], spec[14], spec[15]
    values = []
    for t in range(n):
        value = base * (1 + trend * t) * (1 + season * math.sin(2 * math.pi * (t + 8) / 52))
        value *= 1 + rng.gauss(0, noise)
        if t in campaign_weeks:
            value *= 1.35
        values.append(value)
    return values


def _round(unit, value):
    places = {"count": 0, "JPY": 0, "percent": 2, "ratio": 3}.get(unit, 1)
    return Decimal(str(round(value, places)))


@transaction.atomic
def seed_measurements(company):
    """A year of weekly numbers (daily for daily KPIs), computed KPIs from their inputs."""
    kpis = {k.code: k for k in Kpi.objects.filter(company=company)}
    if Measurement.objects.filter(kpi__company=company).exists():
        return company
    rng = random.Random(f"kgiapp-demo-{company.slug}")
    weeks = demo_weeks()
    n = len(weeks)
    # The campaigns' weeks carry their lift, exactly where the Campaign rows say they are.
    campaign_weeks = {n - weeks_ago + i for _name, weeks_ago, length, _codes in CAMPAIGNS
                      if n >= weeks_ago for i in range(length)}
    raw = {}
    for code, spec in TREE.items():
        if spec[6] == "weekly" and not spec[11]:
            raw[code] = _series(rng, spec, n, campaign_weeks if code in {
                "organic_uu", "cvr", "ad_spend"} else set())
    # A checkout outage five weeks ago: CVR dropped — a real anomaly the review should catch.
    raw["cvr"][n - 5] *= 0.62
    rows = []
    for code, values in raw.items():
        for week, value in zip(weeks, values, strict=False):
            rows.append(Measurement(company=company, kpi=kpis[code], period_start=week,
                                    value=_round(kpis[code].unit, value), source=Source.IMPORT))
    computed = _computed_weekly(kpis, {r_code: [_round(kpis[r_code].unit, v) for v in vals]
                                       for r_code, vals in raw.items()}, n)
    for code, values in computed.items():
        for week, value in zip(weeks, values, strict=False):
            rows.append(Measurement(company=company, kpi=kpis[code], period_start=week,
                                    value=_round(kpis[code].unit, value), source=Source.COMPUTED))
    rows += _daily_orders(rng, kpis["daily_orders"], weeks[0], weeks[-1] + timedelta(days=6))
    rows += _monthly_revenue(kpis, weeks, {**{c: [float(_round(kpis[c].unit, v)) for v in vs]
                                              for c, vs in raw.items()}, **computed})
    Measurement.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    _seed_campaigns(company, kpis, weeks)
    return company


def _computed_weekly(kpis, raw, n):
    values = {code: [float(v) for v in vals] for code, vals in raw.items()}
    out = {}
    for code in ("paid_uu", "returning_uu", "uu", "aov"):
        formula = parse_formula(kpis[code].formula)
        series = []
        for t in range(n):
            inputs = {v: kpis[v].to_formula_value(values[v][t]) for v in formula.variables}
            series.append(kpis[code].from_formula_value(formula.evaluate(inputs)))
        values[code] = [float(_round(kpis[code].unit, v)) for v in series]
        out[code] = values[code]
    return out


def _daily_orders(rng, kpi, first, last):
    rows, day, t = [], first, 0
    while day <= last:
        weekday_factor = 1.25 if day.weekday() >= 5 else 1.0
        value = 330 * (1 + 0.00006 * t) * weekday_factor * (1 + rng.gauss(0, 0.08))
        rows.append(Measurement(company=kpi.company, kpi=kpi, period_start=day,
                                value=Decimal(round(value)), source=Source.IMPORT))
        day += timedelta(days=1)
        t += 1
    return rows


def _monthly_revenue(kpis, weeks, weekly):
    """Month values of the root from its inputs, each week counted by its days in the month
    (as the measurement writer computes them)."""
    root = kpis["monthly_revenue"]
    formula = parse_formula(root.formula)
    index = {w: i for i, w in enumerate(weeks)}
    months = sorted({month_start(w) for w in weeks})
    rows = []
    for month in months[1:]:
        parts = subperiod_weights(month, "monthly", "weekly")
        if any(w not in index for w, _share in parts):
            continue  # complete months only
        inputs = {}
        for code in formula.variables:
            vals = [(weekly[code][index[w]], share) for w, share in parts]
            total = sum(v * share for v, share in vals)
            agg = total if kpis[code].aggregation == "sum" else total / sum(s for _v, s in vals)
            inputs[code] = kpis[code].to_formula_value(agg)
        rows.append(Measurement(company=root.company, kpi=root, period_start=month,
                                value=_round("JPY", formula.evaluate(inputs)),
                                source=Source.COMPUTED))
    return rows


def _seed_campaigns(company, kpis, weeks):
    n = len(weeks)
    for name, weeks_ago, length, codes in CAMPAIGNS:
        if n < weeks_ago + 1:
            continue
        start = weeks[n - weeks_ago]
        campaign, created = Campaign.objects.get_or_create(
            company=company, name=name,
            defaults={"start": start, "end": start + timedelta(days=7 * length - 1),
                      "note": "全品10〜20%オフ"},
        )
        if created:
            campaign.kpis.set([kpis[c] for c in codes])
