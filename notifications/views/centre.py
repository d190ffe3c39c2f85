"""The notification centre: what was sent to me in this company, newest first."""
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from core.htmx import render_page
from notifications.models import Channel, Notification
from notifications.services import notifications_mark_read
from teams.tenancy import company_view

PAGE_SIZE = 30


@company_view("view")
def notification_centre(request):
    rows = (Notification.objects.filter(recipient=request.user, company=request.company,
                                        channel=Channel.IN_APP)
            .only("subject", "body", "link", "kind", "created_at", "read_at", "payload"))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(request, "notifications/centre.html",
                       {"page": page, "unread": any(r.read_at is None for r in page)})


@require_POST
@company_view("view")
def notification_read_all(request):
    notifications_mark_read(user=request.user, company=request.company)
    return redirect("notification-centre", company=request.company.slug)
