"""Several checks a day, each kept: the one-check-per-day constraint goes (existing checks stay
as they are); an (observation, day) index takes over its lookups and the foreign key's."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("returnees", "0006_bulk_load_cheaper"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="dailycheck",
            index=models.Index(fields=["observation", "day"], name="dailycheck_obs_day_idx"),
        ),
        migrations.RemoveConstraint(
            model_name="dailycheck",
            name="dailycheck_one_per_day",
        ),
        migrations.AlterField(
            model_name="dailycheck",
            name="observation",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="checks",
                to="returnees.observation",
                verbose_name="observation",
            ),
        ),
        migrations.AlterModelOptions(
            name="dailycheck",
            options={
                "ordering": ("-day", "-checked_at", "-id"),
                "verbose_name": "daily check",
                "verbose_name_plural": "daily checks",
            },
        ),
    ]
