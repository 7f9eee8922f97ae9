from django.db import migrations


def forget_kept_segments(apps, schema_editor):
    """Kept figures are derived: dropped here (their segments gain two columns next), counted
    again on the next read."""
    apps.get_model("oversight", "SessionFiguresSegment").objects.all().delete()
    apps.get_model("oversight", "SessionFiguresState").objects.update(computed_version=None)


class Migration(migrations.Migration):
    dependencies = [("oversight", "0004_kept_session_figures")]

    operations = [migrations.RunPython(forget_kept_segments, migrations.RunPython.noop)]
