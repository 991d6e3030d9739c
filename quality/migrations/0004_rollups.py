import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from quality.statistics.rollups import RESULT_ROLLUPS, rebuild


def _rebuild(apps, schema_editor):
    rebuild(apps.get_model, names=RESULT_ROLLUPS)


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0012_wallet_offers"),
        ("quality", "0003_flow_paths_after_layout"),
        ("workflows", "0009_statement_verification"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AssessorCase",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                ("first_day", models.DateField()),
                (
                    "assessor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="workflows.case",
                    ),
                ),
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
                    models.Index(
                        condition=models.Q(("day__gt", models.F("first_day"))),
                        fields=["day", "first_day"],
                        name="quality_assessorcase_again",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("specification", "assessor", "case", "day"),
                        name="quality_assessorcase_key",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="DecidedCase",
            fields=[
                (
                    "case",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="workflows.case",
                    ),
                ),
                ("decided_on", models.DateField()),
                ("outcome", models.CharField(max_length=10)),
                ("microseconds", models.BigIntegerField()),
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
                    models.Index(
                        fields=["decided_on", "specification"],
                        name="quality_dec_decided_ca8c34_idx",
                    ),
                    models.Index(
                        fields=["specification", "decided_on", "microseconds"],
                        name="quality_dec_specifi_e52302_idx",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="PairTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("first", models.BooleanField()),
                ("day", models.DateField()),
                ("value", models.SmallIntegerField()),
                ("colleague_value", models.SmallIntegerField()),
                ("rubric_min", models.SmallIntegerField()),
                ("rubric_max", models.SmallIntegerField()),
                ("pairs", models.PositiveIntegerField(default=0)),
                (
                    "assessor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
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
                    models.Index(fields=["day", "specification"], name="quality_pai_day_b77546_idx")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=(
                            "specification",
                            "assessor",
                            "first",
                            "day",
                            "value",
                            "colleague_value",
                            "rubric_min",
                            "rubric_max",
                        ),
                        name="quality_pairtally_key",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ScoreTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                ("value", models.SmallIntegerField()),
                ("rubric_min", models.SmallIntegerField()),
                ("rubric_max", models.SmallIntegerField()),
                ("passed", models.BooleanField()),
                ("scores", models.PositiveIntegerField(default=0)),
                (
                    "assessor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
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
                    models.Index(fields=["day", "specification"], name="quality_sco_day_8ac0f6_idx")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=(
                            "specification",
                            "assessor",
                            "day",
                            "value",
                            "rubric_min",
                            "rubric_max",
                            "passed",
                        ),
                        name="quality_scoretally_key",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="SheetTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                ("sheets", models.PositiveIntegerField(default=0)),
                ("moderated", models.PositiveIntegerField(default=0)),
                ("cases", models.PositiveIntegerField(default=0)),
                (
                    "assessor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
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
                    models.Index(fields=["day", "specification"], name="quality_she_day_09843f_idx")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("specification", "assessor", "day"), name="quality_sheettally_key"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="TaskTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                ("tasks", models.PositiveIntegerField(default=0)),
                ("microseconds", models.BigIntegerField(default=0)),
                (
                    "actor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
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
                    models.Index(fields=["day", "specification"], name="quality_tas_day_45a2c0_idx")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("specification", "actor", "day"), name="quality_tasktally_key"
                    )
                ],
            },
        ),
        migrations.RunPython(_rebuild, migrations.RunPython.noop),
    ]
