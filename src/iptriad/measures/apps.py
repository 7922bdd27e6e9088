from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "iptriad.measures"
    label = "measures"
    verbose_name = "Measurement-based care"

    def ready(self) -> None:
        from iptriad.clients.sections import client_record_sections
        from iptriad.measures import (
            checks,  # noqa: F401 (registers the system check)
            signals,  # noqa: F401 (connects the receivers)
        )
        from iptriad.measures.client_sections import client_measures_link
        from iptriad.web.sections import Section

        client_record_sections.register(
            Section("measures", "measures/_client_measures_link.html", client_measures_link, order=20)
        )
