from django.urls import path

from iptriad.measures import public_views, views

urlpatterns = [
    path("clients/<int:client_id>/measures/", views.client_measures_page, name="measures-client"),
    path("clients/<int:client_id>/measures/record/", views.measure_record_page, name="measures-record"),
    path("clients/<int:client_id>/measures/links/", views.link_create_action, name="measures-link-create"),
    path("clients/<int:client_id>/alerts/new/", views.alert_raise_action, name="alert-raise"),
    path("measures/<int:administration_id>/", views.administration_page, name="measures-administration"),
    path("measures/links/<int:link_id>/", views.link_sent_page, name="measures-link-sent"),
    path("measures/links/<int:link_id>/withdraw/", views.link_revoke_action, name="measures-link-revoke"),
    path("clients/<int:client_id>/measures/fhir/", views.fhir_export_download, name="measures-fhir-export"),
    path("alerts/", views.alert_list_page, name="alert-list"),
    path("alerts/<int:alert_id>/", views.alert_detail_page, name="alert-detail"),
    path("r/<str:token>/", public_views.self_report_page, name="self-report"),
]
