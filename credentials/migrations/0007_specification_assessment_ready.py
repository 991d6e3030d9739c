# Specifications that existed before staffing was checked stay open, as they were; the
# assessment set-up closes one whose pools cannot staff it the next time anything changes.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('credentials', '0006_remove_issuedcredential_case'),
    ]

    operations = [
        migrations.AddField(
            model_name='specification',
            name='assessment_ready',
            field=models.BooleanField(default=True),
        ),
        migrations.AlterField(
            model_name='specification',
            name='assessment_ready',
            field=models.BooleanField(default=False, help_text='Whether a published assessment pipeline is set up and its pools can staff every path; kept up to date by the assessment set-up.', verbose_name='assessment ready'),
        ),
    ]
