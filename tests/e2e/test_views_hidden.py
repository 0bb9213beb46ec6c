"""The hidden-space view in a real browser: the output's boundary is drawn where its weights
put it, XOR's classes end up on either side of it, and the view says when it does not apply."""

from typing import Any

import pytest

from tests.e2e.conftest import PageLog, open_pane, shot, wait_frame

pytestmark = pytest.mark.e2e

Page = Any


def train(page: Page, live_server: str, steps: int) -> str:
    """Train the page's session `steps` steps over the REST API; wait until the view drew it
    (a view is drawn only while its tab is open: open it first)."""
    show_views(page)
    sid = page.evaluate("window.__ll.session.id")
    before = page.evaluate("window.__ll.latest.step")
    r = page.request.post(f"{live_server}/api/sessions/{sid}/step", data={"steps": steps})
    assert r.ok, r.text()
    page.wait_for_function(f"(window.__llHidden || {{}}).step === {before + steps}")
    return sid


def show_views(page: Page) -> None:
    open_pane(page, "hidden")


def test_the_line_is_where_the_output_weights_put_it(page: Page, live_server: str,
                                                     log: PageLog) -> None:
    page.goto(live_server + "/#data=circle&act=sigmoid&layers=4,2&speed=7")
    wait_frame(page, "f.layers.length === 3")
    sid = train(page, live_server, 400)
    snap = page.request.get(f"{live_server}/api/sessions/{sid}/snapshot?grid=2").json()
    out = snap["layers"][-1]
    v = [row[0] for row in out["weights"]]
    c = out["bias"][0]
    drawn = page.evaluate("({mode: __llHidden.mode, exact: __llHidden.exact, line: __llHidden.line,"
                          " H: __llHidden.H, layer: __llHidden.layer, out: __llHidden.output})")
    assert drawn["mode"] == "axes" and drawn["exact"] and drawn["H"] == 2 and drawn["layer"] == 2
    assert drawn["out"]["c"] == pytest.approx([c], rel=1e-12)
    line = drawn["line"]
    assert line is not None and len(line) == 2
    scale = abs(v[0]) + abs(v[1]) + abs(c)
    for h1, h2 in line:
        assert abs(v[0] * h1 + v[1] * h2 + c) < 1e-9 * scale, (h1, h2)
        # both ends lie on the drawn box (sigmoid: the unit square, a little padded)
        assert min(abs(h1 + 0.04), abs(h1 - 1.04), abs(h2 + 0.04), abs(h2 - 1.04)) < 1e-9
    assert abs(line[0][0] - line[1][0]) + abs(line[0][1] - line[1][1]) > 0.05
    # the explanation beside it names the output as a logistic regression on h2.1, h2.2
    show_views(page)
    formula = page.inner_text("#view-hidden .hs-formula")
    assert "P = σ(" in formula and "h2.1" in formula and "h2.2" in formula
    assert page.is_visible("#view-hidden .hs-canvas")
    assert page.is_hidden("#view-hidden .view-note")
    shot(page, "views-01-hidden-circle")
    assert log.errors == [] and log.foreign == []


def test_xor_with_two_hidden_neurons_is_split_by_the_line(page: Page, live_server: str,
                                                         log: PageLog) -> None:
    page.goto(live_server + "/#data=xor&act=sigmoid&seed=0&layers=2&lr=0.1&speed=7")
    wait_frame(page, "f.layers.length === 2 && window.__ll.state.data === 'xor'")
    sid = train(page, live_server, 1500)
    acc = page.request.get(f"{live_server}/api/sessions/{sid}").json()["metrics"]["train_accuracy"]
    got = page.evaluate("""() => {
      const h = window.__llHidden;
      const [[a1, a2], [b1, b2]] = h.line;
      const count = {};  // per class: points left and right of the drawn line
      for (const [x, y, label] of h.points) {
        const side = (b1 - a1) * (y - a2) - (b2 - a2) * (x - a1) > 0 ? 'left' : 'right';
        count[label] = count[label] || {left: 0, right: 0};
        count[label][side]++;
      }
      return count;
    }""")
    side0 = max(got["0"], key=got["0"].get)
    side1 = max(got["1"], key=got["1"].get)
    assert side0 != side1, got  # the two classes fall on opposite sides
    right = got["0"][side0] + got["1"][side1]
    got["n"] = right + got["0"][side1] + got["1"][side0]
    got["right"] = right
    share = got["right"] / got["n"]
    assert got["n"] > 200
    assert share >= 0.8, share  # most points on their class's side
    assert abs(share - acc) < 0.03, (share, acc)  # and the picture agrees with the metric
    show_views(page)
    shot(page, "views-02-hidden-xor")
    assert log.errors == [] and log.foreign == []


def test_more_neurons_project_along_the_output_weights(page: Page, live_server: str,
                                                       log: PageLog) -> None:
    page.goto(live_server + "/#data=moons&act=sigmoid&layers=6&speed=7")
    wait_frame(page, "f.layers.length === 2")
    train(page, live_server, 300)
    drawn = page.evaluate("({mode: __llHidden.mode, exact: __llHidden.exact, line: __llHidden.line,"
                          " out: __llHidden.output})")
    assert drawn["mode"] == "out" and drawn["exact"]
    v = [row[0] for row in drawn["out"]["v"]]
    c = drawn["out"]["c"][0]
    norm = sum(x * x for x in v) ** 0.5
    (x0, _), (x1, _) = drawn["line"]
    # horizontal axis is v·h/|v|: the boundary v·h + c = 0 is the vertical line x = −c/|v|
    assert x0 == pytest.approx(-c / norm, abs=1e-9) and x1 == pytest.approx(-c / norm, abs=1e-9)
    show_views(page)
    shot(page, "views-03-hidden-six-neurons")
    # PCA: the boundary is not a line in that plane, so none is drawn, and the text says why
    page.select_option("#view-hidden .hs-proj", "pca")
    train(page, live_server, 1)
    assert page.evaluate("window.__llHidden.mode") == "pca"
    assert page.evaluate("window.__llHidden.line") is None
    assert "not drawn" in page.inner_text("#view-hidden .hs-formula")
    # two neurons of one's choice
    page.select_option("#view-hidden .hs-proj", "pick")
    assert page.is_visible("#view-hidden .hs-pick-x")
    page.select_option("#view-hidden .hs-pick-y", "3")
    train(page, live_server, 1)
    assert page.evaluate("window.__llHidden.mode") == "pick"
    assert page.evaluate("window.__llHidden.line") is None
    assert log.errors == [] and log.foreign == []


def test_without_a_hidden_layer_there_is_no_hidden_space(page: Page, live_server: str) -> None:
    """Asked for by the link, the view that does not apply is not offered: the output map shows."""
    page.goto(live_server + "/#data=linear&act=sigmoid&layers=&pane=hidden")
    wait_frame(page, "f.layers.length === 1")
    assert page.is_hidden("#view-tabs [data-pane=hidden]")
    assert page.is_hidden("#view-hidden")
    assert page.is_visible("#output-map")
    assert page.evaluate("window.__llHidden") is None


def test_one_hidden_neuron_is_a_strip(page: Page, live_server: str) -> None:
    page.goto(live_server + "/#data=gauss&act=sigmoid&layers=1")
    wait_frame(page, "f.layers.length === 2")
    train(page, live_server, 200)
    drawn = page.evaluate(
        "({mode: __llHidden.mode, line: __llHidden.line, out: __llHidden.output})")
    assert drawn["mode"] == "strip"
    v, c = drawn["out"]["v"][0][0], drawn["out"]["c"][0]
    (x0, _), (x1, _) = drawn["line"]
    assert x0 == pytest.approx(-c / v) and x1 == pytest.approx(-c / v)


def test_hidden_space_is_drawn_while_playing(page: Page, live_server: str) -> None:
    """Once in sight, the view follows the training frame after frame. (How long one of its
    draws takes: `make bench`, tests/bench/bench_page.py.)"""
    # 375 points → 300 training points; a 64×64 grid's lines carried into hidden space
    page.goto(live_server + "/#data=circle&act=sigmoid&n=375&layers=4,2&speed=9")
    wait_frame(page, "f.layers.length === 3")
    page.click("#btn-play")  # (clicking scrolls back up to the button)
    page.wait_for_function("(window.__ll.latest || {}).step > 20")
    show_views(page)
    page.evaluate("""() => {
      window.__llViewSteps = [];
      const tick = () => {
        const h = window.__llHidden;
        const seen = window.__llViewSteps;
        if (h && h.step !== seen[seen.length - 1]) seen.push(h.step);
        if (seen.length < 20) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    }""")
    page.wait_for_function("window.__llViewSteps.length >= 20", timeout=30_000)
    page.click("#btn-play")
    steps = page.evaluate("window.__llViewSteps")
    assert steps == sorted(steps) and len(set(steps)) == len(steps), steps
    assert page.evaluate("window.__llHidden.points.length") == 300
