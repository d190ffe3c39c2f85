"""What the layout needs on every page: the current company and the user's other companies."""


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .models import Membership

    # Lazy: evaluated only when the template renders the switcher (one query).
    return {
        "current_company": getattr(request, "company", None),
        "current_membership": getattr(request, "membership", None),
        "my_companies": Membership.objects.filter(user=user)
        .select_related("company")
        .order_by("company__name"),
    }
