"""The server's WebSocket protocol (app.ws_protocol): browsers' permessage-deflate at zlib
level 1, on every way the app is served."""

import asyncio
import zlib
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from uvicorn.server import ServerState
from websockets.extensions.permessage_deflate import PerMessageDeflate
from websockets.sync.client import connect

from app.config import ROOT
from app.training.framing import unpack
from app.ws_protocol import LEVEL, UVICORN_ARGS, Protocol
from tests.helpers import make_dataset, make_session, server


def test_the_server_offers_permessage_deflate_at_level_1() -> None:
    async def offer() -> list[Any]:
        config = uvicorn.Config(lambda scope, receive, send: None, ws=Protocol)
        config.load()
        return list(Protocol(config=config, server_state=ServerState(),
                             app_state={}).conn.available_extensions)

    (factory,) = asyncio.run(offer())
    assert factory.compress_settings == {"memLevel": 5, "level": LEVEL} and LEVEL == 1
    assert factory.server_max_window_bits == factory.client_max_window_bits == 12


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
        frames: dict[str | None, bytes] = {}
        for compression in ("deflate", None):
            with connect(url, compression=compression, max_size=None) as ws:
                extensions = ws.response.headers.get("Sec-WebSocket-Extensions", "")
                assert ("permessage-deflate" in extensions) == (compression is not None)
                assert any(isinstance(e, PerMessageDeflate) for e in ws.protocol.extensions) \
                    == (compression is not None)
                ws.recv()  # init
                frame = ws.recv()
                assert isinstance(frame, bytes)
                frames[compression] = frame
    assert frames["deflate"] == frames[None]
    header, _ = unpack(frames[None])
    assert header["step"] == 0 and len(header["output"]) == 1
    assert len(zlib.compress(frames[None], 1)) < len(frames[None]) / 2  # maps compress well
