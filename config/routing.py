"""WebSocket routes of every app, gathered under /ws/."""

from django.urls import path

from members.consumers import UserEventsConsumer

websocket_urlpatterns = [
    path("ws/me/", UserEventsConsumer.as_asgi()),
]
