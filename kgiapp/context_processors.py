"""What the layout needs on every page: the current company and the user's other companies."""

# Which top-level link of the main navigation a page belongs to (by URL name); the pages
# under "more" are the secondary ones grouped in its menu (kgiapp/navigation.py).
NAV_PREFIXES = [
    ("reforecast", "reforecast"),
    ("review-", "review"),
    ("okr-", "okr"),
    ("cs-", "customers"),
    ("roster-", "customers"),
    ("customer", "customers"),
    ("campaign-", "more"),
    ("import-", "more"),
]
NAV_NAMES = {
    "dashboard": "dashboard", "team-detail": "dashboard", "kpi-detail": "dashboard",
    "kgi-tree": "tree", "kgi-edit": "tree", "kgi-templates": "tree", "kpi-create": "tree",
    "kpi-edit": "tree",
    "numbers-home": "numbers", "numbers-grid": "numbers",
    "my-tasks": "more", "inbox": "more", "alignment-map": "more", "data-quality": "more",
    "company-settings": "more", "notification-centre": "more",
    "notification-preferences": "more", "notification-schedule": "more",
}


def nav_section(url_name):
    """The main navigation entry a page is under ("" when none)."""
    if url_name in NAV_NAMES:
        return NAV_NAMES[url_name]
    return next((section for prefix, section in NAV_PREFIXES if url_name.startswith(prefix)), "")


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from notifications.services import unread_count
    from teams.models import Membership

    match = getattr(request, "resolver_match", None)
    company = getattr(request, "company", None)
    membership = getattr(request, "membership", None)
    name = (match.url_name if match else "") or ""
    # my_companies is lazy: evaluated only when the template renders the switcher (one query).
    return {
        "nav_name": name,
        "nav_current": nav_section(name),
        "current_company": company,
        # A callable: the template calls it once, only where the header shows the badge (read
        # with the membership by the resolver: no round trip of its own).
        "notifications_unread": (lambda: unread_count(user, company, membership))
        if company else 0,
        "current_membership": membership,
        # A company page's resolver read them already (teams.tenancy.user_memberships).
        "my_companies": getattr(request, "my_memberships", None) or Membership.objects.filter(
            user=user).select_related("company").order_by("company__name"),
    }
