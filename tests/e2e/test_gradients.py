"""The slow-motion step in a real browser: on a neuron's card it pauses, draws the line after
one step where w − η·∂loss/∂w puts it (the arrows from the line now ending on it), shows the δ
map beside the neuron's map, and each press advances the session by exactly one step."""

import json
import math
from typing import Any

import pytest

from tests.e2e.conftest import PageLog, shot, wait_drawn, wait_frame
from tests.helpers import get_json as get

pytestmark = pytest.mark.e2e

Page = Any
ETA = 0.5
SINE_ADAM = "/#data=sine&n=200&layers=4&act=tanh&opt=adam&lr=0.03&batch=full&speed=5"
XOR_SGD = f"/#data=xor&n=200&layers=3&act=sigmoid&opt=sgd&lr={ETA}&batch=full&speed=5"


def slow(page: Page) -> dict[str, Any]:
    """What the slow-motion section says it drew (its data-* attributes), parsed."""
    data = page.eval_on_selector("#card-slow", "e => ({...e.dataset})")
    return {k: json.loads(v) if k not in ("optimizer", "zoomText", "ready") else v
            for k, v in data.items()}


def wait_ready(page: Page, step: int) -> dict[str, Any]:
    page.wait_for_function(
        f"(e => e.dataset.ready === 'true' && e.dataset.step === '{step}')"
        "(document.getElementById('card-slow'))", timeout=20_000)
    return slow(page)


def raw_line(model: dict[str, Any], w: list[float], b: float) -> tuple[float, float, float]:
    """w·z + b = 0 over standardized x1, x2 as A·X + B·Y + C = 0 in raw units."""
    mean, std = model["standardize"]["mean"], model["standardize"]["std"]
    return w[0] / std[0], w[1] / std[1], b - w[0] * mean[0] / std[0] - w[1] * mean[1] / std[1]


def close_line(a: dict[str, float], b: tuple[float, float, float]) -> bool:
    return all(math.isclose(a[k], v, rel_tol=1e-9, abs_tol=1e-12)
               for k, v in zip("ABC", b, strict=True))


def raw_of(pt: list[float], box: list[float], size: list[float]) -> tuple[float, float]:
    """A pixel of the card's map back in raw units (draw.js mappers, inverted)."""
    x0, x1, y0, y1 = box
    w, h = size
    return x0 + pt[0] / w * (x1 - x0), y0 + (h - pt[1]) / h * (y1 - y0)


def off_line(line: dict[str, float], X: float, Y: float) -> float:
    return abs(line["A"] * X + line["B"] * Y + line["C"]) / math.hypot(line["A"], line["B"])


def test_slow_motion_step_draws_the_gradient_step(page: Page, live_server: str,
                                                  log: PageLog) -> None:
    page.goto(live_server + XOR_SGD)
    wait_frame(page)
    sid = page.evaluate("window.__ll.session.id")
    get(live_server, f"/api/sessions/{sid}")  # exists
    page.click("#network .node.neuron[data-layer='1'][data-index='0'] canvas")
    page.wait_for_selector("#card:not([hidden])")
    assert page.inner_text("#card-slow-btn") == "Slow-motion step"
    page.click("#card-slow-btn")
    s0 = page.evaluate("window.__ll.latest.step")
    d = wait_ready(page, s0)
    assert page.inner_text("#card-slow-btn") == "One step ▸"
    g = get(live_server, f"/api/sessions/{sid}/gradient?grid=4")
    assert g["step"] == s0 and d["eta"] == ETA and d["optimizer"] == "sgd"
    # the card's numbers are the API's: ∂loss/∂w, ∂loss/∂b of neuron h1.1
    assert d["dw"] == [row[0] for row in g["gradient"][0]["weights"]]
    assert d["db"] == g["gradient"][0]["bias"][0]
    # the line after the step is where w − η∇w, b − η∇b puts it
    model = get(live_server, f"/api/sessions/{sid}/model")
    w_next = [w - ETA * dw for w, dw in zip(d["now"]["w"], d["dw"], strict=True)]
    b_next = d["now"]["b"] - ETA * d["db"]
    assert d["next"]["w"] == pytest.approx(w_next, rel=1e-12)
    assert d["next"]["b"] == pytest.approx(b_next, rel=1e-12)
    assert close_line(d["lineNext"], raw_line(model, w_next, b_next))
    assert close_line(d["lineNow"], raw_line(model, d["now"]["w"], d["now"]["b"]))
    # the drawn (dashed) line is the step magnified `zoom` times, and says so when zoom > 1
    m = d["zoom"]
    w_drawn = [w + m * (v - w) for w, v in zip(d["now"]["w"], w_next, strict=True)]
    b_drawn = d["now"]["b"] + m * (b_next - d["now"]["b"])
    assert close_line(d["lineDrawn"], raw_line(model, w_drawn, b_drawn))
    if m > 1:
        assert f"×{m}" in page.inner_text("#card-slow-zoom")
    # every arrow starts on the line now and ends on the drawn line after; its tip is drawn green
    span = math.hypot(d["box"][1] - d["box"][0], d["box"][3] - d["box"][2])
    assert len(d["arrows"]) == 3
    longest = 0.0
    for start, end in d["arrows"]:
        assert off_line(d["lineNow"], *raw_of(start, d["box"], d["size"])) < 1e-9 * span
        assert off_line(d["lineDrawn"], *raw_of(end, d["box"], d["size"])) < 1e-9 * span
        longest = max(longest, math.dist(start, end))
    assert longest >= 14  # visible
    start, end = max(d["arrows"], key=lambda a: math.dist(*a))
    t = 0.5  # the middle of the longest arrow's shaft is the step's green
    mid = [start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1])]
    rgba = page.evaluate("""([x, y]) => { const c = document.getElementById('card-overlay');
        const k = c.width / c.clientWidth, ctx = c.getContext('2d');
        return Array.from(ctx.getImageData(Math.round(x * k), Math.round(y * k), 1, 1).data); }""",
                         mid)
    assert rgba[3] > 120 and rgba[1] > rgba[0] + 60 and rgba[1] > rgba[2], rgba  # #009e73
    # the words say what is drawn, for this setup: sgd, η, every training row
    what = page.inner_text("#card-slow-what")
    assert f"η = {ETA:g}" in what and f"all {g['n_train']} training rows" in what
    # the δ map beside the neuron's map, on the API's scale
    state = page.evaluate("""() => ({card: document.getElementById('card').className,
        fig: document.getElementById('card-delta-fig').hidden, conn: document.getElementById(
        'conn-status').dataset.state, step: window.__ll.latest.step, past: window.__ll.viewing})""")
    assert page.is_visible("#card-delta-fig") and page.is_hidden(".card-params"), state
    deltas = [abs(v) for v in g["delta_points"][0][0]]
    assert d["deltaMax"] >= max(deltas) > 0
    assert "σ′" in page.inner_text("#card-slow-delta")
    # its colours are the API's δ: at the cell of largest |δ| (class 1, the class on show),
    # purple (blue over red) where δ < 0 pushes z up, orange where δ > 0 pushes it down
    g40 = get(live_server, f"/api/sessions/{sid}/gradient?grid=40&layer=1")
    cells = g40["delta_maps"][0][0][1]  # neuron h1.1, class 1: (G, G), row 0 the lowest y
    G = len(cells)
    i, j = max(((i, j) for i in range(G) for j in range(G)), key=lambda c: abs(cells[c[0]][c[1]]))
    r, _, b, _ = page.evaluate("""([x, y]) => Array.from(document.getElementById('card-delta')
        .getContext('2d').getImageData(x, y, 1, 1).data)""", [j, G - 1 - i])
    assert (b > r) == (cells[i][j] < 0), (r, b, cells[i][j])
    every = [abs(v) for c in g40["delta_maps"][0][0] for row in c for v in row] + deltas
    assert d["deltaMax"] == pytest.approx(max(every), rel=1e-12)  # one scale: every class, the dots
    shot(page, "60-slow-motion-step")
    page.locator("#card-slow").scroll_into_view_if_needed()
    shot(page, "60b-slow-motion-numbers")
    # one press = one step: the weights land exactly where the card said, and it stays paused
    for k in (1, 2):
        page.click("#card-slow-btn")
        after = wait_ready(page, s0 + k)
        session = get(live_server, f"/api/sessions/{sid}")
        assert session["step"] == s0 + k and session["status"] != "running"
        assert after["now"] == d["next"]
        d = after
    wait_drawn(page, f"f.step === {s0 + 2}")
    assert page.evaluate("window.__ll.latest.step") == s0 + 2
    shot(page, "61-slow-motion-after-two-steps")
    # leaving puts the parameters back beside the map
    page.click("#card-slow-leave")
    page.wait_for_selector("#card-delta-fig", state="hidden")
    assert page.is_hidden("#card-slow")
    assert page.is_visible(".card-params")
    assert not log.errors, log.errors


def test_slow_motion_in_one_dimension_regression(page: Page, live_server: str,
                                                 log: PageLog) -> None:
    """1-D regression (sine): the cut point moves, δ is shown at the training points."""
    page.goto(live_server + SINE_ADAM)
    wait_frame(page)
    sid = page.evaluate("window.__ll.session.id")
    page.click("#network .node.neuron[data-layer='1'][data-index='1'] canvas")
    page.wait_for_selector("#card:not([hidden])")
    page.click("#btn-play")  # the slow-motion step pauses a running session
    page.wait_for_function("window.__ll.latest.step > 5 && window.__ll.latest.status === 'running'")
    page.click("#card-slow-btn")
    page.wait_for_function("document.getElementById('card-slow').dataset.ready === 'true'",
                           timeout=20_000)
    s0 = int(page.eval_on_selector("#card-slow", "e => e.dataset.step"))
    d = slow(page)
    session = get(live_server, f"/api/sessions/{sid}")
    assert session["status"] == "paused" and session["step"] == s0 > 5
    g = get(live_server, f"/api/sessions/{sid}/gradient?grid=4")
    assert d["next"]["w"] == [row[1] for row in g["next_layers"][0]["weights"]]
    model = get(live_server, f"/api/sessions/{sid}/model")
    mean, std = model["standardize"]["mean"][0], model["standardize"]["std"][0]
    w, b = d["next"]["w"][0], d["next"]["b"]
    assert d["lineNext"]["A"] == pytest.approx(w / std)
    assert d["lineNext"]["C"] == pytest.approx(b - w * mean / std)
    for start, end in d["arrows"]:  # horizontal, from the cut now to the drawn cut
        assert start[1] == end[1]
    assert "adam" in page.inner_text("#card-slow-what")
    assert "no target" in page.inner_text("#card-slow-delta")
    assert "middle line" in page.inner_text("#card-slow-delta")  # 1-D: −δ is a height
    assert "(bottom)" in page.inner_text("#card-delta-caption")
    assert page.locator("#card-delta-classes button").count() == 0
    shot(page, "62-slow-motion-sine")
    page.click("#card-slow-btn")
    wait_ready(page, s0 + 1)
    assert get(live_server, f"/api/sessions/{sid}")["step"] == s0 + 1
    assert not log.errors, log.errors


def test_an_edit_in_slow_motion_redraws_the_gradient_at_the_new_weights(
        page: Page, live_server: str, log: PageLog) -> None:
    """A weight typed on the output neuron's card (same step, new weights): the card shows
    the gradient at the new weights, as the API computes it there."""
    page.goto(live_server + XOR_SGD)
    wait_frame(page)
    sid = page.evaluate("window.__ll.session.id")
    page.click("#network .node.neuron[data-layer='2'][data-index='0'] canvas")
    page.wait_for_selector("#card:not([hidden])")
    page.click("#card-slow-btn")
    s0 = page.evaluate("window.__ll.latest.step")
    before = wait_ready(page, s0)
    assert page.is_visible(".card-params") and page.is_hidden("#card-delta-fig")
    page.fill("#card-p-0", "2.5")
    page.press("#card-p-0", "Enter")
    page.wait_for_function(
        "(e => e.dataset.ready === 'true' && JSON.parse(e.dataset.now).w[0] === 2.5)"
        "(document.getElementById('card-slow'))", timeout=20_000)
    d = slow(page)
    g = get(live_server, f"/api/sessions/{sid}/gradient?grid=4")
    assert g["step"] == s0 and g["layers"][1]["weights"][0][0] == 2.5
    assert d["dw"] == [row[0] for row in g["gradient"][1]["weights"]] != before["dw"]
    assert not log.errors, log.errors
