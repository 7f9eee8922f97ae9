"""The per-user WebSocket: anything addressed to one user (notices, later live prompts)."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


class UserEventsConsumer(AsyncJsonWebsocketConsumer):
    """Joins the user's own group and forwards every `user.event` sent to it."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def user_event(self, event: dict) -> None:
        await self.send_json(event.get("payload", {}))
