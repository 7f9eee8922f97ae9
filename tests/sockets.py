"""WebSocket refusals as a browser meets them.

A consumer refuses by accepting and then closing with the app's code (members.consumers.refuse):
closed before the accept, the browser would see a failed handshake (1006) and never the code.
"""

from channels.testing import WebsocketCommunicator


async def refusal_code(comm: WebsocketCommunicator) -> int | None:
    """The close code the socket is refused with, or None when it stays open."""
    connected, code = await comm.connect()
    assert connected, f"closed before its accept (code {code}): a browser sees only 1006"
    if await comm.receive_nothing(timeout=0.2):
        return None
    message = await comm.receive_output()
    assert message["type"] == "websocket.close", message
    return message.get("code")
