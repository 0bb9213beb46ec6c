"""The hidden space, moving (issue 15 §3), in a real browser: t = 0 is the input plane
(standardized as GET /model says), t = 0.5 the weighted sums x·W + b of the weights the API
has, t = 1 the hidden points POST /predict gives, projected the way the view projects them;
the output's line shows only at t = 1, the play control gets there, and the motion follows
training live."""

from typing import Any

import numpy as np
import pytest

from tests.e2e.conftest import PageLog, open_pane, shot, wait_frame

pytestmark = pytest.mark.e2e

Page = Any
XOR = "/#data=xor&n=300&noise=0.1&seed=0&layers=2&act=sigmoid&lr=0.1&pane=hidden"
DEEP = "/#data=circle&n=300&noise=0.1&seed=0&layers=4,3&act=tanh&lr=0.03&pane=hidden"


def trained(page: Page, base: str, steps: int) -> str:
    """Train the page's session `steps` more steps over REST; wait until the view drew it."""
    sid: str = page.evaluate("window.__ll.session.id")
    before = page.evaluate("window.__ll.latest.step")
    r = page.request.post(f"{base}/api/sessions/{sid}/step", data={"steps": steps})
    assert r.ok, r.text()
    page.wait_for_function(f"(window.__llHidden || {{}}).step === {before + steps}")
    return sid


def move_to(page: Page, t: float) -> None:
    """Drag the slider to t (as a person does: an input event) and wait until it is drawn."""
    page.eval_on_selector("#view-hidden .hs-t", """(s, t) => {
      s.value = String(t); s.dispatchEvent(new Event('input', { bubbles: true })); }""", t)
    page.wait_for_function(f"window.__llHidden.motion.t === {t}")


def positions(page: Page, t: float) -> np.ndarray:
    return np.array(page.evaluate(f"window.__llHidden.motion.at({t})"))


def api(page: Page, base: str, sid: str) -> dict[str, Any]:
    """The model (standardization, weights) and every training point's hidden activations."""
    raw = page.evaluate("window.__llHidden.motion.raw")
    model = page.request.get(f"{base}/api/sessions/{sid}/model").json()
    pred = page.request.post(f"{base}/api/sessions/{sid}/predict", data={"points": raw}).json()
    Z = (np.array(raw) - model["standardize"]["mean"]) / np.array(model["standardize"]["std"])
    return {"Z": Z, "layers": model["layers"], "hidden": [np.array(a) for a in pred["activations"]]}


def projected(page: Page, H: np.ndarray) -> np.ndarray:
    """Hidden vectors (n, H) projected the way the view draws them (its ax, ay, ox, oy)."""
    p = page.evaluate("window.__llHidden.proj")
    return np.column_stack([H @ np.array(p["ax"]) + p["ox"], H @ np.array(p["ay"]) + p["oy"]])


def test_two_neurons_exact_from_the_input_plane_to_the_hidden_points(
        page: Page, live_server: str, log: PageLog) -> None:
    page.goto(live_server + XOR)
    wait_frame(page, "f.layers.length === 2 && window.__ll.state.data === 'xor'")
    open_pane(page, "hidden")
    sid = trained(page, live_server, 600)
    truth = api(page, live_server, sid)
    assert page.evaluate("window.__llHidden.mode") == "axes"
    n = len(truth["Z"])
    assert n > 100
    # t = 1: the API's hidden points, exactly (the view's axes are the two neurons)
    end = positions(page, 1)
    assert np.abs(end - truth["hidden"][0]).max() < 1e-6
    # and the points the view draws at t = 1 (the frame's 8-bit hidden points) are those too
    drawn = np.array(page.evaluate("window.__llHidden.points.map((p) => [p[0], p[1]])"))
    assert np.abs(drawn - end).max() <= 1 / 255  # σ's range, in 255 levels
    # t = 0: the input plane, standardized as the model says
    assert np.abs(positions(page, 0) - truth["Z"]).max() < 1e-5
    # t = 0.5: the weighted sums z = x·W + b
    W, b = np.array(truth["layers"][0]["weights"]), np.array(truth["layers"][0]["bias"])
    z = truth["Z"] @ W + b
    assert np.abs(positions(page, 0.5) - z).max() < 1e-4 * np.abs(z).max()
    # in between, straight lines: a quarter of the way is halfway from x to z
    assert np.abs(positions(page, 0.25) - (truth["Z"] + z) / 2).max() < 1e-4 * np.abs(z).max()

    # on screen: at t = 0 no line; the sentence says what the motion is, here
    move_to(page, 0)
    assert page.evaluate("window.__llHidden.line") is None
    text = page.inner_text("#view-hidden .hs-motion-text")
    assert "At t = 0 each training point sits at its inputs (x₁, x₂), standardized" in text
    assert "z = x·W + b" in text and "σ(z)" in text and "every position is exact" in text
    shot(page, "hidden-motion-xor-t0")
    move_to(page, 0.5)
    shot(page, "hidden-motion-xor-t05")
    # play: it runs to t = 1, where the output neuron's line appears
    page.click("#view-hidden .hs-play")
    page.wait_for_function("window.__llHidden.motion.t === 1 && window.__llHidden.line !== null",
                           timeout=20_000)
    assert page.get_attribute("#view-hidden .hs-play", "aria-pressed") == "false"
    shot(page, "hidden-motion-xor-t1")
    assert log.errors == [] and log.foreign == []


def test_live_while_training_and_along_the_exact_projection(
        page: Page, live_server: str, log: PageLog) -> None:
    page.goto(live_server + DEEP)
    wait_frame(page, "f.layers.length === 3 && window.__ll.state.data === 'circle'")
    open_pane(page, "hidden")
    sid = trained(page, live_server, 300)
    assert page.evaluate("window.__llHidden.mode") == "out"  # 3 neurons: along the output weights
    move_to(page, 0.5)  # two layers: t = 0.5 is the first layer's activations
    truth = api(page, live_server, sid)
    end = positions(page, 1)
    want = projected(page, truth["hidden"][-1])
    assert np.abs(end - want).max() < 1e-5 * (1 + np.abs(want).max())
    text = page.inner_text("#view-hidden .hs-motion-text")
    assert "each of the 2 hidden layers takes an equal share of t" in text
    assert "along the output weights" in text and "two main directions" in text  # 4 neurons first
    shot(page, "hidden-motion-deep-t05")
    # live: more training moves the points at the same t, to the new weights' positions
    before = positions(page, 0.75)
    sid = trained(page, live_server, 200)
    truth = api(page, live_server, sid)
    W2, b2 = np.array(truth["layers"][1]["weights"]), np.array(truth["layers"][1]["bias"])
    z2 = truth["hidden"][0] @ W2 + b2  # t = 0.75: the second layer's weighted sums
    now = positions(page, 0.75)
    assert np.abs(now - before).max() > 1e-3
    assert np.abs(now - projected(page, z2)).max() < 1e-4 * (1 + np.abs(z2).max())
    assert page.evaluate("window.__llHidden.motion.t") == 0.5
    assert log.errors == [] and log.foreign == []


def test_without_an_input_plane_the_motion_says_why(page: Page, live_server: str,
                                                    log: PageLog) -> None:
    page.goto(live_server + "/#data=circle&layers=2&inputs=x1,x2,x1sq,x2sq&pane=hidden")
    wait_frame(page, "f.layers.length === 2 && window.__ll.state.inputs.length === 4")
    open_pane(page, "hidden")
    page.wait_for_function("window.__llHidden !== null")
    assert page.evaluate("window.__llHidden.motion") is None
    assert page.is_hidden("#view-hidden .hs-motion")
    text = page.inner_text("#view-hidden .hs-motion-text")
    assert "needs the network's inputs to be the drawn features themselves" in text
    assert "x₁²" in text
    assert log.errors == [] and log.foreign == []
