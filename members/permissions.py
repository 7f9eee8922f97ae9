"""The one place that decides who may do what.

A role held on an organisation grants its actions on that organisation and its whole subtree.
A member with no role is granted MEMBER_ACTIONS on their own current cell. Objects in another
subtree are reported as missing (404), never as forbidden, so their existence does not leak.

Every org-scoped model declares ORG_FIELD, the lookup path from it to its Organization, and
may declare ALSO_ORG_FIELDS: other organisations whose roles act on it too (a session's
organiser runs the attendance of every participant, guests from other cells included).
"""

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404

from members.models import Membership, Organization, Role, RoleAssignment, User

# --- Actions: a closed set --------------------------------------------------------------------

MEMBERS_VIEW_ORGANIZATION = "members.view_organization"  # see the organisation and its members
MEMBERS_VIEW_MEMBER = "members.view_member"  # see a member's record and contact details
MEMBERS_IMPORT = "members.import"  # upload member lists for the subtree
MEMBERS_ADMINISTER = "members.administer"  # accounts, roles, the organisation tree (admin site)
STUDY_VIEW_SESSION = "study.view_session"  # see sessions organised for or by the subtree
STUDY_SCHEDULE = "study.schedule"  # create, change, publish, cancel sessions organised there
STUDY_MANAGE_DOCUMENTS = "study.manage_documents"  # the document registry
STUDY_MANAGE_PROGRAMMES = "study.manage_programmes"  # action programmes of the organisation
STUDY_VIEW_PROGRAMMES = "study.view_programmes"  # follow the programmes of the subtree
ATTENDANCE_RUN = "attendance.run"  # projector, attendance sheet, marking by hand
ESSAYS_GRADE = "essays.grade"  # grade and return the essays of the subtree's members
ESSAYS_VIEW = "essays.view"  # read essays and their figures
ESSAYS_RELEASE = "essays.release"  # show a cell's grades to its members (released together)
SPEAKERS_MANAGE = "speakers.manage"  # keep the speaker roster, assign talks
SPEAKERS_VIEW = "speakers.view"  # see the roster and its health
OVERSIGHT_VIEW = "oversight.view"  # the dashboard, assessment and reports of the subtree
OVERSIGHT_SET_RULES = "oversight.set_rules"  # the annual assessment's thresholds (tighten only)
OVERSIGHT_OVERRIDE = "oversight.override"  # override a member's assessed level, with a reason

ACTIONS = frozenset(
    {
        MEMBERS_VIEW_ORGANIZATION,
        MEMBERS_VIEW_MEMBER,
        MEMBERS_IMPORT,
        MEMBERS_ADMINISTER,
        STUDY_VIEW_SESSION,
        STUDY_SCHEDULE,
        STUDY_MANAGE_DOCUMENTS,
        STUDY_MANAGE_PROGRAMMES,
        STUDY_VIEW_PROGRAMMES,
        ATTENDANCE_RUN,
        ESSAYS_GRADE,
        ESSAYS_VIEW,
        ESSAYS_RELEASE,
        SPEAKERS_MANAGE,
        SPEAKERS_VIEW,
        OVERSIGHT_VIEW,
        OVERSIGHT_SET_RULES,
        OVERSIGHT_OVERRIDE,
    }
)
# Actions that only read: for these an object is also reached through VIEW_ORG_FIELDS (with
# their ancestors, so a bloc-wide session is seen in every cell) and PARTICIPANT_FIELD.
VIEW_ACTIONS = frozenset({MEMBERS_VIEW_ORGANIZATION, MEMBERS_VIEW_MEMBER, STUDY_VIEW_SESSION})

# What the person named in a model's HOLDER_FIELD may do on that one object (a connection
# point's host runs its QR and sees its arrivals).
HOLDER_ACTIONS = frozenset({ATTENDANCE_RUN, SPEAKERS_VIEW})

_OVERSIGHT = {
    MEMBERS_VIEW_ORGANIZATION,
    MEMBERS_VIEW_MEMBER,
    STUDY_VIEW_SESSION,
    STUDY_VIEW_PROGRAMMES,
    ESSAYS_VIEW,
    SPEAKERS_VIEW,
    OVERSIGHT_VIEW,
}
_SCHEDULING = {STUDY_SCHEDULE, STUDY_MANAGE_PROGRAMMES, ATTENDANCE_RUN}
# The annual study assessment: leaders set (stricter) thresholds and review their members.
_ASSESSING = {OVERSIGHT_SET_RULES, OVERSIGHT_OVERRIDE}

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.SECRETARY: frozenset(
        {*_OVERSIGHT, *_SCHEDULING, MEMBERS_IMPORT, ESSAYS_GRADE, ESSAYS_RELEASE, *_ASSESSING}
    ),
    Role.DEPUTY_SECRETARY: frozenset(
        {*_OVERSIGHT, *_SCHEDULING, MEMBERS_IMPORT, ESSAYS_GRADE, *_ASSESSING}
    ),
    Role.COMMITTEE_MEMBER: frozenset({*_OVERSIGHT, STUDY_MANAGE_PROGRAMMES}),
    Role.PROPAGANDA_OFFICER: frozenset(
        {*_OVERSIGHT, *_SCHEDULING, STUDY_MANAGE_DOCUMENTS, SPEAKERS_MANAGE, OVERSIGHT_SET_RULES}
    ),
    Role.INSPECTOR: frozenset(_OVERSIGHT),
    Role.ADMINISTRATOR: frozenset(ACTIONS),
}
MEMBER = "member"  # the pseudo-role every member holds on their own current cell
MEMBER_ACTIONS = frozenset({MEMBERS_VIEW_ORGANIZATION, STUDY_VIEW_SESSION})

# Roles whose holders oversee more than one cell when held above cell level.
OVERSIGHT_ROLES = frozenset(ROLE_ACTIONS)

_CACHE_ATTR = "_hoctap_grants"


def grants(user: User) -> list[tuple[str, str]]:
    """(organisation path, role) pairs for the user, computed once per request and cached."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    result: list[tuple[str, str]] = []
    if user.is_authenticated and user.is_active:
        result.extend(
            user.role_assignments.values_list("organization__path", "role").order_by(
                "organization__path"
            )
        )
        current = (
            Membership.objects.current()
            .filter(user=user)
            .values_list("organization__path", flat=True)
        )
        result.extend((path, MEMBER) for path in current)
    setattr(user, _CACHE_ATTR, result)
    return result


def forget_grants(user: User) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _actions_of(role: str) -> frozenset[str]:
    if role == MEMBER:
        return MEMBER_ACTIONS
    return ROLE_ACTIONS.get(role, frozenset())


def granted_paths(user: User, action: str) -> list[str]:
    """Roots of the subtrees on which the user may perform the action, without nesting."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    paths = sorted({path for path, role in grants(user) if action in _actions_of(role)})
    roots: list[str] = []
    for path in paths:
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    return roots


def has_any(user: User, action: str) -> bool:
    """Whether the user may perform the action anywhere (for menus and view entry)."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(granted_paths(user, action))


def _path_of(obj: Any) -> Iterable[str]:
    if isinstance(obj, Organization):
        return [obj.path]
    if isinstance(obj, User):
        return (
            Membership.objects.current()
            .filter(user=obj)
            .values_list("organization__path", flat=True)
        )
    owner_field = getattr(type(obj), "OWNER_FIELD", None)
    if owner_field is not None:
        return []  # owned objects are reached through visible_to(), never by path
    org_field = getattr(type(obj), "ORG_FIELD", None)
    if org_field is None:
        raise TypeError(f"{type(obj).__name__} declares no ORG_FIELD")
    paths = []
    for field in (org_field, *getattr(type(obj), "ALSO_ORG_FIELDS", ())):
        target = obj
        for part in field.split("__"):
            target = getattr(target, part)
        paths.append(target.path)
    return paths


def can(user: User, action: str, obj: Any = None) -> bool:
    """May the user perform the action on the object (or anywhere, when obj is None)?"""
    if obj is None:
        return has_any(user, action)
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    holder_field = getattr(type(obj), "HOLDER_FIELD", None)
    if holder_field and action in HOLDER_ACTIONS and getattr(obj, f"{holder_field}_id") == user.pk:
        return True
    if action in VIEW_ACTIONS and _reached_from_below(type(obj)):
        return visible_to(user, type(obj), action).filter(pk=obj.pk).exists()
    roots = granted_paths(user, action)
    return any(path.startswith(root) for path in _path_of(obj) for root in roots)


def _reached_from_below(model: type) -> bool:
    return bool(
        getattr(model, "VIEW_ORG_FIELDS", None) or getattr(model, "PARTICIPANT_FIELD", None)
    )


def _ancestor_paths(path: str) -> list[str]:
    step = Organization.steplen
    return [path[:i] for i in range(step, len(path), step)]


def _subtree_q(lookup: str, roots: list[str]) -> Q:
    q = Q(pk__in=[])
    for root in roots:
        q |= Q(**{f"{lookup}__startswith": root})
    return q


def visible_to(user: User, model_or_qs: type[Model] | QuerySet, action: str) -> QuerySet:
    """The rows of a model the user may perform the action on: one query, indexed by path."""
    qs = model_or_qs if isinstance(model_or_qs, QuerySet) else model_or_qs._default_manager.all()
    model = qs.model
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    owner_field = getattr(model, "OWNER_FIELD", None)
    if owner_field is not None:  # personal things are their owner's alone, whatever the role
        return qs.filter(**{owner_field: user})
    if user.is_superuser:
        return qs
    roots = granted_paths(user, action)
    if not roots:
        return qs.none()
    if model is Organization:
        return qs.filter(_subtree_q("path", roots))
    if model is User:
        in_scope = Membership.objects.current().filter(
            _subtree_q("organization__path", roots), user=OuterRef("pk")
        )
        return qs.filter(Exists(in_scope))
    org_field = getattr(model, "ORG_FIELD", None)
    if org_field is None:
        raise TypeError(f"{model.__name__} declares neither ORG_FIELD nor OWNER_FIELD")
    q = _subtree_q(f"{org_field}__path", roots)
    for field in getattr(model, "ALSO_ORG_FIELDS", ()):
        q |= _subtree_q(f"{field}__path", roots)
    if action not in VIEW_ACTIONS or not _reached_from_below(model):
        return qs.filter(q)
    for field in getattr(model, "VIEW_ORG_FIELDS", ()):
        q |= _subtree_q(f"{field}__path", roots)
        q |= Q(**{f"{field}__path__in": [a for root in roots for a in _ancestor_paths(root)]})
    participant_field = getattr(model, "PARTICIPANT_FIELD", None)
    if participant_field:
        q |= Q(**{participant_field: user})
    # The lookups cross many-to-many relations: select the ids once, without duplicates.
    return qs.filter(pk__in=model._default_manager.filter(q).values("pk"))


def get_for(user: User, model_or_qs: type[Model] | QuerySet, action: str, **lookup: Any) -> Any:
    """The object if it exists and the user may act on it; otherwise 404 either way."""
    qs = visible_to(user, model_or_qs, action)
    try:
        return qs.get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        # A malformed id in the URL is "not found" too.
        raise Http404 from exc


def _common_parent_path(paths: list[str]) -> str:
    """The deepest organisation path strictly above every path given ("" when none is)."""
    step = Organization.steplen
    common = paths[0]
    for path in paths[1:]:
        length = 0
        while length < min(len(common), len(path)) and common[length] == path[length]:
            length += 1
        common = common[: length - length % step]
    if common in paths:
        common = common[:-step]
    return common


@dataclass(frozen=True)
class AccountGuard:
    """Who may reset an account's password or change its e-mail: someone whose role sits
    strictly above every role the account holds; staff and superusers, administrators only."""

    admins_only: bool
    # The deepest organisation strictly above every role of the account: a role there or
    # higher may reset it. Empty for an account without roles (its cell's leaders may).
    guardian_path: str = ""


def account_guards(accounts: Iterable[User]) -> dict[int, AccountGuard]:
    """The guard of each account (one query for all of them)."""
    accounts = list(accounts)
    role_paths: dict[int, list[str]] = {}
    for user_id, path in RoleAssignment.objects.filter(
        user__in=[a.pk for a in accounts]
    ).values_list("user_id", "organization__path"):
        role_paths.setdefault(user_id, []).append(path)
    guards = {}
    for account in accounts:
        paths = role_paths.get(account.pk)
        if account.is_staff or account.is_superuser:
            guards[account.pk] = AccountGuard(admins_only=True)
        elif paths:
            parent = _common_parent_path(paths)
            guards[account.pk] = AccountGuard(admins_only=not parent, guardian_path=parent)
        else:
            guards[account.pk] = AccountGuard(admins_only=False)
    return guards


def may_reset_accounts(actor: User, accounts: Iterable[User]) -> dict[int, bool]:
    """For each account (already known to be in the actor's MEMBERS_IMPORT reach): may the
    actor print it a password or change its e-mail? Never for one's own roles' peers."""
    guards = account_guards(accounts)
    if actor.is_superuser:
        return dict.fromkeys(guards, True)
    roots = granted_paths(actor, MEMBERS_IMPORT)
    allowed = {}
    for pk, guard in guards.items():
        if guard.admins_only:
            allowed[pk] = False
        elif guard.guardian_path:
            allowed[pk] = any(guard.guardian_path.startswith(root) for root in roots)
        else:
            allowed[pk] = pk != actor.pk
    return allowed


# The attribute of a user loaded with holds_role_above_cell_expression() (members.backends).
LOADED_WITH_ROLE_ABOVE_CELL = "holds_role_above_cell"


def _roles_above_cell() -> QuerySet:
    return RoleAssignment.objects.exclude(organization__kind__in=Organization.CELL_KINDS)


def holds_role_above_cell_expression() -> Exists:
    """Whether the user of the row holds any role on an organisation that is not a cell: the
    user of each request is loaded with it (members.backends)."""
    return Exists(_roles_above_cell().filter(user=OuterRef("pk")))


def holds_role_above_cell(user: User) -> bool:
    """True when the user holds any role on an organisation that is not a cell."""
    if not user.is_authenticated:
        return False
    known = getattr(user, LOADED_WITH_ROLE_ABOVE_CELL, None)
    if known is not None:
        return known
    return _roles_above_cell().filter(user=user).exists()


def is_officer(user: User) -> bool:
    """Staff, superusers and holders of a role above cell level: their sessions are guarded
    more closely (two-factor, idle timeout). Read afresh on every request, with the user
    (members.backends), so a role granted or taken away counts at once."""
    if not user.is_authenticated:
        return False
    return user.is_staff or user.is_superuser or holds_role_above_cell(user)


# --- Views ------------------------------------------------------------------------------------

ACCESS_ATTR = "hoctap_access"


def requires(action: str) -> Callable:
    """Log-in plus "may do this somewhere"; the object-level check is get_for() in the view."""
    if action not in ACTIONS and action != "authenticated":
        raise ValueError(f"unknown action {action!r}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if action != "authenticated" and not has_any(request.user, action):
                raise Http404
            return view(request, *args, **kwargs)

        setattr(wrapped, ACCESS_ATTR, action)
        return wrapped

    return decorator


def recently_authenticated(request) -> bool:
    """Whether the user gave their password (or second factor) in this session within
    HOCTAP_REAUTHENTICATE_AFTER seconds: at login or when asked again."""
    from allauth.account.internal.flows.login import (  # noqa: PLC0415 -- app registry
        get_authentication_records,
    )

    records = get_authentication_records(request, request.user)
    if not records:
        return False
    return time.time() - records[-1]["at"] < settings.HOCTAP_REAUTHENTICATE_AFTER


def sensitive(view: Callable) -> Callable:
    """A change that hands out access (passwords, imports, roles): asks for the password again
    when it was last given too long ago. allauth's middleware keeps the POST and replays it
    after the password is given."""
    from allauth.core.exceptions import ReauthenticationRequired  # noqa: PLC0415

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") and not recently_authenticated(request):
            raise ReauthenticationRequired
        return view(request, *args, **kwargs)

    return wrapped


def login_only(view: Callable) -> Callable:
    """Any logged-in user; what they see is still scoped by visible_to()."""
    return requires("authenticated")(view)


def public(view: Callable) -> Callable:
    setattr(view, ACCESS_ATTR, "public")
    return view
