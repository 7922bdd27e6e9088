from django.apps import AppConfig


class FidelityConfig(AppConfig):
    name = "iptriad.fidelity"
    label = "fidelity"
    verbose_name = "Fidelity ratings"
