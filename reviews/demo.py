"""The demo company's weekly reviews: ~12 closed weeks per team and this week's open one.

Step ``reviews.demo.seed_reviews`` of ``seed_demo``; rerunning changes nothing.
"""
import random
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction

from core.calendar import team_today, week_of
from reviews.models import (
    Decision,
    Note,
    NoteKind,
    ReviewLog,
    ReviewLogAction,
    ReviewStatus,
    Task,
    TaskStatus,
    WeeklyReview,
)
from reviews.selectors import decorate_numbers, live_numbers
from reviews.services import review_open_for_week
from reviews.summary import build_summary
from teams.models import Team, TeamMembership, TeamRole

WEEKS = 12

# team: (highlights, lowlights, [(kpi code, decision, rationale, task, keep course)])
CONTENT = {
    "marketing": (
        ["自然流入がSEO記事経由で伸びた", "新クリエイティブのCTRが1.4倍", "メルマガ経由のUUが過去最高",
         "リスティングのCPCが3週連続で低下"],
        ["決済画面でエラーが多発し購入率が低下", "広告費が予算を8%超過", "LP改修のリリースが1週遅れ",
         "SNS経由の流入が想定の半分"],
        [("cvr", "決済画面の入力項目を削減する", "購入率が目標比で未達、離脱はカード入力で最多",
          "決済フォームのA/Bテストを設計", False),
         ("cpc", "指名キーワード以外の入札を10%下げる", "CPCが高止まりし獲得単価を圧迫",
          "入札単価の一括調整", False),
         ("organic_uu", "SEO記事を週2本に増やす", "自然流入の伸びが記事公開数と連動している",
          "記事テーマ10本をリスト化", False),
         ("ad_spend", "広告費配分を維持", "効率は目標内、変更の必要なし",
          "来週も配分を確認", True),
         ("paid_uu", "リターゲティング広告を再開", "広告流入UUが2週連続で減少",
          "リターゲティング用オーディエンス作成", False)],
    ),
    "sales": (
        ["セット提案で注文あたり点数が増加", "法人向け大口案件を受注", "値引き承認ルールが定着",
         "上位モデルの構成比が上昇"],
        ["値引率が月末に上昇", "平均商品単価が前週比で低下", "在庫切れで機会損失が発生",
         "商談化率が低迷"],
        [("discount_rate", "月末の追加値引きを部長承認制にする", "月末に値引率が跳ねる傾向",
          "承認フローを営業チームに周知", False),
         ("items_per_order", "同梱提案をカート画面に追加", "点数が増えた週は同梱提案が効いていた",
          "おすすめ同梱商品の選定", False),
         ("avg_unit_price", "上位モデルの比較表を商品ページに掲載", "単価の伸びが鈍化",
          "比較表の原稿作成", False),
         ("aov", "現行施策を継続", "平均注文額は目標圏内",
          "来週の数値確認", True)],
    ),
    "cs": (
        ["再訪問率がアプリ通知で改善", "アクティブ顧客数が過去最高", "問い合わせの初回応答が早まった",
         "オンボーディング完了率が上昇"],
        ["定期便の解約が増加", "メルマガ開封率が低下", "NPSの批判者コメントが増えた",
         "サポート窓口の待ち時間が長い"],
        [("return_visit_rate", "休眠顧客向けクーポンを配信", "再訪問率が目標に届いていない",
          "対象セグメントの抽出", False),
         ("active_customers", "初回購入後7日のフォローメールを追加", "2回目購入までの離脱が多い",
          "フォローメール文面作成", False),
         ("returning_uu", "会員ランク特典を見直す", "リピート訪問の伸びが鈍化",
          "競合の特典調査", False),
         ("active_customers", "現行施策を継続", "順調に推移",
          "来週の数値確認", True)],
    ),
}


@transaction.atomic
def seed_reviews(company):
    """Twelve closed weekly reviews per team with notes, decisions and tasks; this week open."""
    User = get_user_model()
    teams = list(Team.objects.filter(company=company).order_by("slug"))
    if not WeeklyReview.objects.filter(company=company).exists():
        for team in teams:
            _seed_team(company, team, User)
    for team in teams:
        review = review_open_for_week(team=team)
        if not review.notes.exists():
            author = _members(team)[-1]
            Note.objects.create(review=review, kind=NoteKind.HIGHLIGHT, author=author,
                                text=CONTENT.get(team.slug, CONTENT["sales"])[0][0])
    return company


def _members(team):
    return [tm.user for tm in TeamMembership.objects.filter(team=team).select_related("user")
            .order_by("user__username")]


def _seed_team(company, team, User):
    rng = random.Random(f"kgiapp-reviews-{company.slug}-{team.slug}")
    highlights, lowlights, decisions = CONTENT.get(team.slug, CONTENT["sales"])
    members = _members(team)
    manager = next((tm.user for tm in TeamMembership.objects.filter(team=team,
                                                                     role=TeamRole.MANAGER)),
                   members[0])
    kpis = {k.code: k for k in team.kpis.all()}
    today = team_today(team)
    this_monday = week_of(today)[2]
    tz = company.tzinfo
    reviews = []
    for n in range(WEEKS, 0, -1):
        monday = this_monday - timedelta(weeks=n)
        iso_year, iso_week, _m = week_of(monday)
        reviews.append(WeeklyReview(
            company=company, team=team, iso_year=iso_year, iso_week=iso_week, week_start=monday,
            status=ReviewStatus.CLOSED, closed_by=manager,
            closed_at=datetime.combine(monday, time(10, 30), tzinfo=tz),
            digest_sent_at=datetime.combine(monday, time(10, 31), tzinfo=tz),
        ))
    reviews = WeeklyReview.objects.bulk_create(reviews)
    notes, made, tasks, logs = [], [], [], []
    for i, review in enumerate(reviews):
        numbers = live_numbers(review)
        review.frozen_numbers = numbers
        week_notes = [(NoteKind.HIGHLIGHT, rng.choice(highlights)),
                      (NoteKind.LOWLIGHT, rng.choice(lowlights))]
        for kind, text in week_notes:
            notes.append(Note(review=review, kind=kind, text=text, author=rng.choice(members)))
        review.summary = build_summary(numbers=decorate_numbers(numbers), notes=week_notes,
                                       language="ja")
        for code, text, rationale, task, keep in rng.sample(decisions, 2 if i % 3 else 1):
            if code not in kpis:
                continue
            made.append((review, Decision(review=review, kpi=kpis[code], text=text,
                                          rationale=rationale, keep_course=keep,
                                          created_by=manager), task))
        logs.append(ReviewLog(review=review, action=ReviewLogAction.CLOSED, user=manager))
    WeeklyReview.objects.bulk_update(reviews, ["frozen_numbers", "summary"])
    Note.objects.bulk_create(notes)
    Decision.objects.bulk_create([d for _r, d, _t in made])
    owners = [m for m in members if m != manager] or members
    for k, (review, decision, title) in enumerate(made):
        due = review.week_start + timedelta(days=rng.choice([4, 7, 11]))
        weeks_ago = (this_monday - review.week_start).days // 7
        if weeks_ago > 3:
            status = TaskStatus.DROPPED if k % 9 == 4 else TaskStatus.DONE
        else:
            status = TaskStatus.OPEN if k % 2 == 0 or weeks_ago <= 1 else TaskStatus.DONE
        owner = owners[k % len(owners)]
        tasks.append(Task(team=team, review=review, decision=decision, title=title,
                          owner=owner, due_date=due, status=status,
                          drop_reason="優先度を見直したため" if status == TaskStatus.DROPPED else "",
                          done_at=(datetime.combine(due, time(17), tzinfo=tz)
                                   if status == TaskStatus.DONE else None)))
    Task.objects.bulk_create(tasks)
    ReviewLog.objects.bulk_create(logs)
