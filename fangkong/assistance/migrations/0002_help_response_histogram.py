"""Fill the help-answer time histogram for the rows recorded before they existed.

The statistic's metrics are recounted from the source table by the app's registered recount
(the same as ``fangkong rebuild_rollups``): it reads only columns this migration's state has.
"""

from django.db import migrations


def fill(apps, schema_editor):
    from fangkong.core import rollups

    names = ["assistance.help.response_median"]
    metrics = [m for name in names for m in rollups.STATISTICS[name].metrics]
    rollups.rebuild([m for m in metrics if rollups.METRICS[m].recount is not None])


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0001_initial"),
        ("core", "0003_running_counts"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
