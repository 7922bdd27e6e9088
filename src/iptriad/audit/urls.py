from django.urls import path

from iptriad.audit import views

urlpatterns = [
    path("", views.audit_list_page, name="audit-list"),
    path("verify/", views.audit_verify_page, name="audit-verify"),
]
