"""The audit flow moved into ``quality/audits/``: viewflow keeps each flow's and node's import path
in its rows, so the rows of audits started before the move are rewritten to the new path."""

from django.db import migrations

MOVED = [("quality/flows.AuditFlow", "quality/audits.flows.AuditFlow")]


def _rewrite(pairs):
    statements = []
    for old, new in pairs:
        statements.append(
            ("UPDATE viewflow_process SET flow_class = %s WHERE flow_class = %s", [new, old])
        )
        statements.append(
            (
                "UPDATE viewflow_task SET flow_task = %s || substr(flow_task, %s) "
                "WHERE flow_task LIKE %s",
                [new, len(old) + 1, old + ".%"],
            )
        )
    return statements


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0002_backfill_scores"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [
        migrations.RunSQL(
            sql=_rewrite(MOVED),
            reverse_sql=_rewrite([(new, old) for old, new in MOVED]),
        ),
    ]
