"""Reads of the members app, scoped to what the user may see and pre-joined."""

from dataclasses import dataclass, field

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from members import permissions
from members.models import Membership, Notice, Organization, RoleAssignment, User
from members.text import fold


@dataclass
class TreeNode:
    org: Organization
    direct_members: int
    children: list["TreeNode"] = field(default_factory=list)

    @property
    def total_members(self) -> int:
        return self.direct_members + sum(child.total_members for child in self.children)


def organization_tree(user: User, *, root: Organization | None = None) -> list[TreeNode]:
    """The organisations the user may see as nested nodes, with member counts: one query."""
    orgs = permissions.visible_to(user, Organization, permissions.MEMBERS_VIEW_ORGANIZATION)
    if root is not None:
        orgs = orgs.in_subtree(root)
    orgs = orgs.annotate(
        direct_members=Count("memberships", filter=Q(memberships__ended_on__isnull=True))
    ).order_by("path")
    nodes: dict[str, TreeNode] = {}
    roots: list[TreeNode] = []
    for org in orgs:
        node = TreeNode(org=org, direct_members=org.direct_members)
        parent = nodes.get(org.path[: -org.steplen])
        if parent is None:
            roots.append(node)
        else:
            parent.children.append(node)
        nodes[org.path] = node
    return roots


def _current_cell(field_name: str) -> Subquery:
    return Subquery(
        Membership.objects.current()
        .filter(user=OuterRef("pk"))
        .values(f"organization__{field_name}")[:1]
    )


def members_visible_to(
    user: User,
    *,
    search: str = "",
    organization: Organization | None = None,
    action: str = permissions.MEMBERS_VIEW_ORGANIZATION,
) -> QuerySet[User]:
    """Members the user may see, each with its current cell's id and name, ordered by name.

    `search` ignores case and diacritics and matches the name, card number or e-mail.
    """
    qs = permissions.visible_to(user, User.objects.filter(is_active=True), action)
    if organization is not None:
        qs = qs.filter(
            memberships__ended_on__isnull=True,
            memberships__organization__path__startswith=organization.path,
        )
    folded = fold(search)
    if folded:
        qs = qs.filter(
            Q(full_name_folded__contains=folded)
            | Q(party_card_number__startswith=search.strip())
            | Q(email__istartswith=search.strip())
        )
    return qs.annotate(cell_id=_current_cell("id"), cell_name=_current_cell("name")).order_by(
        "full_name_folded", "pk"
    )


def membership_history(member: User) -> QuerySet[Membership]:
    return member.memberships.select_related("organization").order_by("-started_on", "-pk")


def roles_of(member: User) -> QuerySet[RoleAssignment]:
    return member.role_assignments.select_related("organization").order_by("organization__path")


def current_cell(member: User) -> Organization | None:
    membership = member.memberships.current().select_related("organization").first()
    return membership.organization if membership else None


def managed_organizations(user: User, action: str) -> QuerySet[Organization]:
    """The top organisations of the subtrees on which the user holds the action."""
    if user.is_superuser:
        return Organization.get_root_nodes()
    return Organization.objects.filter(path__in=permissions.granted_paths(user, action)).order_by(
        "path"
    )


def notices_of(user: User) -> QuerySet[Notice]:
    return permissions.visible_to(user, Notice, permissions.MEMBERS_VIEW_ORGANIZATION).order_by(
        "-created_at", "-pk"
    )


def unread_notice_count(user: User) -> int:
    return notices_of(user).filter(read_at__isnull=True).count()


def without_password(members: QuerySet[User]) -> QuerySet[User]:
    """Members who cannot log in yet: imported without a password of their own."""
    return members.filter(password__startswith=UNUSABLE_PASSWORD_PREFIX)


def member_with_card(user: User, card: str, *, full_name: str, action: str) -> User | None:
    """The member within the user's reach who holds this card number AND this name (case and
    diacritics ignored); None otherwise. A card that is unknown, out of reach or under another
    name looks the same, so typing cards reveals nothing beyond one's own organisations."""
    card = (card or "").strip()
    if not card:
        return None
    return (
        permissions.visible_to(user, User.objects.filter(is_active=True), action)
        .filter(party_card_number=card, full_name_folded=fold(" ".join(full_name.split())))
        .first()
    )


def member_count_in_subtree(org: Organization) -> int:
    """Current members of the organisation and everything below it: one count on the path
    index (how large an export of it will be)."""
    return (
        Membership.objects.current()
        .filter(organization__path__startswith=org.path, user__is_active=True)
        .count()
    )
