from members import permissions, queries


def navigation(request) -> dict:
    """What the menu offers, by role; the views check again through permissions."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    return {
        "nav": {
            "organizations": permissions.can(user, permissions.MEMBERS_VIEW_ORGANIZATION),
            "members": permissions.can(user, permissions.MEMBERS_VIEW_MEMBER),
            "import": permissions.can(user, permissions.MEMBERS_IMPORT),
            "programmes": permissions.can(user, permissions.STUDY_VIEW_PROGRAMMES),
            "admin": user.is_staff,
            "unread": queries.unread_notice_count(user),
        }
    }
