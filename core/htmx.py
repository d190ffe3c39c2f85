"""One template, two answers: the whole page, or its named partial for an htmx swap."""
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def render_page(request, template, context, partial=None, status=200):
    """Render ``template``, or ``template#partial`` when htmx asks; always Vary on HX-Request."""
    name = f"{template}#{partial}" if partial and request.htmx else template
    response = render(request, name, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response
