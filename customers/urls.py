"""Customer-success pages, under /<company>/."""
from django.urls import path

from customers.views import insights as cs_insights
from customers.views import roster as cs_roster
from customers.views import voice as cs_voice

_customers = "teams/<slug:team>/customers/"

urlpatterns = [
    path("customers/", cs_roster.customers_home, name="customers-home"),
    path("customers/definitions/", cs_insights.cs_definitions, name="cs-definitions"),
    path(_customers, cs_roster.customer_list, name="customer-list"),
    path(_customers + "<int:customer_id>/edit/", cs_roster.customer_edit, name="customer-edit"),
    path(_customers + "import/", cs_roster.roster_import, name="roster-import"),
    path(_customers + "import/<int:import_id>/", cs_roster.roster_import_preview,
         name="roster-import-preview"),
    path(_customers + "import/<int:import_id>/commit/", cs_roster.roster_import_commit,
         name="roster-import-commit"),
    path(_customers + "metrics/", cs_insights.cs_metrics, name="cs-metrics"),
    path(_customers + "metrics/target/", cs_insights.cs_churn_target, name="cs-churn-target"),
    path(_customers + "at-risk.csv", cs_insights.cs_at_risk_csv, name="cs-at-risk-csv"),
    path(_customers + "causal/", cs_insights.cs_causal, name="cs-causal"),
    path(_customers + "voice/", cs_voice.cs_voice, name="cs-voice"),
    path(_customers + "voice/add/", cs_voice.cs_voice_add, name="cs-voice-add"),
]
