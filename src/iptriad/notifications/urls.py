from django.urls import path

from iptriad.notifications import views

urlpatterns = [
    path("organisation/notifications/", views.notification_settings_page, name="notification-settings"),
    path("messages/", views.message_log_page, name="message-log"),
]
