from iptriad.courses.views import course, initial, measures, middle, sessions, termination

# One module per part of the course owns its pages and its URL patterns.
urlpatterns = [
    *course.urlpatterns,
    *initial.urlpatterns,
    *middle.urlpatterns,
    *sessions.urlpatterns,
    *termination.urlpatterns,
    *measures.urlpatterns,
]
