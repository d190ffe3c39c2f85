"""The REST API (django-ninja) at /api/v1/: token auth per company; routers live in each app."""
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from ninja import NinjaAPI
from ninja.openapi.views import openapi_view
from ninja.security import HttpBearer

from teams.services import api_token_authenticate


class CompanyToken(HttpBearer):
    """Bearer token valid only for the company in the URL (stored hashed)."""

    def authenticate(self, request, token):
        match = getattr(request, "resolver_match", None)
        company_slug = match.kwargs.get("company") if match else None
        membership = api_token_authenticate(token, company_slug)
        if membership is None:
            return None
        request.membership = membership
        request.company = membership.company
        return membership


def docs_guard(view):
    """The interactive docs (``/api/v1/docs``) are for signed-in people unless
    ``API_DOCS_PUBLIC`` is set; the schema (``openapi.json``) stays public for API clients
    and generators. Swagger UI is served from this server (``ninja`` is an installed app, so
    its own static files are used, not a CDN)."""
    if getattr(view, "func", None) is not openapi_view:
        return view

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not settings.API_DOCS_PUBLIC and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return guarded


ERROR = {"type": "object", "properties": {"detail": {"type": "string"}},
         "required": ["detail"], "title": "ApiError"}
VALIDATION = {"type": "object", "title": "ValidationErrors", "required": ["detail"],
              "properties": {"detail": {"type": "array", "items": {
                  "type": "object", "properties": {
                      "loc": {"type": "array", "items": {}}, "msg": {"type": "string"},
                      "type": {"type": "string"}}}}}}
COMMON = {
    400: ("The request cannot be read: a body that is not JSON, or a NUL character in the "
          "URL or the body.", "ApiError"),
    401: ("No valid token for this company (missing, revoked, expired, its user "
          "deactivated, or another company's).", "ApiError"),
    404: ("No such object in this company.", "ApiError"),
    422: ("A parameter or the body does not match the schema (each error located).",
          "ValidationErrors"),
}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def declare_common_errors(schema: dict) -> dict:
    """Declare the answers every operation can give besides its own: 400 (unreadable body,
    NUL), 401 (token), 404 (an object named in the path, beyond the company, not found) and
    422 (ninja's validation of parameters and body; when the operation declares its own 422,
    either shape). ``tests/kgiapp/test_api_schema.py`` checks each against real answers."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ApiError", ERROR)
    components.setdefault("ValidationErrors", VALIDATION)
    for operations in schema["paths"].values():
        for operation in operations.values():
            params = operation.get("parameters", [])
            applies = {400: True, 401: bool(operation.get("security")),
                       404: any(p["in"] == "path" and p["name"] != "company" for p in params),
                       422: "requestBody" in operation or any(p["in"] == "query"
                                                             for p in params)}
            responses = operation["responses"]
            for code, (description, name) in COMMON.items():
                if not applies[code]:
                    continue
                own = responses.get(code) or responses.get(str(code))
                if own is not None:
                    if code == 422 and "application/json" in own.get("content", {}):
                        mine = own["content"]["application/json"]["schema"]
                        own["content"]["application/json"]["schema"] = {
                            "anyOf": [mine, _ref(name)]}
                    continue
                responses[code] = {"description": description, "content": {
                    "application/json": {"schema": _ref(name)}}}
    return schema


class KgiApi(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        return declare_common_errors(super().get_openapi_schema(*args, **kwargs))


api = KgiApi(
    title="kgiapp API",
    version="1",
    urls_namespace="api",
    auth=CompanyToken(),
    docs_url="/docs",
    docs_decorator=docs_guard,
)


def register_routers():
    """Each app contributes a router; imported here so the API is assembled in one place."""
    from kgiapp.api_routes import router as company_router

    api.add_router("/", company_router)
    for module in ("metrics.api.tree", "metrics.api.measurements", "metrics.api.targets",
                   "metrics.sources.api",
                   "customers.api", "customers.voice_api", "reviews.api",
                   "reviews.reforecast.api", "okrs.api"):
        try:
            router = __import__(module, fromlist=["router"]).router
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        api.add_router("/", router)


register_routers()
