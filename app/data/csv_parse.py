"""CSV upload: bytes → a validated StoredDataset, or a DatasetError a person can act on.

What is accepted: a header row; comma, semicolon or tab delimiters (sniffed from the first
records); UTF-8 with or without BOM, UTF-16 with BOM, else cp1252/latin-1; any line ends;
quoted fields; spaces around fields; numbers like `1e-3` (and `1,5` when the delimiter is not
a comma); trailing empty fields; blank lines. Cells `""`, `NA`, `N/A`, `NaN`, `null`, `None`,
`?`, `#N/A` (any case) are missing; `inf`, and numbers beyond ±1e100, are non-finite.

A column is numeric when every non-missing cell is a number, else text. Text columns other
than the target are not features (`non_features` says why). Rows with a missing or
non-finite value in a numeric column or in the target are dropped and counted.

Task rule (`task=auto`): a text target means classification; a numeric target means
regression when it has more than 20 distinct values or any non-integer value, else
classification. Class labels are strings ("1.0" and "1" are the same class "1"). The rule
lives in app.data.prepare (`target_of`), which sessions with another target use too.

The target, when the `target` field does not name one (`guess_target`; the answer's
`target_reason` says which case chose it):
1. the last column, when it gives a classification (text with few distinct values, or at
   most 20 distinct whole numbers): the usual layout, and what the upload always did;
2. else the text column with the fewest distinct values among those that can be class labels
   (2 to `max_classes` values, each in at least 2 rows; so never an id-like column, a value
   per row), ties going to the later column: a text column with few values is a class label
   even when the last column is a number (iris with `species` first);
3. else the last column (a regression on its numbers);
4. else the last numeric column that leaves a feature (the last column is an id, say).
With `task=regression` the target is the last column, as before. Every
column that could be a session's target instead is listed in `target_candidates`. Text columns
with at most `max_classes` distinct values are kept (as codes) so a session can take them as
its target without a new upload (`StoredDataset.text`).

Line numbers in messages count the header as line 1, as a text editor does. A field (cell or
column name) over FIELD_LIMIT characters is a 413 naming its line and column; messages quote
cells and names shortened, never a huge input.

Memory: the table is held as one list of cell strings per column (no list per row, no
`io.StringIO` copy of the text), numbers as float64 and class labels as int32 codes into the
sorted classes, each label one shared string; no fixed-width string array anywhere (it pads
every row to the longest cell). Parsing a file peaks at about 2-3× its size when its bytes are
mostly long labels, and at about 10-14× for short numeric cells (a Python string per cell).
"""

from __future__ import annotations

import csv
import re
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import cast

import numpy as np
from numpy.typing import NDArray

from app.data.prepare import (
    MAX_DISTINCT_CLASSES_AUTO,
    MIN_ROWS,
    MIN_ROWS_PER_CLASS,
    TargetTable,
    auto_task,
    classes_of,
    number_label,
)
from app.data.prepare import names as _names
from app.data.prepare import show as _show
from app.data.store import (
    ColumnInfo,
    DatasetError,
    NonFeature,
    StoredDataset,
    TargetKind,
    TextColumn,
    code_dtype,
    new_id,
    now_iso,
    sort_labels,
)

DELIMITERS = (",", ";", "\t")
MISSING = {"", "na", "n/a", "nan", "-nan", "null", "none", "?", "#n/a"}
INFINITE = {"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}
MAX_ABS = 1e100
__all__ = ["MAX_DISTINCT_CLASSES_AUTO", "MIN_ROWS", "MIN_ROWS_PER_CLASS", "parse_csv"]
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_NOT_NUMBER_CHAR = re.compile(r"[^0-9eE+\-.\n]")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f]")

FIELD_LIMIT = 1 << 20  # characters per field (a cell or a column name)
SNIFF_RECORDS = 21
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")

# The csv module's own limit would end a record mid-way with "field larger than field limit",
# which says neither where nor which column; _read checks FIELD_LIMIT itself and names both.
csv.field_size_limit(2**31 - 1)


def _name_of(delimiter: str) -> str:
    return {"\t": "tab", ",": "comma", ";": "semicolon"}[delimiter]


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (BOM or not), UTF-16 with BOM, else cp1252 or latin-1."""
    if not data or data.isspace():  # (not data.strip(): no copy of the file)
        raise DatasetError("the file is empty", 400)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise DatasetError("the file starts like UTF-16 text but is not valid UTF-16; "
                               "save it as UTF-8 CSV", 400) from None
    elif b"\x00" in data:
        raise DatasetError("the file looks binary (it contains NUL bytes), not like CSV text; "
                           "upload a .csv file saved as text", 400)
    else:
        for encoding in ("utf-8-sig", "cp1252", "latin-1"):  # latin-1 always succeeds
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    text = text.removeprefix("\ufeff").rstrip("\x1a")
    bad = _CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise DatasetError(f"the file does not look like CSV text: line {line} contains the "
                           f"control character 0x{ord(bad.group()):02x}", 400)
    if not text or text.isspace():
        raise DatasetError("the file is empty", 400)
    return text


class FieldTooLong(DatasetError):
    """A field over FIELD_LIMIT characters (413), naming its line, column and kind."""

    def __init__(self, line: int, column: int, cell: str, header: list[str] | None):
        if header is None:
            where, what = f"line {line}, column {column}", "column name"
        else:
            name = f" ('{_show(header[column - 1])}')" if column <= len(header) else ""
            where, what = f"line {line}, column {column}{name}", "cell"
        super().__init__(f"{where}: the {what} is {len(cell)} characters long (it starts "
                         f"'{_show(cell, 20)}'), over the limit of {FIELD_LIMIT} characters "
                         "per field; shorten it, or check its quotes", 413)


def _lines(text: str) -> Iterator[str]:
    """The text's lines with their ends, split as `io.StringIO(text, newline="")` splits them
    (\n, \r\n or \r), one at a time instead of a 4-bytes-per-character copy of the text."""
    return (m.group() for m in _LINE.finditer(text))


def _read(text: str, delimiter: str, strict: bool = True) -> Iterator[tuple[int, list[str]]]:
    """(starting line, stripped cells) per non-blank record, read lazily.

    A CSV error raises DatasetError, or (strict=False) ends the records. A field longer than
    FIELD_LIMIT raises FieldTooLong (413) naming its line and column (and the column's name
    once the header has been read), whatever `strict` says.
    """
    reader = csv.reader(_lines(text), delimiter=delimiter, skipinitialspace=True)
    check = len(text) > FIELD_LIMIT  # else no field can be over it
    header: list[str] | None = None
    previous = 0
    try:
        for row in reader:
            start, previous = previous + 1, reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            cells = list(map(str.strip, row))
            if check and max(map(len, cells)) > FIELD_LIMIT:
                j = next(j for j, c in enumerate(cells) if len(c) > FIELD_LIMIT)
                raise FieldTooLong(start, j + 1, cells[j], header)
            if header is None:
                header = cells
            yield start, cells
    except csv.Error as e:
        if strict:
            raise DatasetError(f"cannot read line {reader.line_num} as CSV: {e}") from None


def sniff(text: str) -> str:
    """The delimiter that splits the first records into the most consistent, widest table."""
    scores = []
    too_long: FieldTooLong | None = None
    for d in DELIMITERS:
        sample: list[tuple[int, list[str]]] = []
        try:
            sample.extend(islice(_read(text, d, strict=False), SNIFF_RECORDS))
        except FieldTooLong as e:  # this delimiter may be the wrong one: try the others
            too_long = too_long or e
        widths = [len(cells) for _, cells in sample]
        if widths and widths[0] >= 2:
            consistent = sum(w == widths[0] for w in widths) / len(widths)
            scores.append((consistent, widths[0], -DELIMITERS.index(d), d))
    if not scores:
        if too_long is not None:
            raise too_long
        first = next(line for line in _lines(text) if line.strip()).strip()[:60]
        raise DatasetError(f"found only one column (line 1: '{first}'); a CSV file needs a "
                           "header and at least two columns (a feature and a target), "
                           "separated by commas, semicolons or tabs")
    return max(scores)[3]


@dataclass
class Table:
    """The file as strings, column by column: header, cells (every column as long as the
    others) and each row's line number."""

    header: list[str]
    columns: list[list[str]]
    lines: array[int]
    delimiter: str


def read_table(text: str, max_rows: int, max_columns: int) -> Table:
    """Split the text into a rectangular table of stripped strings, checking its shape.

    Cells go straight into per-column lists (one pointer each; no list per row, no second,
    transposed copy), so the table costs about the strings themselves.
    """
    delimiter = sniff(text)
    records = _read(text, delimiter)
    first = next(records, None)  # sniff saw a header with at least two fields
    if first is None:
        raise DatasetError("the file has no header line that can be read as CSV")
    header_line, header = first
    width = len(header)
    if width > max_columns:
        raise DatasetError(f"the file has {width} columns, more than the limit of "
                           f"{max_columns}", 413)
    named = width - next((i for i, h in enumerate(reversed(header)) if h), width)
    columns: list[list[str]] = [[] for _ in range(width)]
    appends = [c.append for c in columns]
    lines = array("i" if len(text) < 2**31 else "q")
    for line, cells in records:
        if len(lines) >= max_rows:
            raise DatasetError(f"the file has more than {max_rows} data rows, the limit; "
                               "upload a sample of it", 413)
        if len(cells) > width and not any(cells[width:]):
            cells = cells[:width]  # trailing delimiters
        elif named <= len(cells) < width:
            cells = cells + [""] * (width - len(cells))  # unnamed trailing columns left out
        if len(cells) != width:
            raise DatasetError(f"line {line} has {len(cells)} fields but the header (line "
                               f"{header_line}) has {width}; check the {_name_of(delimiter)}s "
                               f"and quotes on line {line}")
        for append, cell in zip(appends, cells, strict=True):
            append(cell)
        lines.append(line)
    if not lines:
        raise DatasetError(f"the file has a header (line {header_line}) but no data rows")
    if all(_NUMBER.fullmatch(c) for c in header if c) and any(header):
        raise DatasetError(f"line {header_line} should be a header of column names, but it "
                           f"holds only numbers ({_names(header, 3)}...); add a header line")
    keep = [j for j in range(width) if header[j] or any(columns[j])]
    if len(keep) < width:  # unnamed empty columns, e.g. from trailing delimiters
        header = [header[j] for j in keep]
        columns = [columns[j] for j in keep]
    header = [h or f"column_{j + 1}" for j, h in enumerate(header)]
    if len(header) < 2:
        raise DatasetError("the file has only one column with data; it needs a feature column "
                           "and a target column")
    seen: dict[str, int] = {}
    for j, h in enumerate(header):
        if h in seen:
            raise DatasetError(f"column name '{_show(h)}' appears twice in the header (columns "
                               f"{seen[h] + 1} and {j + 1}); column names must be unique")
        seen[h] = j
    return Table(header, columns, lines, delimiter)


def _number(cell: str, decimal_comma: bool) -> float | None:
    """The cell as a float (NaN when missing, ±inf when non-finite), None when it is text."""
    low = cell.lower()
    if low in MISSING:
        return float("nan")
    try:
        if _NUMBER.fullmatch(cell):
            v = float(cell)
            return v if abs(v) <= MAX_ABS else float("inf")
        if decimal_comma and _DECIMAL_COMMA.fullmatch(cell):
            return float(cell.replace(",", "."))
    except ValueError:  # what the pattern takes but float() does not: text, never a 500
        return None
    if low in INFINITE:
        return float(low)
    return None


@dataclass
class Column:
    """One column's cells, and either their numbers (NaN = missing) or, for a text column,
    its first text cell and whether any cell was a number (no per-row numbers then)."""

    name: str
    cells: list[str]
    values: NDArray[np.float64]  # (n,) for a column without text, else empty
    first_text: tuple[int, str] | None = None  # (line, cell)
    has_number: bool = False  # a text column with some numbers in it

    @property
    def numeric(self) -> bool:
        return self.first_text is None and bool(np.isfinite(self.values).any())

    def text_reason(self) -> str:
        if self.first_text is None:
            return "no values (every cell is missing or non-finite)"
        line, cell = self.first_text
        if self.has_number:
            return f"not numeric: line {line} has '{_show(cell)}'"
        return f"text (values like '{_show(cell)}')"


def _all_numbers(cells: Sequence[str]) -> NDArray[np.float64] | None:
    """The cells as floats when every one is a plain ASCII number, else None (then the
    cell-by-cell path decides).

    The fast path of `_column`, giving what `_number` gives or no answer: no cell may hold a
    character outside `[0-9eE+-.]` (so no word like `nan` or `inf`, no `_`, no other digits,
    and — one newline per join — no newline, as a quoted field spanning lines `"1\n2"` does),
    and `float()` must take every cell; over that alphabet `float()` takes exactly `_NUMBER`.
    The check is one search for a character outside the set: a pattern repeated per cell
    would keep a backtracking stack of ~500 bytes per cell.
    """
    joined = "\n".join(cells)
    if _NOT_NUMBER_CHAR.search(joined) or joined.count("\n") != len(cells) - 1:
        return None
    del joined
    try:
        values = np.fromiter(map(float, cells), dtype=np.float64, count=len(cells))
    except ValueError:
        return None
    values[np.abs(values) > MAX_ABS] = np.inf
    return values


def _column(name: str, cells: list[str], lines: array[int], decimal_comma: bool) -> Column:
    values = _all_numbers(cells)
    if values is not None:
        return Column(name, cells, values)
    seen: dict[str, float | None] = {}  # each distinct cell once (no copies: the same str)
    for cell in cells:
        if cell not in seen:
            seen[cell] = _number(cell, decimal_comma)
    if None in seen.values():
        i = next(i for i, cell in enumerate(cells) if seen[cell] is None)
        has_number = any(v is not None and not np.isnan(v) for v in seen.values())
        return Column(name, cells, np.empty(0), (lines[i], cells[i]), has_number)
    number = cast(dict[str, float], seen)
    return Column(name, cells, np.fromiter(map(number.__getitem__, cells), dtype=np.float64,
                                           count=len(cells)))


def _distinct(cells: list[str]) -> tuple[list[str], NDArray[np.int32]]:
    """The distinct cells (first seen first) and each row's index into them."""
    index: dict[str, int] = {}
    codes = np.fromiter((index.setdefault(c, len(index)) for c in cells), dtype=np.int32,
                        count=len(cells))
    return list(index), codes


class _Text:
    """A text column's distinct cells and each row's index into them, made once."""

    def __init__(self, column: Column):
        self.column = column
        self.cells, self.codes = _distinct(column.cells)
        self.missing = np.array([c.lower() in MISSING for c in self.cells], dtype=bool)

    def present(self, rows: NDArray[np.bool_]) -> NDArray[np.intp]:
        """Indices of the non-missing distinct cells that occur in `rows`."""
        seen = np.bincount(self.codes[rows], minlength=len(self.cells)) > 0
        return np.flatnonzero(seen & ~self.missing)

    def kept(self, rows: NDArray[np.bool_], max_values: int) -> TextColumn | None:
        """The column over `rows` as sorted values and codes (-1 = missing), or None when it
        has none or more than `max_values` distinct values (it could not be a target)."""
        present = self.present(rows)
        if not 0 < len(present) <= max_values:
            return None
        values = sort_labels(self.cells[i] for i in present)
        position = {v: i for i, v in enumerate(values)}
        remap = np.full(len(self.cells), -1, dtype=code_dtype(len(values)))
        remap[present] = [position[self.cells[i]] for i in present]
        return TextColumn(values, remap[self.codes[rows]])


def _described(name: str, table: TargetTable) -> str:
    """What makes a column a class label, for a reason: its distinct values."""
    if name in table.texts:
        return f"text with {len(table.texts[name].values)} distinct values"
    return f"{len(np.unique(table.numbers[name]))} distinct whole numbers"


def guess_target(table: TargetTable, mode: str) -> tuple[str, str]:
    """The column to use as the target when none is named, and why (see the module notes).
    `table` holds the columns over the rows every numeric column has a value in."""
    order = table.order
    last = order[-1]

    def works(name: str, task: TargetKind | None = None) -> TargetKind | None:
        try:
            return table.target(name, task).task
        except DatasetError:
            return None

    if mode == "regression":  # the column asked to be a regression is the usual one
        return last, "the last column"
    forced: TargetKind | None = "classification" if mode == "classification" else None
    last_task = works(last, forced)
    if last_task == "classification":
        return last, f"the last column, {_described(last, table)}: a class label"
    labels = [(len(table.texts[n].values), i, n) for i, n in enumerate(order)
              if n in table.texts and works(n)]
    if labels:
        fewest, _, pick = min(labels, key=lambda x: (x[0], -x[1]))
        if len(labels) == 1:
            reason = f"'{_show(pick)}' is the only text column with few distinct values ({fewest})"
        else:
            tie = sum(k == fewest for k, _, _ in labels) > 1
            reason = (f"'{_show(pick)}' has the fewest distinct values ({fewest}) of the "
                      f"{len(labels)} text columns with few values"
                      + ("; of those tied, it is the last" if tie else ""))
        if last_task == "regression":
            reason += f"; the last column, '{_show(last)}', is numeric with many values"
        return pick, reason
    if last_task is not None:
        return last, "the last column; no text column has few distinct values"
    numeric = [n for n in order if n in table.numbers and works(n, forced)]
    if numeric:
        pick = numeric[-1]
        why = table.why_not.get(last)
        if why is None:
            try:
                table.target(last, forced)
            except DatasetError as e:
                why = e.message
        return pick, f"the last numeric column; the last column, '{_show(last)}', cannot be " \
                     f"the target ({why})"
    return last, "the last column"


def parse_csv(data: bytes, *, name: str, target: str | None = None, task: str | None = None,
              max_rows: int = 200_000, max_columns: int = 200, max_classes: int = 50,
              max_bytes: int | None = None) -> StoredDataset:
    """Parse and validate an uploaded file into a dataset (not yet stored)."""
    if max_bytes is not None and len(data) > max_bytes:
        raise DatasetError(f"the file is larger than the limit of {max_bytes} bytes", 413)
    mode = (task or "auto").strip().lower()
    if mode not in ("auto", "classification", "regression"):
        raise DatasetError("task must be auto, classification or regression, not "
                           f"'{_show(task or '')}'")
    table = read_table(decode(data), max_rows, max_columns)
    named = target.strip() if target and target.strip() else None
    if named is not None and named not in table.header:
        raise DatasetError(f"there is no column named '{_show(named)}' to use as the target; "
                           f"the columns are: {_names(table.header)}")
    decimal_comma = table.delimiter != ","
    columns = [_column(h, cells, table.lines, decimal_comma)
               for h, cells in zip(table.header, table.columns, strict=True)]
    texts = {c.name: _Text(c) for c in columns if not c.numeric}
    if named is None:
        target, reason = guess_target(_base_table(columns, texts, max_classes), mode)
    else:
        target, reason = named, "named in the upload's target field"
    t = columns[table.header.index(target)]
    shown = _show(target)

    # The target: labels (classification) or numbers (regression), and which rows have one.
    distinct: list[str] = []  # a text target's distinct labels, and each row's index into them
    row_codes = np.empty(0, dtype=np.int32)
    if t.numeric:
        auto = auto_task(t.values[np.isfinite(t.values)])
        kind = auto if mode == "auto" else cast(TargetKind, mode)
        has_target = np.isfinite(t.values)
    elif mode == "regression":
        if t.first_text is None:
            raise DatasetError(f"target column '{shown}' has no values")
        line, cell = t.first_text
        raise DatasetError(f"target column '{shown}' has text in line {line}: '{_show(cell)}'; "
                           "regression needs a number in every row (or use "
                           "task=classification)")
    else:
        kind = "classification"
        distinct, row_codes = texts[t.name].cells, texts[t.name].codes
        has_target = ~texts[t.name].missing[row_codes]
    if not has_target.any():
        raise DatasetError(f"target column '{shown}' has no values")

    # Drop rows with a missing or non-finite number in a numeric column or the target.
    numeric = [c for c in columns if c is not t and c.numeric]
    keep = has_target.copy()
    for c in numeric:
        keep &= np.isfinite(c.values)
    dropped = int((~keep).sum())
    note = ""
    if dropped:
        i = int(np.flatnonzero(~keep)[0])
        bad = next((c for c in numeric if not np.isfinite(c.values[i])), t)
        note = (f" after dropping {dropped} rows with missing or non-finite values (the first "
                f"is line {table.lines[i]}, column '{_show(bad.name)}': "
                f"'{_show(bad.cells[i])}')")
    n = int(keep.sum())

    if n < MIN_ROWS:
        raise DatasetError(f"only {n} usable rows{note}; at least {MIN_ROWS} are needed")
    labels: NDArray[np.int32] | NDArray[np.float64]
    classes = class_counts = None
    if kind == "classification":
        if t.numeric:  # numbers: 1.0 and 1 are one class, "1"
            values, inverse = np.unique(t.values[keep], return_inverse=True)
            classes, labels = classes_of([number_label(float(v)) for v in values],
                                         inverse.reshape(-1))
        else:
            classes, labels = classes_of(distinct, row_codes[keep])
        if len(classes) > max_classes:
            raise DatasetError(f"target column '{shown}' has {len(classes)} distinct values, "
                               f"more than the limit of {max_classes} classes; choose another "
                               "target column" + (", or task=regression" if t.numeric else ""))
        if len(classes) < 2:
            raise DatasetError(f"target column '{shown}' has only one class "
                               f"('{_show(classes[0])}'){note}; classification needs at least 2")
        counts = np.bincount(labels, minlength=len(classes))
        class_counts = {c: int(k) for c, k in zip(classes, counts, strict=True)}
        small = [c for c in classes if class_counts[c] < MIN_ROWS_PER_CLASS]
        if small:
            raise DatasetError(f"class '{_show(small[0])}' of target '{shown}' has only "
                               f"{class_counts[small[0]]} row{note}; each class needs at least "
                               f"{MIN_ROWS_PER_CLASS} rows")
    else:
        labels = t.values[keep]
    if not numeric:
        raise DatasetError(f"no numeric feature columns besides the target '{shown}': "
                           + "; ".join(f"'{_show(c.name)}' is {c.text_reason()}"
                                       for c in columns if c is not t))

    infos = []
    kept_text: dict[str, TextColumn] = {}  # text columns a session could take as its target
    for c in columns:
        if c.numeric:
            infos.append(ColumnInfo.numeric(c.name, c.values[keep]))
            continue
        infos.append(ColumnInfo(c.name, "text", None, None, None,
                                len(texts[c.name].present(keep))))
        if c is not t and (column := texts[c.name].kept(keep, max_classes)) is not None:
            kept_text[c.name] = column
    ds = StoredDataset(
        id=new_id(), name=name, task=kind, target=target, classes=classes,
        features=[c.name for c in numeric],
        non_features=[NonFeature(c.name, c.text_reason()) for c in columns
                      if c is not t and not c.numeric],
        columns=infos, n_rows=n, dropped_rows=dropped, source="upload", kind=None,
        class_counts=class_counts, created_at=now_iso(), target_reason=reason,
        numeric={c.name: c.values[keep] for c in numeric}, labels=labels, text=kept_text)
    ds.target_candidates = TargetTable.of(ds, max_classes).candidates()
    return ds


def _base_table(columns: list[Column], texts: dict[str, _Text], max_classes: int
                ) -> TargetTable:
    """Every column over the rows where each numeric column has a value: what the guess
    looks at (a text target then leaves out the rows without a label, as the upload does)."""
    numeric = [c for c in columns if c.numeric]
    base = np.ones(len(columns[0].cells), dtype=bool)
    for c in numeric:
        base &= np.isfinite(c.values)
    every = bool(base.all())
    numbers = {c.name: c.values if every else c.values[base] for c in numeric}
    kept, why_not = {}, {}
    for name, text in texts.items():
        column = text.kept(base, max_classes)
        if column is not None:
            kept[name] = column
        elif (k := len(text.present(base))) == 0:
            why_not[name] = "it has no values"
        else:
            why_not[name] = (f"it is text with {k} distinct values, more than the limit of "
                             f"{max_classes} classes")
    return TargetTable([c.name for c in columns], numbers, kept, why_not, max_classes)
