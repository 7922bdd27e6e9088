from django.apps import AppConfig


class DatarightsConfig(AppConfig):
    name = "iptriad.datarights"
    label = "datarights"
    verbose_name = "Data rights: a client's export and erasure"
