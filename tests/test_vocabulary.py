"""The vocabulary: built from the registries, covering every key the API accepts, the same in
the page as at GET /api/vocabulary, and with texts that claim nothing false for their setup."""

import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.data.generators import KINDS, Kind
from app.data.prepare import MAX_TEST_FRACTION, TRANSFORM_LABELS, TRANSFORMS
from app.lessons import Preset
from app.main import create_app
from app.nn.activations import ACTIVATIONS
from app.nn.init import INITS
from app.nn.losses import OUTPUT_FOR_TASK
from app.nn.optimizers import OPTIMIZERS
from app.routes.pages import vocabulary_json
from app.schemas.datasets import GenerateRequest
from app.schemas.sessions import Hyperparameters, Session, SessionConfig
from tests.conftest import local_client

ACTS, TASKS, DEPTHS = list(ACTIVATIONS), list(OUTPUT_FOR_TASK), ["0", "1", "2+"]
CARDS = ["first", "deeper", "output", "output_alone"]
EMBEDDED = re.compile(r'<script type="application/json" id="vocabulary">(.*?)</script>', re.S)


@pytest.fixture
def vocab(client: TestClient) -> dict[str, Any]:
    r = client.get("/api/vocabulary")
    assert r.status_code == 200
    body: dict[str, Any] = r.json()
    return body


def literal_keys(annotation: Any) -> list[str]:
    """The strings of a Literal, found inside Optional / list / union annotations."""
    args = get_args(annotation)
    if args and all(isinstance(a, str) for a in args):
        return list(args)
    return [k for a in args for k in literal_keys(a)]


def keys(items: list[dict[str, Any]]) -> list[str]:
    return [item["key"] for item in items]


# ---- the registries and what the API accepts ------------------------------------------------
def test_every_key_the_api_accepts_is_in_the_vocabulary(vocab: dict[str, Any]) -> None:
    fields = SessionConfig.model_fields
    assert keys(vocab["activations"]) == literal_keys(fields["activation"].annotation) == ACTS
    assert keys(vocab["optimizers"]) == literal_keys(fields["optimizer"].annotation) \
        == list(OPTIMIZERS)
    assert literal_keys(Hyperparameters.model_fields["optimizer"].annotation) == list(OPTIMIZERS)
    assert keys(vocab["inits"]) == literal_keys(fields["init"].annotation) == list(INITS)
    assert keys(vocab["transforms"]) == literal_keys(fields["transforms"].annotation) \
        == list(TRANSFORMS)
    assert keys(vocab["tasks"]) == literal_keys(Session.model_fields["task"].annotation) == TASKS
    assert keys(vocab["dataset_kinds"]) == literal_keys(
        GenerateRequest.model_fields["kind"].annotation) == list(get_args(Kind)) == list(KINDS)


def test_the_contract_shape(vocab: dict[str, Any]) -> None:
    assert vocab["activations"][0] == {"key": "sigmoid", "label": "sigmoid", "symbol": "σ",
                                       "formula": "σ(z) = 1 / (1 + e^(−z))", "range": [0, 1]}
    assert {a["key"]: a["range"] for a in vocab["activations"]} == {
        "sigmoid": [0, 1], "tanh": [-1, 1], "relu": [0, None], "linear": [None, None]}
    out = {t["key"]: t["output"] for t in vocab["tasks"]}
    assert (out["binary"]["activation"], out["binary"]["units"], out["binary"]["loss"]) == (
        "sigmoid", "one", "mean log-loss")
    assert (out["multiclass"]["activation"], out["multiclass"]["units"],
            out["multiclass"]["loss"]) == ("softmax", "K", "mean cross-entropy")
    assert (out["regression"]["activation"], out["regression"]["units"],
            out["regression"]["loss"]) == ("identity", "one", "mean squared error / 2")
    assert all(set(i) >= {"key", "label", "hint"} and i["hint"] for i in vocab["inits"])
    assert all(set(o) >= {"key", "label"} for o in vocab["optimizers"])
    assert vocab["transforms"][0] == {"key": "x1", "label": "x₁"}
    assert set(vocab["texts"]) == {"network", "card", "hints", "views"}
    assert set(vocab["texts"]["hints"]) >= {"pca", "xavier", "he", "standardized"}


def test_transform_labels_are_prepares_with_subscripts(vocab: dict[str, Any]) -> None:
    labels = {t["key"]: t["label"] for t in vocab["transforms"]}
    assert labels == {"x1": "x₁", "x2": "x₂", "x1sq": "x₁²", "x2sq": "x₂²", "x1x2": "x₁·x₂",
                      "sinx1": "sin x₁", "sinx2": "sin x₂"}
    for key, label in TRANSFORM_LABELS.items():  # nothing but the digits differs
        assert labels[key].translate(str.maketrans("₁₂", "12")) == label


def test_dataset_kinds_follow_the_generators(vocab: dict[str, Any]) -> None:
    for kind in vocab["dataset_kinds"]:
        spec = KINDS[kind["key"]]
        assert kind["dimensions"] == spec.n_features and kind["description"] == spec.description
        if spec.task == "regression":
            assert kind["task"] == "regression" and kind["classes"] is None
        else:
            assert kind["task"] == ("binary" if spec.n_classes == 2 else "multiclass")
    by_key = {k["key"]: k for k in vocab["dataset_kinds"]}
    assert by_key["blobs"]["classes"] == [3, 5] and by_key["blobs"]["title"] == \
        "Blobs (3–5 classes)"
    assert by_key["sine"]["title"] == "Sine (1-D, regression)"
    assert by_key["interval"]["task"] == "binary" and by_key["interval"]["dimensions"] == 1


def test_limits_come_from_the_settings_and_the_models(settings: Settings) -> None:
    s = settings.model_copy(update={"max_neurons": 8, "max_hidden_layers": 3, "max_grid": 64})
    with local_client(create_app(s)) as c:
        limits = c.get("/api/vocabulary").json()["limits"]
    assert (limits["max_neurons"], limits["max_hidden_layers"], limits["max_grid"]) == (8, 3, 64)
    for name in ("max_steps_per_request", "max_upload_bytes", "max_rows", "max_columns",
                 "max_classes", "max_live_sessions", "frame_rate"):
        assert limits[name] == getattr(s, name)
    schema = SessionConfig.model_json_schema()["properties"]
    assert limits["test_fraction_max"] == schema["test_fraction"]["maximum"] == 0.9 \
        == MAX_TEST_FRACTION
    assert limits["learning_rate_max"] == schema["learning_rate"]["maximum"]
    assert limits["learning_rate_min_exclusive"] == schema["learning_rate"]["exclusiveMinimum"]
    assert (limits["init_value_min"], limits["init_value_max"]) == (
        schema["init_value"]["minimum"], schema["init_value"]["maximum"])
    gen = GenerateRequest.model_json_schema()["properties"]
    assert (limits["dataset_n_min"], limits["dataset_n_max"]) == (
        gen["n"]["minimum"], gen["n"]["maximum"])


def test_defaults_are_session_configs(vocab: dict[str, Any]) -> None:
    assert vocab["defaults"] == SessionConfig(dataset_id="x").model_dump(
        mode="json", exclude={"dataset_id"})


def test_in_the_openapi_schema_with_its_tag(client: TestClient) -> None:
    op = client.get("/openapi.json").json()["paths"]["/api/vocabulary"]["get"]
    assert op["tags"] == ["vocabulary"]
    ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/Vocabulary")


# ---- one document: the page embeds what the endpoint answers --------------------------------
@pytest.mark.parametrize("path", ["/", "/lessons", "/lessons/one-neuron"])
def test_every_page_embeds_the_same_json(client: TestClient, vocab: dict[str, Any],
                                         path: str) -> None:
    html = client.get(path).text
    found = EMBEDDED.search(html)
    assert found, f"{path} has no vocabulary script"
    assert json.loads(found.group(1)) == vocab
    before = html[: html.index('id="vocabulary"')]  # in the head, before any module script
    assert "</head>" not in before and 'type="module"' not in before


def test_the_embedded_json_cannot_close_its_script() -> None:
    app = SimpleNamespace(state=SimpleNamespace(vocabulary_text='{"t": "</script><b>"}'))
    text = str(vocabulary_json({"request": SimpleNamespace(app=app)}))  # type: ignore[arg-type]
    assert "</" not in text and json.loads(text) == {"t": "</script><b>"}


def test_lesson_presets_name_only_registry_keys() -> None:
    for bad in ({"act": "softplus"}, {"init": "orthogonal"}, {"opt": "rmsprop"},
                {"inputs": ("x1", "x3")}, {"data": "swissroll"}):
        with pytest.raises(ValueError, match="not one of"):
            Preset(**{"data": "xor", **bad})  # type: ignore[arg-type]


# ---- the texts: every cell, and no false claim in any ---------------------------------------
def cells(vocab: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(activation, task, where, text) for every network and card text."""
    t = vocab["texts"]
    out = []
    for act in ACTS:
        for task in TASKS:
            out += [(act, task, f"network {d}", t["network"][act][task][d]) for d in DEPTHS]
            out += [(act, task, f"card {c}", t["card"][act][task][c]) for c in CARDS]
    return out


def test_every_cell_has_its_texts(vocab: dict[str, Any]) -> None:
    t = vocab["texts"]
    assert set(t["network"]) == set(t["card"]) == set(ACTS)
    for act in ACTS:
        assert set(t["network"][act]) == set(t["card"][act]) == set(TASKS)
        for task in TASKS:
            assert list(t["network"][act][task]) == DEPTHS
            assert list(t["card"][act][task]) == CARDS
    assert len(cells(vocab)) == 4 * 3 * 7
    assert all(len(text) > 80 for *_, text in cells(vocab))


FORBIDDEN_EVERYWHERE = [
    "IS a logistic regression",  # a hidden neuron has the form of one; it is not fitted as one
    "become separable", "becomes separable", "become linearly separable",  # not guaranteed
    "σ_y", "mean_y",  # formulas in plain words
    "PCA", "Xavier", "Glorot",  # jargon lives in the hints, shown on hover
]
FORBIDDEN_BY_TASK = {
    "regression": ["class", "separab", "probability of", "boundary", "log-loss",
                   "cross-entropy", "softmax", "accuracy"],
    "multiclass": ["two classes", "second class", "log-loss", "P(the", "both classes"],
    "binary": ["softmax", "K classes", "cross-entropy", "K in all"],
}
NOT_A_SIGMOID = ["squash", "is a logistic regression", "S-curve across", "from 0 to 1"]


@pytest.mark.parametrize("act", ACTS)
def test_no_text_claims_what_is_false_for_its_setup(vocab: dict[str, Any], act: str) -> None:
    for a, task, where, text in cells(vocab):
        if a != act:
            continue
        lower = text.lower()
        for phrase in FORBIDDEN_EVERYWHERE:
            assert phrase not in text, (act, task, where, phrase)
        for phrase in FORBIDDEN_BY_TASK[task]:
            assert phrase.lower() not in lower, (act, task, where, phrase)
        if act in ("relu", "linear"):
            for phrase in NOT_A_SIGMOID:
                assert phrase.lower() not in lower, (act, task, where, phrase)
        if where in ("card first", "card deeper"):  # a hidden neuron is never "a logistic
            assert "is a logistic regression" not in lower, (act, task, where)  # regression"
        if act == "linear" and where in ("network 1", "network 2+", "card first",
                                         "card deeper"):
            assert "one weighted sum" in text, (task, where)  # the collapse, said
            for phrase in ("bends as", "curves and corners", "combinations of combinations",
                           "flat pieces"):
                assert phrase not in text, (task, where, phrase)


@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("task", TASKS)
def test_each_cell_says_what_holds_exactly(vocab: dict[str, Any], act: str, task: str) -> None:
    net, card = vocab["texts"]["network"][act][task], vocab["texts"]["card"][act][task]
    label = ACTIVATIONS[act].label
    assert net["0"].startswith("No hidden layer") and label in net["0"]
    assert {"binary": "logistic regression", "multiclass": "softmax",
            "regression": "linear regression"}[task] in net["0"]
    if task == "binary":
        assert "scikit-learn" in net["0"]
        for text in (net["1"], net["2+"], card["output"]):  # separability is not a promise
            assert "not guaranteed" in text, (act, text)
        if act != "linear":
            assert "88%" in net["1"] and "straight line" in card["output"]
    if task == "multiclass":
        assert "K" in net["1"] and "softmax" in net["1"].lower() and "K" in card["output"]
    if task == "regression":
        assert "ŷ = w·h + b" in card["output"] and "no sigmoid" in card["output"]
    if act == "sigmoid":
        assert "σ(w·x + b)" in card["first"] and "not fitted to the" in card["first"]
        assert "exactly the form of a logistic regression" in card["first"]
        assert "combination of combinations" in card["deeper"]
    if act == "tanh":
        assert "2σ(2z) − 1" in card["first"] and "2σ(2z) − 1" in net["1"]
    if act == "relu":
        assert "max(0, w·x + b)" in card["first"] and "ramp" in card["first"]
        assert "not its S-curve" in card["first"] and "line w·x + b = 0" in card["first"]
    if act == "linear":
        assert "whatever the depth" in card["first"] and "whatever the depth" in card["deeper"]
    if task == "binary" and act != "linear":
        assert "previous layer's outputs" in card["deeper"]


def test_hints_explain_the_jargon(vocab: dict[str, Any]) -> None:
    hints = vocab["texts"]["hints"]
    assert hints["pca"].startswith("PCA") and hints["xavier"].startswith("Xavier")
    assert hints["he"].startswith("He") and "standard deviation" in hints["standardized"]
    inits = {i["key"]: i["hint"] for i in vocab["inits"]}
    assert inits["xavier"] == hints["xavier"] and inits["he"] == hints["he"]


JS = Path(__file__).resolve().parent.parent / "static" / "js"
LITERAL_KEY = re.compile(r"viewText\('(\w+)', '(\w+)'")
TERNARY_KEY = re.compile(r"viewText\('(\w+)', [^,()]*?\? '(\w+)' : '(\w+)'")


def view_cells(vocab: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(view, key, text) for view, texts in vocab["texts"]["views"].items()
            for key, text in texts.items()]


def test_every_view_text_the_js_asks_for_exists(vocab: dict[str, Any]) -> None:
    views = vocab["texts"]["views"]
    asked: list[tuple[str, str]] = []
    for path in JS.glob("*.js"):
        src = path.read_text()
        asked += LITERAL_KEY.findall(src)
        asked += [(v, k) for v, *keys in TERNARY_KEY.findall(src) for k in keys]
    assert len(asked) > 20
    # the keys built from the task or the activation (`alone_${task}`, …)
    for task in TASKS:
        asked += [("sums", f"alone_{task}"), ("hidden", f"alone_{task}"),
                  ("hidden", f"explainer_{task}"), ("compare", f"question_{task}"),
                  ("compare", f"question_alone_{task}"), ("compare", f"name_{task}"),
                  ("compare", f"failed_{task}")]
        if task != "multiclass":
            asked += [("hidden", f"caption_{task}"), ("hidden", f"dashed_{task}")]
        if task != "regression":
            asked += [("compare", f"alone_{task}"), ("compare", f"head_{task}"),
                      ("compare", f"head_{task}_curved")]
    asked += [("sums", f"explainer_regression_{act}") for act in ACTS]
    asked += [("collapse", f"stays_{task}{shape}") for task in TASKS
              for shape in ("", "_1d", "_curved")]
    asked += [("collapse", f"{key}_{task}") for task in TASKS for key in ("lead", "bend")]
    asked += [("card", f"{key}_{where}") for key in ("region", "regions")
              for where in ("half", "ray", "deep")]
    asked += [("card", f"combine_{kind}")
              for kind in ("never", "always", "mix", "and", "or", "one")]
    asked += [("card", f"join_{kind}") for kind in ("and", "or")]
    asked += [("card", f"literal_{state}_{n}") for state in ("on", "off") for n in ("one", "many")]
    missing = [(v, k) for v, k in asked if k not in views.get(v, {})]
    assert not missing


def test_no_view_text_claims_what_is_false_for_its_setup(vocab: dict[str, Any]) -> None:
    for view, key, text in view_cells(vocab):
        lower = text.lower()
        for phrase in ("IS a logistic regression", "become separable", "becomes separable",
                       "Xavier", "Glorot", "PCA", "σ_y", "mean_y"):
            assert phrase not in text, (view, key, phrase)
        for task, phrases in FORBIDDEN_BY_TASK.items():
            if key.endswith(f"_{task}") or f"_{task}_" in key:
                for phrase in phrases:
                    assert phrase.lower() not in lower, (view, key, phrase)
        if "alone" in key:  # no hidden layer: nothing may speak of hidden neurons as present
            for phrase in ("maps are beside", "hidden layers add", "hidden neurons add",
                           "each hidden neuron"):
                assert phrase not in lower, (view, key, phrase)
        if key.startswith("explainer_regression_") and key[21:] in ("relu", "linear"):
            assert "steps and bumps" not in text, key


def test_the_views_say_the_truth_without_hidden_layers(vocab: dict[str, Any]) -> None:
    v = vocab["texts"]["views"]
    assert "no hidden layer" in v["sums"]["two_d_alone"]
    assert "beside the diagram" not in v["sums"]["two_d_alone"]
    assert "beside the diagram" in v["sums"]["two_d"]
    model = {"binary": "logistic regression", "multiclass": "multinomial logistic regression",
             "regression": "linear regression"}
    for task in TASKS:
        question = v["compare"][f"question_alone_{task}"]
        assert "no hidden layer" in question and f"already is a {model[task]}" in question
        assert "enough here" not in question
        assert model[task] in v["hidden"][f"alone_{task}"]
        assert model[task] in v["compare"][f"question_{task}"]
