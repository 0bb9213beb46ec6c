"""Share live in a real browser: a second page watches the same session, read-only."""

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import PageLog, shot, wait_frame

pytestmark = pytest.mark.e2e

Page = Any


def step_of(page: Page) -> int:
    return int(page.evaluate("window.__ll.latest.step"))


def test_a_watcher_follows_the_owners_session_and_cannot_change_it(
        page: Page, browser: Any, live_server: str, log: PageLog) -> None:
    page.goto(f"{live_server}/")
    wait_frame(page)
    owner_id = page.evaluate("window.__ll.session.id")
    page.click("#btn-share")
    link = page.input_value("#share-link")
    assert link.startswith(f"{live_server}/?watch={owner_id}#")

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    watcher = context.new_page()
    watcher.on("pageerror", lambda e: log.errors.append(str(e)))
    try:
        watcher.goto(link)
        wait_frame(watcher)
        assert watcher.evaluate("window.__ll.session.id") == owner_id
        page.wait_for_function("document.getElementById('share-count').value === '1'")
        assert page.is_visible("#share-audience")
        assert watcher.is_visible("#watch-banner") and not watcher.is_visible("#btn-share")
        assert watcher.evaluate("document.querySelector('.toolbar .transport').inert")

        page.click("#btn-play")  # the owner plays: the watcher's page follows, step by step
        watcher.wait_for_function("window.__ll.latest.step > 20", timeout=20_000)
        seen = step_of(watcher)
        watcher.wait_for_function(f"window.__ll.latest.step > {seen}", timeout=20_000)

        watcher.keyboard.press("s")  # the step shortcut: refused, said, and the run goes on
        watcher.wait_for_function(
            "document.getElementById('messages').textContent.includes('only its owner')")
        assert watcher.evaluate("window.__ll.latest.status") == "running"
        shot(watcher, "share-watcher")

        page.click("#btn-play")  # the owner's pause pauses everyone
        watcher.wait_for_function("window.__ll.latest.status === 'paused'", timeout=20_000)
    finally:
        context.close()
    # the watcher's page deleted nothing: the owner's session and its dataset are still there
    page.wait_for_function("document.getElementById('share-count').value === '0'")
    session = httpx.get(f"{live_server}/api/sessions/{owner_id}").json()
    assert session["status"] == "paused"
    dataset = session["config"]["dataset_id"]
    assert httpx.get(f"{live_server}/api/datasets/{dataset}").status_code == 200
    assert not log.errors


def test_watchers_follow_the_owner_to_a_new_network(
        page: Page, browser: Any, live_server: str, log: PageLog) -> None:
    page.goto(f"{live_server}/#layers=3")
    wait_frame(page)
    first = page.evaluate("window.__ll.session.id")
    page.click("#btn-share")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    watcher = context.new_page()
    watcher.on("pageerror", lambda e: log.errors.append(str(e)))
    try:
        watcher.goto(page.input_value("#share-link"))
        wait_frame(watcher)
        page.wait_for_function("document.getElementById('share-count').value === '1'")
        page.click("#btn-layer-add")  # a new network: a new session, which the watcher follows
        page.wait_for_function(f"window.__ll.session && window.__ll.session.id !== '{first}'")
        second = page.evaluate("window.__ll.session.id")
        watcher.wait_for_url(f"**/?watch={second}#*", timeout=20_000)
        wait_frame(watcher)
        assert watcher.evaluate("window.__ll.session.id") == second
        assert watcher.evaluate("window.__ll.state.layers") == page.evaluate(
            "window.__ll.state.layers")
        page.wait_for_function("document.getElementById('share-count').value === '1'")
    finally:
        context.close()
    assert not log.errors


def test_make_my_own_copy_forks_the_watched_run_and_continues_alone(
        page: Page, browser: Any, live_server: str, log: PageLog) -> None:
    page.goto(f"{live_server}/")
    wait_frame(page)
    owner_id = page.evaluate("window.__ll.session.id")
    httpx.post(f"{live_server}/api/sessions/{owner_id}/step", json={"steps": 40})
    page.wait_for_function("window.__ll.latest.step === 40")
    page.click("#btn-share")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    watcher = context.new_page()
    watcher.on("pageerror", lambda e: log.errors.append(str(e)))
    try:
        watcher.goto(page.input_value("#share-link"))
        wait_frame(watcher, "f.step === 40")
        watcher.click("#btn-own-copy")
        watcher.wait_for_url("**/?session=*", timeout=20_000)
        wait_frame(watcher)
        mine = watcher.evaluate("window.__ll.session.id")
        assert mine != owner_id and watcher.evaluate("window.__ll.latest.step") == 40
        assert not watcher.is_visible("#watch-banner")  # a page of one's own: it can edit
        assert not watcher.evaluate("document.querySelector('.toolbar .transport').inert")
        watcher.click("#btn-step")
        watcher.wait_for_function("window.__ll.latest.step === 41")
        owner = httpx.get(f"{live_server}/api/sessions/{owner_id}").json()
        copy = httpx.get(f"{live_server}/api/sessions/{mine}").json()
        assert owner["step"] == 40 and copy["step"] == 41  # independent runs
        assert copy["config"] == owner["config"]
    finally:
        context.close()
    assert not log.errors
