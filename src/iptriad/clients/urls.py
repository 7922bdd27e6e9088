from django.urls import path

from iptriad.clients import views

urlpatterns = [
    path("", views.client_list_page, name="client-list"),
    path("new/", views.client_create_page, name="client-create"),
    path("<int:client_id>/", views.client_detail_page, name="client-detail"),
    path("<int:client_id>/edit/", views.client_edit_page, name="client-edit"),
    path("<int:client_id>/archive/", views.client_archive_action, name="client-archive"),
    path("<int:client_id>/reactivate/", views.client_reactivate_action, name="client-reactivate"),
]
