"""The company dashboard: the North Star and the company's teams."""
from kgiapp.htmx import render_page
from kgiapp.tenancy import company_view
from teams.selectors import teams_for_company


@company_view("view")
def dashboard(request):
    return render_page(
        request,
        "kgiapp/dashboard.html",
        {"teams": teams_for_company(request.company)},
    )
