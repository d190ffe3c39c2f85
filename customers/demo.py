"""The demo company's customer roster (``seed_demo`` step): ~200 B2B customers of the cs team.

Believable rather than random: customers who finished onboarding churn far less, low NPS
comes with complaints, upgrades and downgrades give NRR something to measure.
"""
import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.calendar import add_months, month_start
from customers.models import Customer, CustomerMrr, OnboardingStatus
from teams.models import Team

N_CUSTOMERS = 200
NAMES = ("さくら あおば ひかり みどり 富士 大和 東邦 北斗 青葉 朝日 若葉 丸の内 桜井 山田 高橋 "
         "日の出 松風 つばさ 白鷺 瑞穂 三河 北陸 湘南 信州 浪速 博多 杜の都 むさし 葵 椿").split()
KINDS = ("物産 商事 工業 製作所 食品 不動産 建設 運輸 ホールディングス システムズ 電機 薬品 印刷 "
         "精工 ソリューションズ").split()
PLANS = [("ライト", 30_000, 0.30), ("スタンダード", 80_000, 0.40), ("プロ", 200_000, 0.22),
         ("エンタープライズ", 500_000, 0.08)]
HAPPY = [
    "サポートの対応が早くて助かっています。",
    "レポート機能が便利で、会議資料の作成時間が半分になりました。",
    "使いやすい画面で現場にもすぐ定着しました。",
    "担当者の方の説明が分かりやすく満足しています。",
    "他部署にも紹介したいです。",
]
NEUTRAL = [
    "外部システムとの連携機能が欲しい。",
    "CSV出力の項目を増やしてほしいという要望があります。",
    "機能は十分だが、スマホ対応がもう少し欲しい。",
    "問い合わせの返信に1日かかることがある。",
]
UNHAPPY = [
    "初期設定が難しく、導入が止まっている。",
    "使い方が分かりにくく、マニュアルを探すのに時間がかかる。",
    "価格が高いと経営層から指摘があり、来期の予算が厳しい。",
    "画面の動作が遅い、エラーが出ることがある。",
    "他社サービスへの乗り換えを検討中と聞いた。",
    "担当者が退職し、利用が止まっている。解約の可能性あり。",
    "サポートの回答が遅く不満。",
]
NOTES_NEUTRAL = ["担当者変更あり（4月）", "年次更新は3月", "請求書払い希望", "決裁者は部長",
                 "", "", "", ""]


def _name(rng, used):
    while True:
        name = f"株式会社{rng.choice(NAMES)}{rng.choice(KINDS)}"
        if rng.random() < 0.25:
            name = f"{rng.choice(NAMES)}{rng.choice(KINDS)}株式会社"
        if name not in used:
            used.add(name)
            return name


@transaction.atomic
def seed_customers(company):
    """About 200 customers on the cs team with plans, onboarding, logins, NPS, churn and MRR."""
    team = Team.objects.filter(company=company, slug="cs").first()
    if team is None or Customer.objects.filter(team=team).exists():
        return company
    rng = random.Random(f"kgiapp-cs-{company.slug}")
    today = timezone.localdate()
    used = set(Customer.objects.filter(company=company).values_list("name", flat=True))
    customers, histories = [], []
    for i in range(N_CUSTOMERS):
        plan, base_mrr, _share = rng.choices(PLANS, weights=[p[2] for p in PLANS])[0]
        contract = today - timedelta(days=int(rng.uniform(3, 730)))
        roll = rng.random()
        completed_on = None
        if roll < 0.68:
            status = OnboardingStatus.COMPLETE
            completed_on = contract + timedelta(days=int(rng.triangular(5, 50, 18)))
            if completed_on > today:
                status, completed_on = OnboardingStatus.IN_PROGRESS, None
        elif roll < 0.83:
            status = OnboardingStatus.IN_PROGRESS
        elif roll < 0.95:
            status = OnboardingStatus.NOT_STARTED
        else:
            status = OnboardingStatus.UNKNOWN
        onboarded = completed_on is not None and (completed_on - contract).days <= 30
        monthly_churn = 0.012 if onboarded else 0.055
        churn = None
        month = add_months(month_start(contract), 1)
        while month <= today and churn is None:
            if rng.random() < monthly_churn:
                churn = month + timedelta(days=rng.randrange(0, 27))
                if churn > today or churn < contract:
                    churn = None
            month = add_months(month, 1)
        unhappy = churn is not None or not onboarded and rng.random() < 0.5
        if rng.random() < 0.72:
            nps = rng.choice([0, 2, 3, 4, 5, 6, 6, 7]) if unhappy else rng.choice(
                [6, 7, 8, 8, 9, 9, 10, 10])
        else:
            nps = None
        csat = (rng.choice([1, 2, 3, 3, 4]) if unhappy else rng.choice([3, 4, 4, 5, 5])) \
            if rng.random() < 0.5 else None
        end = churn or today
        if unhappy and rng.random() < 0.5:
            last_login = end - timedelta(days=rng.randrange(30, 120))
        else:
            last_login = end - timedelta(days=int(rng.triangular(0, 40, 3)))
        last_login = max(last_login, contract) if rng.random() > 0.03 else None
        if nps is None:
            comment = ""
        elif nps >= 9:
            comment = rng.choice(HAPPY)
        elif nps >= 7:
            comment = rng.choice(NEUTRAL)
        else:
            comment = rng.choice(UNHAPPY)
        notes = rng.choice(UNHAPPY) if unhappy and rng.random() < 0.35 else rng.choice(
            NOTES_NEUTRAL)
        if churn is not None and not notes:
            notes = rng.choice(["他社へ乗り換え", "予算削減のため解約", "利用定着せず解約"])
        mrr = Decimal(base_mrr)
        history = [(month_start(contract), mrr)]
        if rng.random() < 0.18:  # upgrade (seats or plan)
            when = add_months(month_start(contract), rng.randrange(2, 14))
            if when <= today and (churn is None or when < churn):
                mrr = (mrr * Decimal(rng.choice(["1.25", "1.5", "2"]))).quantize(Decimal(1))
                history.append((when, mrr))
        elif rng.random() < 0.08:  # downgrade
            when = add_months(month_start(contract), rng.randrange(2, 14))
            if when <= today and (churn is None or when < churn):
                mrr = (mrr * Decimal("0.6")).quantize(Decimal(1))
                history.append((when, mrr))
        customers.append(Customer(
            company=company, team=team, external_id=f"C{1001 + i}", name=_name(rng, used),
            plan=plan, contract_date=contract, onboarding_status=status,
            onboarding_completed_on=completed_on, last_login=last_login, nps=nps,
            nps_comment=comment, csat=csat, mrr=mrr, churn_date=churn, notes=notes,
        ))
        histories.append(history)
    Customer.objects.bulk_create(customers)
    # bulk_create sets pks on PostgreSQL and SQLite ≥ 3.35; look them up to be safe.
    pks = dict(Customer.objects.filter(team=team).values_list("external_id", "pk"))
    CustomerMrr.objects.bulk_create([
        CustomerMrr(customer_id=pks[c.external_id], month=m, mrr=v)
        for c, history in zip(customers, histories, strict=True) for m, v in history
    ])
    from customers.services import cs_sync_measurements

    _ledger(team, today)
    cs_sync_measurements(team=team, today=today)
    return company


def _ledger(team, today):
    """The demo customers' MRR movements, month by month from their MRR history."""
    from customers.models import MrrMovement
    from customers.selectors import customer_records
    from engine.saas_ledger import ledger_from_record

    MrrMovement.objects.bulk_create([
        MrrMovement(customer_id=int(move.customer), month=move.month, kind=move.kind,
                    mrr_before=move.before, mrr_after=move.after)
        for record in customer_records(team)
        for move in ledger_from_record(record, month_start(today))])
