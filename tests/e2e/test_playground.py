"""The playground in a real browser: clean load, XOR learns, CSV upload, state in the URL."""

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import PageLog, play_until, shot, wait_drawn, wait_frame

pytestmark = pytest.mark.e2e

Page = Any


def text_number(page: Page, selector: str) -> float:
    return float(page.inner_text(selector).replace(",", "").replace("%", ""))


def pixel_at(page: Page, x: float, y: float) -> list[int]:
    """The output canvas's colour at data point (x, y)."""
    return page.evaluate(
        """([x, y]) => {
          const info = window.__ll.info;
          const c = document.getElementById('output-map');
          const G = c.width;
          const j = Math.round((x - info.x[0]) / (info.x[1] - info.x[0]) * (G - 1));
          const i = G - 1 - Math.round((y - info.y[0]) / (info.y[1] - info.y[0]) * (G - 1));
          return Array.from(c.getContext('2d').getImageData(j, i, 1, 1).data);
        }""",
        [x, y],
    )


def is_purple(rgba: list[int]) -> bool:  # class 1: #5e3c99
    return rgba[2] > rgba[0] + 20


def is_orange(rgba: list[int]) -> bool:  # class 0: #e66101
    return rgba[0] > rgba[2] + 40


def test_page_loads_clean(page: Page, live_server: str, log: PageLog) -> None:
    page.goto(live_server + "/")
    wait_drawn(page)  # the first frame drawn: every part of the page has run once
    assert page.locator("#network .node.neuron").count() == 8 + 8 + 1  # the measured first run
    assert log.errors == []
    assert log.foreign == []
    scripts = page.eval_on_selector_all("script[src], link[rel=stylesheet]",
                                        "els => els.map(e => e.src || e.href)")
    assert scripts and all("?v=" in s for s in scripts)
    shot(page, "01-loaded")


def test_xor_one_layer_of_eight_learns(page: Page, live_server: str, log: PageLog) -> None:
    page.goto(live_server + "/")
    wait_frame(page)
    page.click(".ds-thumb[data-kind=xor]")
    page.click("#btn-layer-remove")  # default [8, 8] → [8]
    wait_drawn(page, "f.layers.length === 2 && f.layers[0].weights[0].length === 8 "
                     "&& window.__ll.state.data === 'xor'")
    assert page.inner_text("#layers-label") == "1 hidden layer"
    first = text_number(page, "#m-train-loss")
    play_until(page, "f.step > 50 && f.metrics.train_loss < 0.25")
    assert text_number(page, "#m-train-loss") < first
    for x, y, klass in [(2.5, 2.5, 1), (-2.5, -2.5, 1), (-2.5, 2.5, 0), (2.5, -2.5, 0)]:
        rgba = pixel_at(page, x, y)
        assert (is_purple(rgba) if klass else is_orange(rgba)), (x, y, rgba)
    shot(page, "02-xor-trained")
    assert log.errors == [] and log.foreign == []


def test_csv_upload_choose_columns_and_train(page: Page, live_server: str, log: PageLog,
                                             tmp_path: Path) -> None:
    rows = ["height,width,extra,city,label"]
    for i in range(160):
        h, w = (i % 16) / 4 - 2, (i // 16) / 2.5 - 2
        rows.append(f"{h:.3f},{w:.3f},{(i * 7) % 11},city{i % 3},{'big' if h + w > 0 else 'small'}")
    csv = tmp_path / "shapes.csv"
    csv.write_text("\n".join(rows) + "\n")
    page.goto(live_server + "/")
    wait_frame(page)
    page.set_input_files("#in-file", str(csv))
    page.wait_for_selector("#csv-panel:not([hidden])")
    wait_frame(page, "window.__ll.state.data === 'csv'")
    # a text column cannot be a feature, nor can the target
    assert page.is_disabled("input.csv-feature[value=city]")
    assert page.is_disabled("input.csv-feature[value=label]")
    assert page.is_checked("input[name=csv-target][value=label]")
    # three features: pick the two drawn over
    assert page.is_visible("#view-pickers")
    page.select_option("#in-view-x", "width")
    page.select_option("#in-view-y", "height")
    page.click("#btn-csv-train")
    wait_frame(page, "JSON.stringify(window.__ll.info.features) === '[\"width\",\"height\"]'")
    # then leave out the 'extra' column: two features, drawn over those
    page.uncheck("input.csv-feature[value=extra]")
    assert page.is_hidden("#view-pickers")
    page.click("#btn-csv-train")
    wait_frame(page, "(window.__ll.session.config.features || []).length === 2"
                     " && window.__ll.info.features.length === 2")
    play_until(page, "f.step > 100")
    # the map is drawn: not blank, both class colours present
    colours = page.evaluate("""() => {
      const c = document.getElementById('output-map');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let purple = 0, orange = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i + 2] > d[i] + 20) purple++; else if (d[i] > d[i + 2] + 40) orange++;
      }
      return [purple, orange, c.width];
    }""")
    assert colours[2] >= 100 and colours[0] > 100 and colours[1] > 100, colours
    assert "shapes.csv" in page.inner_text("#csv-name")
    shot(page, "03-csv-trained")
    assert log.errors == [] and log.foreign == []


def test_a_bad_csv_is_a_readable_message(page: Page, live_server: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("only_one_column\n")
    # the server's own words for this file, as the API answers them
    answer = httpx.post(f"{live_server}/api/datasets",
                        files={"file": ("bad.csv", bad.read_bytes())})
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    page.goto(live_server + "/")
    wait_frame(page)
    page.set_input_files("#in-file", str(bad))
    page.wait_for_selector("#messages .msg.error")
    message = page.inner_text("#messages .msg.error span")
    assert message == f"bad.csv: {detail}"
    shot(page, "04-bad-csv")


def test_architecture_keys_and_url_hash(page: Page, browser: Any, live_server: str,
                                        log: PageLog) -> None:
    page.goto(live_server + "/#data=moons&act=sigmoid&seed=7&layers=3&lr=0.1&speed=4")
    wait_frame(page, "f.layers.length === 2")
    page.click("#btn-layer-add")
    page.click("#btn-layer-add")
    page.click("#network .net-hidden:nth-child(2) button[aria-label^='Add a neuron']")
    wait_frame(page, "f.layers.length === 4")
    columns = page.eval_on_selector_all(
        "#network .net-hidden", "cols => cols.map(c => c.querySelectorAll('.node').length)")
    assert columns == [4, 3, 3]
    assert page.inner_text("#layers-label") == "3 hidden layers"
    page.select_option("#in-act", "tanh")
    page.select_option("#in-l2", "0.001")
    wait_frame(page, "window.__ll.session.config.activation === 'tanh'")
    assert [len(layer["weights"][0]) for layer in page.evaluate("window.__ll.latest.layers")] \
        == [4, 3, 3, 1]

    # keyboard: s steps, space plays and pauses, r resets
    page.click("h2#h-output")  # focus off the controls
    page.keyboard.press("s")
    page.wait_for_function("(window.__ll.latest || {}).step === 1")
    page.keyboard.press("Space")
    page.wait_for_function(
        "(window.__ll.latest || {}).step > 5 && window.__ll.latest.status === 'running'")
    assert page.get_attribute("#btn-play", "aria-pressed") == "true"
    page.keyboard.press("Space")
    page.wait_for_function("(window.__ll.latest || {}).status === 'paused'")
    page.keyboard.press("r")
    wait_drawn(page, "f.step === 0")  # the counters are written when the frame is drawn
    assert page.inner_text("#out-step") == "0"

    # the URL hash restores the same configuration in a new page
    url = page.url
    assert "layers=4,3,3" in url and "seed=7" in url and "act=tanh" in url
    state = page.evaluate("JSON.stringify(window.__ll.state)")
    other = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        other.goto(url)
        wait_frame(other, "f.layers.length === 4")
        assert other.evaluate("JSON.stringify(window.__ll.state)") == state
        assert other.input_value("#in-act") == "tanh"
        assert other.input_value("#in-lr") == "0.1"
        assert other.input_value("#in-l2") == "0.001"
        assert other.input_value("#in-seed") == "7"
        assert other.evaluate("window.__ll.session.config.seed") == 7
        assert other.evaluate("window.__ll.session.config.hidden_layers") == [4, 3, 3]
        shot(other, "05-restored-from-hash")
    finally:
        other.close()
    assert log.errors == [] and log.foreign == []


def test_hover_shows_a_neuron_and_a_weight(page: Page, live_server: str) -> None:
    page.goto(live_server + "/#data=circle&act=sigmoid&layers=3&speed=7")
    wait_frame(page)
    page.hover("#network .node.neuron[data-layer='1'][data-index='0'] canvas")
    page.wait_for_selector("#output-caption:not([hidden])")
    assert "h1.1" in page.inner_text("#output-caption")
    # drawn at the neuron map's own size: the thumbnails' 24² while no card is open
    assert page.evaluate("document.getElementById('output-map').width") \
        == page.evaluate("window.__ll.latest.neurons[0][0].shape[1]")
    shot(page, "06-hover-neuron")
    bias = page.locator("#network .node.neuron[data-layer='1'][data-index='0'] .bias")
    bias.hover()
    page.wait_for_selector(".net-tip:not([hidden])")
    assert page.inner_text(".net-tip").startswith("bias = ")


def test_a_six_by_eight_network_is_drawn_while_playing(page: Page, live_server: str) -> None:
    """The largest diagram the page offers (6 hidden layers of 8, six inputs) draws frame after
    frame while it trains. (How long a draw takes: `make bench`, tests/bench/bench_page.py.)"""
    page.goto(live_server + "/#data=spiral&layers=8,8,8,8,8,8&act=tanh&speed=9"
              "&inputs=x1,x2,x1sq,x2sq,sinx1,sinx2")
    wait_drawn(page, "f.layers.length === 7")
    assert page.locator("#network .node.neuron").count() == 6 * 8 + 1
    page.click("#btn-play")
    page.wait_for_function("(window.__ll.latest || {}).step > 20")
    page.evaluate("""() => {
      window.__llDrawnSteps = [];
      const tick = () => {
        const f = window.__ll.drawn;
        const seen = window.__llDrawnSteps;
        if (f && f.step !== seen[seen.length - 1]) seen.push(f.step);
        if (seen.length < 30) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    }""")
    page.wait_for_function("window.__llDrawnSteps.length >= 30", timeout=30_000)
    page.click("#btn-play")
    steps = page.evaluate("window.__llDrawnSteps")
    assert steps == sorted(steps) and len(set(steps)) == len(steps), steps
    wait_drawn(page, "f.status !== 'running'")
    shot(page, "07-six-by-eight")


def test_exports(page: Page, live_server: str, log: PageLog) -> None:
    page.goto(live_server + "/#data=gauss&act=sigmoid&layers=2&speed=7")
    wait_frame(page)
    page.keyboard.press("s")
    page.wait_for_function("(window.__ll.latest || {}).step >= 1")
    for button, suffix in [("#btn-export-model", ".json"), ("#btn-export-png", ".png"),
                           ("#btn-export-csv", ".csv")]:
        with page.expect_download() as info:
            page.click(button)
        download = info.value
        assert download.suggested_filename.endswith(suffix)
        body = Path(download.path()).read_bytes()
        if suffix == ".json":
            assert "layers" in json.loads(body)
        elif suffix == ".png":
            assert body[:4] == b"\x89PNG"
        else:
            assert body.decode().startswith("step,train_loss,test_loss")
    assert log.errors == [] and log.foreign == []


def test_a_diverged_run_is_a_readable_message(page: Page, live_server: str, log: PageLog) -> None:
    page.goto(live_server + "/#data=hills&layers=8,8&act=relu&opt=sgd&lr=10&speed=9")
    wait_frame(page, "window.__ll.state.lr === 10")
    page.click("#btn-play")
    page.wait_for_selector("#messages .msg.error", timeout=15_000)
    assert "diverged" in page.inner_text("#messages .msg.error").lower()
    shot(page, "08-diverged")
    assert log.errors == [] and log.foreign == []


def test_projector_width(page: Page, live_server: str) -> None:
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(live_server + "/#data=spiral&layers=6,6,4&act=tanh&speed=8"
              "&inputs=x1,x2,x1sq,x2sq,sinx1,sinx2")
    wait_frame(page)
    page.click("#btn-play")
    page.wait_for_function("(window.__ll.latest || {}).step > 200")
    shot(page, "09-projector-1920")
    size = page.evaluate("document.getElementById('output-view').getBoundingClientRect().width")
    assert size >= 400
