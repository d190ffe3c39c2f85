"""The one door to Django in this package: messages are marked for lazy translation.

Everything else here is plain Python over bytes, text and numbers (import-linter holds it),
so the readers can be used and tested without a Django project.
"""
from django.utils.translation import gettext_lazy

__all__ = ["gettext_lazy"]
