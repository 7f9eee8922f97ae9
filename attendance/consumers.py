"""The projector's and live board's WebSocket: counts pushed as check-ins are recorded."""

import asyncio
import random
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import timezone

from attendance import services
from attendance.errors import AttendanceError
from attendance.models import PresencePrompt
from attendance.services import segment_group
from members import permissions
from members.consumers import refuse
from members.forms import parse_id
from study.models import ConnectionPoint, Segment


@database_sync_to_async
def _may_watch(user, segment_id: int, point_id: int | None) -> bool:
    """The organiser side, or a connection point's organisation or host for their point."""
    segment = Segment.objects.select_related("session__organizer").filter(pk=segment_id).first()
    if segment is None:
        return False
    if permissions.can(user, permissions.ATTENDANCE_RUN, segment):
        return True
    point = (
        ConnectionPoint.objects.filter(pk=point_id, session_id=segment.session_id).first()
        if point_id
        else None
    )
    return point is not None and permissions.can(user, permissions.ATTENDANCE_RUN, point)


def _point_from(scope) -> int | None:
    query = parse_qs(scope.get("query_string", b"").decode())
    value = (query.get("point") or [""])[0]
    return parse_id(value)


# Prompt times must not be guessable from the host's side; they need not be cryptographic.
_random = random.SystemRandom()


class SegmentConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        segment_id = int(self.scope["url_route"]["kwargs"]["segment_id"])
        point_id = _point_from(self.scope)
        if (
            user is None
            or not user.is_authenticated
            or not await _may_watch(user, segment_id, point_id)
        ):
            await refuse(self)
            return
        self.group = segment_group(segment_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def attendance_count(self, event: dict) -> None:
        await self.send_json(
            {"type": "count", "segment": event["segment"], "count": event["count"]}
        )


@database_sync_to_async
def _online_participant(user, segment_id: int):
    segment = Segment.objects.filter(pk=segment_id).first()
    if segment is None or segment.ends_at < timezone.now():
        return None, None
    return services.online_participant(user, segment), segment


@database_sync_to_async
def _issue(participant, segment):
    return services.issue_prompt(participant, segment).pk


@database_sync_to_async
def _answer(user, prompt_id: int) -> bool:
    try:
        services.answer_prompt(user, prompt_id=prompt_id)
    except AttendanceError:
        return False
    return True


class PresenceConsumer(AsyncJsonWebsocketConsumer):
    """An online participant's screen: prompts at random moments the host cannot predict, and
    whenever the host asks; answering within two minutes counts."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        segment_id = int(self.scope["url_route"]["kwargs"]["segment_id"])
        participant, segment = (None, None)
        if user is not None and user.is_authenticated:
            participant, segment = await _online_participant(user, segment_id)
        if participant is None:
            await refuse(self)
            return
        self.user, self.participant, self.segment = user, participant, segment
        self.group = services.presence_group(segment_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        self.timer = asyncio.create_task(self._prompt_at_random())

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "timer"):
            self.timer.cancel()
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def _prompt_at_random(self) -> None:
        low, high = settings.HOCTAP_PRESENCE_MIN_SECONDS, settings.HOCTAP_PRESENCE_MAX_SECONDS
        while True:
            await asyncio.sleep(_random.uniform(low, high))
            await self._prompt()

    async def _prompt(self) -> None:
        prompt_id = await _issue(self.participant, self.segment)
        await self.send_json(
            {"type": "prompt", "id": prompt_id, "expires_in": PresencePrompt.ANSWER_WITHIN_SECONDS}
        )

    async def presence_ask(self, event: dict) -> None:
        await self._prompt()

    async def receive_json(self, content, **kwargs) -> None:
        if content.get("type") == "answer" and isinstance(content.get("id"), int):
            ok = await _answer(self.user, content["id"])
            await self.send_json({"type": "answered" if ok else "too_late", "id": content["id"]})
