"""CSV upload: a corpus of bad and awkward files through the real API, and a fuzz test."""

from collections.abc import Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.config import Settings
from app.data.csv_parse import _all_numbers, _number, parse_csv
from app.data.store import DatasetError
from app.main import create_app
from tests.conftest import local_client
from tests.data_helpers import csv_bytes, two_class_rows, upload

VALID = csv_bytes(two_class_rows())


@pytest.fixture
def small_client(settings: Settings) -> Iterator[TestClient]:
    """A client whose limits are tiny: 2000 bytes, 10 rows, 5 columns, 3 classes."""
    small = settings.model_copy(update={"max_upload_bytes": 2000, "max_rows": 10,
                                        "max_columns": 5, "max_classes": 3})
    with local_client(create_app(small)) as c:
        yield c


def _rows_then(bad_line: str, n: int = 6) -> bytes:
    return ("a,b,y\n" + "".join(f"{i},{i + 1},{i % 2}\n" for i in range(n)) + bad_line).encode()


# (file, form fields, status, words the message must contain)
BAD_FILES: dict[str, tuple[bytes, dict[str, str], int, list[str]]] = {
    "empty": (b"", {}, 400, ["empty"]),
    "blank lines only": (b"\r\n\n   \n", {}, 400, ["empty"]),
    "header only": (b"a,b,y\n", {}, 422, ["header", "line 1", "no data rows"]),
    "single column": (b"value\n1\n2\n3\n4\n", {}, 422, ["only one column", "'value'"]),
    "one class": (b"a,y\n1,x\n2,x\n3,x\n4,x\n", {}, 422, ["only one class", "('x')"]),
    "too many classes": (csv_bytes([["a", "y"]] + [[i, f"c{i}"] for i in range(60)]), {}, 422,
                         ["60 distinct values", "limit of 50 classes"]),
    "ragged row": (b"a,b,y\n1,2,0\n3,4\n5,6,1\n", {}, 422,
                   ["line 3 has 2 fields", "header (line 1) has 3", "commas"]),
    "ragged semicolons": (b"a;b;y\n1;2;0\n3;4;1;7\n5;6;1\n", {}, 422,
                          ["line 3 has 4 fields", "semicolons"]),
    "binary with NUL": (b"PK\x03\x04\x00\x00\x08\x00" + bytes(range(256)), {}, 400, ["binary"]),
    "control characters": (b"a,b,y\n1,2,0\n3,\x01\x02,1\n", {}, 400,
                           ["control character 0x01", "line 3"]),
    "duplicate names": (b"a,a,y\n1,2,0\n", {}, 422, ["'a' appears twice", "columns 1 and 2"]),
    "unknown target": (VALID, {"target": "species"}, 422,
                       ["no column named 'species'", "a, b, y"]),
    "header of numbers": (b"1,2,0\n3,4,1\n", {}, 422, ["line 1", "header", "only numbers"]),
    "too few rows": (b"a,y\n1,0\n2,1\n3,0\n", {}, 422, ["only 3 usable rows", "at least 4"]),
    "all rows dropped": (b"a,b,y\n1,,0\n,2,1\nNA,3,0\n4,nan,1\n", {}, 422,
                         ["only 0 usable rows", "dropping 4 rows", "line 2, column 'b'"]),
    "class left with one row": (b"a,y\n1,0\n2,0\n,1\n3,1\n4,0\n5,0\n", {}, 422,
                                ["class '1'", "only 1 row", "dropping 1 rows", "line 4",
                                 "column 'a'", "at least 2"]),
    "regression with text target": (_rows_then("7,8,abc\n"), {"task": "regression"}, 422,
                                    ["'y'", "line 8", "'abc'", "regression needs a number"]),
    "bad task": (VALID, {"task": "clustering"}, 422,
                 ["task must be auto, classification or regression", "'clustering'"]),
    "no numeric features": (b"name,y\nann,1\nbob,2\ncid,1\ndan,2\n", {}, 422,
                            ["no numeric feature columns", "'name' is text"]),
    "empty target column": (b"a,b,y\n1,2,\n3,4,\n5,6,\n7,8,\n", {"target": "y"}, 422,
                            ["'y' has no values"]),
    "field over the field limit": (b"a,y\n1,0\n\"" + b"x" * ((1 << 20) + 1) + b"\",1\n", {}, 413,
                                   ["line 3, column 1 ('a')", "1048577 characters",
                                    "limit of 1048576 characters per field"]),
    "bad utf-16": (b"\xff\xfea\x00,\x00b\x00\n\x00\x00\xd8", {}, 400, ["UTF-16"]),
    "numeric target over the class limit": (
        csv_bytes([["a", "y"]] + [[i, i] for i in range(60)]), {"task": "classification"}, 422,
        ["60 distinct values", "task=regression"]),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_is_rejected_with_a_message(client: TestClient, case: str) -> None:
    data, fields, status, words = BAD_FILES[case]
    r = upload(client, data, **fields)
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    for w in words:
        assert w in detail, (w, detail)
    assert client.get("/api/datasets").json() == []  # nothing stored


@pytest.mark.parametrize(("data", "status", "words"), [
    (b"a,b,y\n" + b"1,2,0\n" * 400, 413, ["larger than the upload limit of 2000 bytes"]),
    (csv_bytes(two_class_rows(11)), 413, ["more than 10 data rows"]),
    (b"a,b,c,d,e,f\n1,2,3,4,5,0\n", 413, ["6 columns", "limit of 5"]),
    (b"a,y\n" + b"".join(b"%d,%d\n" % (i, i % 4) for i in range(8)), 422,
     ["4 distinct values", "limit of 3 classes"]),
])
def test_limits(small_client: TestClient, data: bytes, status: int, words: list[str]) -> None:
    r = upload(small_client, data)
    assert r.status_code == status, r.text
    for w in words:
        assert w in r.json()["detail"]
    assert small_client.get("/api/datasets").json() == []


def test_size_limit_without_content_length(small_client: TestClient) -> None:
    """A chunked body (no Content-Length) is refused once it passes the limit."""
    boundary = "b0undary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"x.csv\"\r\nContent-Type: text/csv\r\n\r\na,y\n").encode()
    sent = []

    def body() -> Iterator[bytes]:
        yield head
        for _ in range(10_000):  # would be 10 MB; the server stops reading long before
            sent.append(1)
            yield b"1,0\n" * 256

    r = small_client.post("/api/datasets", content=body(),
                          headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 413, r.text
    assert "upload limit" in r.json()["detail"]


def test_content_length_is_checked_first(small_client: TestClient) -> None:
    r = upload(small_client, b"a,y\n" + b"1,0\n" * 50_000)
    assert r.status_code == 413


def test_not_multipart_and_missing_file(client: TestClient) -> None:
    r = client.post("/api/datasets", json={"file": "a,b\n1,2"})
    assert r.status_code == 400 and "multipart/form-data" in r.json()["detail"]
    r = client.post("/api/datasets", files={"other": ("x.csv", VALID, "text/csv")})
    assert r.status_code == 422 and "field named 'file'" in r.json()["detail"]


# Awkward but valid files


def _parse(data: bytes, **kw: str) -> dict[str, object]:
    ds = parse_csv(data, name="t", **kw)  # type: ignore[arg-type]
    return {"features": ds.features, "classes": ds.classes, "task": ds.task,
            "numeric": {k: v.tolist() for k, v in ds.numeric.items()},
            "labels": ds.target_values(), "dropped": ds.dropped_rows,
            "non_features": [(n.name, n.reason) for n in ds.non_features]}


EXPECTED = {"a": [1.5, 2.0, 0.001, 4.0], "b": [-1.0, 3.0, 4.0, 5.0]}
AWKWARD: dict[str, bytes] = {
    "plain": b"a,b,y\n1.5,-1,0\n2,3,1\n1e-3,4,0\n4,5,1\n",
    "utf-8 BOM": b"\xef\xbb\xbfa,b,y\n1.5,-1,0\n2,3,1\n1e-3,4,0\n4,5,1\n",
    "CRLF": b"a,b,y\r\n1.5,-1,0\r\n2,3,1\r\n1e-3,4,0\r\n4,5,1\r\n",
    "old Mac CR": b"a,b,y\r1.5,-1,0\r2,3,1\r1e-3,4,0\r4,5,1\r",
    "semicolons, decimal commas": b"a;b;y\n1,5;-1;0\n2;3;1\n1e-3;4;0\n4;5;1\n",
    "tabs": b"a\tb\ty\n1.5\t-1\t0\n2\t3\t1\n1e-3\t4\t0\n4\t5\t1\n",
    "spaces around fields": b" a , b ,y \n 1.5 ,  -1, 0\n2 , 3 ,1\n 1E-3,4 , 0 \n4,5,1\n",
    "quoted": b'"a","b","y"\n"1.5","-1","0"\n2,"3",1\n"1e-3",4,"0"\n4,5,1\n',
    "blank lines and trailing delimiters": b"a,b,y,\n\n1.5,-1,0,\n2,3,1\n\n1e-3,4,0,,\n4,5,1\n\n",
    "utf-16 tabs (Excel)": "a\tb\ty\r\n1.5\t-1\t0\r\n2\t3\t1\r\n1e-3\t4\t0\r\n4\t5\t1\r\n"
                           .encode("utf-16"),
    "missing values dropped": b"a,b,y\n1.5,-1,0\n,7,1\n2,3,1\n9,NA,0\n1e-3,4,0\n9,inf,1\n4,5,1\n",
}


@pytest.mark.parametrize("case", list(AWKWARD))
def test_awkward_files_parse_to_the_right_numbers(case: str) -> None:
    p = _parse(AWKWARD[case])
    assert p["numeric"] == EXPECTED
    assert p["labels"] == ["0", "1", "0", "1"]
    assert p["classes"] == ["0", "1"] and p["task"] == "classification"
    assert p["dropped"] == (3 if case == "missing values dropped" else 0)


def test_awkward_files_through_the_api(client: TestClient) -> None:
    for case, data in AWKWARD.items():
        r = upload(client, data)
        assert r.status_code == 201, (case, r.text)
        pts = client.get(f"/api/datasets/{r.json()['id']}/points").json()
        assert pts["columns"] == EXPECTED, case
    assert len(client.get("/api/datasets").json()) == len(AWKWARD)


def test_text_labels_quotes_and_latin1() -> None:
    data = ('sepal,"petal, width",name,species\n5.1,0.2,"Smith, J.",setosa\n'
            '4.9,0.2,Ann,setosa\n6.3,1.8,"Zoë\nnext line",virginica\n5.8,1.9,x,virginica\n'
            '6.0,1.5,y,versicolor\n5.5,1.3,z,versicolor\n')
    for encoding in ("utf-8", "latin-1"):
        p = _parse(data.encode(encoding))
        assert p["features"] == ["sepal", "petal, width"]
        assert p["classes"] == ["setosa", "versicolor", "virginica"]
        assert p["labels"][2] == "virginica"
        assert p["numeric"]["petal, width"] == [0.2, 0.2, 1.8, 1.9, 1.5, 1.3]
        assert p["non_features"] == [("name", "text (values like 'Smith, J.')")]
    p = _parse("a,y\n1,oui\n2,non\n3,été\n4,été\n5,oui\n6,non\n".encode("latin-1"))
    assert p["classes"] == ["non", "oui", "été"]


def test_line_numbers_count_the_header_and_multiline_fields() -> None:
    data = b'a,b,note,y\n1,2,"two\nlines",0\n3,4,x,1\n5,oops,y,0\n7,8,z,1\n9,9,q,0\n'
    p = _parse(data)
    assert p["non_features"] == [("b", "not numeric: line 5 has 'oops'"),
                                 ("note", "text (values like 'two\nlines')")]
    with pytest.raises(DatasetError, match="line 5: 'oops'"):
        parse_csv(data, name="t", target="b", task="regression")


def test_yes_no_and_integer_coded_labels_sort_stably() -> None:
    assert _parse(b"a,y\n1,yes\n2,no\n3,yes\n4,no\n")["classes"] == ["no", "yes"]
    rows = [["a", "y"]] + [[i, [2, 10, 1][i % 3]] for i in range(9)]
    assert _parse(csv_bytes(rows))["classes"] == ["1", "2", "10"]
    rows = [["a", "y"]] + [[i, ["1.0", "2", "1"][i % 3]] for i in range(9)]
    assert _parse(csv_bytes(rows))["classes"] == ["1", "2"]  # 1.0 and 1 are one class


def test_task_rule() -> None:
    ints20 = csv_bytes([["a", "y"]] + [[i, i % 20] for i in range(60)])
    ints21 = csv_bytes([["a", "y"]] + [[i, i % 21] for i in range(63)])
    floats = csv_bytes([["a", "y"]] + [[i, i % 2 + 0.5] for i in range(8)])
    assert _parse(ints20)["task"] == "classification"
    assert _parse(ints21)["task"] == "regression"
    assert _parse(floats)["task"] == "regression"
    assert _parse(floats, task="classification")["classes"] == ["0.5", "1.5"]
    assert _parse(ints20, task="regression")["labels"][:3] == [0.0, 1.0, 2.0]
    p = _parse(b"x,y,cls\n1,2.5,a\n2,3.5,b\n3,1,a\n4,0,b\n", target="y")
    assert p["task"] == "regression" and p["features"] == ["x"]
    assert p["non_features"] == [("cls", "text (values like 'a')")]


def test_unnamed_column_gets_a_name() -> None:
    p = _parse(b",a,y\n0,1,0\n1,2,1\n2,3,0\n3,4,1\n")
    assert p["features"] == ["column_1", "a"]


# Hard files (issue #10): each is a 2xx or a 4xx with a short message, never a 500

_ROWS = "1,2,0\n3,4,1\n5,6,0\n7,8,1\n"
HARD_FILES: dict[str, bytes] = {
    "quoted newline in a numeric cell": b'a,b,y\n"1\n2",3,0\n4,5,1\n6,7,0\n8,9,1\n',
    "quoted CRLF in a numeric cell": b'a,b,y\r\n"1\r\n2",3,0\r\n4,5,1\r\n6,7,0\r\n8,9,1\r\n',
    "quoted newline in the only feature": b'a,y\n"1\n2",0\n4,1\n6,0\n8,1\n',
    "quoted newline in a numeric target": b'a,b,y\n1,2,"0\n1"\n3,4,1\n5,6,"0\n1"\n7,8,1\n',
    "numbers split over lines everywhere": b'a,b,y\n"1\n2","3\n4","5\n6"\n"7\n8","9\n0","5\n6"\n'
                                           b'1,2,3\n4,5,3\n',
    "2 MB header name": b"x" * (2 << 20) + b",y\n" + _ROWS.encode(),
    "2 MB header name, no delimiter": b"x" * (2 << 20) + b"\n1\n2\n3\n4\n",
    "2 MB quoted cell": b'a,b,y\n1,"' + b"7" * (2 << 20) + b'",0\n' + _ROWS.encode(),
    "2 MB label": b"a,y\n" + b"".join(b"%d,%s\n" % (i, b"L" * (2 << 20) if i < 2 else b"s")
                                       for i in range(6)),
    "long labels (76 KB, two of 1000 characters)": (
        "x,y\n" + "".join(f"{i % 10},{'ab'[i % 2]}\n" for i in range(18_000))
        + "".join(f"{i},{c * 1000}\n" for i, c in enumerate("AABB"))).encode(),
    "50 long distinct labels": ("a,y\n" + "".join(f"{i},label {i % 50:02d} {'z' * 900}\n"
                                                  for i in range(200))).encode(),
    "NUL bytes in a cell": b"a,b,y\n1,2\x00,0\n3,4,1\n5,6,0\n7,8,1\n",
    "NUL bytes only": b"\x00" * 64,
    "UTF-16 with a NUL character": "a,b,y\n1,\x00,0\n3,4,1\n".encode("utf-16"),
    "CR-only line endings": b"a,b,y\r1,2,0\r3,4,1\r5,6,0\r7,8,1\r",
    "CR-only with a quoted CR in a cell": b'a,b,y\r"1\r2",2,0\r3,4,1\r5,6,0\r7,8,1\r9,9,0\r',
    "mixed line endings": b"a,b,y\r\n1,2,0\r3,4,1\n5,6,0\n\r7,8,1\r\n",
    "UTF-8 BOM": b"\xef\xbb\xbfa,b,y\n" + _ROWS.encode(),
    "two UTF-8 BOMs": b"\xef\xbb\xbf\xef\xbb\xbfa,b,y\n" + _ROWS.encode(),
    "a BOM on every line (files pasted together)": b"".join(
        b"\xef\xbb\xbf" + line + b"\n" for line in [b"a,b,y", b"1,2,0", b"3,4,1", b"5,6,0",
                                                      b"7,8,1"]),
    "UTF-16 BE with BOM": ("a,b,y\n" + _ROWS).encode("utf-16-be").join([b"\xfe\xff", b""]),
    "BOM then nothing": b"\xef\xbb\xbf",
    "mixed quotes": b"a,'b',\"y\"\n\"1\",'2',\"0\"\n'3',\"4\",1\n\"5\",6,'0'\n7,\"8\",\"1\"\n",
    "a quote inside an unquoted field": b'a,b,y\n1,2"3,0\n4,5,1\n6,7,0\n8,9,1\n',
    "text after a closing quote": b'a,b,y\n"1"x,2,0\n3,4,1\n5,6,0\n7,8,1\n',
    "unterminated quote": b'a,b,y\n1,2,"0\n3,4,1\n5,6,0\n7,8,1\n',
    "doubled quotes in a cell": b'a,b,y\n"1""",2,0\n3,4,1\n5,6,0\n7,8,1\n',
    "only delimiters": b",,,\n,,,\n,,,\n",
    "only quotes": b'""""\n""\n"\n',
    "unicode digits": "a,b,y\n١,٢,0\n٣,٤,1\n٥,٦,0\n٧,٨,1\n".encode(),
    "fullwidth digits and a line separator": "a,b,y\n１,2,0\n3,4\u2028,1\n5,6,0\n7,8,1\n".encode(),
    "numbers numpy reads but the format does not": b"a,b,y\n1_000,2,0\n0x10,4,1\n 5 ,6,0\n7,8,1\n",
    "huge exponents and negative zero": b"a,b,y\n1e999,2,0\n-0,4,1\n1e-999,6,0\n-1e308,8,1\n",
    "form feed": b"a,b,y\n1,2,0\x0c\n3,4,1\n",
    "too many columns": (",".join(f"c{j}" for j in range(300)) + "\n"
                         + ",".join("1" for _ in range(300)) + "\n").encode(),
}


@pytest.mark.parametrize("case", list(HARD_FILES))
def test_hard_files_get_an_answer_never_a_500(client: TestClient, case: str) -> None:
    r = upload(client, HARD_FILES[case])
    assert r.status_code in (201, 400, 413, 422), (case, r.status_code, r.text[:300])
    if r.status_code == 201:
        pts = client.get(f"/api/datasets/{r.json()['id']}/points")
        assert pts.status_code == 200 and len(pts.json()["target"]) == r.json()["n_rows"]
    else:
        detail = r.json()["detail"]
        assert isinstance(detail, str) and 10 < len(detail) < 1000, detail  # short, no echo


NUMBERISH = st.lists(st.one_of(
    st.text(alphabet="0123456789eE+-.\n _", max_size=8),
    st.sampled_from(["1", "-2.5", "1e3", ".5", "5.", "1e999", "nan", "inf", "١٢", "１", "1\n2",
                     "1_0", "0x1", "", "NA", "1,5", "+.5e-3", "e5", "1e", "--1"]),
    st.floats(allow_nan=False).map(repr)), min_size=1, max_size=20)


@settings(max_examples=400, deadline=None)
@given(cells=NUMBERISH, decimal_comma=st.booleans())
def test_the_fast_numeric_path_agrees_with_the_cell_by_cell_one(
        cells: list[str], decimal_comma: bool) -> None:
    """Whenever the fast path of a column answers, it is what `_number` says cell by cell
    (the fault class of the quoted newline: the two disagreeing)."""
    fast = _all_numbers(cells)
    slow = [_number(c, decimal_comma) for c in cells]
    if fast is not None:
        assert None not in slow, (cells, slow)
        assert np.array_equal(fast, np.array(slow, dtype=np.float64), equal_nan=True), cells


# Property: nothing but DatasetError, whatever the bytes


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_random_bytes_raise_only_dataset_error(data: bytes) -> None:
    try:
        ds = parse_csv(data, name="fuzz")
    except DatasetError as e:
        assert e.status_code in (400, 413, 422) and e.message
    else:
        assert ds.n_rows >= 4


CELLS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**30, 10**30).map(str),
    st.sampled_from(["", "NA", "nan", "inf", "-inf", "1e-3", "1,5", '"', '""', '"a,b"', " x ",
                     "yes", "no", "1e999", "-0", ".5", "5.", "\u00e9", "\ufeff", "?"]),
    st.text(max_size=6),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.lists(CELLS, min_size=1, max_size=5), max_size=12),
       delimiter=st.sampled_from([",", ";", "\t", "|"]),
       end=st.sampled_from(["\n", "\r\n", "\r"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"]),
       target=st.sampled_from([None, "", "a", "0"]),
       task=st.sampled_from([None, "auto", "classification", "regression", "x"]))
def test_random_csv_text_raises_only_dataset_error(
        rows: list[list[str]], delimiter: str, end: str, encoding: str, target: str | None,
        task: str | None) -> None:
    text = end.join(delimiter.join(r) for r in rows)
    data = text.encode(encoding, errors="replace")
    try:
        ds = parse_csv(data, name="fuzz", target=target, task=task)
    except DatasetError as e:
        assert e.status_code in (400, 413, 422) and e.message
        return
    assert ds.n_rows >= 4 and ds.features
    for v in ds.numeric.values():
        assert v.shape == (ds.n_rows,) and np.isfinite(v).all()
    if ds.classes is not None:
        assert len(ds.classes) >= 2 and set(ds.target_values()) == set(ds.classes)
        assert ds.labels.dtype == np.int32 and ds.labels.shape == (ds.n_rows,)


NUMBER_CELLS = st.one_of(
    st.integers(-5, 5).map(str),
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: f"{v:.6g}"),
    st.sampled_from(["", "NA", "inf", "?"]),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(width=st.integers(2, 5), data=st.data(), delimiter=st.sampled_from([",", ";", "\t"]),
       end=st.sampled_from(["\n", "\r\n"]))
def test_numeric_tables_keep_or_count_every_row(width: int, data: st.DataObject, delimiter: str,
                                                end: str) -> None:
    rows = data.draw(st.lists(st.lists(NUMBER_CELLS, min_size=width, max_size=width),
                              min_size=1, max_size=30))
    header = [f"c{j}" for j in range(width)]
    text = end.join(delimiter.join(r) for r in [header, *rows]) + end
    try:
        ds = parse_csv(text.encode(), name="fuzz")
    except DatasetError as e:
        assert e.status_code == 422 and e.message
        return
    assert ds.n_rows + ds.dropped_rows == len(rows)
    used = [header.index(c) for c in [*ds.features, ds.target]]
    kept = [r for r in rows if all(r[j].lower() not in ("", "na", "inf", "?") for j in used)]
    assert ds.n_rows == len(kept)
    for j, f in enumerate(ds.features):
        assert ds.numeric[f].tolist() == [float(r[header.index(f)]) for r in kept], j
