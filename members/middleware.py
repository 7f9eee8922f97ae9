from django.conf import settings
from django.shortcuts import redirect
from django.utils import translation

from members.permissions import holds_role_above_cell

_SESSION_KEY = "hoctap_2fa_ok"


class RequireTwoFactorMiddleware:
    """With HOCTAP_REQUIRE_2FA_ABOVE_CELL on, holders of roles above cell level must set up TOTP
    before anything else; they are sent to the setup page until they have."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.HOCTAP_REQUIRE_2FA_ABOVE_CELL
            and request.user.is_authenticated
            and not request.session.get(_SESSION_KEY)
            and not self._exempt(request.path)
        ):
            if holds_role_above_cell(request.user) and not self._has_totp(request.user):
                return redirect("mfa_activate_totp")
            request.session[_SESSION_KEY] = True
        return self.get_response(request)

    @staticmethod
    def _has_totp(user) -> bool:
        from allauth.mfa.models import Authenticator  # noqa: PLC0415 -- app registry must be ready

        return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    @staticmethod
    def _exempt(path: str) -> bool:
        return path.startswith(("/accounts/", "/static/", "/i18n/"))


class PreferredLanguageMiddleware:
    """Vietnamese unless the user picked another language (the language cookie set by the footer
    switch). The browser's Accept-Language is ignored on purpose: many office PCs run English
    browsers, and hoctap's users expect Vietnamese."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # override() rather than activate(): the thread goes back to the default afterwards.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RequirePasswordChangeMiddleware:
    """A member holding a temporary password chooses their own before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and user.must_change_password
            and not request.path.startswith(("/accounts/", "/static/", "/i18n/"))
        ):
            return redirect("account_change_password")
        return self.get_response(request)
