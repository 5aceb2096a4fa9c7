"""Old addresses keep working with a query string, too.

Django's ``RedirectFallbackMiddleware`` looks a 404's address up with its query string, so
``/tms/old-name/?v=7`` (a printed handout's address, articles/versions.py) would find no
redirect once the page's slug changed. This one, when Django's finds nothing, looks the path up
alone and sends the reader on with the same query string: the handout keeps its version.
"""

from django.contrib.redirects.middleware import RedirectFallbackMiddleware as DjangoRedirectFallbackMiddleware
from django.contrib.redirects.models import Redirect
from django.contrib.sites.shortcuts import get_current_site


class RedirectFallbackMiddleware(DjangoRedirectFallbackMiddleware):
    def process_response(self, request, response):
        response = super().process_response(request, response)
        query = request.META.get("QUERY_STRING", "")
        if response.status_code != 404 or not query:
            return response
        found = Redirect.objects.filter(site=get_current_site(request), old_path=request.path).first()
        if found is None:
            return response
        if found.new_path == "":
            return self.response_gone_class()
        joiner = "&" if "?" in found.new_path else "?"
        return self.response_redirect_class(f"{found.new_path}{joiner}{query}")
