from django.conf import settings

# The importers are plain Python; rendering their lazy messages needs only minimal settings.
if not settings.configured:
    settings.configure(USE_I18N=False)
