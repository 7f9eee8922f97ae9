from django.conf import settings
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import add_never_cache_headers, patch_cache_control

# Pages that show a secret once: TOTP set-up, recovery codes (printed passwords are marked
# in their own view). Nothing of them may stay in a cache or the browser's history.
SECRET_PAGES = ("/accounts/2fa/",)


class PrivatePagesMiddleware:
    """Headers every response carries: the Permissions-Policy; `Cache-Control: private` on
    pages made for a logged-in user, `no-store` on pages that show secrets."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.HOCTAP_PERMISSIONS_POLICY)
        if request.path.startswith(SECRET_PAGES):
            add_never_cache_headers(response)
        elif "Cache-Control" not in response.headers:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                patch_cache_control(response, private=True)
        return response


# What gzip shrinks: pages, styles, scripts, JSON, SVG. Spreadsheets, PDFs, Word files and
# images are compressed already, and gzipping a large attachment would only cost a core.
COMPRESSIBLE_TYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "application/xml",
    "image/svg+xml",
    "image/x-icon",
    "image/vnd.microsoft.icon",
)


class CompressTextMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (with its BREACH mitigation: random bytes in the gzip header)
    for the text the app sends, not for files that are compressed already."""

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith(COMPRESSIBLE_TYPES):
            return response
        return super().process_response(request, response)
