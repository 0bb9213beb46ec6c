"""The 1-D sum of neurons in a real browser: the drawn curves add up to the network's output,
hovering a curve lights its neuron, and a network built by hand is the one the server trains."""

import math
from typing import Any

import pytest

from tests.e2e.conftest import PageLog, open_pane, shot, wait_drawn, wait_frame

pytestmark = pytest.mark.e2e

Page = Any


def train(page: Page, live_server: str, steps: int) -> str:
    """Train the page's session `steps` steps over the REST API; wait until the view drew it
    (a view is drawn only while its tab is open: open it first)."""
    show_views(page)
    sid = page.evaluate("window.__ll.session.id")
    page.wait_for_function("window.__llSums && window.__llSums.step === window.__ll.latest.step")
    before = page.evaluate("window.__ll.latest.step")
    r = page.request.post(f"{live_server}/api/sessions/{sid}/step", data={"steps": steps})
    assert r.ok, r.text()
    page.wait_for_function(f"(window.__llSums || {{}}).step === {before + steps}")
    return sid


def drawn(page: Page) -> dict[str, Any]:
    return page.evaluate("""() => { const s = window.__llSums; return {
      x: s.x, components: s.components, bias: s.bias, sum: s.sum, output: s.output,
      quant: s.quant, layer: s.layer, task: s.task, step: s.step}; }""")


def show_views(page: Page) -> None:
    open_pane(page, "sums")


def test_regression_components_add_up_to_the_output(page: Page, live_server: str,
                                                    log: PageLog) -> None:
    page.goto(live_server + "/#data=sine&act=sigmoid&layers=5&speed=7")
    wait_frame(page, "f.layers.length === 2")
    sid = train(page, live_server, 1500)
    d = drawn(page)
    model = page.request.get(f"{live_server}/api/sessions/{sid}/model").json()
    grid = page.evaluate("window.__ll.info")
    t = model["target_standardize"]
    c = model["layers"][-1]["bias"][0]
    assert d["task"] == "regression" and d["layer"] == 1 and len(d["components"]) == 5
    assert d["bias"] == pytest.approx(c * t["std"] + t["mean"], rel=1e-12)
    n = len(d["x"])
    assert n == grid["G"] == len(d["output"])
    x0, x1 = grid["x"]
    assert d["x"][0] == pytest.approx(x0) and d["x"][-1] == pytest.approx(x1)
    big = max(abs(v) for v in d["output"])
    for k in range(n):
        total = sum(comp[k] for comp in d["components"]) + d["bias"]
        assert total == pytest.approx(d["sum"][k], abs=1e-9)
        # the drawn sum is the network's output, within the 8-bit map's rounding
        assert abs(d["sum"][k] - d["output"][k]) <= d["quant"] / 2 + 1e-5 * big, k
    # each component is v_j·a_j(x)·y_std with a_j a sigmoid: it lies between 0 and v_j·y_std
    for j, comp in enumerate(d["components"]):
        vj = model["layers"][-1]["weights"][j][0] * t["std"]
        assert all(min(0, vj) - 1e-9 <= v <= max(0, vj) + 1e-9 for v in comp)
    show_views(page)
    assert page.locator("#view-sums .sums-legend .chip").count() == 5 + 3
    shot(page, "views-04-sums-sine")
    assert log.errors == [] and log.foreign == []


def test_two_classes_sum_is_the_logit(page: Page, live_server: str, log: PageLog) -> None:
    page.goto(live_server + "/#data=interval&act=sigmoid&layers=3&lr=0.1&speed=7")
    wait_frame(page, "f.layers.length === 2")
    train(page, live_server, 800)
    d = drawn(page)
    assert d["task"] == "binary"
    for k in range(len(d["x"])):
        p = 1 / (1 + math.exp(-d["sum"][k]))
        assert abs(p - d["output"][k]) <= d["quant"] / 2 + 1e-5, k
    show_views(page)
    shot(page, "views-05-sums-interval")
    assert log.errors == [] and log.foreign == []


def test_hovering_a_curve_lights_its_neuron(page: Page, live_server: str) -> None:
    page.goto(live_server + "/#data=step&act=sigmoid&layers=4&speed=7")
    wait_frame(page, "f.layers.length === 2")
    train(page, live_server, 300)
    show_views(page)
    box = page.locator("#view-sums .sums-canvas").bounding_box()
    # the curve of h1.3, in the middle of the plot (where no other curve is on top of it)
    j, k = page.evaluate("""() => {
      const s = window.__llSums;
      const comps = s.components;
      for (const k of [50, 30, 70, 15, 85, 5, 95]) {
        for (let j = 0; j < comps.length; j++) {
          const [, y] = s.pixel(j, k);
          if (comps.every((c, i) => i === j || Math.abs(s.pixel(i, k)[1] - y) > 12)) return [j, k];
        }
      }
      return [0, 50];
    }""")
    px, py = page.evaluate(f"window.__llSums.pixel({j}, {k})")
    page.mouse.move(box["x"] + px, box["y"] + py)
    page.wait_for_selector(f"#network .node.neuron[data-layer='1'][data-index='{j}'].ll-lit")
    lit = page.locator("#view-sums .sums-legend .chip.lit")
    assert lit.count() == 1 and f"h1.{j + 1}" in lit.inner_text()
    shot(page, "views-06-sums-hover")
    page.mouse.move(5, 5)  # off the plot and its legend (whose chips light their curve too)
    page.wait_for_function("document.querySelectorAll('#network .ll-lit').length === 0")
    assert page.locator("#view-sums .sums-legend .chip.lit").count() == 0


def test_build_by_hand_then_refine(page: Page, live_server: str, log: PageLog) -> None:
    page.goto(live_server + "/#data=bump&act=sigmoid&layers=4&speed=6")
    wait_frame(page, "f.layers.length === 2")
    train(page, live_server, 1)
    sid = page.evaluate("window.__ll.session.id")
    show_views(page)
    page.click("#view-sums .sums-build summary")
    page.wait_for_function("window.__llSums.handles.length === 4")

    def model() -> dict[str, Any]:
        return page.request.get(f"{live_server}/api/sessions/{sid}/model").json()

    # type a step position: the network's bias is b = −w·(s − mean)/std on standardized x
    m = model()
    mean, std = m["standardize"]["mean"][0], m["standardize"]["std"][0]
    w = m["layers"][0]["weights"][0][0]
    page.fill("#view-sums input[aria-label='h1.1 step position']", "1.25")
    page.press("#view-sums input[aria-label='h1.1 step position']", "Tab")
    b = -w * (1.25 - mean) / std
    page.wait_for_function(f"Math.abs(window.__ll.latest.layers[0].bias[0] - {b}) < 1e-9")
    m = model()
    assert m["layers"][0]["weights"][0][0] == pytest.approx(w)
    assert m["layers"][0]["bias"][0] == pytest.approx(-w * (1.25 - mean) / std, abs=1e-9)
    # a height in target units: v = height / y_std
    page.fill("#view-sums input[aria-label='h1.2 height']", "0.5")
    page.press("#view-sums input[aria-label='h1.2 height']", "Tab")
    v = 0.5 / m["target_standardize"]["std"]
    # drawn: the handles read below are the view's, written when it draws the frame
    wait_drawn(page, f"Math.abs(f.layers[1].weights[1][0] - {v}) < 1e-9")

    # drag h1.3's handle: its step moves to where it is dropped
    handle = page.evaluate("window.__llSums.handles.find(h => h.j === 2)")
    page.locator("#view-sums .sums-canvas").scroll_into_view_if_needed()  # typing scrolled
    box = page.locator("#view-sums .sums-canvas").bounding_box()
    page.mouse.move(box["x"] + handle["hx"], box["y"] + handle["hy"])
    page.mouse.down()
    page.mouse.move(box["x"] + handle["hx"] - 40, box["y"] + handle["hy"] - 20, steps=5)
    page.mouse.up()
    page.wait_for_function("!window.__llSums.editing", timeout=20_000)
    moved = page.evaluate("window.__llSums.handles.find(h => h.j === 2)")
    assert moved["hx"] == pytest.approx(handle["hx"] - 40, abs=2)
    assert moved["hy"] == pytest.approx(handle["hy"] - 20, abs=2)

    # Nielsen's construction from the data: already a rough fit, far better than random weights
    before = page.request.get(f"{live_server}/api/sessions/{sid}").json()["metrics"]["train_loss"]
    page.click("#view-sums .sums-place")
    # not editing any more: the server answered the new weights and sent a frame of them
    page.wait_for_function("!window.__llSums.editing", timeout=20_000)
    placed = page.request.get(f"{live_server}/api/sessions/{sid}").json()
    assert placed["metrics"]["train_loss"] < before
    shot(page, "views-07-sums-by-hand")
    # then gradient descent refines it
    page.click("#view-sums .sums-refine")
    page.wait_for_function(f"window.__ll.latest.step > {placed['step'] + 100}", timeout=20_000)
    page.click("#btn-play")
    page.wait_for_function("window.__ll.latest.status === 'paused'")
    refined = page.request.get(f"{live_server}/api/sessions/{sid}").json()
    assert refined["metrics"]["train_loss"] < placed["metrics"]["train_loss"]
    assert log.errors == [] and log.foreign == []


def test_two_dimensional_data_has_no_sum_view(page: Page, live_server: str) -> None:
    """The 1-D sum is offered for 1-D data only; 2-D data keeps the output map and hidden space."""
    page.goto(live_server + "/#data=circle&act=sigmoid&layers=3&pane=sums")
    wait_frame(page)
    page.wait_for_selector("#view-tabs [data-pane=hidden]")
    assert page.is_hidden("#view-tabs [data-pane=sums]")
    assert page.is_hidden("#view-sums")
    assert page.is_visible("#output-map")
