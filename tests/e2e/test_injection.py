"""User-supplied text (file, column and class names, a lesson URL) shows as text and never runs."""

from csv import writer
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import PageLog, shot, wait_frame

pytestmark = pytest.mark.e2e

Page = Any
IMG = '<img src=x onerror="window.__pwned=1">'
SCRIPT = "<script>window.__pwned=2</script>"
BOLD = "<b>bold</b>"


def test_html_in_a_csv_shows_as_written_and_runs_nothing(
    page: Page, live_server: str, log: PageLog, tmp_path: Path
) -> None:
    # headers and labels carrying markup (properly quoted CSV); the file name too
    csv = tmp_path / "<svg onload=window.__pwned=3>.csv"
    with csv.open("w", newline="") as f:
        out = writer(f)
        out.writerow([IMG, BOLD, SCRIPT])
        for i in range(60):
            a, b = (i % 10) / 3 - 1.5, (i // 10) / 2 - 1.5
            out.writerow([f"{a:.3f}", f"{b:.3f}", SCRIPT if a + b > 0 else IMG])
    page.goto(live_server + "/")
    wait_frame(page)
    page.set_input_files("#in-file", str(csv))
    page.wait_for_selector("#csv-panel:not([hidden])")
    wait_frame(page, "window.__ll.state.data === 'csv'")
    page.click("#btn-play")
    page.wait_for_function("(window.__ll.latest || {}).step > 20", timeout=15_000)
    page.click("#btn-play")
    body = page.inner_text("body")
    assert IMG in body and BOLD in body  # the column names, as written
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#playground b").count() == 0  # no element made from the names
    assert page.locator("img[src=x]").count() == 0
    assert page.locator("#playground script").count() == 0
    shot(page, "08-html-in-csv")
    assert log.errors == [] and log.foreign == []


def test_a_lesson_url_with_markup_is_shown_as_text(page: Page, live_server: str) -> None:
    page.goto(live_server + "/lessons/" + IMG.replace(" ", "%20").replace('"', "%22"))
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img[src=x]").count() == 0
    assert IMG in page.inner_text("main")  # the unknown slug, shown as written
