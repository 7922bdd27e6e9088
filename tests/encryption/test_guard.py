"""Guards: every free-text column of a clinical model is encrypted, and no code sorts or filters on one."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core import checks
from django.db import models
from django.test.utils import isolate_apps

import iptriad
from iptriad.encryption.checks import encrypted_column_problems
from iptriad.encryption.fields import EncryptedTextField
from iptriad.encryption.rotation import encrypted_columns

# Apps whose models hold what clients and clinicians write; a new plain TextField in them fails this test.
CLINICAL_APPS = ("courses", "measures", "clients", "groups", "supervision", "fidelity", "flags")
# Clinical text kept in a CharField on purpose (decision 0017): short coded values that are displayed and sorted.
CLINICAL_CHAR_FIELDS_LEFT_PLAIN = {
    "courses.assessment.diagnosis_code",
    "courses.assessment.diagnosis_label",
    "courses.inventoryperson.name",
    "courses.inventoryperson.relationship_detail",
}
CODED_CHAR_FIELDS = {"adaptation", "protocol_version", "task_id", "linked_problem_area"}  # ids, not text
SOURCE = Path(iptriad.__file__).parent


def text_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.TextField)]


def test_every_text_field_of_a_clinical_model_is_encrypted():
    plain = [
        f"{model._meta.label_lower}.{field.name}"
        for app in CLINICAL_APPS
        for model in apps.get_app_config(app).get_models()
        for field in text_fields(model)
        if not isinstance(field, EncryptedTextField)
    ]
    assert plain == [], "clinical free text must be an EncryptedTextField (iptriad.encryption.fields)"


def test_the_encrypted_columns_are_the_ones_decision_0017_lists():
    identities = {column.identity for column in encrypted_columns()}
    assert len(identities) == 71
    assert {
        "courses.assessment.presenting_problems",
        "courses.assessment.suicide_risk_notes",
        "courses.inventoryperson.satisfying",
        "courses.formulation.text",
        "courses.triad.acute_crisis",
        "courses.coursesession.note",
        "courses.coursesession.homework_set",
        "courses.relapsepreventionplan.warning_signs",
        "courses.terminationreview.progress_summary",
        "courses.course.end_note",
        "measures.riskalert.summary",
        "measures.riskalert.assessment",
        "measures.riskalert.action_detail",
        "accounts.idempotencykey.body",  # an API answer kept for retries holds all of the above (decision 0026)
        # Not clinical, but secret until sent: a message may carry a live self-report link (decision 0029), and a
        # scheduled link keeps its tokens for the reminders until it closes (decision 0031).
        "notifications.message.subject",
        "notifications.message.body",
        "notifications.scheduledlink.link_token",
        "notifications.scheduledlink.stop_token",
        # Group IPT: what a member said and what was decided about them.
        "groups.groupmember.goal",
        "groups.groupmember.pre_group_note",
        "groups.groupmember.warning_plan",
        "groups.sessionattendance.note",
        "groups.referral.follow_up",
    } <= identities


def test_the_short_clinical_fields_left_plain_are_only_those_listed():
    char_fields = {
        f"{model._meta.label_lower}.{field.name}"
        for model in apps.get_app_config("courses").get_models()
        for field in model._meta.concrete_fields
        if type(field) is models.CharField and not field.choices and field.name not in CODED_CHAR_FIELDS
    }
    assert char_fields == CLINICAL_CHAR_FIELDS_LEFT_PLAIN


# Queryset methods whose keywords name fields, and those whose string arguments do.
FILTERS = {"filter", "exclude", "get", "get_or_create", "update_or_create"}
SORTS = {"order_by", "distinct"}


def _encrypted_names_only() -> set[str]:
    """Encrypted field names no unencrypted field shares, so a hit in the source is unambiguous."""
    encrypted = {column.field.name for column in encrypted_columns()}
    plain = {
        field.name
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if not isinstance(field, EncryptedTextField)
    }
    return encrypted - plain


def _queried_names(call: ast.Call) -> list[str]:
    assert isinstance(call.func, ast.Attribute)
    if call.func.attr in FILTERS:
        names = [kw.arg for kw in call.keywords if kw.arg and kw.arg not in {"defaults", "create_defaults"}]
    else:
        names = [arg.value for arg in call.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
    return [name.lstrip("-").split("__")[0] for name in names]


def _is_query(node: ast.AST) -> bool:
    """A queryset-looking call; the API routers' `.get(..., summary=...)` declares an endpoint, not a query."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return False
    receiver = node.func.value
    return node.func.attr in FILTERS | SORTS and not (isinstance(receiver, ast.Name) and receiver.id == "router")


def test_no_code_filters_or_sorts_on_an_encrypted_column():
    watched = _encrypted_names_only()
    assert {"presenting_problems", "homework_set", "warning_signs"} <= watched
    hits = [
        f"{path.relative_to(SOURCE)}:{hit}"
        for path in SOURCE.rglob("*.py")
        if "migrations" not in path.parts
        for hit in query_hits(path.read_text(), watched)
    ]
    assert hits == []


def test_the_source_scan_sees_a_sort_or_filter_on_an_encrypted_column():
    source = (
        'CourseSession.objects.filter(course=c).order_by("-homework_set")\n'
        'Assessment.objects.exclude(presenting_problems__icontains="x")\n'
        'router.get("/x", summary="A homework_set endpoint")\n'
        'raw.get("homework_set")\n'
    )
    assert query_hits(source, {"homework_set", "presenting_problems"}) == [
        "1 order_by(homework_set)",
        "2 exclude(presenting_problems)",
    ]


def query_hits(source: str, watched: set[str]) -> list[str]:
    return [
        f"{node.lineno} {node.func.attr}({name})"
        for node in ast.walk(ast.parse(source))
        if _is_query(node) and isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        for name in _queried_names(node)
        if name in watched
    ]


@isolate_apps("iptriad.courses")
def test_the_system_check_refuses_ordering_or_indexing_an_encrypted_column():
    class SortedNote(models.Model):  # noqa: DJ008 (a throwaway model)
        note = EncryptedTextField()
        other = EncryptedTextField(db_index=True)
        fine = EncryptedTextField(blank=True)

        class Meta:
            app_label = "courses"
            ordering = ("-note",)
            indexes = [models.Index(fields=("note",), name="sorted_note")]

    errors = encrypted_column_problems(SortedNote)
    assert all(isinstance(e, checks.Error) and e.id == "encryption.E002" for e in errors)
    assert sorted(e.msg.split("; ")[0] for e in errors) == [
        "courses.sortednote.note is encrypted at rest and is in Meta.ordering",
        "courses.sortednote.note is encrypted at rest and is in an index or unique constraint",
        "courses.sortednote.other is encrypted at rest and is unique or indexed",
    ]


def test_the_product_passes_its_own_check():
    assert checks.run_checks(tags=None) == []
