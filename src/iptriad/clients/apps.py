from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "iptriad.clients"
    label = "clients"
    verbose_name = "Clients"
