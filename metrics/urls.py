"""Pages of this app, under /<company>/."""
from django.urls import path

from metrics.views import campaigns, export, imports, numbers, quality

urlpatterns = [
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
