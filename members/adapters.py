from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Accounts come from administrators and imports: nobody signs up on their own."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def set_password(self, user, password: str) -> None:
        """Choosing one's own password (change or reset) ends a temporary one."""
        user.set_password(password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])


def user_display(user) -> str:
    """How allauth names a user in its messages ("Đã đăng nhập: Trần Văn A")."""
    return user.full_name or user.email or user.party_card_number or ""
