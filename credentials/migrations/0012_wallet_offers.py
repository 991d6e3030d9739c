import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("credentials", "0011_eu_vocabularies")]

    operations = [
        migrations.CreateModel(
            name="WalletOffer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "code_digest",
                    models.CharField(
                        max_length=64, unique=True, verbose_name="pre-authorized code digest"
                    ),
                ),
                (
                    "tx_code_digest",
                    models.CharField(
                        blank=True, max_length=64, verbose_name="transaction code digest"
                    ),
                ),
                (
                    "failed_attempts",
                    models.PositiveSmallIntegerField(default=0, verbose_name="failed attempts"),
                ),
                ("created_at", models.DateTimeField(verbose_name="created")),
                ("expires_at", models.DateTimeField(verbose_name="expires")),
                (
                    "token_digest",
                    models.CharField(
                        blank=True,
                        max_length=64,
                        null=True,
                        unique=True,
                        verbose_name="access token digest",
                    ),
                ),
                (
                    "token_expires_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="access token expires"
                    ),
                ),
                (
                    "redeemed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="code redeemed"),
                ),
                (
                    "delivered_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="credential delivered"
                    ),
                ),
                ("holder_jwk", models.JSONField(blank=True, null=True, verbose_name="wallet key")),
                (
                    "credential",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="wallet_offers",
                        to="credentials.issuedcredential",
                        verbose_name="credential",
                    ),
                ),
            ],
            options={
                "verbose_name": "wallet offer",
                "verbose_name_plural": "wallet offers",
                "ordering": ["-created_at", "-pk"],
            },
        ),
    ]
