"""A full disk (issue #10 §4): deleting must still work, so a user can free room, and the
space deleted data held must come back to the disk.

The real thing is tested on a real full file system: a tiny tmpfs mounted in a private user
and mount namespace (`unshare -Urm`, no privileges needed where user namespaces are allowed;
skipped elsewhere), filled to the last byte. The `PRAGMA max_page_count` trick of
tests/test_faults.py caps only the database file, while a delete writes to the write-ahead
log, so it cannot show this fault.
"""

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.config import Settings
from app.data.csv_parse import parse_csv
from app.data.store_sqlite import SQLiteStore
from app.main import create_app
from tests.conftest import local_client
from tests.test_upload_faults import _store_bytes

ROOT = Path(__file__).resolve().parent.parent

# Runs inside the namespace, on the tmpfs at argv[1]; prints one JSON line per step.
FULL_DISK_SCRIPT = r"""
import json, os, shutil, sys, time
from pathlib import Path
from app.config import Settings
from app.main import create_app
from tests.conftest import local_client

disk = Path(sys.argv[1])
settings = Settings(data_dir=disk / "data", allowed_hosts=["testserver"])
db = settings.db_path

def say(step, r=None, **more):
    out = {"step": step, "free": shutil.disk_usage(disk).free,
           "db": sum(p.stat().st_size for p in db.parent.iterdir()
                     if p.name in (db.name, db.name + "-wal"))}
    if r is not None:
        body = r.json() if r.content else None
        out |= {"status": r.status_code,
                "detail": body.get("detail") if isinstance(body, dict) else None}
    print(json.dumps(out | more), flush=True)

def generate(c, seed):
    return c.post("/api/datasets/generate", json={"kind": "xor", "n": 5000, "seed": seed})

with local_client(create_app(settings)) as c:
    ids = [generate(c, i).json()["id"] for i in range(3)]
    sid = c.post("/api/sessions", json={"dataset_id": ids[0], "hidden_layers": [4]}).json()["id"]
    c.post(f"/api/sessions/{sid}/step", json={"steps": 10})
# restarted: the log was checkpointed and removed at shutdown, so any write needs new room
with local_client(create_app(settings)) as c:
    with open(disk / "filler", "wb", buffering=0) as f:
        for size in (1 << 20, 4096, 1):
            try:
                while True:
                    f.write(bytes(size))
            except OSError:
                pass
    say("filled")
    say("generate on the full disk", generate(c, 9))
    say("delete the session", c.delete(f"/api/sessions/{sid}"))
    say("delete a dataset", c.delete(f"/api/datasets/{ids[1]}"))
    say("delete another", c.delete(f"/api/datasets/{ids[0]}"))
    say("generate after the deletes", generate(c, 10))
    say("list", c.get("/api/datasets"), ids=[d["id"] for d in c.get("/api/datasets").json()],
        kept=ids[2])
"""


def _run_on_a_full_disk(mountpoint: Path) -> list[dict[str, object]]:
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare(1) to mount a tiny tmpfs")
    mountpoint.mkdir()
    command = (f"mount -t tmpfs -o size=8m tmpfs '{mountpoint}' && "
               f"exec '{sys.executable}' -c \"$SCRIPT\" '{mountpoint}'")
    proc = subprocess.run(["unshare", "-Urm", "sh", "-c", command], cwd=ROOT, text=True,
                          capture_output=True, timeout=120, env={"SCRIPT": FULL_DISK_SCRIPT,
                                                                 "PATH": "/usr/bin:/bin"})
    if proc.returncode != 0 and "mount" in proc.stderr and not proc.stdout:
        pytest.skip(f"cannot mount a tmpfs in a user namespace here: {proc.stderr[-200:]}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


def test_deleting_works_on_a_full_disk_and_gives_the_room_back(tmp_path: Path) -> None:
    """On a real full disk (an 8 MiB tmpfs filled to the last byte after a restart), DELETE
    /api/sessions/{id} and DELETE /api/datasets/{id} answered 503 "could not save to the
    database (database or disk is full)": even a delete must append its pages to SQLite's
    write-ahead log, so a user could not free room at all. Now the deletes answer 204 in the
    room of the store's reserve file, the database file shrinks (incremental vacuum, log
    truncated), the disk has free space again, and a new dataset fits."""
    steps = {s["step"]: s for s in _run_on_a_full_disk(tmp_path / "disk")}
    print("\n" + "\n".join(json.dumps(s) for s in steps.values()))
    assert steps["filled"]["free"] == 0
    assert steps["generate on the full disk"]["status"] == 503
    assert "disk is full" in str(steps["generate on the full disk"]["detail"])
    for step in ("delete the session", "delete a dataset", "delete another"):
        assert steps[step]["status"] == 204, steps[step]
    after = steps["delete another"]
    assert isinstance(after["db"], int) and isinstance(steps["filled"]["db"], int)
    assert after["db"] < steps["filled"]["db"], "the database file gave no room back"
    assert isinstance(after["free"], int) and after["free"] > 0
    assert steps["generate after the deletes"]["status"] == 201, steps["generate after the deletes"]
    listed = steps["list"]
    assert isinstance(listed["ids"], list) and len(listed["ids"]) == 2
    assert listed["kept"] in listed["ids"]


def test_a_deleted_dataset_gives_its_space_back(tmp_path: Path) -> None:
    """Store.delete_dataset (what DELETE /api/datasets/{id} runs) of a 200 000-row dataset
    gave the disk nothing back: the store (file and log) was 4.1 MB with the dataset and
    12.2 MB after deleting it, SQLite keeping the pages on its free list (no auto-vacuum)
    and the log at its high-water mark. Now the file and log shrink by about the dataset's
    size (to 37 KB measured)."""
    rows = ["a,b,y"] + [f"{i},{i * 0.5},{i % 3}" for i in range(200_000)]
    data = ("\n".join(rows) + "\n").encode()
    store = SQLiteStore(tmp_path / "db.sqlite3")
    keep = parse_csv(b"a,y\n1,p\n2,q\n3,p\n4,q\n", name="small")
    store.put_dataset(keep)
    empty = _store_bytes(store.path)
    ds = parse_csv(data, name="big")
    store.put_dataset(ds)
    full = _store_bytes(store.path)
    t0 = time.perf_counter()
    assert store.delete_dataset(ds.id)
    took = time.perf_counter() - t0
    after = _store_bytes(store.path)
    print(f"\nstore: {empty} B, with the dataset {full} B, after deleting it {after} B "
          f"(delete took {took * 1000:.0f} ms)")
    assert after - empty < (full - empty) / 10
    assert store.get_dataset(keep.id) is not None
    store.close()


def test_a_store_keeps_a_reserve_only_deletes_use(settings: Settings) -> None:
    """The reserve file exists next to the database from the start, and comes back after a
    delete that needed it."""
    with local_client(create_app(settings)) as c:
        store: SQLiteStore = c.app.state.store  # type: ignore[attr-defined]
        assert store.reserve.stat().st_size >= 1 << 20
        assert store.incremental
        ds = c.post("/api/datasets/generate", json={"kind": "xor"}).json()["id"]
        assert store._release_reserve() and not store.reserve.exists()
        assert c.delete(f"/api/datasets/{ds}").status_code == 204
        assert store.reserve.stat().st_size >= 1 << 20
