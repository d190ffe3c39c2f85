"""Pages of this app, under /<company>/."""
urlpatterns = []
