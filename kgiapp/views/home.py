"""The entry page: the companies the user belongs to."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from teams.models import Membership


@login_required
def home(request):
    memberships = list(
        Membership.objects.filter(user=request.user).select_related("company")
    )
    if len(memberships) == 1:
        return redirect("dashboard", company=memberships[0].company.slug)
    return render(request, "kgiapp/home.html", {"memberships": memberships})
