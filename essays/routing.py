"""Who grades an essay: the rule, in one place.

- a member's essay      -> the leaders (secretary and deputies) of the member's cell;
- a deputy's essay      -> the secretary of the cell;
- a secretary's essay   -> the leaders of the organisation directly above the cell.

That organisation and role is the essay's responsible node: a grader's queue holds the essays
routed to them. Leaders of an organisation higher up may still step in (their role covers the
subtree). Nobody grades their own essay. An essay whose node has nobody holding the role is
unassigned, and the board sees it.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from essays.models import Essay
from members import permissions
from members.models import Organization, Role, RoleAssignment, User

LEADERS = (Role.SECRETARY, Role.DEPUTY_SECRETARY)


@dataclass(frozen=True)
class Node:
    organization: Organization | None  # None: a secretary of a root organisation
    roles: tuple[str, ...]


def _author_holds(role: str) -> Exists:
    return Exists(
        RoleAssignment.objects.filter(
            user=OuterRef("participant__user"),
            organization=OuterRef("participant__organization"),
            role=role,
        )
    )


def with_route(essays: QuerySet[Essay]) -> QuerySet[Essay]:
    """Essays annotated with what decides their route: the author's roles on their cell."""
    return essays.annotate(
        author_secretary=_author_holds(Role.SECRETARY),
        author_deputy=_author_holds(Role.DEPUTY_SECRETARY),
    )


def routed_to(user: User) -> Q:
    """On essays annotated by with_route(): those whose responsible node is the user's."""
    step = Organization.steplen
    q = Q(pk__in=[])
    for path, role in permissions.grants(user):
        if role == Role.SECRETARY:
            q |= Q(participant__organization__path=path, author_secretary=False)
            q |= Q(
                participant__organization__path__startswith=path,
                participant__organization__depth=len(path) // step + 1,
                author_secretary=True,
            )
        elif role == Role.DEPUTY_SECRETARY:
            q |= Q(
                participant__organization__path=path, author_secretary=False, author_deputy=False
            )
    return q


def _node(cell: Organization, *, secretary: bool, deputy: bool) -> tuple[str, tuple[str, ...]]:
    """(path of the responsible organisation, roles there) for an author's cell and roles."""
    return node_path(cell.path, secretary=secretary, deputy=deputy)


def node_path(cell_path: str, *, secretary: bool, deputy: bool) -> tuple[str, tuple[str, ...]]:
    """_node() from the cell's path alone, for rows read as values."""
    if secretary:
        return cell_path[: -Organization.steplen], LEADERS  # "" above a root: nobody
    if deputy:
        return cell_path, (Role.SECRETARY,)
    return cell_path, LEADERS


def node_of(essay: Essay) -> Node:
    cell = essay.participant.organization
    roles = set(
        RoleAssignment.objects.filter(
            user_id=essay.participant.user_id, organization=cell
        ).values_list("role", flat=True)
    )
    path, node_roles = _node(
        cell, secretary=Role.SECRETARY in roles, deputy=Role.DEPUTY_SECRETARY in roles
    )
    return Node(Organization.objects.filter(path=path).first() if path else None, node_roles)


def may_grade(actor: User, essay: Essay) -> bool:
    """The responsible node's holders, and graders above it; never the author."""
    if essay.participant.user_id == actor.pk:
        return False
    if actor.is_superuser:
        return True
    node = node_of(essay)
    if node.organization is None:
        return False
    target = node.organization.path
    for path, role in permissions.grants(actor):
        if path == target and role in node.roles:
            return True
        grades = permissions.ESSAYS_GRADE in permissions.ROLE_ACTIONS.get(role, ())
        if grades and target.startswith(path) and path != target:
            return True
    return False


def unassigned(essays: QuerySet[Essay]) -> list[Essay]:
    """Essays whose responsible node has nobody holding the role: two queries."""
    rows = [
        (
            essay,
            _node(
                essay.participant.organization,
                secretary=essay.author_secretary,
                deputy=essay.author_deputy,
            ),
        )
        for essay in with_route(essays).select_related("participant__organization")
    ]
    held = set(
        RoleAssignment.objects.filter(
            organization__path__in={path for _e, (path, _r) in rows}, role__in=LEADERS
        ).values_list("organization__path", "role")
    )
    return [essay for essay, (path, roles) in rows if not any((path, r) in held for r in roles)]
