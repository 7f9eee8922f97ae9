from datetime import date

import pytest

from members.models import Role
from speakers import services
from speakers.services import SpeakerSpec
from study import services as study_services


@pytest.fixture
def board(org_tree, holder_of):
    return holder_of(Role.PROPAGANDA_OFFICER, org_tree.upper_a, full_name="Ban Tuyên Giáo A")


@pytest.fixture
def speaker_of(org_tree, board):
    def make(org=None, **fields):
        spec = {
            "full_name": "Báo Cáo Viên",
            "organization": org or org_tree.upper_a,
            "level": "upper",
            "decision_number": "123-QĐ/ĐU",
            "appointed_on": date(2024, 1, 1),
            "term_ends_on": date(2029, 1, 1),
        }
        spec.update(fields)
        return services.add_speaker(board, spec=SpeakerSpec(**spec))

    return make


@pytest.fixture
def session_of(org_tree, board, spec_for, member_of):
    """A published session organised by upper A for cell A1a, on a given day of December."""
    member_of(org_tree.cell_a1a, full_name="Đảng Viên Có Sẵn")

    def make(day: int = 10, **overrides):
        from tests.times import at

        spec = spec_for(
            org_tree.upper_a,
            audience=[org_tree.cell_a1a],
            title=overrides.pop("title", f"Học tập ngày {day}/12"),
            starts_at=at(day, 7, 30),
            ends_at=at(day, 16, 30),
            segments=[
                study_services.SegmentSpec("Buổi sáng", at(day, 7, 30), at(day, 11, 30)),
                study_services.SegmentSpec("Buổi chiều", at(day, 13, 30), at(day, 16, 30)),
            ],
            **overrides,
        )
        session = study_services.create_session(board, spec=spec)
        return study_services.publish_session(board, session=session)

    return make
