from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "iptriad.courses"
    label = "courses"
    verbose_name = "IPT courses"
