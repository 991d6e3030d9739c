import django.db.models.deletion
from django.db import migrations, models

from quality.statistics.rollups import rebuild


def _rebuild(apps, schema_editor):
    rebuild(apps.get_model, names=("StepWaitTally",))


class Migration(migrations.Migration):
    dependencies = [("quality", "0004_rollups")]

    operations = [
        migrations.CreateModel(
            name="StepWaitTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("step", models.CharField(max_length=50)),
                ("day", models.DateField()),
                ("tasks", models.PositiveIntegerField(default=0)),
                ("microseconds", models.BigIntegerField(default=0)),
                (
                    "specification",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="credentials.specification",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["day", "specification"], name="quality_ste_day_51d236_idx")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("specification", "step", "day"), name="quality_stepwaittally_key"
                    )
                ],
            },
        ),
        migrations.RunPython(_rebuild, migrations.RunPython.noop),
    ]
