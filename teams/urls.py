"""Company settings pages (members, invitations, teams, API tokens), under /<company>/."""
from django.urls import path

from teams.views import settings as company_settings

urlpatterns = [
    path("settings/", company_settings.company_settings, name="company-settings"),
    path("settings/company/", company_settings.company_update, name="company-update"),
    path("settings/members/<int:membership_id>/role/", company_settings.member_role,
         name="member-role"),
    path("settings/members/<int:membership_id>/remove/", company_settings.member_remove,
         name="member-remove"),
    path("settings/invitations/", company_settings.invitation_create, name="invitation-create"),
    path("settings/invitations/<int:invitation_id>/revoke/", company_settings.invitation_revoke,
         name="invitation-revoke"),
    path("settings/teams/", company_settings.team_create, name="team-create"),
    path("settings/teams/<slug:team>/members/", company_settings.team_member_set,
         name="team-member-set"),
    path("settings/tokens/", company_settings.api_token_create, name="api-token-create"),
    path("settings/tokens/<int:token_id>/revoke/", company_settings.api_token_revoke,
         name="api-token-revoke"),
]
