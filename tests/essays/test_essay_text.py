"""An essay's text (what similarity and the word counts read) is the same whatever order the
database keeps the plan's keys in (PostgreSQL's jsonb sorts them its own way)."""

from essays.models import Essay


def test_the_plan_is_read_in_the_order_the_member_wrote_it():
    written = {
        "content": "Học tập nghị quyết",
        "objective": "Nắm vững",
        "solution": "Tự nghiên cứu",
        "timeline": "Quý I",
        "responsible": "Bản thân",
    }
    reordered = dict(sorted(written.items(), key=lambda kv: len(kv[0])))
    assert list(reordered) != list(written)

    assert Essay(plan=[reordered]).text() == Essay(plan=[written]).text()
    assert (
        "Học tập nghị quyết Nắm vững Tự nghiên cứu Quý I Bản thân" in Essay(plan=[reordered]).text()
    )
