from iptriad.groups.views import placeholders, sessions, setup

# One module per part of group IPT owns its pages and its URL patterns.
urlpatterns = [
    *sessions.urlpatterns,
    *setup.urlpatterns,
    *placeholders.urlpatterns,  # gsetup branch only: the lead deletes this line and the module at the merge
]
