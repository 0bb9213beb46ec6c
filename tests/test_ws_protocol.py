"""The server's WebSocket protocol (app.ws_protocol): browsers' permessage-deflate at zlib
level 1, on every way the app is served."""

import asyncio
import zlib
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from uvicorn.server import ServerState
from websockets.extensions.permessage_deflate import (
    ClientPerMessageDeflateFactory,
    PerMessageDeflate,
)
from websockets.frames import Frame, Opcode
from websockets.sync.client import ClientConnection, connect

from app.config import ROOT
from app.training.framing import unpack
from app.ws_protocol import LEVEL, UVICORN_ARGS, Protocol, SharedDeflateFactory
from tests.helpers import make_dataset, make_session, server


def test_the_server_offers_permessage_deflate_at_level_1() -> None:
    async def offer() -> list[Any]:
        config = uvicorn.Config(lambda scope, receive, send: None, ws=Protocol)
        config.load()
        return list(Protocol(config=config, server_state=ServerState(),
                             app_state={}).conn.available_extensions)

    (factory,) = asyncio.run(offer())
    assert isinstance(factory, SharedDeflateFactory)
    assert factory.compress_settings == {"memLevel": 5, "level": LEVEL} and LEVEL == 1
    assert factory.server_max_window_bits == factory.client_max_window_bits == 12
    assert factory.server_no_context_takeover


def negotiated(**asked: Any) -> tuple[PerMessageDeflate, PerMessageDeflate]:
    """A server's and a client's ends of permessage-deflate, negotiated as a browser would
    (or with what the client `asked` for)."""
    client = ClientPerMessageDeflateFactory(**({"client_max_window_bits": True} | asked))
    response, server = SharedDeflateFactory().process_request_params(
        client.get_request_params(), [])
    return server, client.process_response_params(response, [])


def test_a_frame_sent_to_many_clients_is_compressed_once_and_each_decodes_it() -> None:
    """Three clients get the same frame (the same bytes object, as every watcher of a view
    does): one compression, and each client's decoder gets the frame back; a text message
    and a second frame decode too (each message is compressed on its own)."""
    frame = bytes(range(256)) * 40 + b"\x00" * 5000
    ends = [negotiated() for _ in range(3)]
    sent = [server.encode(Frame(Opcode.BINARY, frame)) for server, _ in ends]
    assert sent[0].data is sent[1].data is sent[2].data and sent[0].rsv1
    assert len(sent[0].data) < len(frame) / 4
    for (_, client), wire in zip(ends, sent, strict=True):
        assert client.decode(wire).data == frame
    server, client = ends[0]
    for message in (Frame(Opcode.TEXT, b'{"type": "history"}'),
                    Frame(Opcode.BINARY, frame[::-1])):
        assert client.decode(server.encode(message)).data == message.data


def test_a_client_that_asks_for_a_smaller_window_gets_its_own_compression() -> None:
    """A client may ask the server to compress with a smaller window (RFC 7692 7.1.2.1): it
    gets the frame compressed so, not the bytes another client's 4 kB window made (which its
    decoder could not read)."""
    frame = bytes(range(256)) * 40 + b"\x00" * 5000
    usual, small = negotiated(), negotiated(server_max_window_bits=9)
    assert small[0].local_max_window_bits == 9
    wide = usual[0].encode(Frame(Opcode.BINARY, frame))
    narrow = small[0].encode(Frame(Opcode.BINARY, frame))
    assert narrow.data != wide.data
    assert small[1].decode(narrow).data == usual[1].decode(wide).data == frame


def test_make_run_the_class_and_the_image_serve_with_it() -> None:
    args = " ".join(UVICORN_ARGS)
    run = (ROOT / "Makefile").read_text().split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert args in run.replace("\\\n\t\t", "")
    cmd = next(line for line in (ROOT / "Dockerfile").read_text().splitlines()
               if line.startswith("CMD "))
    assert args in cmd
    launcher = (ROOT / "app" / "cluster" / "launcher.py").read_text()
    assert '"app.main:app", *UVICORN_ARGS' in launcher


def test_a_browser_like_client_gets_compressed_frames_that_decode_like_plain_ones(
        tmp_path: Path) -> None:
    """A client that asks for permessage-deflate (as every browser does) gets it, and its
    frames are the very bytes a client without compression gets (at level 1 a frame of
    2-8-8-1 maps takes less than half its size)."""
    with server(tmp_path / "data", tmp_path / "log") as base:
        with httpx.Client(base_url=base, timeout=30) as api:
            sid = make_session(api, make_dataset(api, n=300), hidden_layers=[8, 8])
        url = base.replace("http://", "ws://") + f"/api/sessions/{sid}/stream?format=binary"
        with connect(url, compression="deflate", max_size=None) as deflated, \
                connect(url, compression=None, max_size=None) as plain:
            for ws, compressed in ((deflated, True), (plain, False)):
                extensions = ws.response.headers.get("Sec-WebSocket-Extensions", "")
                assert ("permessage-deflate" in extensions) == compressed
                assert any(isinstance(e, PerMessageDeflate)
                           for e in ws.protocol.extensions) == compressed
            frames = [frames_until(ws, 0) for ws in (deflated, plain)]
            deflated.send('{"type": "step", "steps": 3}')  # one more frame, to both
            for ws, got in zip((deflated, plain), frames, strict=True):
                got += frames_until(ws, 3)
    assert frames[0] == frames[1]  # every frame, at step 0 and 3, the same bytes
    first = frames[1][0]
    header, _ = unpack(first)
    assert header["step"] == 0 and len(header["output"]) == 1
    assert len(zlib.compress(first, 1)) < len(first) / 2  # maps compress well


def frames_until(ws: ClientConnection, step: int) -> list[bytes]:
    """The binary frames `ws` gets until the one at `step` (its text messages skipped)."""
    frames = []
    for _ in range(50):
        msg = ws.recv(timeout=30)
        if isinstance(msg, bytes):
            frames.append(msg)
            if unpack(msg)[0]["step"] == step:
                return frames
    raise AssertionError(f"no frame at step {step} in 50 messages")
