"""Pages of this app, under /<company>/."""
from django.urls import path

from metrics.views import kpi

urlpatterns = [
    path("kpis/<str:code>/", kpi.kpi_detail, name="kpi-detail"),
]
