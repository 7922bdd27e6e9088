from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "iptriad.supervision"
    label = "supervision"
    verbose_name = "Supervision log"
