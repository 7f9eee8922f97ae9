"""The authentication backend: allauth's, with the user of each request loaded in one statement
together with whether they hold a role above a cell. The officer's guard (members.middleware)
asks that on every request; a member checking in must not pay a round trip for it."""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.core.exceptions import PermissionDenied

from members.models import User
from members.permissions import LOADED_WITH_ROLE_ABOVE_CELL, holds_role_above_cell_expression


class AuthenticationBackend(AllauthBackend):
    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is None and credentials.get("password") is not None:
            # The final word on a password: settings keep allauth's own backend after this one
            # only for the logins made before it, which it still loads; it must not hash a
            # wrong password a second time.
            raise PermissionDenied
        return user

    def get_user(self, user_id):
        user = (
            User._default_manager.annotate(
                **{LOADED_WITH_ROLE_ABOVE_CELL: holds_role_above_cell_expression()}
            )
            .filter(pk=user_id)
            .first()
        )
        return user if self.user_can_authenticate(user) else None
