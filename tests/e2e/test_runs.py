"""Runs side by side (/runs, issue 14 §4) in a real browser: K seeds of a playground setup
trained over REST (logistic regression lands on one answer, a network with hidden layers on
several), the final losses as the API has them, maps that are drawn, the sessions gone once
the page is left; two existing sessions compared by their one difference."""

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import PageLog, shot, wait_frame
from tests.helpers import get_json, wait_until

pytestmark = pytest.mark.e2e

Page = Any
DONE = "document.getElementById('runs').dataset.state === 'done'"
# gauss with noise 1 overlaps: logistic regression has one finite optimum, reached in 1000 steps
LR_HASH = "data=gauss&n=300&noise=1&seed=0&layers=&opt=adam&lr=0.1"
NET_HASH = "data=xor&n=300&noise=0.1&seed=0&layers=8,8&act=tanh&opt=adam&lr=0.03"


def open_runs(page: Page, base: str, hash_: str, timeout: float = 90_000) -> None:
    page.goto(f"{base}/runs#{hash_}")
    page.wait_for_function(DONE, timeout=timeout)
    step = page.evaluate("document.getElementById('step-slider').max")
    page.wait_for_function("document.getElementById('maps').dataset.step !== undefined")
    assert int(step) >= 0


def wait_gone(base: str, ids: list[str]) -> None:
    """Wait until every session in `ids` answers 404 (the page's keepalive deletes)."""
    wait_until(lambda: all(httpx.get(f"{base}/api/sessions/{i}", timeout=10).status_code == 404
                           for i in ids), 20, "the page's sessions deleted")


def next_frames(page: Page) -> None:
    """Wait two animation frames (a resize is redrawn on the next one)."""
    page.evaluate("new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")


def table(page: Page) -> list[dict[str, Any]]:
    """The final-loss table: per row its session id and the train and test losses it shows."""
    rows: list[dict[str, Any]] = page.evaluate("""() => [
      ...document.querySelectorAll('#spread-table tbody tr')].map((tr) => ({ id: tr.dataset.session,
                      train: Number(tr.querySelector('[data-key=train]').textContent),
                      test: Number(tr.querySelector('[data-key=test]').textContent) }))""")
    return rows


# the distinct opaque colours of a canvas, as 0xRRGGBB
COLOURS = """(c) => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const seen = new Set();
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3] > 200) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
  }
  return [...seen]; }"""


def map_colours(page: Page) -> list[int]:
    """How many distinct colours each drawn map has."""
    counts: list[int] = page.evaluate(f"""() => [...document.querySelectorAll('#maps canvas.map')]
      .map((c) => ({COLOURS})(c).length)""")
    return counts


def assert_matches_api(page: Page, base: str, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        m = get_json(base, f"/api/sessions/{row['id']}")["metrics"]
        for key in ("train", "test"):
            api = m[f"{key}_loss"]
            assert abs(row[key] - api) <= 1e-7 * abs(api), (row, m)


def test_logistic_regression_seeds_agree(page: Page, live_server: str, log: PageLog) -> None:
    open_runs(page, live_server, f"seeds=4&steps=1000&{LR_HASH}")
    rows = table(page)
    assert len(rows) == 4
    tests = [r["test"] for r in rows]
    trains = [r["train"] for r in rows]
    assert max(tests) - min(tests) <= 1e-9 and max(trains) - min(trains) <= 1e-9, rows
    assert_matches_api(page, live_server, rows)
    assert page.get_attribute("#runs-verdict", "data-agree") == "true"
    numbers = page.inner_text("#verdict-numbers")
    assert numbers.startswith("4 seeds: final test loss"), numbers
    assert "They agree" in page.inner_text("#verdict-why")
    assert "Only the weight seed differs: 0, 1, 2, 3" in page.inner_text("#diff-note")
    assert all(c > 20 for c in map_colours(page)), map_colours(page)
    # every run trained the steps asked, from its own seed, on the playground's one dataset
    sessions = [get_json(live_server, f"/api/sessions/{r['id']}") for r in rows]
    assert {s["step"] for s in sessions} == {1000}
    assert len({s["config"]["dataset_id"] for s in sessions}) == 1
    shot(page, "runs-seeds-lr-1280")
    page.set_viewport_size({"width": 1920, "height": 1080})
    next_frames(page)
    shot(page, "runs-seeds-lr-1920")
    assert log.errors == [] and log.foreign == []

    # leaving the page deletes what it made
    page.goto(live_server + "/lessons")
    wait_gone(live_server, [r["id"] for r in rows])
    assert log.errors == [] and log.foreign == []


def test_leaving_while_training_deletes_the_sessions(page: Page, live_server: str,
                                                     log: PageLog) -> None:
    page.goto(f"{live_server}/runs#seeds=3&steps=100000&{NET_HASH}")
    page.wait_for_function("document.getElementById('runs-progress').value >= 150")
    ids = page.evaluate("[...document.querySelectorAll('#runs-legend li')]"
                        ".map((li) => li.dataset.session)")
    assert len(ids) == 3
    assert "Training 3 sessions round-robin" in page.inner_text("#runs-status")
    shot(page, "runs-training-1280")
    page.goto(live_server + "/lessons")
    wait_gone(live_server, ids)
    assert log.errors == [] and log.foreign == []


def test_network_seeds_differ(page: Page, live_server: str, log: PageLog) -> None:
    open_runs(page, live_server, f"seeds=4&steps=500&{NET_HASH}")
    rows = table(page)
    assert len(rows) == 4
    tests = [r["test"] for r in rows]
    assert max(tests) - min(tests) > 1e-4, rows
    assert_matches_api(page, live_server, rows)
    assert page.get_attribute("#runs-verdict", "data-agree") == "false"
    assert "different answers" in page.inner_text("#verdict-why")
    assert all(c > 20 for c in map_colours(page)), map_colours(page)
    # the slider goes back to a saved step: every map follows
    page.fill("#step-slider", "1")
    page.wait_for_function("document.getElementById('maps').dataset.step !== '500'")
    assert all(c > 1 for c in map_colours(page))
    page.fill("#step-slider", page.evaluate("document.getElementById('step-slider').max"))
    page.wait_for_function("document.getElementById('maps').dataset.step === '500'")
    shot(page, "runs-seeds-net-1280")
    assert log.errors == [] and log.foreign == []


def test_two_sessions_by_id(page: Page, live_server: str, log: PageLog) -> None:
    ds = httpx.post(f"{live_server}/api/datasets/generate",
                    json={"kind": "moons", "n": 200, "noise": 0.1, "seed": 3}, timeout=10).json()
    ids = []
    for lr in (0.01, 0.3):
        s = httpx.post(f"{live_server}/api/sessions", timeout=10, json={
            "dataset_id": ds["id"], "hidden_layers": [6], "activation": "tanh",
            "learning_rate": lr})
        assert s.status_code == 201, s.text
        sid = s.json()["id"]
        assert httpx.post(f"{live_server}/api/sessions/{sid}/step", json={"steps": 300},
                          timeout=30).status_code == 200
        ids.append(sid)
    open_runs(page, live_server, f"ids={ids[0]},{ids[1]}")
    assert page.locator("#diff-list dt").all_inner_texts() == ["learning rate"]
    assert page.locator("#diff-list dd .diff-value").all_inner_texts() == ["0.01", "0.3"]
    legend = page.locator("#runs-legend li").all_inner_texts()
    assert legend == ["learning rate 0.01", "learning rate 0.3"]
    # two curves overlaid: each run's history is drawn (train and test) in its colour
    drawn = page.evaluate(f"() => ({COLOURS})(document.getElementById('curves'))")
    for colour in ("#e69f00", "#0072b2"):  # the first two runs' colours
        assert int(colour[1:], 16) in drawn, colour
    assert_matches_api(page, live_server, table(page))
    assert all(c > 20 for c in map_colours(page))
    # the smoothing control redraws the curves: none at 0, heavier at 0.99
    picture = "document.getElementById('curves').toDataURL()"
    before = page.evaluate(picture)
    page.fill("#smoothing", "0")
    assert page.inner_text("#smoothing-out") == "0"
    raw = page.evaluate(picture)
    page.fill("#smoothing", "0.99")
    assert len({before, raw, page.evaluate(picture)}) == 3
    page.fill("#smoothing", "0.6")
    # pointing at the chart gives each run's values at that step
    box = page.locator("#curves").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tip = page.locator("#curves-tip")
    tip.wait_for()
    assert tip.locator(".tip-step").inner_text().startswith("Step ")
    lines = tip.locator(".tip-run").all_inner_texts()
    assert [x.split(":")[0] for x in lines] == legend and all("train" in x for x in lines)
    shot(page, "runs-ids-1280")
    page.set_viewport_size({"width": 1920, "height": 1080})
    next_frames(page)
    shot(page, "runs-ids-1920")
    assert log.errors == [] and log.foreign == []
    # the page deletes nothing it did not make
    page.goto(live_server + "/lessons")
    for sid in ids:
        assert httpx.get(f"{live_server}/api/sessions/{sid}", timeout=10).status_code == 200


def test_other_datasets_are_refused_in_words(page: Page, live_server: str, log: PageLog) -> None:
    ids = []
    for kind in ("xor", "circle"):
        ds = httpx.post(f"{live_server}/api/datasets/generate",
                        json={"kind": kind, "n": 100, "noise": 0.1, "seed": 1}, timeout=10).json()
        ids.append(httpx.post(f"{live_server}/api/sessions", json={"dataset_id": ds["id"]},
                              timeout=10).json()["id"])
    page.goto(f"{live_server}/runs#ids={ids[0]},{ids[1]}")
    status = page.locator("#runs-status[data-kind=error]")
    status.wait_for()
    text = status.inner_text()
    assert "not on the same dataset" in text and "xor" in text and "circle" in text
    assert page.locator("#runs-body").is_hidden()
    assert log.errors == [] and log.foreign == []


def test_playground_link_carries_the_hash(page: Page, live_server: str, log: PageLog) -> None:
    """runs-link.js: the anchor in the comparison panel points at /runs with the playground's
    hash at click time (main.js binds it; here the test binds it itself)."""
    page.goto(f"{live_server}/#{NET_HASH}")
    wait_frame(page)  # booted: the page has written its own hash, and will not again
    page.evaluate("""async () => { const { bindRunsLink } = await import('/static/js/runs-link.js');
      bindRunsLink(document.getElementById('runs-link')); }""")
    page.evaluate("location.hash = '#data=gauss&layers='")
    link = page.locator("#runs-link")
    link.dispatch_event("pointerdown")  # a click would open the page (and train 8 seeds)
    href = link.get_attribute("href")
    assert href == "/runs#seeds=8&data=gauss&layers=", href


def test_train_again_replaces_the_runs(page: Page, live_server: str, log: PageLog) -> None:
    open_runs(page, live_server, f"seeds=2&steps=100&{LR_HASH}")
    first = [r["id"] for r in table(page)]
    page.evaluate("document.getElementById('runs').dataset.before = '1'")  # this document
    page.select_option("#setup-seeds", "3")
    page.click("#runs-setup button[type=submit]")
    # a new document (the page reloads for the new hash), done training
    page.wait_for_function(f"!document.getElementById('runs').dataset.before && {DONE}",
                           timeout=90_000)
    assert page.evaluate("location.hash").startswith("#seeds=3&steps=100&")
    assert len(table(page)) == 3
    wait_gone(live_server, first)  # the replaced runs are deleted
    assert log.errors == [] and log.foreign == []
