from django.db import migrations, models


class Migration(migrations.Migration):
    """Events written before this migration keep their plain SHA-256 hash: the column is added
    with 1 (plain SHA-256) for them, so no row is updated (on PostgreSQL the append-only trigger
    does not fire on ADD COLUMN). Every event written after it names its scheme: 2, keyed."""

    dependencies = [
        ("audit", "0002_append_only_trigger"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="scheme",
            field=models.PositiveSmallIntegerField(
                choices=[
                    (1, "SHA-256 (written before the chain was keyed)"),
                    (2, "HMAC-SHA256 keyed with AUDIT_CHAIN_KEY"),
                ],
                default=1,
                verbose_name="hash scheme",
            ),
            preserve_default=False,
        ),
    ]
