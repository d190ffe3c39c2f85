"""Creating a company: the first run of a fresh install, and open sign-up when allowed."""
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from teams import signup
from teams.forms import CompanyCreateForm, SignupForm


def start(request):
    """GET shows the form; POST creates the account (if anonymous) and the company."""
    if not signup.may_create_company(request.user):
        return render(request, "teams/signup_closed.html", status=403)
    fresh = signup.is_fresh_install()
    needs_account = not request.user.is_authenticated
    data = request.POST if request.method == "POST" else None
    account_form = SignupForm(data, prefix="account") if needs_account else None
    company_form = CompanyCreateForm(data, prefix="company",
                                     initial={"language": request.LANGUAGE_CODE})
    if request.method == "POST":
        valid = company_form.is_valid() & (account_form is None or account_form.is_valid())
        if valid:
            account = account_form.cleaned_data if account_form else {}
            company_data = company_form.cleaned_data
            try:
                user, company = signup.signup_create_company(
                    user=request.user if not needs_account else None,
                    username=account.get("username"), email=account.get("email"),
                    password=account.get("password1"),
                    display_name=account.get("display_name", ""),
                    slug=company_data["slug"], name=company_data["name"],
                    language=company_data["language"], timezone_name=company_data["timezone"],
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    company_form.add_error(None, exc)
                else:
                    messages.error(request, " ".join(exc.messages))
                    return render(request, "teams/signup_closed.html", status=403)
            else:
                if needs_account:
                    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("%(company)s is ready. Start with the steps below.")
                                 % {"company": company.name})
                return redirect("dashboard", company=company.slug)
    return render(request, "teams/start.html", {
        "account_form": account_form, "company_form": company_form, "fresh": fresh,
    }, status=400 if request.method == "POST" else 200)
