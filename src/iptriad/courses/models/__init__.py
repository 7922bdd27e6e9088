"""The IPT course and everything recorded in it, one module per part of the course."""

from iptriad.courses.models.course import Course, CourseTask, PhaseChange
from iptriad.courses.models.initial import Assessment, InventoryPerson, TimelineEvent, Triad
from iptriad.courses.models.middle import Formulation, Goal, ProblemAreaChoice, TreatmentContract
from iptriad.courses.models.sessions import CourseSession
from iptriad.courses.models.termination import MaintenancePlan, RelapsePreventionPlan, TerminationReview

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
