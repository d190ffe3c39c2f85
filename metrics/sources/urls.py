"""Source pages under /<company>/, and the webhook under /hooks/ (no login: signed)."""
from django.urls import path

from metrics.sources import views

urlpatterns = [
    path("sources/", views.source_list, name="source-list"),
    path("sources/<int:source_id>/run/", views.source_run_now, name="source-run"),
    path("sources/<int:source_id>/preview/", views.source_preview_view, name="source-preview"),
    path("sources/<int:source_id>/mapping/", views.source_mapping, name="source-mapping"),
]

hook_patterns = [
    path("hooks/<slug:company>/<int:source_id>", views.source_webhook, name="source-webhook"),
]
