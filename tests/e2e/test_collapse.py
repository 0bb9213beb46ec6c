"""One equivalent layer in a real browser: with linear neurons the view shows the product of
the frame's weight matrices (checked against the weights the API gives for the same step), and
the one layer's own map equals the network's output map within the maps' rounding."""

from typing import Any

import numpy as np
import pytest

from tests.e2e.conftest import PageLog, open_pane, shot, wait_frame

pytestmark = pytest.mark.e2e

Page = Any


def train(page: Page, live_server: str, steps: int) -> dict[str, Any]:
    """Train the page's session `steps` steps over the REST API; wait until the view drew it;
    the API's snapshot of that step."""
    sid = page.evaluate("window.__ll.session.id")
    before = page.evaluate("window.__ll.latest.step")
    r = page.request.post(f"{live_server}/api/sessions/{sid}/step", data={"steps": steps})
    assert r.ok, r.text()
    page.wait_for_function(f"(window.__llCollapse || {{}}).step === {before + steps}")
    grid = page.evaluate("window.__ll.info.G")
    snap: dict[str, Any] = page.request.get(
        f"{live_server}/api/sessions/{sid}/snapshot?grid={grid}").json()
    assert snap["step"] == before + steps
    return snap


def product(snap: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """W = W1·W2·…·Wout and b = ((b1·W2 + b2)·W3 + …), from the API's layers."""
    layers = snap["layers"]
    W, b = np.array(layers[0]["weights"]), np.array(layers[0]["bias"])
    for layer in layers[1:]:
        Wl = np.array(layer["weights"])
        W, b = W @ Wl, b @ Wl + np.array(layer["bias"])
    return W, b


@pytest.mark.parametrize("hash_, task", [
    ("data=xor&act=linear&layers=4,3&speed=7", "binary"),
    ("data=blobs&act=linear&layers=5&speed=7", "multiclass"),
    ("data=plane&act=linear&layers=3,3,2&speed=7", "regression"),
])
def test_the_shown_layer_is_the_product_of_the_weights(page: Page, live_server: str,
                                                       log: PageLog, hash_: str,
                                                       task: str) -> None:
    page.goto(f"{live_server}/#{hash_}")
    wait_frame(page, "window.__ll.state.act === 'linear'")
    open_pane(page, "collapse")
    snap = train(page, live_server, 300)
    W, b = product(snap)
    shown = page.evaluate("__llCollapse")
    assert np.allclose(shown["W"], W, rtol=1e-9, atol=1e-12)
    assert np.allclose(shown["b"], b, rtol=1e-9, atol=1e-12)
    # the one layer's own map against the network's output map: within the 8-bit rounding
    assert shown["gap"] is not None and shown["gap"] < 1 / 255, shown["gap"]
    # and against the API's own output map of that step, from the raw formula shown
    sid = page.evaluate("window.__ll.session.id")
    model = page.request.get(f"{live_server}/api/sessions/{sid}/model").json()
    raw = shown["raw"]
    info = page.evaluate("window.__ll.info")
    G = info["G"]
    xs = np.linspace(*info["x"], G)
    ys = np.linspace(*info["y"], G)
    gx, gy = np.meshgrid(xs, ys)
    Wr, br = np.array(raw["W"]), np.array(raw["b"])
    fx, fy = raw["names"].index(info["features"][0]), raw["names"].index(info["features"][1])
    base = br + sum(Wr[f] * model["standardize"]["mean"][f] for f in range(len(raw["names"]))
                    if f not in (fx, fy))
    z = base + gx.ravel()[:, None] * Wr[fx] + gy.ravel()[:, None] * Wr[fy]  # (G², K)
    if task == "binary":
        p = 1 / (1 + np.exp(-z))
    elif task == "multiclass":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
    else:
        p = z
    net = np.array(snap["output"], dtype=float)  # (G, G), or (K, G, G) for K classes
    net = net.reshape(-1, G * G).T  # (G², K): row i·G + j = i-th y, j-th x, as z
    span = max(float(net.max() - net.min()), 1.0)
    assert np.abs(p - net).max() < 1e-4 * span  # the API's float32 map, no rounding
    formula = page.inner_text("#view-collapse .cl-formula")
    starts = {"binary": "P(1) = σ(", "multiclass": "P = softmax(z)", "regression": "ŷ = "}
    assert starts[task] in formula
    stays = page.inner_text("#view-collapse .cl-stays")
    assert "however many layers" in stays
    shot(page, f"collapse-{task}")
    assert log.errors == [] and log.foreign == []


def test_only_linear_networks_with_hidden_layers_offer_it_and_sigmoid_bends_it(
        page: Page, live_server: str, log: PageLog) -> None:
    page.goto(f"{live_server}/#data=circle&act=linear&layers=8,8&speed=7&pane=collapse")
    wait_frame(page, "window.__ll.state.act === 'linear'")
    page.wait_for_function("window.__llCollapse !== null")
    assert page.is_visible("#view-collapse .cl-sigmoid")
    page.set_viewport_size({"width": 1280, "height": 800})
    box = page.locator("#view-collapse .cl-sigmoid").bounding_box()
    shot(page, "collapse-circle-1280")
    assert box is not None and box["y"] + box["height"] <= 800  # no scrolling at 1280×800
    page.set_viewport_size({"width": 1920, "height": 1080})
    shot(page, "collapse-circle-1920")
    page.click("#view-collapse .cl-sigmoid")
    wait_frame(page, "window.__ll.state.act === 'sigmoid'"
               " && window.__ll.session.config.activation === 'sigmoid'")
    assert page.is_hidden("#view-tabs [data-pane=collapse]")
    assert page.is_visible("#pane-output")
    page.goto(f"{live_server}/#data=circle&act=linear&layers=&speed=7&pane=collapse")
    wait_frame(page, "f.layers.length === 1")
    assert page.is_hidden("#view-tabs [data-pane=collapse]")
    assert log.errors == []


def test_one_feature_and_curved_inputs(page: Page, live_server: str, log: PageLog) -> None:
    """1-D: the one layer's curve is the network's, within the rounding; curved inputs (x₁²):
    the layer is written on the network's inputs, said plainly, and not redrawn."""
    page.goto(f"{live_server}/#data=sine&act=linear&layers=4,4&speed=7&pane=collapse")
    wait_frame(page, "window.__ll.state.act === 'linear' && window.__ll.state.data === 'sine'")
    snap = train(page, live_server, 200)
    W, b = product(snap)
    shown = page.evaluate("__llCollapse")
    assert np.allclose(shown["W"], W, rtol=1e-9, atol=1e-12) and shown["gap"] < 1 / 255
    assert np.allclose(shown["b"], b, rtol=1e-9, atol=1e-12)
    assert page.inner_text("#view-collapse .cl-formula").startswith("ŷ = ")
    assert "one straight line over the feature" in page.inner_text("#view-collapse .cl-stays")
    shot(page, "collapse-sine-1d")
    page.goto(f"{live_server}/#data=circle&act=linear&layers=4&inputs=x1,x2,x1sq,x2sq"
              "&speed=7&pane=collapse")
    wait_frame(page, "(window.__ll.session.config.transforms || []).length === 4")
    train(page, live_server, 300)
    shown = page.evaluate("__llCollapse")
    assert shown["raw"] is None and shown["gap"] is None
    assert "x₁²" in page.inner_text("#view-collapse .cl-formula")
    assert "no form in raw units" in page.inner_text("#view-collapse .cl-units")
    assert "not redrawn" in page.inner_text("#view-collapse .cl-gap")
    assert page.is_hidden("#view-collapse .cl-one")
    shot(page, "collapse-circle-squares")
    assert log.errors == [] and log.foreign == []
