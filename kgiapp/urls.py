"""URLs: a few global pages, the API, and everything else under /<company>/."""
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from kgiapp.api import api
from kgiapp.views import company_settings, dashboard, health, home, invitations

company_patterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("settings/", company_settings.company_settings, name="company-settings"),
    path("settings/members/<int:membership_id>/role/", company_settings.member_role,
         name="member-role"),
    path("settings/members/<int:membership_id>/remove/", company_settings.member_remove,
         name="member-remove"),
    path("settings/invitations/", company_settings.invitation_create, name="invitation-create"),
    path("settings/teams/", company_settings.team_create, name="team-create"),
    path("settings/teams/<slug:team>/members/", company_settings.team_member_set,
         name="team-member-set"),
    path("settings/tokens/", company_settings.api_token_create, name="api-token-create"),
    path("settings/tokens/<int:token_id>/revoke/", company_settings.api_token_revoke,
         name="api-token-revoke"),
    path("", include("teams.urls")),
    path("", include("metrics.urls")),
    path("", include("reviews.urls")),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True),
         name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(),
         name="password_change_done"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("invite/<str:token>/", invitations.invite_accept, name="invite-accept"),
    path("api/v1/", api.urls),
    path("", home.home, name="home"),
    path("<slug:company>/", include(company_patterns)),
]

handler403 = "kgiapp.views.errors.permission_denied"
handler404 = "kgiapp.views.errors.page_not_found"
handler500 = "kgiapp.views.errors.server_error"
