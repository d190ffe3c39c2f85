"""The REST API (django-ninja) at /api/v1/: token auth per company; routers live in each app."""
from ninja import NinjaAPI
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


api = NinjaAPI(
    title="kgiapp API",
    version="1",
    urls_namespace="api",
    auth=CompanyToken(),
    docs_url="/docs",
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
