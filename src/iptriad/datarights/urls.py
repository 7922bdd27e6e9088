from django.urls import path

from iptriad.datarights import views

urlpatterns = [
    path("<int:client_id>/data/", views.client_data_page, name="datarights-client"),
    path("<int:client_id>/data/exports/", views.export_request_action, name="datarights-export-request"),
    path("data-exports/<int:request_id>/download/", views.export_download, name="datarights-export-download"),
    path("data-exports/", views.export_approvals_page, name="datarights-approvals"),
    path("data-exports/<int:request_id>/decide/", views.export_decide_action, name="datarights-export-decide"),
    path("<int:client_id>/data/erase/", views.client_erase_page, name="datarights-erase"),
]
