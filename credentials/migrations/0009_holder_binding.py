import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0008_bulkissuejob_lease"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Holder",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("did", models.CharField(blank=True, max_length=2000, verbose_name="wallet DID")),
                (
                    "did_bound_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="DID proved"),
                ),
                (
                    "challenge",
                    models.CharField(blank=True, max_length=64, verbose_name="challenge"),
                ),
                (
                    "challenge_expires_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="challenge expires"),
                ),
                (
                    "subject_seed",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, verbose_name="subject seed"
                    ),
                ),
                (
                    "learner",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="holder",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="learner",
                    ),
                ),
            ],
            options={"verbose_name": "holder", "verbose_name_plural": "holders"},
        ),
    ]
