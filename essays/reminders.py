"""The grader's reminder: submitted essays that wait for grading longer than
HOCTAP_GRADING_REMINDER_DAYS (default 7) are told to the secretary of the organisation that
grades them (essays.routing; its deputies when it has no secretary and they grade there too).

- An essay waits from its submission, or from the session's essay deadline when it was
  submitted before it (essays.queries.waiting_since, which the progress page counts too).
- Each essay is told once per submission: a run tells, per session and responsible
  organisation, the batch of essays that crossed the limit since the last run, in one notice
  to each person (in the app, and by e-mail once the run commits). The next day's run tells
  nothing new unless more essays crossed; an essay returned and submitted again is a new wait.
- Essays whose organisation has nobody to tell are not recorded, so they are told once
  someone holds the role. The database decides who tells: of two runs at once, the one whose
  row is inserted (GradingReminder's unique essay and submission).

Run daily by beat (essays.tasks.remind_graders) or `manage.py remind_graders` from cron.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from essays import queries, routing
from essays.models import Essay, GradingReminder
from members.models import Notice, Organization, Role, RoleAssignment
from members.tasks import enqueue
from study.models import StudySession


@dataclass
class Summary:
    essays: int = 0  # essays told about in this run
    notices: int = 0


def _waiting_too_long(now: datetime) -> list[dict]:
    cutoff = now - timedelta(days=settings.HOCTAP_GRADING_REMINDER_DAYS)
    told = GradingReminder.objects.filter(
        essay=OuterRef("pk"), submitted_at=OuterRef("submitted_at")
    )
    return list(
        routing.with_route(
            Essay.objects.filter(status=Essay.Status.SUBMITTED, submitted_at__isnull=False)
        )
        .exclude(participant__session__status=StudySession.Status.CANCELLED)
        .annotate(since=queries.waiting_since())
        .filter(since__lte=cutoff)
        .exclude(Exists(told))
        .values(
            "pk",
            "submitted_at",
            "participant__session_id",
            "participant__organization__path",
            "author_secretary",
            "author_deputy",
        )
    )


def _to_tell(paths: set[str]) -> dict[tuple[str, str], list[int]]:
    """(organisation path, role) -> the active users holding it, for the leaders' roles."""
    held: dict[tuple[str, str], list[int]] = defaultdict(list)
    for path, role, user_id in RoleAssignment.objects.filter(
        organization__path__in=paths, role__in=routing.LEADERS, user__is_active=True
    ).values_list("organization__path", "role", "user_id"):
        held[path, role].append(user_id)
    return held


def _people(held: dict, path: str, roles: tuple[str, ...]) -> list[int]:
    secretaries = held.get((path, Role.SECRETARY), [])
    if secretaries or Role.DEPUTY_SECRETARY not in roles:
        return secretaries
    return held.get((path, Role.DEPUTY_SECRETARY), [])


def remind_graders(*, now: datetime | None = None) -> Summary:
    """The daily run. Safe to run twice, and twice at once: nobody is told twice."""
    now = now or timezone.now()
    batches: dict[tuple[int, str], list[dict]] = defaultdict(list)
    roles_of: dict[str, tuple[str, ...]] = {}
    for row in _waiting_too_long(now):
        path, roles = routing.node_path(
            row["participant__organization__path"],
            secretary=row["author_secretary"],
            deputy=row["author_deputy"],
        )
        if path:
            batches[row["participant__session_id"], path].append(row)
            roles_of[path] = roles if roles_of.get(path, roles) == roles else routing.LEADERS
    held = _to_tell({path for _session, path in batches})
    people = {key: _people(held, key[1], roles_of[key[1]]) for key in batches}
    batches = {key: rows for key, rows in batches.items() if people[key]}
    if not batches:
        return Summary()
    run = uuid.uuid4()
    with transaction.atomic():
        GradingReminder.objects.bulk_create(
            [
                GradingReminder(
                    essay_id=row["pk"], submitted_at=row["submitted_at"], reminded_at=now, run=run
                )
                for rows in batches.values()
                for row in rows
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        mine = set(GradingReminder.objects.filter(run=run).values_list("essay_id", flat=True))
        counts = {
            key: n for key, rows in batches.items() if (n := sum(r["pk"] in mine for r in rows))
        }
        notices = _notices(counts, people, now)
        Notice.objects.bulk_create(notices, batch_size=1000)
        ids = [n.pk for n in notices]
        from essays.tasks import email_grading_reminders  # noqa: PLC0415 -- the task reads this

        transaction.on_commit(lambda: enqueue(email_grading_reminders, ids))
    return Summary(essays=len(mine), notices=len(notices))


def _notices(counts: dict[tuple[int, str], int], people: dict, now: datetime) -> list[Notice]:
    titles = dict(
        StudySession.objects.filter(pk__in={s for s, _p in counts}).values_list("pk", "title")
    )
    names = dict(
        Organization.objects.filter(path__in={p for _s, p in counts}).values_list("path", "name")
    )
    notices = []
    with translation.override(settings.LANGUAGE_CODE):
        for (session_id, path), count in sorted(counts.items()):
            values = {
                "count": count,
                "days": settings.HOCTAP_GRADING_REMINDER_DAYS,
                "session": titles[session_id],
                "organization": names.get(path, ""),
            }
            title = _("Essays waiting more than %(days)s days for grading: %(count)s") % values
            body = (
                _(
                    "%(count)s essays of “%(session)s” for %(organization)s have waited more "
                    "than %(days)s days. The grading progress page shows who graded what and "
                    "what still waits."
                )
                % values
            )
            url = reverse("essays:progress", args=[session_id])
            notices += [
                Notice(user_id=user_id, title=title, body=body, url=url, created_at=now)
                for user_id in people[session_id, path]
            ]
    return notices
