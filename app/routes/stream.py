"""The live stream: WS /api/sessions/{id}/stream — controls in, frames out."""

import asyncio
import logging

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect
from pydantic import TypeAdapter, ValidationError

from app.schemas.sessions import (
    Control,
    PauseControl,
    PeekControl,
    ResetControl,
    RewindControl,
    SetControl,
    SetParametersControl,
    StepControl,
    ViewControl,
)
from app.schemas.stream import WATCHER_MAY, Role, ShareControl, StreamControl
from app.security import clip
from app.training import payloads
from app.training.framing import Format, check_view, dumps
from app.training.player import Players
from app.training.registry import SessionRegistry
from app.training.session import SessionError

log = logging.getLogger(__name__)
router = APIRouter(tags=["stream"])
controls: TypeAdapter[StreamControl] = TypeAdapter(StreamControl)
ROLES: tuple[Role, ...] = ("own", "watch")
NOT_YOURS = ("you are watching someone else's live session: only its owner can play, pause "
             "or change it (press “Make my own copy” to continue on your own)")


def _problem(err: ValidationError) -> str:
    """The most specific of the errors (the deepest), where it is, without union tags."""
    first = max(err.errors(), key=lambda e: len(e["loc"]))
    where = ".".join(str(p) for p in first["loc"] if "[" not in str(p)) or "message"
    return f"bad control message: {where}: {first['msg']}"


FORMATS = ("json", "binary")
MAX_PENDING = 64  # control messages a socket may have waiting; more are refused
BYTES_PER_PARAMETER = 32  # a set_parameters message: a full-precision JSON number, with room


@router.websocket("/api/sessions/{session_id}/stream")
async def stream(ws: WebSocket, session_id: str, format: str = Query("json"),
                 role: str = Query("own")) -> None:
    """First an `init` message, then frames while playing; see the README for the messages.
    `?format=binary`: each frame is one binary message (app.training.framing); every other
    message stays JSON text. `?role=watch`: a watcher of someone's live session, whose
    controls (but `view` and `peek`) are refused unless the owner allows control (`share`).

    A refusal accepts the socket and closes it with a code and a reason the page can show:
    4404 no such session, 4429 too many live sessions, 4422 no such format or role; a
    handover to another process closes with 1012 (reconnect)."""
    if format not in FORMATS or role not in ROLES:
        await ws.accept()
        await ws.close(code=4422, reason=clip(
            f"format must be 'json' or 'binary', got {format!r}" if format not in FORMATS
            else f"role must be 'own' or 'watch', got {role!r}"))
        return
    fmt: Format = "binary" if format == "binary" else "json"
    who: Role = "watch" if role == "watch" else "own"
    registry: SessionRegistry = ws.app.state.registry
    players: Players = ws.app.state.players
    try:
        session = await asyncio.to_thread(registry.get, session_id)
    except SessionError as err:
        await ws.accept()
        await ws.close(code=4000 + err.status_code, reason=clip(str(err)))
        return
    limit = max(ws.app.state.settings.max_control_message_bytes,  # room for set_parameters
                BYTES_PER_PARAMETER * session.net.params.size)
    await ws.accept()
    try:
        init = await asyncio.to_thread(payloads.init_message, session)
        await ws.send_text(dumps(init))
    except WebSocketDisconnect:  # gone before the first message: nothing to clean up
        return

    async def send(message: str | bytes) -> None:
        if isinstance(message, bytes):
            await ws.send_bytes(message)
        else:
            await ws.send_text(message)

    async def close(code: int, reason: str) -> None:
        await ws.close(code=code, reason=reason)

    player, watcher = players.watch(session, send, fmt, close, who)
    max_grid = ws.app.state.settings.max_grid
    pending: list[Control] = []
    arrived = asyncio.Event()
    closing = asyncio.Event()  # the client is gone: carry out what lasts, then stop

    async def carry_out() -> None:
        """Apply what has arrived since the last turn, as one burst; at most one turn per
        frame period, so a burst of any length costs about a frame per period. Once the
        client is gone, the changes it sent still land (a learning rate set just before
        closing the tab is kept); what only a watcher would see (play, peek, view) does not."""
        period = 1.0 / ws.app.state.settings.frame_rate
        last = False
        while not last:
            await arrived.wait()
            arrived.clear()
            last = closing.is_set()  # gone while a burst ran: one more turn for what waits
            batch = pending[:]
            pending.clear()
            if last:
                batch = [m for m in batch if isinstance(m, LASTING)
                         and player.may_control(watcher)]
            try:
                if batch:
                    await player.control(batch, watcher)
            except Exception as err:  # never a silent stop: the client is told
                log.exception("session %s: a control failed", session_id)
                watcher.reply({"type": "error", "detail": f"the control failed: {err}"})
            if not closing.is_set():
                await asyncio.sleep(period)

    tasks = [asyncio.create_task(watcher.pump()), asyncio.create_task(carry_out())]
    try:
        frames = await asyncio.to_thread(player.frames, {watcher.key})
        watcher.offer(frames[watcher.key])
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                break
            problem, msg = _parse(message.get("text"), limit)
            if isinstance(msg, ViewControl):
                problem = check_view(msg, session.sizes, max_grid)
            elif isinstance(msg, ShareControl):
                if watcher.role == "own":
                    player.share(msg)
                else:
                    problem = "only the session's owner can share control"
                msg = None
            elif msg is not None and msg.type not in WATCHER_MAY and not player.may_control(
                    watcher):
                problem = NOT_YOURS
            if msg is not None and len(pending) >= MAX_PENDING and not _merges(pending, msg):
                problem = (f"{MAX_PENDING} control messages are already waiting; this one "
                           "was dropped (send fewer, or wait for the frames)")
            if problem:
                watcher.reply({"type": "error", "detail": problem})
            elif msg is not None:
                _enqueue(pending, msg)
                arrived.set()
    except WebSocketDisconnect:
        pass
    finally:  # the client is gone: its sends stop, its waiting changes still land
        pump, carrier = tasks
        pump.cancel()
        closing.set()
        arrived.set()
        try:
            await asyncio.wait_for(  # a step under way may take its whole time, then the rest
                carrier, ws.app.state.settings.max_seconds_per_request + CLOSING_SECONDS)
        except Exception:  # a timeout (a failing control was logged by carry_out)
            carrier.cancel()
        finally:
            await players.unwatch(player, watcher)


LASTING = (SetControl, SetParametersControl, ResetControl, RewindControl, StepControl,
           PauseControl)  # controls that change the session, not only what a watcher sees
CLOSING_SECONDS = 10.0  # how long a gone client's last changes may take to land, after
#                         the step under way (at most LL_MAX_SECONDS_PER_REQUEST)


def _merges(pending: list[Control], msg: Control) -> bool:
    """Whether `msg` folds into the last waiting control: `set` into `set` (later values
    win), `peek` into `peek`, `set_parameters` into `set_parameters` and `view` into `view`
    (the last wins)."""
    return bool(pending) and type(pending[-1]) is type(msg) and isinstance(
        msg, SetControl | PeekControl | SetParametersControl | ViewControl)


def _enqueue(pending: list[Control], msg: Control) -> None:
    if not _merges(pending, msg):
        pending.append(msg)
    elif isinstance(msg, SetControl):
        given = msg.model_dump(exclude_unset=True)
        pending[-1] = pending[-1].model_copy(update=given)
    else:
        pending[-1] = msg


def _parse(text: str | None, limit: int) -> tuple[str | None, StreamControl | None]:
    """A control message, or what is wrong with it."""
    if text is None:
        return "control messages are JSON text; a binary frame was received", None
    if len(text) > limit:
        return f"control message of {len(text)} bytes is over the limit of {limit}", None
    try:
        return None, controls.validate_json(text)
    except ValidationError as err:
        return _problem(err), None
