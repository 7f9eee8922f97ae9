from django.conf import settings
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
