"""The link from a credential to its case moved to ``workflows.Case.credential`` (copied by
``workflows 0007`` before this removes the old column)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0005_appeal_window"),
        ("workflows", "0007_case_credential"),
    ]

    operations = [
        migrations.RemoveField(model_name="issuedcredential", name="case"),
    ]
