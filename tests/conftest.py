"""Composed scenes shared by the tests. Per-model builders live in tests/factories.py."""

from dataclasses import dataclass

import pytest
from django.test import RequestFactory

from members.models import Organization, Role
from study.services import SegmentSpec, SessionSpec
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    RoleAssignmentFactory,
    UserFactory,
)
from tests.times import at


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "members.hashers.TemporaryPasswordHasher",
    ]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _static_without_collectstatic(settings):
    # Production's manifest storage needs `collectstatic` first; tests serve from the finders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _tasks_in_process():
    # No Celery worker runs beside the tests: tasks run in process when their transaction
    # commits, as in the embedded mode. Tests check *when* they are queued (on commit).
    from config.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth's rate limits live in the cache; one test's failed logins must not leak into the next.
    from django.core.cache import cache

    from attendance import services

    cache.clear()
    services._held_until.clear()  # the same in process: ids come back in the next test
    yield
    cache.clear()


@dataclass
class OrgTree:
    """bloc ─ upper A ─ committee A1 ─ cell A1a, cell A1b (siblings) ; bloc ─ upper B ─ cell B."""

    bloc: Organization
    upper_a: Organization
    committee_a1: Organization
    cell_a1a: Organization
    cell_a1b: Organization
    upper_b: Organization
    cell_b: Organization


@pytest.fixture
def org_tree(db) -> OrgTree:
    bloc = OrganizationFactory(
        name="Đảng bộ Khối", code="DUK", kind=Organization.Kind.BLOC_COMMITTEE
    )
    upper_a = OrganizationFactory(
        parent=bloc, name="Đảng bộ Bộ A", code="A", kind=Organization.Kind.UPPER_COMMITTEE
    )
    committee_a1 = OrganizationFactory(
        parent=upper_a, name="Đảng bộ Vụ A1", code="A1", kind=Organization.Kind.GRASSROOTS_COMMITTEE
    )
    cell_a1a = OrganizationFactory(parent=committee_a1, name="Chi bộ A1a", code="A1a")
    cell_a1b = OrganizationFactory(parent=committee_a1, name="Chi bộ A1b", code="A1b")
    upper_b = OrganizationFactory(
        parent=bloc, name="Đảng bộ Bộ B", code="B", kind=Organization.Kind.UPPER_COMMITTEE
    )
    cell_b = OrganizationFactory(
        parent=upper_b, name="Chi bộ B", code="B-CBCS", kind=Organization.Kind.GRASSROOTS_CELL
    )
    refresh = Organization.objects.get
    return OrgTree(
        *(
            refresh(pk=o.pk)
            for o in (bloc, upper_a, committee_a1, cell_a1a, cell_a1b, upper_b, cell_b)
        )
    )


@pytest.fixture
def member_of(db):
    def make(cell: Organization, **fields):
        user = UserFactory(**fields)
        MembershipFactory(user=user, organization=cell)
        return user

    return make


@pytest.fixture
def holder_of(member_of):
    """A user holding `role` on `org` (a member of `cell` too, when given)."""

    def make(role: str, org: Organization, cell: Organization | None = None, **fields):
        user = member_of(cell, **fields) if cell else UserFactory(**fields)
        RoleAssignmentFactory(user=user, organization=org, role=role)
        return user

    return make


@pytest.fixture
def secretary_of(holder_of):
    def make(cell: Organization, **fields):
        return holder_of(Role.SECRETARY, cell, cell=cell, **fields)

    return make


@pytest.fixture
def spec_for():
    """A valid in-person session on 10/12 with a morning and an afternoon segment."""

    def make(organizer, audience=None, **overrides):
        fields = {
            "title": "Học tập Kết luận 328-KL/ĐUK",
            "organizer": organizer,
            "audience": audience if audience is not None else [organizer],
            "starts_at": at(10, 7, 30),
            "ends_at": at(10, 16, 30),
            "venue": "Hội trường tầng 3",
            "segments": [
                SegmentSpec("Buổi sáng", at(10, 7, 30), at(10, 11, 30)),
                SegmentSpec("Buổi chiều", at(10, 13, 30), at(10, 16, 30), has_checkout=True),
            ],
        }
        fields.update(overrides)
        return SessionSpec(**fields)

    return make


@pytest.fixture
def fresh_login(client):
    """Log a user in as if they had just typed their password: sensitive actions (printing
    passwords, imports, roles) then go through without asking for it again."""
    from allauth.account.internal.flows.login import record_authentication

    def login(user, *, seconds_ago: float = 0):
        client.force_login(user)
        request = RequestFactory().get("/")
        request.session = client.session
        request.user = user
        record_authentication(request, user, method="password")
        records = request.session["account_authentication_methods"]
        records[-1]["at"] -= seconds_ago
        request.session["account_authentication_methods"] = records
        request.session.save()
        return user

    return login
