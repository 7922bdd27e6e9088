from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "iptriad.outcomes"
    label = "outcomes"
    verbose_name = "Outcomes and reporting"

    def ready(self) -> None:
        from iptriad.outcomes import session  # noqa: F401  # connects the login receiver
