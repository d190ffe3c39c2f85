"""Team pages, under /<company>/."""
from django.urls import path

from teams import views

urlpatterns = [
    path("teams/<slug:team>/", views.team_detail, name="team-detail"),
]
