"""What a second layer adds, in a real browser: a second-layer neuron's card says which of the
first layer's half-planes push it up or down and whether it ANDs or ORs them, as worked out
here from the API's weights and bias (every corner of fully-on/off inputs enumerated)."""

import itertools
from typing import Any

import numpy as np
import pytest

from tests.e2e.conftest import PageLog, shot, wait_drawn, wait_frame

pytestmark = pytest.mark.e2e

Page = Any


def rule(w: np.ndarray, b: float, lo: float, hi: float) -> tuple[str, list[int], list[int]]:
    """What the neuron computes with each input fully on (hi) or off (lo), by brute force: never,
    always, the AND or the OR of some literals (input j on for w_j > 0, off for w_j < 0) as
    (kind, inputs that must be on, inputs that must be off), or a mix."""
    n = len(w)
    corners = list(itertools.product((False, True), repeat=n))
    table = [b + sum(w[j] * (hi if on[j] else lo) for j in range(n)) > 0 for on in corners]
    if not any(table):
        return "never", [], []
    if all(table):
        return "always", [], []
    inputs = [j for j in range(n) if w[j] != 0]
    for gate in (all, any):
        for k in range(1, len(inputs) + 1):
            for S in itertools.combinations(inputs, k):
                lits = [[on[j] if w[j] > 0 else not on[j] for j in S] for on in corners]
                if [gate(li) for li in lits] == table:
                    kind = "one" if k == 1 else "and" if gate is all else "or"
                    return kind, [j for j in S if w[j] > 0], [j for j in S if w[j] < 0]
    return "mix", [], []


WORDS = {"never": "off everywhere", "always": "on everywhere", "mix": "a weighted mix"}


@pytest.mark.parametrize("hash_, lo", [
    ("data=xor&act=sigmoid&layers=3,2&seed=0&lr=0.1&speed=7", 0.0),
    ("data=circle&act=sigmoid&layers=3,3&seed=0&speed=7", 0.0),
    ("data=spiral&act=tanh&layers=8,8&seed=0&speed=7", -1.0),
])
def test_the_card_says_what_the_weights_compute(page: Page, live_server: str, log: PageLog,
                                                hash_: str, lo: float) -> None:
    page.goto(f"{live_server}/#{hash_}")
    wait_frame(page, "f.layers.length === 3")
    sid = page.evaluate("window.__ll.session.id")
    r = page.request.post(f"{live_server}/api/sessions/{sid}/step", data={"steps": 600})
    assert r.ok
    wait_drawn(page, "f.step === 600")
    layer2 = page.request.get(f"{live_server}/api/sessions/{sid}/snapshot?grid=2").json()[
        "layers"][1]
    W, bias = np.array(layer2["weights"]), np.array(layer2["bias"])
    for i in range(W.shape[1]):
        page.click(f"#network .node.neuron[data-layer='2'][data-index='{i}']")
        page.wait_for_function("document.getElementById('card-combine').textContent.length > 0")
        wait_drawn(page)
        text = page.inner_text("#card-combine")
        if i == 0:
            shot(page, f"depth-card-{hash_.split('&')[0][5:]}")
        w, b = W[:, i], float(bias[i])
        kind, on, off = rule(w, b, lo, 1.0)
        for j in range(len(w)):  # every input's push, up or down, by |w|·(hi − lo)
            word = "up" if w[j] > 0 else "down"
            assert f"h1.{j + 1} {word} by" in text, (i, j, text)
        if kind in WORDS:
            assert WORDS[kind] in text, (kind, text)
            continue
        join = " and " if kind == "and" else " or "
        sides = [" ".join([join.join(f"h1.{j + 1}" for j in idx),
                           ("are all " if kind == "and" and len(idx) > 1 else "is ") + state])
                 for idx, state in ((on, "on"), (off, "off")) if idx]
        where = {"and": "only where ", "or": "wherever ", "one": "exactly where "}[kind]
        joined = (" and " if kind != "or" else ", or ").join(sides)
        assert where + joined + ":" in text, (kind, text)
        gate = {"and": "an AND, the intersection", "or": "an OR, the union", "one": "follows"}
        assert gate[kind] in text, (kind, text)
    assert log.errors == [] and log.foreign == []
