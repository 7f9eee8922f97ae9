import pytest

from study import services as study_services
from tests.times import at


@pytest.fixture
def secretary(org_tree, secretary_of):
    return secretary_of(org_tree.cell_a1a, full_name="Bí Thư A1a")


@pytest.fixture
def member(org_tree, member_of):
    return member_of(org_tree.cell_a1a, full_name="Đảng Viên Một", party_card_number="08.000001")


@pytest.fixture
def session(org_tree, secretary, member, spec_for):
    """Published session on 10/12: morning 07:30-11:30, afternoon 13:30-16:30 with check-out."""
    created = study_services.create_session(secretary, spec=spec_for(org_tree.cell_a1a))
    return study_services.publish_session(secretary, session=created)


@pytest.fixture
def morning(session):
    return session.segments.get(name="Buổi sáng")


@pytest.fixture
def afternoon(session):
    return session.segments.get(name="Buổi chiều")


__all__ = ["at"]
