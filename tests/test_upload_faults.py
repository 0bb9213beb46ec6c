"""Upload faults of issue #10, each through the real API: the request that reproduces it and
what it got before the fix are in each test's docstring."""

from fastapi.testclient import TestClient

from tests.data_helpers import upload


def test_quoted_newline_inside_a_numeric_looking_cell_is_text_not_a_500(
        client: TestClient) -> None:
    """POST /api/datasets with `a,b,y` and a row `"1\\n2",3,0` (a quoted cell spanning two
    lines, every other cell a number) answered 500: the fast numeric path joined the column's
    cells with newlines, read `1` and `2` as two numbers, and numpy then refused "1\\n2".
    Now the cell is text, as the csv module reads it: the column is no feature (and says why),
    or, when it was the only one, a 422 names its line and column."""
    r = upload(client, b'a,b,y\n"1\n2",3,0\n4,5,1\n6,7,0\n8,9,1\n')
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["features"] == ["b"]
    assert d["non_features"] == [{"name": "a", "reason": "not numeric: line 2 has '1\n2'"}]

    r = upload(client, b'a,y\n"1\n2",0\n4,1\n6,0\n8,1\n')
    assert r.status_code == 422, r.text
    assert "'a' is not numeric: line 2 has '1\n2'" in r.json()["detail"]

    r = upload(client, b'a,b,y\n1,2,0\n3,4,"1\n2"\n5,6,0\n7,8,"1\n2"\n9,10,0\n')
    assert r.status_code == 201, r.text  # a multi-line class label is just a label
    assert r.json()["classes"] == ["0", "1\n2"]
