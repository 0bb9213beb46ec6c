"""Looking inside the network in a real browser: the neuron card, the timeline, logistic
regression beside the network, and the symmetry of a constant initialisation."""

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PageLog, play_until, shot, wait_drawn, wait_frame
from tests.helpers import get_json as get

pytestmark = pytest.mark.e2e

Page = Any


def session_id(page: Page) -> str:
    return str(page.evaluate("window.__ll.session.id"))


def parse_formula(text: str) -> tuple[list[float], float]:
    """The weights and the bias written in a card's formula 'name = σ(a·x₁ − b·x₂ + c)'."""
    inner = text[text.index("(") + 1: text.rindex(")")]
    inner = inner.replace("−", "-").replace(" ", "")
    number = r"[0-9.]+(?:e[+-]?[0-9]+)?"
    weights = [float(w) for w in re.findall(rf"([+-]?{number})·", inner)]
    bias = re.search(rf"([+-]{number})$", inner)
    assert bias, text
    return weights, float(bias.group(1))


def close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-3 * max(1.0, abs(b))


def map_pixels(page: Page, selector: str = "#output-map") -> list[int]:
    return page.evaluate(
        """sel => { const c = document.querySelector(sel);
          return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data); }""",
        selector)


def test_the_card_shows_the_snapshot_numbers(page: Page, live_server: str, log: PageLog) -> None:
    page.goto(live_server + "/#data=xor&act=sigmoid&layers=4,2&speed=7")
    wait_frame(page)
    play_until(page, "f.step > 150")
    snap = get(live_server, f"/api/sessions/{session_id(page)}/snapshot?grid=10")
    # a first-layer neuron: σ(w1·x1 + w2·x2 + b) with the snapshot's numbers, and its line
    page.click("#network .node.neuron[data-layer='1'][data-index='1'] canvas")
    page.wait_for_selector("#card:not([hidden])")
    text = page.inner_text("#card-formula")
    assert text.startswith("h1.2 = σ(") and "x₁" in text and "x₂" in text
    weights, bias = parse_formula(text)
    layer = snap["layers"][0]
    assert len(weights) == 2
    assert all(close(w, row[1]) for w, row in zip(weights, layer["weights"], strict=True)), text
    assert close(bias, layer["bias"][1])
    assert "logistic regression" in page.inner_text("#card-lead")
    assert "w·x + b = 0" in page.inner_text("#card-map-caption")
    assert page.is_hidden("#card-breakdown")
    shot(page, "20-card-first-layer")
    # a deeper neuron: in the previous layer's outputs, with its breakdown map by map
    page.click("#network .node.neuron[data-layer='2'][data-index='0'] canvas")
    page.wait_for_function("document.getElementById('card-formula').textContent.startsWith('h2.1')")
    weights, bias = parse_formula(page.inner_text("#card-formula"))
    layer = snap["layers"][1]
    assert len(weights) == 4
    assert all(close(w, row[0]) for w, row in zip(weights, layer["weights"], strict=True))
    assert close(bias, layer["bias"][0])
    assert page.is_visible("#card-breakdown")
    assert page.locator("#card-terms .tile").count() == 4 + 2  # four w·h, the bias, the sum
    # the output neuron
    page.click("#network .node.neuron[data-layer='3'][data-index='0'] canvas")
    page.wait_for_function("document.getElementById('card-formula').textContent.startsWith('P(')")
    weights, bias = parse_formula(page.inner_text("#card-formula"))
    assert all(close(w, row[0]) for w, row in zip(weights, snap["layers"][2]["weights"],
                                                   strict=True))
    shot(page, "21-card-output")
    page.click("#card-close")
    assert page.is_hidden("#card") and page.is_visible(".col-data")
    assert log.errors == [] and log.foreign == []


def test_editing_the_card_changes_the_model(page: Page, live_server: str, log: PageLog) -> None:
    page.goto(live_server + "/#data=gauss&act=sigmoid&layers=3&speed=7")
    wait_frame(page)
    page.click("#network .node.neuron[data-layer='1'][data-index='2'] canvas")
    page.wait_for_selector("#card:not([hidden])")
    sid = session_id(page)
    page.fill("#card-p-1", "-2.75")  # w2 (from x₂) of neuron h1.3
    page.press("#card-p-1", "Enter")
    page.wait_for_function(f"""fetch('/api/sessions/{sid}/model').then(r => r.json())
                               .then(m => m.layers[0].weights[1][2] === -2.75)""", timeout=10_000)
    model = get(live_server, f"/api/sessions/{sid}/model")
    assert model["layers"][0]["weights"][1][2] == -2.75
    wait_frame(page, "f.layers[0].weights[1][2] === -2.75")
    assert "2.75·x₂" in page.inner_text("#card-formula")
    # the bias by dragging its slider
    before = model["layers"][0]["bias"][2]
    box = page.locator("#card-params .prow").first.locator(".prange").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.9, box["y"] + box["height"] / 2)
    page.wait_for_function(f"""fetch('/api/sessions/{sid}/model').then(r => r.json())
                               .then(m => m.layers[0].bias[2] > {before} + 1)""", timeout=10_000)
    # and training continues from the edited network
    page.click("#btn-play")
    page.wait_for_function("(window.__ll.latest || {}).step > 20")
    page.click("#btn-play")
    shot(page, "22-card-edited")
    assert log.errors == [] and log.foreign == []


def test_the_timeline_scrubs_and_continues(page: Page, live_server: str, log: PageLog) -> None:
    page.goto(live_server + "/#data=circle&act=sigmoid&layers=4,2&speed=7")
    wait_frame(page)
    play_until(page, "f.step > 400")
    end = page.evaluate("window.__ll.latest.step")
    page.focus("#tl-slider")
    page.keyboard.press("Home")  # the first checkpoint: step 0
    wait_drawn(page, "f.peek && f.step === 0")
    at_start = map_pixels(page)
    neuron_start = map_pixels(page, "#network .node.neuron[data-layer='1'][data-index='0'] canvas")
    assert page.inner_text("#out-step") == "0"
    for _ in range(6):
        page.keyboard.press("ArrowRight")
    wait_drawn(page, "f.peek && f.step > 0 && f.step === window.__ll.viewing")
    later = page.evaluate("window.__ll.viewing")
    assert 0 < later < end
    assert map_pixels(page) != at_start
    assert map_pixels(page, "#network .node.neuron[data-layer='1'][data-index='0'] canvas") \
        != neuron_start
    shot(page, "23-timeline-scrubbed")
    page.keyboard.press("Home")
    wait_drawn(page, "f.peek && f.step === 0")
    assert map_pixels(page) == at_start
    # the session did not move while we looked at its past
    sid = session_id(page)
    assert get(live_server, f"/api/sessions/{sid}")["step"] == end
    # continue from a scrubbed step: the session rewinds to it
    for _ in range(6):
        page.keyboard.press("ArrowRight")
    wait_frame(page, "f.peek && f.step === window.__ll.viewing && f.step > 0")
    target = page.evaluate("window.__ll.viewing")
    page.click("#tl-continue")
    wait_drawn(page, f"!f.peek && f.step === {target} && window.__ll.viewing === null")
    assert get(live_server, f"/api/sessions/{sid}")["step"] == target
    assert page.inner_text("#out-step") == f"{target:,}"
    page.click("#btn-play")
    page.wait_for_function(f"(window.__ll.latest || {{}}).step > {target} + 20")
    page.click("#btn-play")
    shot(page, "24-timeline-continued")
    assert log.errors == [] and log.foreign == []


def test_live_frames_do_not_overwrite_the_past(page: Page, live_server: str) -> None:
    page.goto(live_server + "/#data=xor&act=sigmoid&layers=3&speed=6")
    wait_frame(page)
    page.click("#btn-play")
    page.wait_for_function("(window.__ll.latest || {}).step > 100")
    page.focus("#tl-slider")
    page.keyboard.press("Home")  # grabbing the scrubber pauses training
    wait_drawn(page, "f.peek && f.step === 0")
    assert page.get_attribute("#btn-play", "aria-pressed") == "false"
    # a live frame arrives while the past is on show (5 more steps over REST): it is kept
    # as the live one, and the page goes on showing step 0
    page.wait_for_function("(window.__ll.live || {}).status === 'paused'")
    step = page.evaluate("window.__ll.live.step")
    r = page.request.post(f"{live_server}/api/sessions/{session_id(page)}/step",
                          data={"steps": 5})
    assert r.ok and r.json()["step"] == step + 5, r.text()
    page.wait_for_function(f"window.__ll.live.step === {step + 5}")
    assert page.evaluate("window.__ll.latest.peek && window.__ll.latest.step === 0")
    assert page.inner_text("#out-step") == "0"
    page.click("#tl-live")
    wait_frame(page, "!f.peek && f.step > 100")


def test_constant_init_shows_the_symmetry_and_breaks_it(page: Page, live_server: str,
                                                        log: PageLog) -> None:
    page.goto(live_server + "/#data=circle&act=sigmoid&layers=4&init=constant&iv=0.5&speed=7")
    wait_frame(page)
    page.wait_for_selector("#symmetry:not([hidden])")
    assert "identical" in page.inner_text("#symmetry-text")
    play_until(page, "f.step > 100")
    assert page.is_visible("#symmetry")  # still true after training: the same gradient
    sid = session_id(page)
    cols = get(live_server, f"/api/sessions/{sid}/model")["layers"][0]["weights"]
    assert all(row[j] == row[0] for row in cols for j in range(4))
    shot(page, "25-symmetry")
    page.click("#btn-break-symmetry")
    page.wait_for_selector("#symmetry", state="hidden")
    play_until(page, "f.step > 300")
    W = get(live_server, f"/api/sessions/{sid}/model")["layers"][0]["weights"]
    spread = max(abs(row[j] - row[0]) for row in W for j in range(4))
    assert spread > 0.05, W
    assert page.is_hidden("#symmetry")
    shot(page, "26-symmetry-broken")
    assert log.errors == [] and log.foreign == []


def test_logistic_regression_beside_the_network_on_xor(page: Page, live_server: str,
                                                       log: PageLog) -> None:
    page.goto(live_server + "/#data=xor&act=sigmoid&layers=4&speed=8")
    wait_frame(page)
    play_until(page, "f.metrics.test_accuracy > 0.9")
    page.click("#cmp-run")
    page.wait_for_selector("#cmp-body:not([hidden])", timeout=30_000)
    page.wait_for_function("document.getElementById('cmp-net-acc').textContent.includes('%')")
    lr = float(re.search(r"([0-9.]+)%", page.inner_text("#cmp-lr-acc")).group(1)) / 100
    net = float(re.search(r"([0-9.]+)%", page.inner_text("#cmp-net-acc")).group(1)) / 100
    assert lr <= 0.8 < net, (lr, net)
    assert "fails" in page.inner_text("#cmp-verdict")
    lr_pixels = map_pixels(page, "#cmp-lr-map")
    colours = {tuple(lr_pixels[k:k + 4]) for k in range(0, len(lr_pixels), 4)}
    assert len(colours) > 3  # a map, not a blank
    shot(page, "27-lr-beside-xor")
    # the comparison session goes away with the main session
    sessions_before = page.evaluate("window.__ll.session.id")
    page.click(".ds-thumb[data-kind=linear]")
    wait_frame(page, f"window.__ll.session.id !== '{sessions_before}'")
    assert page.is_hidden("#cmp-body")
    assert log.errors == [] and log.foreign == []


@pytest.mark.parametrize(("url", "layer", "says"), [
    ("data=circle&layers=3&inputs=x1,x2,x1sq,x2sq", 1, "contour"),
    ("data=sine&layers=4", 1, "w·x + b = 0"),
    ("data=blobs&classes=3&layers=3", 2, "softmax"),
    ("data=hills&layers=4&act=relu", 1, "w·x + b = 0"),
])
def test_cards_of_other_networks(page: Page, live_server: str, log: PageLog, url: str,
                                 layer: int, says: str) -> None:
    page.goto(f"{live_server}/#{url}&speed=7")
    wait_frame(page)
    play_until(page, "f.step > 50")
    page.click(f"#network .node.neuron[data-layer='{layer}'][data-index='0'] canvas")
    page.wait_for_selector("#card:not([hidden])")
    expect(page.locator("#card-map-caption")).to_contain_text(says)
    shot(page, f"28-card-{url.split('&')[0].split('=')[1]}")
    assert log.errors == [] and log.foreign == []


@pytest.mark.parametrize("hash_", ["data=sine&layers=3", "data=xor&layers=4,2",
                                   "data=blobs&layers=3"], ids=["1d", "2d", "multiclass"])
def test_a_card_opened_again_while_paused_draws_its_map(page: Page, live_server: str,
                                                        hash_: str) -> None:
    """Close a card and open others while paused, output neurons included: each large map is
    drawn at its size, never left a blank canvas (1 × 1 when it was measured hidden)."""
    page.goto(f"{live_server}/#{hash_}&speed=7")
    wait_frame(page)
    play_until(page, "f.step > 100")
    neurons = page.locator("#network .node.neuron")
    count = neurons.count()
    for k in [0, count - 1, 1, 0, count - 1]:
        neurons.nth(k).locator("canvas").first.click()
        page.wait_for_selector("#card:not([hidden])")
        wait_drawn(page)
        # the card asks the stream for full-size maps: the 24² thumbnails' frame on show is
        # drawn first, the full-size one as soon as it arrives (a blank canvas never)
        page.wait_for_function("document.getElementById('card-map').width >= 64"
                               " || window.__ll.info.oneD")
        wait_drawn(page)
        drawn = page.evaluate("""() => {
          const c = document.getElementById('card-map');
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          const seen = new Set();
          for (let i = 0; i < d.length; i += 20) seen.add(d[i] * 65536 + d[i + 1] * 256 + d[i + 2]);
          return { w: c.width, colours: seen.size, css: c.clientWidth };
        }""")
        assert drawn["w"] >= min(drawn["css"], 64) > 1, (k, drawn)
        assert drawn["colours"] > 3, (k, drawn)
        page.click("#card-close")
        page.wait_for_selector("#card", state="hidden")


def test_breaking_the_symmetry_after_a_stall_leaves_the_plateau(page: Page, live_server: str,
                                                               log: PageLog) -> None:
    """A constant-initialised run stalled for 14 000 steps (70%, four identical maps): the
    button draws layer 1 afresh, the next frame's maps differ, and training leaves the plateau
    (small noise used to leave it there for thousands of steps: loss 0.531 after 3 000)."""
    page.goto(live_server + "/#data=xor&act=sigmoid&layers=4&init=constant&iv=0.5&lr=0.1&speed=5")
    wait_frame(page)
    sid = session_id(page)
    r = page.request.post(f"{live_server}/api/sessions/{sid}/step", data={"steps": 14_000})
    stalled = r.json()["metrics"]
    assert stalled["test_accuracy"] == pytest.approx(0.7, abs=0.02)
    wait_frame(page, "f.step === 14000")
    page.wait_for_selector("#symmetry:not([hidden])")
    page.click("#btn-play")
    wait_frame(page, "f.status === 'running'")
    page.click("#btn-break-symmetry")
    page.wait_for_selector("#symmetry", state="hidden")
    assert "drawn at random" in page.inner_text("#messages")
    # the maps of the four neurons differ in the frames from now on, and the run goes on
    wait_frame(page, """f.status === 'running' && (() => {
      const maps = f.neurons[0].map((m) => [m.lo, m.hi, String(m.data || m.bytes)]);
      return new Set(maps.map(String)).size === 4; })()""")
    wait_frame(page, "f.step > 14300", timeout=30_000)
    after = get(live_server, f"/api/sessions/{sid}")["metrics"]
    # off the plateau: the loss falls well below it (where it settles depends on the random
    # draw; measured through the API, 9 draws of 10 reach 88-100% test accuracy in 300 steps
    # and 1 settles at 67% with the loss at 0.385, still far below the plateau's 0.536)
    assert after["train_loss"] < stalled["train_loss"] - 0.1, (stalled, after)
    shot(page, "27-symmetry-broken-after-a-stall")
    assert log.errors == [] and log.foreign == []


def test_the_loss_chart_shows_values_on_hover(page: Page, live_server: str) -> None:
    """Hovering the loss chart writes the nearest step's train and test loss: the history's."""
    page.goto(live_server + "/#data=xor&layers=4&speed=7")
    wait_frame(page)
    play_until(page, "f.step > 200")
    box = page.locator("#loss-chart").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] / 2)
    page.wait_for_function("window.__ll.chart && window.__ll.chart.hovered() !== null")
    shown = page.evaluate("window.__ll.chart.hovered()")
    h = get(live_server, f"/api/sessions/{session_id(page)}/history")
    k = h["steps"].index(shown["step"])
    assert shown["train"] == pytest.approx(h["train_loss"][k])
    assert shown["test"] == pytest.approx(h["test_loss"][k])
    assert 0 < shown["step"] < page.evaluate("window.__ll.latest.step")
    shot(page, "28-loss-chart-hover")
    page.mouse.move(5, 5)
    page.wait_for_function("window.__ll.chart.hovered() === null")
