"""Every course has its treatment context and every session its occasion (filled in by 0004, whose data changes
must commit before PostgreSQL lets the columns change)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("courses", "0004_treatment_contexts"),
    ]

    operations = [
        migrations.AlterField(
            model_name="course",
            name="treatment_context",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT, related_name="course", to="measures.treatmentcontext"
            ),
        ),
        migrations.AlterField(
            model_name="coursesession",
            name="occasion",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT, related_name="course_session", to="measures.occasion"
            ),
        ),
    ]
