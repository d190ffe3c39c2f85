"""Pages of this app, under /<company>/ (fixed kpis/... paths come before kpis/<code>/)."""
from django.urls import path

from metrics.views import (
    campaigns,
    catalog,
    export,
    imports,
    kgi,
    kpi,
    kpi_edit,
    numbers,
    quality,
    tree,
)

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
    path("teams/<slug:team>/numbers/", numbers.numbers_grid, name="numbers-grid"),
    path("teams/<slug:team>/numbers/cell/", numbers.numbers_cell, name="numbers-cell"),
    path("numbers/", numbers.numbers_home, name="numbers-home"),
    path("numbers/import/", imports.import_upload, name="import-upload"),
    path("numbers/import/<int:batch_id>/", imports.import_preview, name="import-preview"),
    path("numbers/import/<int:batch_id>/status/", imports.import_status, name="import-status"),
    path("numbers/import/<int:batch_id>/commit/", imports.import_commit_view,
         name="import-commit"),
    path("numbers/export/", export.measurement_export, name="measurement-export"),
    path("numbers/quality/", quality.data_quality, name="data-quality"),
    path("campaigns/", campaigns.campaign_list, name="campaign-list"),
    path("campaigns/new/", campaigns.campaign_create, name="campaign-create"),
    path("campaigns/<int:campaign_id>/", campaigns.campaign_update, name="campaign-update"),
    path("campaigns/<int:campaign_id>/delete/", campaigns.campaign_delete,
         name="campaign-delete"),
]
