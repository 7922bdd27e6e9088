from django.urls import path

from iptriad.datarights import views

urlpatterns = [
    path("<int:client_id>/data/", views.client_data_page, name="datarights-client"),
    path("<int:client_id>/data/export.json", views.client_json_download, name="datarights-export-json"),
    path("<int:client_id>/data/export.fhir.json", views.client_fhir_download, name="datarights-export-fhir"),
    path("<int:client_id>/data/erase/", views.client_erase_page, name="datarights-erase"),
]
