"""Snapshots stored before 0005 keep every KPI's forecasts in their payload (megabytes for a
big organisation), which their report decoded on every view: move the forecasts to their
own table, noting on each anomaly its KPI's cadence (the one thing the report read from
them). The figures do not change; the correlation stays in the payload for the what-if's
fallback. Reversible."""
from django.db import migrations


def forecasts_apart(apps, schema_editor):
    Reforecast = apps.get_model("reviews", "Reforecast")
    ReforecastForecasts = apps.get_model("reviews", "ReforecastForecasts")
    pks = list(Reforecast.objects.filter(payload__has_key="forecasts")
               .values_list("pk", flat=True))
    for pk in pks:  # one payload in memory at a time
        payload = Reforecast.objects.values_list("payload", flat=True).get(pk=pk)
        forecasts = payload.pop("forecasts") or {}
        for item in payload.get("anomalies") or []:
            if isinstance(item, dict) and not item.get("cadence"):
                item["cadence"] = (forecasts.get(item.get("code")) or {}).get("cadence",
                                                                               "weekly")
        ReforecastForecasts.objects.update_or_create(reforecast_id=pk,
                                                     defaults={"forecasts": forecasts})
        Reforecast.objects.filter(pk=pk).update(payload=payload)


def forecasts_back(apps, schema_editor):
    Reforecast = apps.get_model("reviews", "Reforecast")
    ReforecastForecasts = apps.get_model("reviews", "ReforecastForecasts")
    for pk in list(ReforecastForecasts.objects.values_list("reforecast_id", flat=True)):
        forecasts = ReforecastForecasts.objects.values_list("forecasts", flat=True).get(
            reforecast_id=pk)
        payload = Reforecast.objects.values_list("payload", flat=True).get(pk=pk)
        Reforecast.objects.filter(pk=pk).update(payload={**payload, "forecasts": forecasts})
        ReforecastForecasts.objects.filter(reforecast_id=pk).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("reviews", "0005_reforecast_what_if_inputs"),
    ]

    operations = [
        migrations.RunPython(forecasts_apart, forecasts_back, elidable=True),
    ]
