import pytest

from essays import services as essay_services
from study import services as study_services
from tests.essays.corpus import PLAN
from tests.times import at

AFTER = at(10, 18)  # the demo session ends 10/12 16:30; its essay is due on the 20th


@pytest.fixture
def secretary(org_tree, secretary_of):
    return secretary_of(org_tree.cell_a1a, full_name="Bí Thư A1a")


@pytest.fixture
def member(org_tree, member_of):
    return member_of(org_tree.cell_a1a, full_name="Đảng Viên Viết Bài")


@pytest.fixture
def session(org_tree, secretary, member, spec_for):
    created = study_services.create_session(
        secretary,
        spec=spec_for(org_tree.cell_a1a, essay_required=True, essay_deadline=at(20, 17)),
    )
    return study_services.publish_session(secretary, session=created)


@pytest.fixture
def write():
    """Write and submit an essay for a user: write(user, session, sections, when)."""

    def run(user, session, sections, *, when=AFTER, submit=True):
        essay = essay_services.essay_for(user, session=session, now=when)
        essay = essay_services.save_draft(
            user, essay=essay, revision=essay.revision, sections=sections, plan=PLAN, now=when
        )
        if submit:
            essay = essay_services.submit_essay(user, essay=essay, now=when)
        return essay

    return run
