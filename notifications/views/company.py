"""Company administration of notifications: the schedule, the webhooks, what failed."""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from notifications.forms import ScheduleForm
from notifications.models import Notification, Status
from notifications.services import schedule_for
from teams.tenancy import company_view

FAILED_SHOWN = 100


@company_view("admin")
def notification_schedule(request):
    schedule = schedule_for(request.company)
    form = ScheduleForm(request.POST or None, instance=schedule)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The notification schedule is saved."))
        return redirect("notification-schedule", company=request.company.slug)
    failed = (Notification.objects.filter(company=request.company, status=Status.FAILED)
              .select_related("recipient").order_by("-created_at")[:FAILED_SHOWN])
    waiting = (Notification.objects.filter(company=request.company, status=Status.PENDING,
                                           attempts__gt=0)
               .select_related("recipient").order_by("not_before")[:FAILED_SHOWN])
    return render(request, "notifications/schedule.html",
                  {"form": form, "failed": failed, "waiting": waiting},
                  status=400 if form.errors else 200)
