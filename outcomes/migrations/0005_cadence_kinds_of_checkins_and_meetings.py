from django.db import migrations


def rekind(apps, schema_editor):
    """Metric check-ins and coalition meetings had the outcome-revisit kind; give each its own."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Cadence = apps.get_model("reviews", "Cadence")
    for model, kind in (("metric", "metric_checkin"), ("coalition", "coalition_meeting")):
        target_type = ContentType.objects.filter(app_label="outcomes", model=model).first()
        if target_type is not None:
            Cadence.objects.filter(kind="outcome_revisit", target_type=target_type).update(
                kind=kind
            )


def unkind(apps, schema_editor):
    Cadence = apps.get_model("reviews", "Cadence")
    Cadence.objects.filter(kind__in=["metric_checkin", "coalition_meeting"]).update(
        kind="outcome_revisit"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("outcomes", "0004_metric_archive_revisit_guardrail"),
        ("reviews", "0004_cadence_kinds_checkin_coalition"),
    ]

    operations = [migrations.RunPython(rekind, unkind)]
