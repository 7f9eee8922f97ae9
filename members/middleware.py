import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from members.permissions import is_officer

_SEEN_KEY = "hoctap_seen"
_SEEN_GRANULARITY = 60  # seconds: an officer's session is written at most once a minute


def start_officer_session(sender, request, user, **kwargs) -> None:
    """At login, an officer's session gets the idle timeout instead of the long one."""
    if request is not None and hasattr(request, "session") and is_officer(user):
        _touch(request.session)


def _touch(session) -> None:
    session[_SEEN_KEY] = time.time()
    session.set_expiry(settings.HOCTAP_OFFICER_IDLE_SECONDS)


class OfficerSessionMiddleware:
    """Officers (a role above cell level, staff, superusers) hold the keys to many cells, so
    their sessions are guarded more closely than members':

    - with HOCTAP_REQUIRE_2FA_ABOVE_CELL on, they must set up TOTP before anything else,
      checked on every request, so a role granted during an open session counts at once;
    - they are logged out after HOCTAP_OFFICER_IDLE_SECONDS without a request (an open
      projector or sheet keeps polling, so it keeps the session alive).

    Members keep their long sessions: a hall must never re-hash 400 passwords."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and is_officer(user):
            refusal = self._guard(request, user)
            if refusal is not None:
                return refusal
        response = self.get_response(request)
        session = getattr(request, "session", None)
        idle = settings.HOCTAP_OFFICER_IDLE_SECONDS
        if session is not None and _SEEN_KEY in session and session.get_expiry_age() > idle:
            session.set_expiry(idle)  # an officer's login that just asked to be remembered
        return response

    def _guard(self, request, user):
        now = time.time()
        seen = request.session.get(_SEEN_KEY)
        if seen is not None and now - seen > settings.HOCTAP_OFFICER_IDLE_SECONDS:
            logout(request)
            messages.info(request, _("You were logged out after a long time without activity."))
            return redirect_to_login(request.get_full_path())
        if seen is None or now - seen > _SEEN_GRANULARITY:
            _touch(request.session)
        if (
            settings.HOCTAP_REQUIRE_2FA_ABOVE_CELL
            and not request.path.startswith(_EXEMPT)
            and not self._has_totp(user)
        ):
            return redirect("mfa_activate_totp")
        return None

    @staticmethod
    def _has_totp(user) -> bool:
        from allauth.mfa.models import Authenticator  # noqa: PLC0415 -- app registry must be ready

        return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


_EXEMPT = ("/accounts/", "/static/", "/i18n/")


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
            and not request.path.startswith(_EXEMPT)
        ):
            # Where the member was going (a held scan is completed there) comes after.
            return redirect_to_login(
                request.get_full_path(), login_url=reverse("account_change_password")
            )
        return self.get_response(request)
