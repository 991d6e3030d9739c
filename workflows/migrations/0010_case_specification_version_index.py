from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("workflows", "0009_statement_verification")]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["specification", "pipeline_version"], name="workflows_case_spec_version"
            ),
        ),
    ]
