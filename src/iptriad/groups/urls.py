from iptriad.groups.views import members, programme, sessions

# One module per part of group IPT owns its pages and its URL patterns.
urlpatterns = [
    *sessions.urlpatterns,
    *members.urlpatterns,
    *programme.urlpatterns,
]
