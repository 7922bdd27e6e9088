from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "iptriad.outcomes"
    label = "outcomes"
    verbose_name = "Outcomes and reporting"
