"""The WebSocket protocol the server speaks: uvicorn's own (websockets, sans-I/O), whose
permessage-deflate compresses at zlib level 1 instead of zlib's default 6.

Browsers ask for permessage-deflate on every WebSocket, so every frame a page gets is
compressed on the event loop. A 2-8-8-1 frame of the page's view (21.9 kB) becomes 7.8 kB in
109 µs at level 1 and 7.2 kB in 337 µs at level 6 (measured here, with uvicorn's 4 kB window
and memLevel 5): nearly the same bytes for a third of the time. Each message is compressed on
its own (a frame is larger than the window, so the last one's context saved nothing), and a
frame that goes to many clients (every watcher of a view gets the same bytes) is compressed
once. Scripts that ask for no compression get none. Serve with `uvicorn app.main:app --ws
app.ws_protocol:Protocol` (`make run`, `make class` and the image do).
"""

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.extensions.base import Extension
from websockets.extensions.permessage_deflate import (
    PerMessageDeflate,
    ServerPerMessageDeflateFactory,
)
from websockets.frames import Frame, Opcode
from websockets.typing import BytesLike, ExtensionParameter

LEVEL = 1  # zlib's compression level for frames
WINDOW_BITS = 12  # uvicorn's: a 4 kB window
SETTINGS = {"memLevel": 5, "level": LEVEL}
UVICORN_ARGS = ("--ws", "app.ws_protocol:Protocol")  # what serves the app with this protocol
SHARED = 64  # the latest compressed binary messages kept for the next client that gets them


class SharedDeflate(PerMessageDeflate):
    """permessage-deflate whose server side compresses each message on its own (no context
    takeover), so that one binary message sent to many clients (a frame every watcher of a
    view gets: the same bytes object) is compressed once for all of them."""

    def encode(self, frame: Frame) -> Frame:
        data = frame.data
        if (frame.opcode is not Opcode.BINARY or not frame.fin or not isinstance(data, bytes)
                or not self.local_no_context_takeover):  # (then each message stands alone)
            return super().encode(frame)
        key = id(data), self.local_max_window_bits  # a client may ask for a smaller window
        with _LOCK:
            hit = _RECENT.get(key)
        if hit is not None and hit[0] is data:  # (held here, so its id is no one else's)
            return Frame(frame.opcode, hit[1], frame.fin, True, frame.rsv2, frame.rsv3)
        encoded = super().encode(frame)
        with _LOCK:
            _RECENT[key] = data, encoded.data
            while len(_RECENT) > SHARED:
                _RECENT.popitem(last=False)
        return encoded


# (id, window bits) → (message, deflated)
_RECENT: "OrderedDict[tuple[int, int], tuple[bytes, BytesLike]]" = OrderedDict()
_LOCK = threading.Lock()  # servers on several threads (tests) share it


class SharedDeflateFactory(ServerPerMessageDeflateFactory):
    """The server's permessage-deflate offer: 4 kB windows, memLevel 5 and LEVEL (as uvicorn's,
    but level 1 instead of zlib's 6), no server context takeover, messages shared."""

    def __init__(self) -> None:
        super().__init__(server_no_context_takeover=True, server_max_window_bits=WINDOW_BITS,
                         client_max_window_bits=WINDOW_BITS, compress_settings=SETTINGS)

    def process_request_params(self, params: Sequence[ExtensionParameter],
                               accepted_extensions: Sequence[Extension]
                               ) -> tuple[list[ExtensionParameter], PerMessageDeflate]:
        response, ext = super().process_request_params(params, accepted_extensions)
        return response, SharedDeflate(ext.remote_no_context_takeover,
                                       ext.local_no_context_takeover,
                                       ext.remote_max_window_bits, ext.local_max_window_bits,
                                       ext.compress_settings)


class Protocol(WebSocketsSansIOProtocol):
    """uvicorn's sans-I/O WebSocket protocol, offering SharedDeflateFactory's permessage-deflate."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.config.ws_per_message_deflate:
            self.conn.available_extensions = [SharedDeflateFactory()]
