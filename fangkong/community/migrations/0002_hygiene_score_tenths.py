"""Fill the exact hygiene score sum (in tenths of a point) for the rows recorded before it
existed, and drop the sum in rounded points it replaces.

The statistic's metrics are recounted from the source table by the app's registered recount
(the same as ``fangkong rebuild_rollups``): it reads only columns this migration's state has.
"""

from django.db import migrations


def fill(apps, schema_editor):
    from fangkong.core import rollups

    names = ["community.hygiene.score_average"]
    metrics = [m for name in names for m in rollups.STATISTICS[name].metrics]
    rollups.rebuild([m for m in metrics if rollups.METRICS[m].recount is not None])
    # The sum in whole points it replaces.
    daily = apps.get_model("core", "DailyCount")
    running = apps.get_model("core", "RunningCount")
    daily.objects.filter(metric="community.hygiene.score_points").delete()
    running.objects.filter(metric="community.hygiene.score_points").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0001_initial"),
        ("core", "0003_running_counts"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
