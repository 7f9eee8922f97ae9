"""The projector's and live board's WebSocket: counts pushed as check-ins are recorded."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from attendance.services import segment_group
from members import permissions
from study.models import Segment


@database_sync_to_async
def _may_watch(user, segment_id: int) -> bool:
    segment = Segment.objects.select_related("session__organizer").filter(pk=segment_id).first()
    return segment is not None and permissions.can(user, permissions.ATTENDANCE_RUN, segment)


class SegmentConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        segment_id = int(self.scope["url_route"]["kwargs"]["segment_id"])
        if user is None or not user.is_authenticated or not await _may_watch(user, segment_id):
            await self.close(code=4403)
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
