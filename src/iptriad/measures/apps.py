from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "iptriad.measures"
    label = "measures"
    verbose_name = "Measurement-based care"
