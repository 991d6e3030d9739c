from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("credentials", "0010_status_slots")]

    operations = [
        migrations.AddField(
            model_name="specification",
            name="stackable_towards_url",
            field=models.URLField(
                blank=True,
                help_text=(
                    "The address (IRI) of the credential it stacks towards, for example that "
                    "micro-credential's page in a catalogue; the signed credential links to it."
                ),
                max_length=500,
                verbose_name="stackable towards (address)",
            ),
        ),
    ]
