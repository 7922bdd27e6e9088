from iptriad.groups.views import members, programme, sessions, setup

# One module per part of group IPT owns its pages and its URL patterns.
urlpatterns = [
    *setup.urlpatterns,
    *sessions.urlpatterns,
    *members.urlpatterns,
    *programme.urlpatterns,
]
