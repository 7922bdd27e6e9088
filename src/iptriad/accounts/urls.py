from django.urls import path

from iptriad.accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_action, name="logout"),
    path("organisation/switch/", views.organisation_switch_action, name="organisation-switch"),
    path("organisation/settings/", views.organisation_settings_page, name="organisation-settings"),
]
