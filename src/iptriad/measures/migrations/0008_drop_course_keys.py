"""Measures no longer point at courses: courses.0004 moved every course and session key to the treatment context
and occasion that stand for them."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("courses", "0005_treatment_contexts_required"),
        ("measures", "0007_treatment_contexts"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="measureschedule", name="schedule_once_per_instrument"),
        migrations.RemoveField(model_name="administration", name="course"),
        migrations.RemoveField(model_name="administration", name="session"),
        migrations.RemoveField(model_name="selfreportlink", name="course"),
        migrations.RemoveField(model_name="riskalert", name="session"),
        migrations.RemoveField(model_name="measureschedule", name="course"),
        migrations.AlterField(
            model_name="measureschedule",
            name="context",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="measure_schedules",
                to="measures.treatmentcontext",
            ),
        ),
        migrations.AddConstraint(
            model_name="measureschedule",
            constraint=models.UniqueConstraint(
                fields=("context", "instrument_code"), name="schedule_once_per_instrument"
            ),
        ),
    ]
