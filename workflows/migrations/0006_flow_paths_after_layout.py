"""The flows moved into ``workflows/flows/``: viewflow keeps each flow's and node's import path in
its rows, so the rows of cases and appeals started before the move are rewritten to the new paths."""

from django.db import migrations

MOVED = [
    ("workflows/flows.CaseFlow", "workflows/flows.case_flow.CaseFlow"),
    ("workflows/appeal_flow.AppealFlow", "workflows/flows.appeal_flow.AppealFlow"),
]


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
        ("workflows", "0005_appeal"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [
        migrations.RunSQL(
            sql=_rewrite(MOVED),
            reverse_sql=_rewrite([(new, old) for old, new in MOVED]),
        ),
    ]
