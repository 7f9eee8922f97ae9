"""The per-user WebSocket: anything addressed to one user (notices, later live prompts)."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

# The app's own close codes, which the live pages read (static/js/live.js): not logged in, and
# not allowed. A page that receives one stops reconnecting and says why.
UNAUTHENTICATED = 4401
FORBIDDEN = 4403


async def refuse(consumer: AsyncJsonWebsocketConsumer, code: int = FORBIDDEN) -> None:
    """Refuse a socket so that the page learns why: accept it, then close it with the app's
    code. Closing before accepting becomes an HTTP 403 on the handshake, which a browser
    reports only as 1006 (a dropped connection, retried forever)."""
    await consumer.accept()
    await consumer.close(code=code)


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


class UserEventsConsumer(AsyncJsonWebsocketConsumer):
    """Joins the user's own group and forwards every `user.event` sent to it."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await refuse(self, UNAUTHENTICATED)
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
