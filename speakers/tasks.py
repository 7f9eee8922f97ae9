"""Background tasks of the speakers app."""

from datetime import date, timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from members import permissions
from members.models import Notice, Organization, RoleAssignment, User
from speakers.models import RosterConfirmation, Speaker

REMIND_EVERY = timedelta(days=7)


@shared_task
def remind_roster_confirmations(today: date | None = None) -> int:
    """Remind the keepers of each roster that is due for confirmation; once a week at most."""
    today = today or timezone.localdate()
    limit = today - timedelta(days=settings.HOCTAP_ROSTER_CONFIRM_DAYS)
    url = reverse("speakers:health")
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for org in Organization.objects.filter(pk__in=Speaker.objects.values("organization")):
            last = RosterConfirmation.objects.filter(organization=org).first()
            if last is not None and last.confirmed_at.date() >= limit:
                continue
            title = _("The speaker roster of %(name)s is due for confirmation") % {"name": org.name}
            for keeper in _keepers(org):
                recent = Notice.objects.filter(
                    user=keeper, title=title, created_at__gte=timezone.now() - REMIND_EVERY
                ).exists()
                if not recent:
                    Notice.objects.create(user=keeper, title=title, url=url)
                    sent += 1
    return sent


def _keepers(org: Organization) -> list[User]:
    """Everyone whose roles let them keep this organisation's roster."""
    roles = [
        r
        for r, actions in permissions.ROLE_ACTIONS.items()
        if permissions.SPEAKERS_MANAGE in actions
    ]
    holders = RoleAssignment.objects.filter(
        Q(organization__path__in=org.ancestor_paths()), role__in=roles, user__is_active=True
    ).select_related("user")
    return list({h.user_id: h.user for h in holders}.values())


@shared_task
def forget_old_uploads() -> int:
    """Daily: delete uploaded rosters past their retention (speakers.services)."""
    from speakers import services  # noqa: PLC0415 -- services import this module

    return services.forget_old_uploads()
