"""The WebSocket protocol the server speaks: uvicorn's own (websockets, sans-I/O), whose
permessage-deflate compresses at zlib level 1 instead of zlib's default 6.

Browsers ask for permessage-deflate on every WebSocket, so every frame a page gets is
compressed, once per client, on the event loop. A 2-8-8-1 frame of the page's view (21.9 kB)
becomes 7.8 kB in 109 µs at level 1 and 7.2 kB in 337 µs at level 6 (measured here, with
uvicorn's 4 kB window and memLevel 5): nearly the same bytes for a third of the time. Scripts
that ask for no compression get none. Serve with `uvicorn app.main:app --ws
app.ws_protocol:Protocol` (`make run`, `make class` and the image do).
"""

from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory

LEVEL = 1  # zlib's compression level for frames
UVICORN_ARGS = ("--ws", "app.ws_protocol:Protocol")  # what serves the app with this protocol


class Protocol(WebSocketsSansIOProtocol):
    """uvicorn's sans-I/O WebSocket protocol, with the same permessage-deflate offer (4 kB
    windows, memLevel 5) at compression LEVEL."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.config.ws_per_message_deflate:
            self.conn.available_extensions = [ServerPerMessageDeflateFactory(
                server_max_window_bits=12, client_max_window_bits=12,
                compress_settings={"memLevel": 5, "level": LEVEL})]
