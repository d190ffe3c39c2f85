"""Pages of this app, under /<company>/ (fixed kpis/... paths come before kpis/<code>/)."""
from django.urls import path

from metrics.views import catalog, kgi, kpi, kpi_edit, tree

urlpatterns = [
    path("tree/", tree.kgi_tree, name="kgi-tree"),
    path("kgi/", kgi.kgi_edit, name="kgi-edit"),
    path("kgi/<int:pk>/activate/", kgi.kgi_activate_view, name="kgi-activate"),
    path("kgi/<int:pk>/archive/", kgi.kgi_archive_view, name="kgi-archive"),
    path("kgi/templates/", catalog.kgi_templates, name="kgi-templates"),
    path("kpis/new/", kpi_edit.kpi_create_view, name="kpi-create"),
    path("kpis/<slug:code>/edit/", kpi_edit.kpi_edit_view, name="kpi-edit"),
    path("kpis/<slug:code>/focus/", tree.kpi_focus, name="kpi-focus"),
    path("kpis/<slug:code>/", kpi.kpi_detail, name="kpi-detail"),
]
