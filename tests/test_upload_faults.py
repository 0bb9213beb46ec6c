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


def test_a_2_mb_column_name_names_the_field_limit(client: TestClient) -> None:
    """POST /api/datasets with a header whose first name is 2 MB of `x` (then `,y` and rows
    `1,2`) answered 422 "found only one column (line 1: 'xxx…')": the csv module's
    field_size_limit stopped every delimiter's first record, so the sniffer saw no columns at
    all. Now it is a 413 naming the limit, the line, the column and what it is."""
    name = b"x" * (2 << 20)
    r = upload(client, name + b",y\n" + b"1,2\n3,4\n" * 4)
    assert r.status_code == 413, r.text
    detail = r.json()["detail"]
    for words in ("line 1, column 1", "the column name is 2097152 characters long",
                  "limit of 1048576 characters per field"):
        assert words in detail, detail
    assert len(detail) < 300  # and it does not echo the name back

    # the same without any delimiter, and a long cell under a named column
    assert upload(client, name + b"\n1\n2\n").status_code == 413
    r = upload(client, b"a;b;y\n1;2;0\n3;\"" + b"7" * (1 << 20) + b"1\";1\n5;6;0\n7;8;1\n")
    assert r.status_code == 413, r.text
    assert "line 3, column 2 ('b'): the cell is 1048577 characters long" in r.json()["detail"]
    assert client.get("/api/datasets").json() == []
