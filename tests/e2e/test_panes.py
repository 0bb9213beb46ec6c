"""The explanatory views in sight: the output column's tabs offer the views that apply, each
opens without scrolling at 1280×800 and 1920×1080, the choice lives in the URL, and a lesson's
preset opens the view its text talks about."""

import pytest

from app.lessons import LESSONS
from tests.e2e.conftest import Page, PageLog, open_pane, shot, wait_drawn, wait_frame

SIZES = [(1280, 800), (1920, 1080)]


def tabs_shown(page: Page) -> list[str]:
    return page.evaluate("""[...document.querySelectorAll('#view-tabs [data-pane]')]
        .filter((t) => !t.hidden).map((t) => t.dataset.pane)""")


def in_viewport(page: Page, selector: str) -> bool:
    """The whole of `selector` is inside the viewport, with no scrolling."""
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    return (box is not None and box["width"] > 0 and box["y"] >= 0 and box["x"] >= 0
            and box["y"] + box["height"] <= size["height"] + 1
            and box["x"] + box["width"] <= size["width"] + 1)


def distinct_colours(page: Page, selector: str) -> int:
    return page.evaluate("""(sel) => {
      const c = document.querySelector(sel);
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const seen = new Set();
      for (let i = 0; i < d.length; i += 4 * 7) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      return seen.size;
    }""", selector)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_hidden_space_opens_beside_the_output_in_sight(page: Page, live_server: str,
                                                       log: PageLog, size: tuple[int, int]) -> None:
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(live_server + "/#data=xor&layers=4&lr=0.1")
    wait_frame(page)
    assert tabs_shown(page) == ["output", "hidden"]  # 2-D data: no 1-D sum
    assert in_viewport(page, "#output-map")
    page.request.post(f"{live_server}/api/sessions/"
                      f"{page.evaluate('window.__ll.session.id')}/step", data={"steps": 200})
    open_pane(page, "hidden")
    wait_drawn(page, "f.step >= 200")
    page.wait_for_function("(window.__llHidden || {}).step >= 200")
    assert in_viewport(page, "#view-hidden .hs-canvas")
    assert page.is_hidden("#output-map")
    assert distinct_colours(page, "#view-hidden .hs-canvas") > 20
    assert "pane=hidden" in page.evaluate("location.hash")
    # the diagram stays above the fold beside it: its output neuron is in sight
    assert in_viewport(page, "#network .node.neuron[data-layer='2']")
    shot(page, f"panes-hidden-{size[0]}")
    open_pane(page, "output")
    assert page.is_visible("#output-map") and page.is_hidden("#view-hidden")
    assert log.errors == [] and log.foreign == []


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_sum_of_neurons_opens_in_sight_for_1d_data(page: Page, live_server: str,
                                                       size: tuple[int, int]) -> None:
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(live_server + "/#data=sine&layers=5&pane=sums")
    wait_frame(page, "f.layers.length === 2")
    assert tabs_shown(page) == ["output", "hidden", "sums"]
    page.wait_for_function("window.__llSums !== null && window.__llSums.step >= 0")
    assert in_viewport(page, "#view-sums .sums-canvas")
    shot(page, f"panes-sums-{size[0]}")


def test_no_hidden_layer_offers_no_view(page: Page, live_server: str) -> None:
    """With no hidden layer there is nothing but the output: the tab bar is not shown at all."""
    page.goto(live_server + "/#data=linear&layers=")
    wait_frame(page, "f.layers.length === 1")
    assert tabs_shown(page) == ["output"]
    assert page.is_hidden("#view-tabs")


@pytest.mark.parametrize("lesson", [lesson for lesson in LESSONS if lesson.preset.pane != "output"],
                         ids=lambda lesson: lesson.slug)
def test_a_lesson_opens_the_view_it_talks_about(page: Page, live_server: str,
                                                lesson: object) -> None:
    preset = lesson.preset  # type: ignore[attr-defined]
    page.goto(live_server + preset.url)
    wait_frame(page)
    page.wait_for_selector(f"#view-tabs [data-pane={preset.pane}][aria-selected=true]")
    panel = page.get_attribute(f"#view-tabs [data-pane={preset.pane}]", "aria-controls")
    assert page.is_visible(f"#{panel}")
    assert in_viewport(page, f"#{panel} canvas >> nth=0")


def test_nothing_is_cut_off_at_1280(page: Page, live_server: str) -> None:
    """Dataset names read in full, and a link's tooltip near the right edge flips to stay
    inside the diagram."""
    page.goto(live_server + "/#data=xor&layers=4")
    wait_drawn(page)  # a link's tip names its weight only once the diagram has drawn a frame
    clipped = page.evaluate("""[...document.querySelectorAll('.ds-thumb span')]
        .filter((s) => s.scrollWidth > s.clientWidth + 1).map((s) => s.textContent)""")
    assert clipped == []
    out = page.locator("#network .node.neuron").last.bounding_box()
    for dx in range(8, 80, 4):  # along a link, just left of the output neuron
        page.mouse.move(out["x"] - dx, out["y"] + out["height"] / 2)
        if page.is_visible(".net-tip"):
            break
    assert "weight" in page.inner_text(".net-tip")
    tip = page.locator(".net-tip").bounding_box()
    net = page.locator("#network").bounding_box()
    assert tip["x"] >= net["x"] and tip["x"] + tip["width"] <= net["x"] + net["width"] + 1


def test_an_open_card_keeps_the_whole_diagram_in_sight(page: Page, live_server: str) -> None:
    """Opening a card narrows the diagram: its nodes shrink to fit, none below the fold."""
    page.goto(live_server + "/#data=circle&layers=8,8")
    wait_frame(page)
    page.locator("#network .node.neuron").nth(3).locator("canvas").first.click()
    page.wait_for_selector("#card:not([hidden])")
    page.wait_for_function("""() => {
      const net = document.getElementById('network').getBoundingClientRect();
      const bottom = Math.min(net.bottom, innerHeight) + 1;
      return [...document.querySelectorAll('#network .node canvas')]
        .every((c) => c.getBoundingClientRect().bottom <= bottom); }""")
    assert in_viewport(page, "#network .node.neuron[data-layer='2'][data-index='7']")


def test_the_page_asks_for_the_maps_it_shows(page: Page, live_server: str) -> None:
    """Thumbnails only: neuron maps at 24² and no hidden points; a card: full size; the hidden
    space: full size and its points (the stream's view, README)."""
    page.goto(live_server + "/#data=xor&layers=4&speed=7")
    size = "f.neurons[0][0].shape[1]"
    wait_frame(page, f"{size} === 24 && f.hidden_points === null")
    page.locator("#network .node.neuron").first.locator("canvas").first.click()
    wait_frame(page, f"{size} === 64")
    page.click("#card-close")
    wait_frame(page, f"{size} === 24")
    open_pane(page, "hidden")
    wait_frame(page, f"{size} === 64 && f.hidden_points !== null")
    page.wait_for_function("(window.__llHidden || {}).step >= 0")
