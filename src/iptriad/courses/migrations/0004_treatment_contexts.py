"""Each course gets the treatment context and each session the occasion that measures points at, and every
measure, link, alert and schedule row moves from its course and session keys to them (in batches, in SQL where it
can, so a large database migrates in minutes)."""

from itertools import islice

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

BATCH = 2000


def _batches(queryset):
    iterator = queryset.iterator(chunk_size=BATCH)
    while batch := list(islice(iterator, BATCH)):
        yield batch


def forwards(apps, schema_editor):
    Course = apps.get_model("courses", "Course")
    CourseSession = apps.get_model("courses", "CourseSession")
    TreatmentContext = apps.get_model("measures", "TreatmentContext")
    Occasion = apps.get_model("measures", "Occasion")
    Administration = apps.get_model("measures", "Administration")
    SelfReportLink = apps.get_model("measures", "SelfReportLink")
    RiskAlert = apps.get_model("measures", "RiskAlert")
    MeasureSchedule = apps.get_model("measures", "MeasureSchedule")

    # Plain values, never whole rows: a course and a session hold encrypted text that this need not decrypt.
    courses = Course.objects.filter(treatment_context__isnull=True).order_by("pk")
    for batch in _batches(courses.values_list("pk", "organisation_id", "client_id", "created_at")):
        contexts = TreatmentContext.objects.bulk_create(
            TreatmentContext(organisation_id=organisation_id, client_id=client_id, kind="course", created_at=created_at)
            for _, organisation_id, client_id, created_at in batch
        )
        Course.objects.bulk_update(
            [
                Course(pk=course_id, treatment_context_id=context.pk)
                for (course_id, *_), context in zip(batch, contexts, strict=True)
            ],
            ["treatment_context"],
        )

    sessions = CourseSession.objects.filter(occasion__isnull=True).order_by("pk")
    for batch in _batches(sessions.values_list("pk", "organisation_id", "course__treatment_context_id")):
        occasions = Occasion.objects.bulk_create(
            Occasion(organisation_id=organisation_id, context_id=context_id) for _, organisation_id, context_id in batch
        )
        CourseSession.objects.bulk_update(
            [
                CourseSession(pk=session_id, occasion_id=occasion.pk)
                for (session_id, *_), occasion in zip(batch, occasions, strict=True)
            ],
            ["occasion"],
        )

    context_of_course = Course.objects.filter(pk=OuterRef("course_id")).values("treatment_context_id")[:1]
    occasion_of_session = CourseSession.objects.filter(pk=OuterRef("session_id")).values("occasion_id")[:1]
    Administration.objects.filter(course__isnull=False).update(context_id=Subquery(context_of_course))
    Administration.objects.filter(session__isnull=False).update(occasion_id=Subquery(occasion_of_session))
    SelfReportLink.objects.filter(course__isnull=False).update(context_id=Subquery(context_of_course))
    MeasureSchedule.objects.update(context_id=Subquery(context_of_course))
    RiskAlert.objects.filter(session__isnull=False).update(occasion_id=Subquery(occasion_of_session))
    # An alert arose in the course of the session that raised it, or of the administration whose answer opened it.
    context_of_session = CourseSession.objects.filter(pk=OuterRef("session_id")).values("course__treatment_context_id")[
        :1
    ]
    context_of_administration = Administration.objects.filter(pk=OuterRef("administration_id")).values("context_id")[:1]
    RiskAlert.objects.filter(session__isnull=False).update(context_id=Subquery(context_of_session))
    RiskAlert.objects.filter(context__isnull=True, administration__isnull=False).update(
        context_id=Subquery(context_of_administration)
    )


def backwards(apps, schema_editor):
    Course = apps.get_model("courses", "Course")
    CourseSession = apps.get_model("courses", "CourseSession")
    Administration = apps.get_model("measures", "Administration")
    SelfReportLink = apps.get_model("measures", "SelfReportLink")
    RiskAlert = apps.get_model("measures", "RiskAlert")
    MeasureSchedule = apps.get_model("measures", "MeasureSchedule")

    course_of_context = Course.objects.filter(treatment_context_id=OuterRef("context_id")).values("pk")[:1]
    session_of_occasion = CourseSession.objects.filter(occasion_id=OuterRef("occasion_id")).values("pk")[:1]
    Administration.objects.filter(context__isnull=False).update(course_id=Subquery(course_of_context))
    Administration.objects.filter(occasion__isnull=False).update(session_id=Subquery(session_of_occasion))
    SelfReportLink.objects.filter(context__isnull=False).update(course_id=Subquery(course_of_context))
    MeasureSchedule.objects.update(course_id=Subquery(course_of_context))
    RiskAlert.objects.filter(occasion__isnull=False).update(session_id=Subquery(session_of_occasion))


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0003_encrypt_existing_clinical_text"),
        ("measures", "0007_treatment_contexts"),
    ]

    operations = [
        migrations.AddField(
            model_name="course",
            name="treatment_context",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="course",
                to="measures.treatmentcontext",
            ),
        ),
        migrations.AddField(
            model_name="coursesession",
            name="occasion",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="course_session",
                to="measures.occasion",
            ),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
