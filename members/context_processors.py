from functools import cached_property

from members import permissions, queries


class Navigation:
    """What the menu offers, by role; each entry is computed only if a page shows it."""

    def __init__(self, user) -> None:
        self.user = user

    @cached_property
    def organizations(self) -> bool:
        return permissions.can(self.user, permissions.MEMBERS_VIEW_ORGANIZATION)

    @cached_property
    def members(self) -> bool:
        return permissions.can(self.user, permissions.MEMBERS_VIEW_MEMBER)

    @cached_property
    def import_(self) -> bool:
        return permissions.can(self.user, permissions.MEMBERS_IMPORT)

    @cached_property
    def programmes(self) -> bool:
        return permissions.can(self.user, permissions.STUDY_VIEW_PROGRAMMES)

    @cached_property
    def speakers(self) -> bool:
        return permissions.can(self.user, permissions.SPEAKERS_VIEW)

    @cached_property
    def oversight(self) -> bool:
        return permissions.can(self.user, permissions.OVERSIGHT_VIEW)

    @cached_property
    def admin(self) -> bool:
        return self.user.is_staff

    @cached_property
    def unread(self) -> int:
        return queries.unread_notice_count(self.user)

    def __getitem__(self, name: str):
        return getattr(self, "import_" if name == "import" else name)


def navigation(request) -> dict:
    """The views check again through permissions; this only shapes the menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    return {"nav": Navigation(user)}
