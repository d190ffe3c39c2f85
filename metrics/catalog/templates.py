"""Industry templates: a complete KGI + KPI tree each, with the source article's sample thresholds.

Data only; ``metrics.catalog_services.template_instantiate`` copies one into a company.
Percent values are percentage points (2.2 means 2.2 %). ``target`` is the sample
threshold, stored as this month's target (None: no threshold in the article).
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class KpiDefinition:
    """What it takes to create a KPI: a template's, or one of a drafted tree's (assist)."""

    code: str
    name_ja: str
    name_en: str
    unit: str
    direction: str
    kind: str
    phase: str
    cadence: str
    aggregation: str
    formula: str = ""


@dataclass(frozen=True)
class KpiSpec(KpiDefinition):
    target: float | None = None
    team: bool = True  # owned by the chosen team (the root stays company-wide)


@dataclass(frozen=True)
class KgiSpec:
    name_ja: str
    name_en: str
    root: str
    unit: str
    baseline: float
    target: float
    why_ja: str
    why_en: str
    months: int = 12


@dataclass(frozen=True)
class IndustryTemplate:
    key: str
    name_ja: str
    name_en: str
    summary_ja: str
    summary_en: str
    keywords: tuple
    kgi: KgiSpec
    kpis: tuple


def K(code, ja, en, unit, direction, kind, phase, cadence, aggregation, formula="", target=None,
      team=True):
    return KpiSpec(code, ja, en, unit, direction, kind, phase, cadence, aggregation, formula,
                   target, team)


B2B_SAAS = IndustryTemplate(
    key="b2b_saas", name_ja="B2B SaaS", name_en="B2B SaaS",
    summary_ja="ARR 5億円・NRR 115%：新規ARR（MQL→SQL→受注）と既存の拡大・解約",
    summary_en="ARR ¥500M and NRR 115 %: new ARR (MQL → SQL → won) plus expansion and churn",
    keywords=("saas", "arr", "mrr", "nrr", "サブスク", "サブスクリプション", "解約", "churn",
              "upsell", "アップセル", "mql", "sql"),
    kgi=KgiSpec("ARR 5億円・NRR 115%", "ARR ¥500M with NRR 115 %", "arr", "JPY",
                350_000_000, 500_000_000,
                "既存顧客の拡大と新規獲得の両輪で、次の資金調達なしに成長を続けるため。",
                "Grow on expansion and new logos without another funding round."),
    kpis=(
        K("arr", "ARR", "ARR", "JPY", "higher", "lagging", "revenue", "monthly", "last",
          "starting_arr * nrr + new_arr", team=False),
        K("starting_arr", "期首ARR", "Starting ARR", "JPY", "higher", "lagging", "revenue",
          "monthly", "last"),
        K("nrr", "売上継続率（NRR）", "Net revenue retention", "percent", "higher", "lagging",
          "retention", "monthly", "last", "1 + upsell_rate * 4 - logo_churn_rate * 12", 115),
        K("upsell_rate", "アップセル率（四半期）", "Upsell rate (quarter)", "percent", "higher",
          "leading", "revenue", "monthly", "average", target=8),
        K("logo_churn_rate", "ロゴ解約率（月次）", "Logo churn (month)", "percent", "lower",
          "lagging", "retention", "monthly", "average", target=1.5),
        K("new_arr", "新規ARR", "New ARR", "JPY", "higher", "lagging", "revenue", "monthly", "sum",
          "sqls * sql_to_won * avg_deal_arr"),
        K("sqls", "SQL数", "SQLs", "count", "higher", "leading", "conversion", "weekly", "sum",
          "mqls * mql_to_sql"),
        K("mqls", "MQL数", "MQLs", "count", "higher", "leading", "acquisition", "weekly", "sum"),
        K("mql_to_sql", "MQL→SQL転換率", "MQL → SQL rate", "percent", "higher", "leading",
          "conversion", "weekly", "average", target=25),
        K("sql_to_won", "SQL→受注率", "SQL → won rate", "percent", "higher", "lagging",
          "conversion", "monthly", "average", target=30),
        K("avg_deal_arr", "平均受注ARR", "Average deal ARR", "JPY", "higher", "lagging", "revenue",
          "monthly", "average"),
        K("ttv_30d_rate", "30日以内TTV達成率", "Time to value ≤ 30 days", "percent", "higher",
          "leading", "retention", "weekly", "average", target=70),
        K("weekly_feature_use", "主要機能の週次利用率", "Weekly active feature use", "percent",
          "higher", "leading", "retention", "weekly", "average", target=65),
    ),
)

EC_D2C = IndustryTemplate(
    key="ec_d2c", name_ja="EC・D2C", name_en="EC / D2C",
    summary_ja="年商12億円・利益率12%：UU × CVR × 客単価 × リピート",
    summary_en="Annual revenue ¥1.2B at 12 % margin: UU × CVR × AOV × repeat",
    keywords=("ec", "d2c", "通販", "ネットショップ", "online store", "e-commerce", "ecommerce",
              "cvr", "客単価", "aov", "リピート", "repeat"),
    kgi=KgiSpec("年商12億円・営業利益率12%", "Annual revenue ¥1.2B at 12 % margin",
                "annual_revenue", "JPY", 800_000_000, 1_200_000_000,
                "広告に頼らずリピートで伸びる事業にするため。",
                "Build a business that grows on repeat customers, not ad spend."),
    kpis=(
        K("annual_revenue", "年間売上", "Annual revenue", "JPY", "higher", "lagging", "revenue",
          "monthly", "sum", "monthly_uu * cvr * aov * 12 * (1 + repeat_rate) * (1 - return_rate)",
          team=False),
        K("monthly_uu", "月間UU", "Monthly unique users", "count", "higher", "leading",
          "acquisition", "weekly", "sum", target=450_000),
        K("cvr", "購入率（CVR）", "Conversion rate", "percent", "higher", "leading", "conversion",
          "weekly", "average", target=2.2),
        # 450,000 × 2.2 % × ¥7,850 × 12 × 1.32 × 0.975 ≈ ¥1.2B: the thresholds add up.
        K("aov", "客単価", "Average order value", "JPY", "higher", "lagging", "revenue", "weekly",
          "average", target=7_850),
        K("repeat_rate", "リピート率", "Repeat rate", "percent", "higher", "leading", "retention",
          "monthly", "average", target=32),
        K("return_rate", "返品率", "Return rate", "percent", "lower", "lagging", "retention",
          "monthly", "average", target=2.5),
        K("operating_margin", "営業利益率", "Operating margin", "percent", "higher", "lagging",
          "revenue", "monthly", "last", target=12),
    ),
)

LEAD_GEN = IndustryTemplate(
    key="b2b_leadgen", name_ja="B2Bリード獲得", name_en="B2B lead generation",
    summary_ja="四半期受注1.5億円：ウェビナー・資料DL → 営業接触 → 商談 → 受注",
    summary_en="¥150M won per quarter: webinars and downloads → contact → meetings → won",
    keywords=("リード", "lead", "ウェビナー", "webinar", "資料", "download", "商談", "meeting",
              "受注", "won", "pipeline", "マーケティング"),
    kgi=KgiSpec("四半期受注額1.5億円", "¥150M won per quarter", "won_revenue", "JPY",
                90_000_000, 150_000_000,
                "営業が追いかける価値のある商談を安定して供給するため。",
                "Feed sales a steady flow of meetings worth their time.", months=3),
    kpis=(
        K("won_revenue", "受注額", "Won revenue", "JPY", "higher", "lagging", "revenue",
          "monthly", "sum",
          "(webinar_leads + download_leads) * contact_rate * meeting_rate * win_rate"
          " * avg_deal_size", team=False),
        K("webinar_leads", "ウェビナー参加リード", "Webinar leads", "count", "higher", "leading",
          "acquisition", "weekly", "sum", target=2_000),
        K("download_leads", "資料DLリード", "Download leads", "count", "higher", "leading",
          "acquisition", "weekly", "sum", target=4_000),
        K("contact_rate", "営業接触率", "Sales contact rate", "percent", "higher", "leading",
          "conversion", "weekly", "average", target=35),
        K("meeting_rate", "商談化率", "Meeting rate", "percent", "higher", "leading",
          "conversion", "weekly", "average", target=12),
        K("win_rate", "受注率", "Win rate", "percent", "higher", "lagging", "conversion",
          "monthly", "average", target=25),
        K("avg_deal_size", "平均受注単価", "Average deal size", "JPY", "higher", "lagging",
          "revenue", "monthly", "average", target=2_400_000),
    ),
)

CUSTOMER_SUCCESS = IndustryTemplate(
    key="customer_success", name_ja="カスタマーサクセス", name_en="Customer success",
    summary_ja="LTV基準：年間グロス解約6%未満・NPS +10pt、オンボーディング・初回応答・ヘルススコア",
    summary_en="LTV-based: gross churn < 6 %/year, NPS +10 pt; onboarding, first response, health",
    keywords=("カスタマーサクセス", "customer success", "cs", "ltv", "解約", "churn", "nps",
              "オンボーディング", "onboarding", "ヘルススコア", "health", "継続"),
    kgi=KgiSpec("LTV 180万円（年間グロス解約6%未満）", "LTV ¥1.8M (gross churn < 6 %/year)",
                "ltv", "JPY", 1_200_000, 1_800_000,
                "解約を減らし、既存顧客からの売上で成長を支えるため。",
                "Cut churn so existing customers carry growth."),
    kpis=(
        K("ltv", "顧客生涯価値（LTV）", "Customer lifetime value", "JPY", "higher", "lagging",
          "retention", "monthly", "last", "arpa * gross_margin / gross_churn_annual", team=False),
        K("arpa", "顧客あたり年間売上", "Annual revenue per account", "JPY", "higher", "lagging",
          "revenue", "monthly", "average", target=180_000),
        K("gross_margin", "粗利率", "Gross margin", "percent", "higher", "lagging", "revenue",
          "monthly", "average", target=60),
        K("gross_churn_annual", "年間グロス解約率", "Gross churn (year)", "percent", "lower",
          "lagging", "retention", "monthly", "last", target=6),
        K("onboarding_30d", "30日以内オンボーディング完了率", "Onboarding completed in 30 days",
          "percent", "higher", "leading", "retention", "weekly", "average", target=80),
        K("first_response_h", "初回応答時間", "First response time", "hours", "lower", "leading",
          "retention", "daily", "average", target=4),
        K("nps_score", "NPS", "NPS", "score", "higher", "lagging", "retention", "monthly",
          "average", target=10),
        K("health_score_avg", "平均ヘルススコア", "Average health score", "score", "higher",
          "leading", "retention", "weekly", "average", target=70),
    ),
)

TEMPLATES = {t.key: t for t in (B2B_SAAS, EC_D2C, LEAD_GEN, CUSTOMER_SUCCESS)}
