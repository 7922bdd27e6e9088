"""Treatment contexts and their occasions, so measures can point at a course (or, later, a group membership) and
its sessions without knowing them. The columns are nullable here; courses.0004 fills them from the old course and
session keys, and measures.0008 drops those keys."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0004_recovery_codes_hashed"),
        ("clients", "0002_client_search_trigram_index"),
        ("courses", "0003_encrypt_existing_clinical_text"),
        ("measures", "0006_encrypt_existing_risk_alert_text"),
    ]

    operations = [
        # Nullable while the rows move, so that going back can re-add it before courses.0004 fills it again.
        migrations.AlterField(
            model_name="measureschedule",
            name="course",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="measure_schedules",
                to="courses.course",
            ),
        ),
        migrations.CreateModel(
            name="TreatmentContext",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=30)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "client",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="treatment_contexts",
                        to="clients.client",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.organisation"
                    ),
                ),
            ],
            options={"ordering": ("-created_at", "-pk")},
        ),
        migrations.CreateModel(
            name="Occasion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "context",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="occasions",
                        to="measures.treatmentcontext",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.organisation"
                    ),
                ),
            ],
            options={"ordering": ("pk",)},
        ),
        migrations.AddField(
            model_name="administration",
            name="context",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="administrations",
                to="measures.treatmentcontext",
            ),
        ),
        migrations.AddField(
            model_name="administration",
            name="occasion",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="administrations",
                to="measures.occasion",
            ),
        ),
        migrations.AddField(
            model_name="selfreportlink",
            name="context",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="self_report_links",
                to="measures.treatmentcontext",
            ),
        ),
        migrations.AddField(
            model_name="riskalert",
            name="context",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="risk_alerts",
                to="measures.treatmentcontext",
            ),
        ),
        migrations.AddField(
            model_name="riskalert",
            name="occasion",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="risk_alerts",
                to="measures.occasion",
            ),
        ),
        migrations.AddField(
            model_name="measureschedule",
            name="context",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="measure_schedules",
                to="measures.treatmentcontext",
            ),
        ),
    ]
