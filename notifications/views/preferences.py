"""A person's notification preferences, and the one-click unsubscribe link of every email."""
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from notifications.forms import PreferencesForm
from notifications.models import Kind, Preference, UserSettings
from notifications.services import preference_set, unsubscribe_read
from teams.tenancy import company_view


@company_view("view")
def notification_preferences(request):
    user = request.user
    current = {p.kind: p for p in Preference.objects.filter(user=user)}
    user_settings = UserSettings.objects.filter(user=user).first()
    form = PreferencesForm(request.POST or None, preferences=current,
                           user_settings=user_settings)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            for kind in Kind.values:
                preference_set(user=user, kind=kind, enabled=data[f"on_{kind}"],
                               channel=data[f"channel_{kind}"])
            UserSettings.objects.update_or_create(user=user, defaults={
                "language": data["language"], "quiet_start": data["quiet_start"],
                "quiet_end": data["quiet_end"]})
        messages.success(request, _("Your notification preferences are saved."))
        return redirect("notification-preferences", company=request.company.slug)
    return render(request, "notifications/preferences.html", {"form": form},
                  status=400 if form.errors else 200)


# Mail clients post here without a session or CSRF token (RFC 8058 one-click); the signed
# token in the URL is the proof, and all it can do is turn one kind off for one person.
@csrf_exempt
def notification_unsubscribe(request, token):
    found = unsubscribe_read(token)
    if found is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    user_id, kind = found
    label = Kind(kind).label
    if request.method == "POST":
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(pk=user_id).first()
        if user is None:
            return render(request, "notifications/unsubscribe.html", {"invalid": True},
                          status=404)
        preference_set(user=user, kind=kind, enabled=False)
        return render(request, "notifications/unsubscribe.html", {"done": True, "kind": label})
    return render(request, "notifications/unsubscribe.html", {"kind": label, "token": token})
