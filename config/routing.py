"""WebSocket routes of every app, gathered under /ws/."""

from django.urls import path

from attendance.consumers import PresenceConsumer, SegmentConsumer
from members.consumers import UserEventsConsumer

websocket_urlpatterns = [
    path("ws/me/", UserEventsConsumer.as_asgi()),
    path("ws/attendance/segments/<int:segment_id>/", SegmentConsumer.as_asgi()),
    path("ws/attendance/presence/<int:segment_id>/", PresenceConsumer.as_asgi()),
]
