"""The stream's frames: one state of a session read once, written for every view that asks.

A view says which maps a client draws and at what size; a frame for it carries those maps and
no others. Per state, a view's grids are evaluated once (one forward pass over all their
points: the output map's and the thumbnails'), every hidden layer's maps are quantised in one
pass, and the parts every view shares (step, metrics, parameters) are built once.
Across frames a `MapCache` keeps the last maps: while the parameters have not moved (a paused
session, a second watcher, a view or a `set` that changes no weight) nothing is evaluated
again. (Keeping a map whose levels moved by at most one was measured and dropped: comparing
the levels cost 110 µs a frame more than encoding them again.)

A frame goes out as JSON text (maps as base64, parameters as lists; written by json.dumps as
before) or as one binary message
(`pack`): bytes 0–3 the header's length n (uint32, little-endian); bytes 4 … 4+n the header,
UTF-8 JSON padded with spaces so that the payload starts at a multiple of 8; then the payload:
the parameters (float64, little-endian, in `Network.params` order: every layer's weights, then
every layer's bias), then every map's levels (uint8, row-major) one after another. The header
is the JSON frame where each layer's "weights" and "bias" are {"offset", "shape", "dtype"} and
each map's base64 "data" is "offset" (bytes into the payload). In both formats a map has
"shape" [rows, columns], "lo" and "hi", and value = lo + (hi − lo)·u/255.
"""

import base64
import json
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import orjson

from app.schemas.sessions import NEURON_GRID, OUTPUT_GRID, ViewControl
from app.training.frames import evaluate_at, quantise_columns
from app.training.session import TrainingSession

Array = np.ndarray[Any, Any]
Format = Literal["json", "binary"]
MAX_POINTS = 2000  # points sent to the page for drawing
ALIGN = 8


@dataclass(frozen=True)
class View:
    """What one client draws: the output map's cells per side (0: none), the hidden neurons
    whose maps it shows (None: all; else (layer, index), layer 0 the first hidden one), their
    cells per side, and whether the points in the last hidden layer's space."""

    output: int = OUTPUT_GRID
    neurons: frozenset[tuple[int, int]] | None = None
    neuron_size: int = NEURON_GRID
    hidden_points: bool = True

    @classmethod
    def of(cls, msg: ViewControl) -> "View":
        refs = msg.neurons
        neurons = None if refs == "all" else frozenset() if refs == "none" else frozenset(
            (r.layer - 1, r.index) for r in refs)
        return cls(msg.output, neurons, msg.neuron_size, msg.hidden_points)

    def columns(self, layer: int, width: int) -> list[int]:
        """The neurons of hidden layer `layer` (of `width`) this view shows."""
        if self.neurons is None:
            return list(range(width))
        return sorted(j for (l, j) in self.neurons if l == layer)


DEFAULT_VIEW = View()  # before a client says otherwise: every map, as the page draws them


def check_view(msg: ViewControl, sizes: list[int], max_grid: int) -> str | None:
    """What is wrong with `msg` for a network of `sizes` (at most `max_grid` cells per side)."""
    for name, size in (("output", msg.output), ("neuron_size", msg.neuron_size)):
        if size > max_grid:
            return (f"bad view message: {name} {size} is over the limit of {max_grid} cells "
                    "per side (LL_MAX_GRID)")
    hidden = sizes[1:-1]
    for ref in msg.neurons if isinstance(msg.neurons, list) else []:
        if ref.layer > len(hidden) or ref.index >= hidden[ref.layer - 1]:
            return (f"bad view message: no neuron {ref.index} in hidden layer {ref.layer}; "
                    f"this network's hidden layers have {hidden} neurons (layers from 1, "
                    "neurons from 0)")
    return None


@dataclass
class Map:
    """One map's 8-bit levels with the range they span; base64 made when first asked."""

    lo: float
    hi: float
    shape: tuple[int, int]
    levels: Array  # uint8, row-major
    _b64: str | None = field(default=None, repr=False)

    @property
    def b64(self) -> str:
        if self._b64 is None:
            self._b64 = base64.b64encode(self.levels.tobytes()).decode("ascii")
        return self._b64


def _maps(values: Array, activation: str, shape: tuple[int, int]) -> list[Map]:
    lo, hi, u8 = quantise_columns(values, activation)
    return [Map(float(lo[j]), float(hi[j]), shape, u8[j]) for j in range(u8.shape[0])]


Key = tuple[Any, ...]  # ("out", size), ("n", size): every hidden layer, ("hp",): the points


@dataclass
class MapCache:
    """A session's last maps (by key) and metrics, and the parameters they were made from."""

    params: Array | None = None
    maps: dict[Key, list[Map]] = field(default_factory=dict)
    metrics: dict[str, Any] | None = None


def dumps(message: Any) -> str:
    """A JSON text message, written as it always was (json.dumps: scripts that read the
    text keep working); orjson would take 12 µs where this takes 207 for a JSON frame of
    every map, but the page reads binary frames."""
    return json.dumps(message)


def _header(message: Any) -> bytes:
    """A binary frame's header: orjson (numpy numbers allowed; NaN and ±inf as null), 2.3 µs
    where json.dumps takes 33 for 2-8-8-1, 16 where it takes 282 for 6x32."""
    return orjson.dumps(message, option=orjson.OPT_SERIALIZE_NUMPY)


def every(n: int) -> int:
    """The stride that keeps at most MAX_POINTS of n points for drawing."""
    return max(1, -(-n // MAX_POINTS))


class Build:
    """One state of a session, read for any number of views: each part made at most once.

    Use inside the session's lock (and its `at_step` for a past step)."""

    def __init__(self, s: TrainingSession, cache: MapCache | None = None, peek: bool = False):
        self.s, self.cache, self.peek = s, cache, peek
        self.made: dict[Key, list[Map]] = {}
        if cache is not None:
            if cache.params is not None and np.array_equal(cache.params, s.net.params):
                self.made = cache.maps  # nothing moved: every cached map still holds
            else:
                cache.params, cache.metrics, cache.maps = s.net.params.copy(), None, {}
                self.made = cache.maps
        self._acts: dict[int, list[Array]] = {}
        self._layers: list[dict[str, Any]] | None = None
        self.act = s.config.activation
        self.out_act = "identity" if s.data.task == "regression" else s.net.output.name

    def acts(self, size: int) -> list[Array]:
        """Every layer's activation on the grid of `size`."""
        self.forward([size])
        return self._acts[size]

    def forward(self, sizes: Iterable[int]) -> None:
        """Every layer's activation on the grids of `sizes` not evaluated yet, in one forward
        pass over all their points (the output map's 100² and the thumbnails' 24² together:
        146 against 165 µs for 2-8-8-1 here, the calls of a second pass saved)."""
        todo = [n for n in dict.fromkeys(sizes) if n not in self._acts]
        if not todo:
            return
        inputs = [self.s.grid(n).inputs for n in todo]
        acts = evaluate_at(self.s.net, inputs[0] if len(todo) == 1 else np.concatenate(inputs))
        start = 0
        for n, X in zip(todo, inputs, strict=True):
            self._acts[n] = [a[start:start + len(X)] for a in acts]
            start += len(X)

    def _get(self, key: Key, make: Callable[[], list[Map]]) -> list[Map]:
        """The maps of `key`, made by `make()` unless this state has them already."""
        if key not in self.made:
            self.made[key] = make()
        return self.made[key]

    def output(self, size: int) -> list[Map]:
        shape = self.s.grid(size).shape

        def make() -> list[Map]:
            with np.errstate(all="ignore"):
                units = self.s.output_in_units(self.acts(size)[-1])
            return _maps(units, self.out_act, shape)

        return self._get(("out", size), make)

    def layer(self, size: int, l: int) -> list[Map]:
        """Every map of hidden layer `l` at `size` (every hidden layer quantised in one pass:
        they share the activation, and a map's range is its own column's)."""
        shape, widths = self.s.grid(size).shape, self.s.sizes[1:-1]
        maps = self._get(("n", size),
                         lambda: _maps(np.hstack(self.acts(size)[:-1]), self.act, shape))
        start = sum(widths[:l])
        return maps[start:start + widths[l]]

    def hidden_points(self) -> dict[str, list[Map]] | None:
        """The training and test points (at most MAX_POINTS of each) in the last hidden
        layer's space: one forward pass over both, each set's maps quantised on its own."""
        s = self.s
        if len(s.sizes) <= 2:
            return None

        def make() -> list[Map]:
            parts = [X[:: every(len(X))] for X in (s.data.X_train, s.data.X_test)]
            hidden = evaluate_at(s.net, np.concatenate(parts))[-2]  # (n, H)
            n = len(parts[0])
            maps = _maps(hidden[:n], self.act, (1, n))
            if len(parts[1]):
                maps += _maps(hidden[n:], self.act, (1, len(parts[1])))
            return maps

        maps = self._get(("hp",), make)
        width = s.sizes[-2]
        return {"train": maps[:width], "test": maps[width:]}

    def metrics(self) -> dict[str, Any]:
        if self.cache is not None and self.cache.metrics is not None:
            return self.cache.metrics
        metrics = self.s.evaluate().as_metrics().model_dump()
        if self.cache is not None:
            self.cache.metrics = metrics
        return metrics

    def head(self) -> dict[str, Any]:
        """What every view's frame says besides its maps and parameters."""
        s = self.s
        return {
            "type": "frame", "step": s.step_count, "epoch": s.trainer.epoch,
            "status": s.status, "message": s.message, "metrics": self.metrics(),
            "checkpoints": s.checkpoint_steps, "peek": self.peek,
        }

    def layers(self) -> list[dict[str, Any]]:
        """Each weight layer's weights (in×out) and bias as JSON lists."""
        if self._layers is None:
            net = self.s.net
            self._layers = [{"weights": W.tolist(), "bias": b.tolist()}
                            for W, b in zip(net.W, net.b, strict=True)]
        return self._layers

    def binary_layers(self) -> tuple[list[dict[str, Any]], Array]:
        """Each layer's weights and bias as (offset, shape) into the parameters, float64
        little-endian in the order of `Network.params`: every layer's weights, then every
        layer's bias."""
        net, offset = self.s.net, 0
        weights, biases = [], []
        for W in net.W:
            weights.append({"offset": offset, "shape": W.shape, "dtype": "float64"})
            offset += W.nbytes
        for b in net.b:
            biases.append({"offset": offset, "shape": b.shape, "dtype": "float64"})
            offset += b.nbytes
        params = net.params.astype("<f8")  # a copy: the network trains on after the lock
        return [{"weights": w, "bias": b} for w, b in zip(weights, biases, strict=True)], params

    def message(self, view: View, fmt: Format) -> tuple[dict[str, Any], list[Array]]:
        """The frame for `view` as a dict, and (binary) the payload its offsets point into:
        the parameters, then the maps. In JSON the parameters are lists, the maps carry their
        base64 "data" and the payload is empty."""
        payload: list[Array] = []
        if fmt == "json":
            layers, offset = self.layers(), 0
        else:  # the parameters first: their offsets stay multiples of 8
            layers, params = self.binary_layers()
            payload.append(params)
            offset = params.nbytes

        def put(m: Map) -> dict[str, Any]:
            nonlocal offset
            entry: dict[str, Any] = {"lo": m.lo, "hi": m.hi, "shape": m.shape}
            if fmt == "json":
                entry["data"] = m.b64
            else:
                entry["offset"] = offset
                payload.append(m.levels)
                offset += m.levels.size
            return entry

        widths = self.s.sizes[1:-1]
        shown = [set(view.columns(l, width)) for l, width in enumerate(widths)]
        keys: list[Key] = [("out", view.output)] if view.output else []
        keys += [("n", view.neuron_size)] if any(shown) else []
        self.forward(key[1] for key in keys if key not in self.made)  # one pass for all
        neurons = []
        for l, (width, cols) in enumerate(zip(widths, shown, strict=True)):
            maps = self.layer(view.neuron_size, l) if cols else []
            neurons.append([put(maps[j]) if j in cols else None for j in range(width)])
        points = self.hidden_points() if view.hidden_points else None
        message = {
            **self.head(),
            "layers": layers,
            "output": [put(m) for m in self.output(view.output)] if view.output else [],
            "neurons": neurons,
            "hidden_points": None if points is None else
            {k: [put(m) for m in maps] for k, maps in points.items()},
        }
        return message, payload

    def frame(self, view: View, fmt: Format) -> str | bytes:
        """The frame for `view`, serialised: JSON text, or one binary message (`pack`)."""
        message, payload = self.message(view, fmt)
        return dumps(message) if fmt == "json" else pack(message, payload)


def pack(header: dict[str, Any], payload: Iterable[Array]) -> bytes:
    """One binary message: the header's length, the header (padded), then the payload."""
    text = _header(header)
    text += b" " * (-(4 + len(text)) % ALIGN)
    return b"".join([struct.pack("<I", len(text)), text, *(p.data for p in payload)])


def unpack(message: bytes) -> tuple[dict[str, Any], memoryview]:
    """A binary message's header and payload (the inverse of `pack`)."""
    (n,) = struct.unpack_from("<I", message)
    return orjson.loads(message[4:4 + n]), memoryview(message)[4 + n:]


def frames_for(s: TrainingSession, wanted: Iterable[tuple[View, Format]],
               cache: MapCache | None = None, step: int | None = None) -> dict[
                   tuple[View, Format], str | bytes]:
    """One frame per distinct (view, format) from one read of the session (at checkpoint
    `step` when given: the network as it was then, marked `"peek": true`)."""
    with s.at_step(step):
        build = Build(s, cache if step is None else None, peek=step is not None)
        return {key: build.frame(*key) for key in dict.fromkeys(wanted)}
