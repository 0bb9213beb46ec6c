"""The first minute: the default run converges with no stuck notice, and a stuck run says so
and offers its fix as one click (no timing asserted here: tests/bench/bench_first_minute.py
measures the seconds)."""

from tests.e2e.conftest import Page, PageLog, shot, wait_frame


def test_the_default_run_converges_without_a_stuck_notice(page: Page, live_server: str,
                                                          log: PageLog) -> None:
    page.goto(live_server + "/")
    wait_frame(page)
    page.click("#btn-play")
    wait_frame(page, "f.metrics.test_loss < 0.1", timeout=60_000)
    assert page.evaluate("window.__ll.latest.step") < 200  # measured: 34 steps for seed 0
    assert page.is_hidden("#stuck")
    assert log.errors == [] and log.foreign == []


def test_a_stuck_run_says_so_and_offers_its_fix(page: Page, live_server: str,
                                                log: PageLog) -> None:
    # the old start on the spiral: a 4-2 sigmoid network never passes 90% there
    page.goto(live_server + "/#data=spiral&layers=4,2&act=sigmoid&speed=6")
    wait_frame(page)
    page.click("#btn-play")
    page.wait_for_selector("#stuck:not([hidden])", timeout=60_000)
    step = page.evaluate("window.__ll.latest.step")
    assert step >= 150
    text = page.inner_text("#stuck-text")
    assert "looks stuck" in text and "%" in text, text
    fixes = page.locator("#stuck-fixes button")
    assert fixes.count() == 2
    assert "x₁²" in fixes.nth(0).inner_text() and "8-8" in fixes.nth(1).inner_text()
    shot(page, "stuck-notice")
    before = page.evaluate("window.__ll.session.id")
    fixes.nth(0).click()
    # one click: a new run with the squared inputs, still playing
    wait_frame(page, f"window.__ll.session.id !== '{before}' && f.status === 'running'")
    assert page.evaluate("window.__ll.state.inputs") == ["x1", "x2", "x1sq", "x2sq"]
    assert "inputs=x1,x2,x1sq,x2sq" in page.evaluate("location.hash")
    assert page.is_hidden("#stuck")
    assert log.errors == [] and log.foreign == []
