"""The entry page: the companies the user belongs to; a fresh install starts at /start/."""
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render

from teams import signup
from teams.models import Membership


def home(request):
    if signup.is_fresh_install():
        return redirect("start")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    memberships = list(
        Membership.objects.filter(user=request.user).select_related("company")
    )
    if len(memberships) == 1:
        return redirect("dashboard", company=memberships[0].company.slug)
    return render(request, "kgiapp/home.html", {
        "memberships": memberships, "may_create_company": signup.may_create_company(request.user),
    })
