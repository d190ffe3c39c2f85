"""URLs: a few global pages, the API, and everything else under /<company>/."""
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView

from kgiapp import sso
from kgiapp.api import api
from kgiapp.views import accounts, dashboard, favicon, health, home, team, two_factor
from metrics.sources.urls import hook_patterns
from notifications.views import preferences as notification_preferences
from teams.views import invitations, start

company_patterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("teams/<slug:team>/", team.team_detail, name="team-detail"),
    path("", include("teams.urls")),
    path("", include("metrics.urls")),
    path("", include("customers.urls")),
    path("", include("okrs.urls")),
    path("", include("reviews.urls")),
    path("", include("notifications.urls")),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("favicon.ico", favicon.favicon, name="favicon"),
    path("accounts/login/", accounts.LoginView.as_view(redirect_authenticated_user=True),
         name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", accounts.profile, name="account-profile"),
    path("accounts/2fa/", two_factor.two_factor_setup, name="two-factor"),
    path("accounts/2fa/verify/", two_factor.two_factor_verify, name="two-factor-verify"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(),
         name="password_change_done"),
    path("accounts/password_reset/", accounts.PasswordResetView.as_view(),
         name="password_reset"),
    path("accounts/password_reset/sent/", auth_views.PasswordResetDoneView.as_view(),
         name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", accounts.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    path("accounts/sso/start/", sso.SsoStart.as_view(), name="oidc_authentication_init"),
    path("accounts/sso/callback/", OIDCAuthenticationCallbackView.as_view(),
         name="oidc_authentication_callback"),
    path("accounts/sso/refused/", sso.sso_refused, name="sso-refused"),
    path("i18n/setlang/", set_language, name="set_language"),
    # "accounts" is a reserved company slug, so no company can shadow this link.
    path("accounts/unsubscribe/<str:token>/", notification_preferences.notification_unsubscribe,
         name="notification-unsubscribe"),
    path("start/", start.start, name="start"),
    path("invite/<str:token>/", invitations.invite_accept, name="invite-accept"),
    path("api/v1/", api.urls),
    *hook_patterns,
    path("", home.home, name="home"),
    path("<slug:company>/", include(company_patterns)),
]

handler403 = "kgiapp.views.errors.permission_denied"
handler404 = "kgiapp.views.errors.page_not_found"
handler500 = "kgiapp.views.errors.server_error"
