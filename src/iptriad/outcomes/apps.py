from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "iptriad.outcomes"
    label = "outcomes"
    verbose_name = "Outcomes and reporting"

    def ready(self) -> None:
        # The rows are refreshed when an input changes (signals, after the flags' own refresh) and checked nightly
        # (tasks, registered with the worker by importing it); a login notes whether the person leads a programme.
        from iptriad.outcomes import session, signals, tasks  # noqa: F401

        signals.connect()
