"""A case keeps the credential its full recognition issued (``Case.credential``), instead of the
credential pointing back at the case: the credentials app no longer knows about cases."""

import django.db.models.deletion
from django.db import migrations, models


def copy_links(apps, schema_editor):
    Case = apps.get_model("workflows", "Case")
    IssuedCredential = apps.get_model("credentials", "IssuedCredential")
    for credential_id, case_id in IssuedCredential.objects.filter(case_id__isnull=False).values_list(
        "pk", "case_id"
    ):
        Case.objects.filter(pk=case_id).update(credential_id=credential_id)


def copy_links_back(apps, schema_editor):
    Case = apps.get_model("workflows", "Case")
    IssuedCredential = apps.get_model("credentials", "IssuedCredential")
    for case_id, credential_id in Case.objects.filter(credential__isnull=False).values_list(
        "pk", "credential_id"
    ):
        IssuedCredential.objects.filter(pk=credential_id).update(case_id=case_id)


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0005_appeal_window"),
        ("workflows", "0006_flow_paths_after_layout"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="credential",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="case",
                to="credentials.issuedcredential",
                verbose_name="credential",
            ),
        ),
        migrations.RunPython(copy_links, copy_links_back),
    ]
