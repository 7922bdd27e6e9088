from django.apps import AppConfig


class EncryptionConfig(AppConfig):
    name = "iptriad.encryption"
    label = "encryption"
    verbose_name = "Encryption at rest"

    def ready(self) -> None:
        from iptriad.encryption import checks  # noqa: F401 (registers the system checks)
