"""Company-level API endpoints."""
from ninja import Router, Schema

router = Router(tags=["company"])


class CompanyOut(Schema):
    slug: str
    name: str
    currency: str
    timezone: str
    role: str


@router.get("/{company}/", response=CompanyOut, url_name="api-company")
def company_detail(request, company: str):
    """The company this token belongs to, and the token user's role."""
    c = request.company
    return CompanyOut(
        slug=c.slug, name=c.name, currency=c.currency, timezone=c.timezone,
        role=request.membership.role,
    )
