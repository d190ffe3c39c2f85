"""My tasks across teams, task status changes (htmx), and the inbox."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.calendar import team_today
from core.htmx import render_page
from reviews import selectors, services
from reviews.forms import TaskStatusForm
from reviews.models import Task
from teams.tenancy import company_view


@company_view("view")
def my_tasks(request):
    today = team_today(request.company)
    return render_page(request, "reviews/my_tasks.html",
                       {**selectors.my_tasks(request.company, request.user, today),
                        "today": today})


@require_POST
@company_view("contribute")
def task_status(request, task_id):
    task = get_object_or_404(Task.objects.select_related("team", "owner", "review"),
                             pk=task_id, team__company=request.company)
    form = TaskStatusForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            task = services.task_set_status(
                task=task, membership=request.membership, status=form.cleaned_data["status"],
                due_date=form.cleaned_data["due_date"],
                drop_reason=form.cleaned_data["drop_reason"])
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(e for errs in form.errors.values() for e in errs)
    if request.htmx:
        task.overdue = task.status == "open" and task.due_date < team_today(task.team)
        return render_page(request, "reviews/_task_row.html",
                           {"task": task, "error": error, "show_team": True,
                            "can_edit": True})
    if error:
        messages.error(request, error)
    back = request.POST.get("next", "")
    if back.startswith(f"/{request.company.slug}/") and url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("my-tasks", request.company.slug)


@company_view("view")
def inbox(request):
    return render_page(request, "reviews/inbox.html",
                       {"inbox": selectors.inbox(request.company, request.user)})
