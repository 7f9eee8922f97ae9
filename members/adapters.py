from allauth.account.adapter import DefaultAccountAdapter
from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import User


class AccountAdapter(DefaultAccountAdapter):
    """Accounts come from administrators and imports: nobody signs up on their own."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def set_password(self, user, password: str) -> None:
        """Choosing one's own password (change or reset) ends a temporary one."""
        user.set_password(password)
        user.must_change_password = False
        user.temporary_password_expires_at = None
        user.save(
            update_fields=["password", "must_change_password", "temporary_password_expires_at"]
        )

    def pre_login(self, request, user, **kwargs):
        expires = user.temporary_password_expires_at
        if user.must_change_password and expires is not None and expires < timezone.now():
            messages.error(
                request,
                _(
                    "This first-use password has expired. Ask your cell's secretary to print "
                    "you a new one."
                ),
            )
            return redirect("account_login")
        return super().pre_login(request, user, **kwargs)

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """One bucket of failed logins per account, whether the member typed the card number
        or the e-mail (allauth keys by the text typed)."""
        login = (credentials.get("email") or credentials.get("username") or "").strip()
        account = (
            User.objects.filter(Q(email__iexact=login) | Q(party_card_number=login))
            .values_list("pk", flat=True)
            .first()
            if login
            else None
        )
        return f"account:{account}" if account else f"login:{login.lower()}"


def user_display(user) -> str:
    """How allauth names a user in its messages ("Đã đăng nhập: Trần Văn A")."""
    return user.full_name or user.email or user.party_card_number or ""
