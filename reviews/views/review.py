"""The weekly review page and its htmx actions."""
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from core.calendar import parse_week, team_today, week_of
from core.htmx import render_page
from metrics.models import Kpi
from reviews import services
from reviews.forms import (
    CloseForm,
    DecisionForm,
    HistoryFilterForm,
    NoteForm,
    PageChoices,
    SummaryForm,
    TaskForm,
)
from reviews.numbers_html import numbers_html
from reviews.page_reads import review_with_neighbours
from reviews.selectors import review_history, review_page, team_decision_kpis
from teams.dataversion import cached
from teams.empty import render_no_team
from teams.idempotency import once_per_form
from teams.models import Team, TeamMembership
from teams.permissions import can
from teams.selectors import team_by_slug, teams_by_name
from teams.tenancy import company_view, get_team, require

TEMPLATE = "reviews/review_detail.html"
# More teams than this and the tabs fold into a list opened on demand (the page's own team
# is in its title).
TEAM_TABS = 12


def _find_review(request, team_slug, week):
    """(team, the stored review or None, whether the week is this week); 404 for a bad week."""
    team = team_by_slug(request.company, team_slug)
    parsed = parse_week(week)
    if team is None or parsed is None:
        raise Http404
    _iso_year, _iso_week, monday = parsed
    review = review_with_neighbours(team, monday)
    if review is not None:
        # The company as the resolver read it (with its data token, for what is cached).
        team.company = review.company = request.company
        review.team = team
    return team, review, monday == week_of(team_today(team))[2]


def _review(request, team_slug, week):
    """The review an action (POST) writes to; this week's is opened by the first write."""
    team, review, this_week = _find_review(request, team_slug, week)
    if review is None:
        if not this_week:
            raise Http404
        review = services.review_open_for_week(team=team)
    return review


def _this_week_label(team):
    return week_of(team_today(team)).label


def _context(request, review, **forms):
    team = review.team
    page = review_page(review)
    membership = request.membership
    is_open = review.is_open
    tabs = _team_tabs(request.company)
    # The owners, read with the page's rows, for every form that shows them.
    choices = PageChoices(team, owners=page["owner_choices"])
    return {
        "review": review, "team": team, **page, "urls": _review_urls(request.company, review),
        "numbers_html": numbers_html(page["numbers"]),
        "team_tabs": mark_safe("".join(  # noqa: S308 (printed escaped by _team_tabs)
            f'{start} aria-current="page"{end}' if pk == team.pk else start + end
            for pk, start, end in tabs)),
        "teams_folded": len(tabs) > TEAM_TABS, "team_count": len(tabs),
        "can_write": is_open and can(membership, "contribute", team),
        "can_manage": is_open and can(membership, "manage_team", team),
        "can_reopen": not is_open and can(membership, "manage_team", team),
        "note_form": forms.get("note_form") or NoteForm(),
        "summary_form": forms.get("summary_form") or SummaryForm(
            initial={"summary": review.summary or page["draft_summary"]}),
        "decision_form": forms.get("decision_form") or DecisionForm(
            team=team, today=page["today"], choices=choices),
        "close_form": CloseForm(initial={"no_decision_reason": review.no_decision_reason}),
        "close_errors": forms.get("close_errors", []),
        "task_form": forms.get("task_form") or TaskForm(
            team=team, today=page["today"], choices=choices),
        "task_form_decision": forms.get("task_form_decision"),
        "decision_error": forms.get("decision_error"),
        "prev_label": _neighbour_label(review, -7, page["prev_review"]),
        "next_label": _neighbour_label(review, 7, page["next_review"]),
    }


def _review_urls(company, review):
    """The URLs the review page links and posts to, from one reverse(): each action's
    pattern is the week's URL and a suffix (reviews/urls.py); ``week`` is the prefix of a
    decision's (decisions/<id>/…) and a task's (tasks/<id>/delete/)."""
    week = reverse("review-detail", args=[company.slug, review.team.slug, review.week_label])
    return {"week": week, "reviews": week[:-len(review.week_label) - 1],
            **{name: f"{week}{suffix}/" for name, suffix in (
                ("note_add", "notes"), ("summary", "summary"), ("decision_add", "decisions"),
                ("close", "close"), ("reopen", "reopen"))}}


def _team_tabs(company):
    """[(team id, '<a href="…"', '>name</a>')] of the company's teams by name, each linking to
    the team's review of this week: printed here (the template engine took ~3 ms for 300
    teams) and kept under the data token as plain strings (teams are tracked; unpickling
    300 Team instances at each load cost more than printing them). One reverse() for all
    (a team slug goes into the URL as the slug converter puts it)."""
    def build():
        prefix = reverse("review-this-week", args=[company.slug, "x"]).rsplit("/x/", 1)[0] + "/"
        return [(t.pk, f'<a href="{escape(prefix + t.slug)}/review/"', f">{escape(t.name)}</a>")
                for t in teams_by_name(company)]

    return cached(company, "review-team-tabs", (), build)


def _neighbour_label(review, days, found):
    """The label of the week ``days`` away when a link to it can open: a review exists
    (``found``), or it is this week (which opens on demand); None otherwise (no arrow to a
    404)."""
    monday = review.week_start + timedelta(days=days)
    this_monday = week_of(team_today(review.team)).monday
    return week_of(monday).label if found is not None or monday == this_monday else None


@company_view("view")
def review_mine(request):
    """The nav link: this week's review of my first team (else the company's first)."""
    membership = (TeamMembership.objects.filter(user=request.user, team__company=request.company)
                  .select_related("team").order_by("team__name").first())
    team = membership.team if membership else (
        Team.objects.filter(company=request.company).order_by("name").first())
    if team is None:
        return render_no_team(
            request, title=_("Weekly review"),
            message=_("No team yet: each team holds its own weekly review. Create a team "
                      "first."))
    return redirect("review-this-week", request.company.slug, team.slug)


@company_view("view")
def review_this_week(request, team):
    """This week's review of the team (nothing is written: a GET only reads)."""
    team = get_team(request, team)
    return redirect("review-detail", request.company.slug, team.slug, _this_week_label(team))


@require_POST
@company_view("contribute")
def review_start(request, team):
    """Open this week's review (the Monday job does it too; a second click finds it open)."""
    team = get_team(request, team)
    require(request, "contribute", team)
    review = services.review_open_for_week(team=team)
    return redirect("review-detail", request.company.slug, team.slug, review.week_label)


@company_view("view")
def review_detail(request, team, week):
    team_obj, review, this_week = _find_review(request, team, week)
    if review is None:
        if not this_week:
            raise Http404
        # Not opened yet: an empty state, never a row written by a GET.
        return render_page(request, "reviews/review_not_started.html", {
            "team": team_obj, "week_label": week,
            "can_start": can(request.membership, "contribute", team_obj)})
    return render_page(request, TEMPLATE, _context(request, review))


def _partial_or_redirect(request, review, partial, **forms):
    if request.htmx:
        return render_page(request, TEMPLATE, _context(request, review, **forms), partial=partial)
    for form in forms.values():
        if hasattr(form, "errors"):
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
    return redirect("review-detail", request.company.slug, review.team.slug, review.week_label)


@require_POST
@company_view("contribute")
@once_per_form
def review_note_add(request, team, week):
    review = _review(request, team, week)
    require(request, "contribute", review.team)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.note_add(review=review, membership=request.membership,
                              kind=form.cleaned_data["kind"], text=form.cleaned_data["text"])
            form = NoteForm()
        except ValidationError as exc:
            form.add_error(None, exc)
    return _partial_or_redirect(request, review, "notes", note_form=form)


@require_POST
@company_view("manage_team")
def review_summary(request, team, week):
    review = _review(request, team, week)
    require(request, "manage_team", review.team)
    form = SummaryForm(request.POST)
    if form.is_valid():
        try:
            review = services.summary_set(review=review, membership=request.membership,
                                          text=form.cleaned_data["summary"])
        except ValidationError as exc:
            form.add_error(None, exc)
    return _partial_or_redirect(request, review, "summary", summary_form=form)


@require_POST
@company_view("manage_team")
def review_decision_add(request, team, week):
    review = _review(request, team, week)
    require(request, "manage_team", review.team)
    form = DecisionForm(request.POST, team=review.team, today=team_today(review.team))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.decision_add(
                review=review, membership=request.membership, kpi=data["kpi"], text=data["text"],
                rationale=data["rationale"], keep_course=data["keep_course"],
                task_title=data["task_title"], task_owner=data["task_owner"],
                task_due=data["task_due"], request_key=data["request_key"],
            )
            form = None
        except ValidationError as exc:
            _add_errors(form, exc)
    return _partial_or_redirect(request, review, "decide",
                                **({"decision_form": form} if form else {}))


def _add_errors(form, exc):
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_POST
@company_view("manage_team")
def review_close(request, team, week):
    review = _review(request, team, week)
    require(request, "manage_team", review.team)
    form = CloseForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("no_decision_reason") if "no_decision_reason" in request.POST \
        else None
    url = reverse("review-detail", args=[request.company.slug, review.team.slug,
                                         review.week_label])
    try:
        _review_obj, closed_now = services.review_close(
            review=review, membership=request.membership, no_decision_reason=reason)
    except ValidationError as exc:
        if request.htmx:
            return render_page(request, TEMPLATE,
                               _context(request, review, close_errors=exc.messages),
                               partial="decide")
        for message in exc.messages:
            messages.error(request, message)
        return redirect(url)
    from django.utils.translation import gettext

    messages.success(request, gettext("Review closed. The digest is on its way to the team.")
                     if closed_now else gettext("This review was already closed."))
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_POST
@company_view("manage_team")
def review_reopen(request, team, week):
    review = _review(request, team, week)
    require(request, "manage_team", review.team)
    services.review_reopen(review=review, membership=request.membership,
                           reason=request.POST.get("reason", ""))
    return redirect("review-detail", request.company.slug, review.team.slug, review.week_label)


@company_view("view")
def review_history_view(request, team):
    team = get_team(request, team)
    form = HistoryFilterForm(request.GET,
                             fiscal_start_month=request.company.fiscal_year_start_month)
    kpi_code, quarter = "", None
    if form.is_valid():
        kpi_code = form.cleaned_data["kpi"]
        quarter = form.cleaned_data["quarter"]
    kpi = get_object_or_404(Kpi, company=request.company, code=kpi_code) if kpi_code else None
    return render_page(request, "reviews/review_history.html", {
        "team": team, "rows": review_history(team, kpi_code=kpi_code, quarter=quarter),
        "kpis": team_decision_kpis(team), "kpi": kpi, "form": form,
        "quarter": quarter.label if quarter else request.GET.get("quarter", "")[:20],
    }, partial="results")
