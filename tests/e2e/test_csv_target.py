"""Your own data without traps: the guessed target is named with its reason, another target
is one click and a new session on the same upload (no second upload), and the features the
maps are not drawn over show as held at their mean."""

from pathlib import Path

import numpy as np

from tests.e2e.conftest import Page, PageLog, play_until, shot, wait_frame


def iris_like(path: Path) -> Path:
    rng = np.random.default_rng(0)
    rows = ["sepal_length,sepal_width,petal_length,petal_width,species"]
    for k, name in enumerate(["setosa", "versicolor", "virginica"]):
        for v in rng.normal([5.0 + k, 3.4 - 0.3 * k, 1.5 + 2.2 * k, 0.2 + 0.9 * k], 0.3,
                            size=(50, 4)):
            rows.append(",".join(f"{x:.2f}" for x in v) + f",{name}")
    path.write_text("\n".join(rows) + "\n")
    return path


def test_another_target_is_one_click_and_no_new_upload(page: Page, live_server: str,
                                                       log: PageLog, tmp_path: Path) -> None:
    uploads: list[str] = []
    page.on("request", lambda r: uploads.append(r.url)
            if r.method == "POST" and r.url.endswith("/api/datasets") else None)
    page.goto(live_server + "/")
    wait_frame(page)
    page.set_input_files("#in-file", str(iris_like(tmp_path / "iris.csv")))
    page.wait_for_selector("#csv-panel:not([hidden])")
    wait_frame(page, "window.__ll.state.data === 'csv' && window.__ll.info.task === 'multiclass'")
    # the guess is the text column, and the page says why
    assert page.is_checked("input[name=csv-target][value=species]")
    why = page.inner_text("#csv-target-why")
    assert "species" in why and "class label" in why, why
    first = page.evaluate("window.__ll.session")
    # one click: a regression on petal_width, a new session on the same dataset
    page.check("input[name=csv-target][value=petal_width]")
    wait_frame(page, "window.__ll.session.config.target === 'petal_width'"
                     " && window.__ll.info.task === 'regression'")
    second = page.evaluate("window.__ll.session")
    assert second["id"] != first["id"]
    assert second["config"]["dataset_id"] == first["config"]["dataset_id"]
    assert len(uploads) == 1, uploads
    assert "target=petal_width" in page.evaluate("location.hash")
    assert "regression" in page.inner_text("#csv-meta")
    assert "your choice" in page.inner_text("#csv-target-why")
    assert page.is_disabled("input.csv-feature[value=petal_width]")
    assert page.is_hidden("#in-discretize")
    # four features are three now; the two not drawn show as held at their mean
    names = page.evaluate("window.__ll.info.features")
    assert names == ["sepal_length", "sepal_width"]
    held = page.locator("#network .node.input:has(canvas.held)")
    assert held.count() == 1
    assert "held at its training mean" in (held.first.get_attribute("title") or "")
    play_until(page, "f.step > 100")
    shot(page, "csv-target-switched")
    # and back: the upload's own target, still no new upload
    page.check("input[name=csv-target][value=species]")
    wait_frame(page, "window.__ll.info.task === 'multiclass'"
                     " && window.__ll.session.config.target === 'species'")
    assert "target=" not in page.evaluate("location.hash")
    assert len(uploads) == 1, uploads
    assert log.errors == [] and log.foreign == []
