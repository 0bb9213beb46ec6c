"""The README's script that decodes a binary frame runs as written against a real server and
reads the same output map and weights as the JSON stream's frame."""

import base64
import json
import re
from pathlib import Path

import httpx
import numpy as np
from websockets.sync.client import connect

from app.config import ROOT
from tests.helpers import make_dataset, make_session, server


def readme_script() -> str:
    """The first Python block after the README's "Binary frames" paragraph."""
    text = (ROOT / "README.md").read_text()
    after = text[text.index("**Binary frames**"):]
    found = re.search(r"```python\n(.*?)```", after, re.S)
    assert found is not None, "no Python block after **Binary frames** in the README"
    return found.group(1)


def test_the_readmes_binary_frame_script_decodes_what_the_json_frame_says(
    tmp_path: Path,
) -> None:
    script = readme_script()
    assert "127.0.0.1:8000" in script
    with server(tmp_path / "data", tmp_path / "server.log") as base, \
            httpx.Client(base_url=base) as http:
        sid = make_session(http, make_dataset(http), hidden_layers=[4])
        http.post(f"/api/sessions/{sid}/step", json={"steps": 30}).raise_for_status()
        names: dict[str, object] = {"sid": sid}  # the script as the README has it, on our port
        exec(script.replace("127.0.0.1:8000", base.removeprefix("http://")), names)
        with connect(f"{base.replace('http', 'ws')}/api/sessions/{sid}/stream",
                     max_size=None) as ws:
            ws.recv()  # init
            while (frame := json.loads(ws.recv()))["type"] != "frame":
                pass
    m = frame["output"][0]
    levels = np.frombuffer(base64.b64decode(m["data"]), np.uint8).reshape(m["shape"])
    output = np.asarray(names["output"])
    assert output.shape == tuple(m["shape"]) == (100, 100)
    np.testing.assert_array_equal(output, m["lo"] + (m["hi"] - m["lo"]) * levels / 255)
    np.testing.assert_array_equal(names["W0"], np.asarray(frame["layers"][0]["weights"]))
    assert names["init"]["session"]["step"] == 30  # type: ignore[index]
