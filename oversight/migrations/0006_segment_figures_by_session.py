import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0007_downloads"),
        ("oversight", "0005_forget_kept_segments"),
        ("study", "0007_participant_current_by_org"),
    ]

    operations = [
        migrations.AddField(
            model_name="sessionfiguressegment",
            name="organization",
            field=models.ForeignKey(
                default=0,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="members.organization",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="sessionfiguressegment",
            name="session",
            field=models.ForeignKey(
                default=0,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="study.studysession",
            ),
            preserve_default=False,
        ),
    ]
