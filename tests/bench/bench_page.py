"""The page in a real browser: how long drawing one frame takes, and how many frames arrive.

A 6-hidden-layer × 8-neuron tanh network on the spiral plays at full speed against a real
server (uvicorn subprocess on 127.0.0.1); headless Chromium (Debian's /usr/bin/chromium)
renders the playground at 1280×800. The page times its own draw with performance.now()
(`window.__llDrawMs`: decode every map, draw the diagram's 48 neuron maps, the output map
and the loss chart) and counts the frames it receives. Targets: every frame drawn in under
8 ms; the page keeps up with the server's 30 frames per second. Skipped without Chromium.
"""

import shutil
import statistics
import time

from tests.bench.bench_session import server
from tests.bench.common import markdown_table, print_lines

URL = "/#data=spiral&layers=8,8,8,8,8,8&act=tanh&speed=9&inputs=x1,x2,x1sq,x2sq,sinx1,sinx2"
SECONDS = 8.0
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-sync", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
SAMPLER = """() => {
  window.__bench = { draws: [], frames: 0, t0: performance.now() };
  let lastStep = null, lastDraw = null;
  const tick = () => {
    const f = window.__ll.latest;
    if (f && f.step !== lastStep) { lastStep = f.step; window.__bench.frames++; }
    if (window.__llDrawMs !== lastDraw) {
      lastDraw = window.__llDrawMs;
      window.__bench.draws.push(lastDraw);
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""


def main() -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    print("## bench_page\n")
    if chromium is None:
        print("Chromium not found (apt-get install -y chromium): skipped")
        return
    from playwright.sync_api import sync_playwright

    with server() as (base, _pid), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(base + URL)
        page.wait_for_function("window.__ll && window.__ll.latest && "
                               "window.__ll.latest.layers.length === 7", timeout=30_000)
        page.click("#btn-play")
        page.wait_for_function("(window.__ll.latest || {}).step > 50", timeout=30_000)
        page.evaluate(SAMPLER)
        time.sleep(SECONDS)
        result = page.evaluate("({draws: window.__bench.draws, frames: window.__bench.frames,"
                               " seconds: (performance.now() - window.__bench.t0) / 1000})")
        page.click("#btn-play")
        browser.close()
    draws = sorted(result["draws"])
    fps = result["frames"] / result["seconds"]
    p95 = draws[max(0, int(len(draws) * 0.95) - 1)]
    rows = [
        ["draw one frame (decode + diagram + output map + chart)",
         f"median {statistics.median(draws):.2f} ms, p95 {p95:.2f} ms, max {draws[-1]:.2f} ms "
         f"({len(draws)} draws)", "< 8 ms", "yes" if p95 < 8 else "NO"],
        ["frames received by the page", f"{fps:.1f} per second over {result['seconds']:.1f} s",
         ">= 30", "yes" if fps >= 29 else "NO"],
    ]
    print_lines(["6 hidden layers × 8 tanh neurons, 6 inputs, spiral, full speed; "
                 "headless Chromium 1280×800", ""])
    print(markdown_table(["measure", "value", "target", "met"], rows))
