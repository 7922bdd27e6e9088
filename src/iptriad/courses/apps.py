from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "iptriad.courses"
    label = "courses"
    verbose_name = "IPT courses"

    def ready(self) -> None:
        # The course is a treatment context of measures and adds its parts to the client's pages, which sit below
        # courses and so cannot import it: both are registered here.
        from iptriad.courses import client_sections
        from iptriad.courses.contexts import CourseContexts
        from iptriad.measures import contexts

        contexts.register(CourseContexts())
        client_sections.register()
