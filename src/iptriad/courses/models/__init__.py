"""The IPT course and everything recorded in it, one module per part of the course."""

from iptriad.courses.models.course import Course, CourseTask, PhaseChange
from iptriad.courses.models.ending import MaintenancePlan, RelapsePreventionPlan, TerminationReview
from iptriad.courses.models.focus import Formulation, Goal, ProblemAreaChoice, TreatmentContract
from iptriad.courses.models.initial import Assessment, InventoryPerson, TimelineEvent, Triad
from iptriad.courses.models.sessions import CourseSession

__all__ = [
    "Assessment",
    "Course",
    "CourseSession",
    "CourseTask",
    "Formulation",
    "Goal",
    "InventoryPerson",
    "MaintenancePlan",
    "PhaseChange",
    "ProblemAreaChoice",
    "RelapsePreventionPlan",
    "TerminationReview",
    "TimelineEvent",
    "TreatmentContract",
    "Triad",
]
