from django.apps import AppConfig


class FidelityConfig(AppConfig):
    name = "iptriad.fidelity"
    label = "fidelity"
    verbose_name = "Fidelity ratings"

    def ready(self) -> None:
        # The course page (courses, a layer below) shows the course's sessions with their ratings.
        from iptriad.fidelity import course_sections

        course_sections.register()
