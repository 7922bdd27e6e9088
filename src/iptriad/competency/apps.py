from django.apps import AppConfig


class CompetencyConfig(AppConfig):
    name = "iptriad.competency"
    label = "competency"
    verbose_name = "Competency records"
