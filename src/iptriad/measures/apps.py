from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "iptriad.measures"
    label = "measures"
    verbose_name = "Measurement-based care"

    def ready(self) -> None:
        from iptriad.measures import checks  # noqa: F401 (registers the system check)
