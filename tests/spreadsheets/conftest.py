import pytest
from django.conf import settings
from django.utils import translation

# The importers are plain Python; rendering their lazy messages needs only minimal settings.
if not settings.configured:
    settings.configure(USE_I18N=False)


@pytest.fixture(autouse=True)
def _english_messages():
    """Assertions on message text are about the English source strings."""
    with translation.override("en"):
        yield
