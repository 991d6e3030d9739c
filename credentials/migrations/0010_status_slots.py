"""One two-bit ``message`` status entry per credential (docs/decisions/0012-one-status-entry.md):
lists learn their entry size, which entries they gave (``slots``) and a version; credentials issued
before keep their revocation and suspension entries."""

import django.db.models.deletion
from django.db import migrations, models


def store_slots_uncompressed(apps, schema_editor):
    # The bitmap of given entries is rewritten on every issue: PostgreSQL would compress it, which
    # gets slow as the list fills; uncompressed, writing it costs the same at any fill.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE credentials_statuslist ALTER COLUMN slots SET STORAGE EXTERNAL"
        )


class Migration(migrations.Migration):
    dependencies = [("credentials", "0009_holder_binding")]

    operations = [
        migrations.RemoveConstraint(
            model_name="statuslist", name="credentials_statuslist_purpose_valid"
        ),
        migrations.AddField(
            model_name="issuedcredential",
            name="status_index",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="status index"),
        ),
        migrations.AddField(
            model_name="issuedcredential",
            name="status_list",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="credentials.statuslist",
                verbose_name="status list",
            ),
        ),
        migrations.AddField(
            model_name="statuslist",
            name="slots",
            field=models.BinaryField(default=bytes, verbose_name="entries given"),
        ),
        migrations.RunPython(store_slots_uncompressed, migrations.RunPython.noop),
        migrations.AddField(
            model_name="statuslist",
            name="status_size",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="bits per entry"),
        ),
        migrations.AddField(
            model_name="statuslist",
            name="version",
            field=models.PositiveIntegerField(default=0, verbose_name="version"),
        ),
        migrations.AlterField(
            model_name="issuedcredential",
            name="revocation_index",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name="revocation index"
            ),
        ),
        migrations.AlterField(
            model_name="issuedcredential",
            name="revocation_list",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="credentials.statuslist",
                verbose_name="revocation list",
            ),
        ),
        migrations.AlterField(
            model_name="issuedcredential",
            name="suspension_index",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name="suspension index"
            ),
        ),
        migrations.AlterField(
            model_name="issuedcredential",
            name="suspension_list",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="credentials.statuslist",
                verbose_name="suspension list",
            ),
        ),
        migrations.AlterField(
            model_name="statuslist",
            name="purpose",
            field=models.CharField(
                choices=[
                    ("revocation", "Revocation"),
                    ("suspension", "Suspension"),
                    ("message", "Valid, suspended or revoked"),
                ],
                max_length=10,
                verbose_name="purpose",
            ),
        ),
        migrations.AddConstraint(
            model_name="issuedcredential",
            constraint=models.UniqueConstraint(
                fields=("status_list", "status_index"),
                name="credentials_issued_status_slot_unique",
            ),
        ),
        migrations.AddConstraint(
            model_name="issuedcredential",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status_index__isnull", False), ("status_list__isnull", False)),
                    models.Q(
                        ("revocation_index__isnull", False),
                        ("revocation_list__isnull", False),
                        ("suspension_index__isnull", False),
                        ("suspension_list__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="credentials_issued_has_status",
            ),
        ),
        migrations.AddConstraint(
            model_name="statuslist",
            constraint=models.CheckConstraint(
                condition=models.Q(("purpose__in", ["revocation", "suspension", "message"])),
                name="credentials_statuslist_purpose_valid",
            ),
        ),
    ]
