import uuid

from django.db import migrations, models


def give_each_case_a_key(apps, schema_editor):
    Case = apps.get_model("workflows", "Case")
    for case in Case.objects.only("pk").iterator():
        Case.objects.filter(pk=case.pk).update(statement_key=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("workflows", "0008_namedpool")]

    operations = [
        migrations.AddField(
            model_name="case",
            name="statement_key",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(give_each_case_a_key, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="case",
            name="statement_key",
            field=models.UUIDField(
                default=uuid.uuid4,
                editable=False,
                unique=True,
                verbose_name="statement verification key",
            ),
        ),
    ]
