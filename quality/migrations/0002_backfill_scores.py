"""Fill the reporting table of scores for the score sheets recorded before it existed."""

from django.db import migrations

from quality.statistics.scores import SCORING_ROLES, write_scores
from workflows.pipelines.schema import load_trusted


def backfill(apps, schema_editor):
    StepResult = apps.get_model("workflows", "StepResult")
    Score = apps.get_model("quality", "Score")
    missing = (
        StepResult.objects.filter(role__in=SCORING_ROLES, quality_scores__isnull=True)
        .select_related("case")
        .order_by("created_at", "pk")
    )
    for result in missing.iterator(chunk_size=500):
        case = result.case
        write_scores(
            Score, result, plan=load_trusted(case.plan), specification_id=case.specification_id
        )


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_quality_assurance")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
