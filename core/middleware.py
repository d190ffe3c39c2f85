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


class RejectNulMiddleware:
    """400 for a NUL character in the path, the query string or a JSON body.

    PostgreSQL text cannot hold NUL, so such a value reaching a query is a 500. Forms
    already refuse it (Django's ProhibitNullCharactersValidator); this covers URLs and the
    API's JSON, where ``\\u0000`` decodes to NUL.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", "") \
                or "\x00" in request.GET.urlencode():
            return self._refuse(request)
        if request.content_type == "application/json" and b"\\u0000" in request.body:
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _refuse(request):
        from django.http import HttpResponseBadRequest, JsonResponse
        from django.utils.translation import gettext

        message = gettext("The request contains a NUL character, which is not allowed.")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=400)
        return HttpResponseBadRequest(message)


class ConstraintMiddleware:
    """Backstop: a database constraint a user hit reads as its message (409), never a 500.

    Services turn known constraints into form errors with ``core.integrity.refuse_constraints``;
    a write that was not wrapped still reaches the user as the registered message: a page
    (or, for htmx, the same page reloaded with the message), JSON for the API. A constraint
    with no registered message is a bug and stays a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import IntegrityError

        if not isinstance(exception, IntegrityError):
            return None
        from core.integrity import message_for

        found = message_for(exception)
        if found is None:
            return None
        message = str(found[1])
        if request.path.startswith("/api/"):
            from django.http import JsonResponse

            return JsonResponse({"detail": message}, status=409)
        if request.headers.get("HX-Request"):
            from django.contrib import messages
            from django.http import HttpResponse

            messages.error(request, message)
            response = HttpResponse(status=200)
            response["HX-Refresh"] = "true"
            return response
        from django.shortcuts import render
        from django.utils.http import url_has_allowed_host_and_scheme

        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = "/"
        return render(request, "core/refused.html", {"message": message, "back": back},
                      status=409)
