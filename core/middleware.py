"""Language: the visitor's choice (cookie) first, else Japanese; company pages may
switch to the company's default language in the tenancy resolver."""
from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.languages:
            language = settings.LANGUAGE_CODE
        # Scoped to the request: a thread that serves the next request (or runs the next
        # test) must not inherit this visitor's language.
        previous = translation.get_language()
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
            patch_vary_headers(response, ("Cookie",))
            response.headers.setdefault("Content-Language", translation.get_language())
        finally:
            if previous:
                translation.activate(previous)
            else:
                translation.deactivate()
        return response
