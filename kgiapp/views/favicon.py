"""/favicon.ico: browsers ask for it whatever the page's <link rel="icon"> says."""
from django.http import HttpResponseRedirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


# Not permanent: the static URL carries the file's hash in production, so a browser must
# ask again when the icon changes; a day's cache spares the request on every page.
@cache_control(max_age=86400, public=True)
@require_GET
def favicon(request):
    return HttpResponseRedirect(static("favicon.svg"))
