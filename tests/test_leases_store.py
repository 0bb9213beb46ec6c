"""Session leases in the store (one holder per session), on both backends: claim, renew,
want, release, holder, expiry; and two processes racing for the same sessions."""

import itertools
import json
import subprocess
import sys
from pathlib import Path

from app.data.store import Store
from tests.conftest import Opener
from tests.helpers import wait_until

ROOT = Path(__file__).resolve().parent.parent


def test_a_free_lease_is_taken_and_a_held_one_is_not(store: Store) -> None:
    assert store.holder("s") is None
    assert store.claim("s", "w1", 30) == "w1"
    assert store.claim("s", "w2", 30) == "w1"  # held: w2 is told who holds it
    assert store.holder("s") == "w1"
    assert store.claim("s", "w1", 30) == "w1"  # ours: renewed
    assert store.claim("t", "w2", 30) == "w2"  # another session is free
    assert store.renew("w1", 30) == {"s": None} and store.renew("w2", 30) == {"t": None}


def test_an_expired_lease_goes_to_the_next_claim(store: Store) -> None:
    """A holder that stops renewing (a dead process) loses the lease when it expires, by the
    database's clock, and the next claim takes it with no handover pending."""
    assert store.claim("s", "dead", 0.3) == "dead"
    store.want("s", "w1")
    assert store.claim("s", "w2", 30) == "dead"
    wait_until(lambda: store.holder("s") is None, 10, "the lease expiring")
    assert store.claim("s", "w2", 30) == "w2"
    assert store.renew("w2", 30) == {"s": None}  # the old holder's handover request is gone
    assert store.renew("dead", 30) == {}  # its renew says it holds nothing now


def test_renewing_keeps_a_lease_past_its_first_expiry(store: Store) -> None:
    assert store.claim("s", "w1", 0.5) == "w1"
    for _ in range(3):
        assert store.renew("w1", 30) == {"s": None}
    # renewed for 30 s: still held when the first 0.5 s would have run out
    assert store.claim("short", "w1", 0.5) == "w1"
    wait_until(lambda: store.holder("short") is None, 10, "the unrenewed lease expiring")
    assert store.holder("s") == "w1" and store.claim("s", "w2", 30) == "w1"


def test_want_is_seen_by_the_holder_and_release_hands_over(store: Store) -> None:
    assert store.claim("s", "w1", 30) == "w1"
    assert store.claim("t", "w1", 30) == "w1"
    store.want("s", "w2")
    assert store.renew("w1", 30) == {"s": "w2", "t": None}
    assert store.claim("s", "w1", 30) == "w1"  # the holder's own claim keeps the request
    assert store.renew("w1", 30) == {"s": "w2", "t": None}
    store.release("s", "w2")  # not the holder: nothing happens
    assert store.holder("s") == "w1"
    store.release("s", "w1")
    assert store.holder("s") is None
    assert store.claim("s", "w2", 30) == "w2"
    assert store.renew("w2", 30) == {"s": None}
    assert store.renew("w1", 30) == {"t": None}


def test_want_without_a_holder_or_by_the_holder_records_nothing(store: Store) -> None:
    store.want("free", "w2")  # no lease: the next claim simply takes it
    assert store.claim("free", "w1", 30) == "w1"
    store.want("free", "w1")  # its own holder: no handover to itself
    assert store.renew("w1", 30) == {"free": None}


def test_leases_are_shared_by_every_connection(opener: Opener) -> None:
    a, b = opener(), opener()
    assert a.claim("s", "w1", 30) == "w1"
    assert b.holder("s") == "w1" and b.claim("s", "w2", 30) == "w1"
    b.want("s", "w2")
    assert a.renew("w1", 30) == {"s": "w2"}
    a.release("s", "w1")
    assert b.claim("s", "w2", 30) == "w2" and a.holder("s") == "w2"


# Each racer: open the store, wait for the start, claim every session at once (in its own
# order), then hammer one session (claim, check, release) until it has both held it and been
# refused QUOTA times and the other racer is done too (so the two always contend); it
# reports when it held it.
RACER = r"""
import json, sys, time
from pathlib import Path
from app.config import Settings
from app.data.store import open_store
args = json.loads(sys.argv[1])
store = open_store(Settings(**args["settings"]))
me, go, quota = args["me"], Path(args["go"]), args["quota"]
done, other_done = go.with_name(me + "-done"), go.with_name(args["other"] + "-done")
print("ready", flush=True)
while not go.exists():
    time.sleep(0.001)
won = {sid: store.claim(sid, me, 60) for sid in args["sessions"]}
held, lost, t0 = [], 0, time.monotonic()
while not (done.exists() and other_done.exists()) and time.monotonic() - t0 < 60:
    if len(held) >= quota and lost >= quota:
        done.touch()
    if store.claim("hot", me, 60) == me:
        start = time.time()
        assert store.holder("hot") == me and store.renew(me, 60)["hot"] is None
        held.append((start, time.time()))
        store.release("hot", me)
    else:
        lost += 1
print(json.dumps({"won": won, "held": held, "lost": lost}), flush=True)
"""


def test_two_processes_racing_never_hold_one_session_together(opener: Opener,
                                                              tmp_path: Path) -> None:
    """Two processes claim the same 40 sessions at the same moment (one in reverse order):
    each session gets exactly one holder and both processes are told the same one. Then both
    hammer one session 300 times (claim; holder() and renew() confirm; release): the
    intervals during which each held it never overlap (each held it and was refused it at
    least 30 times)."""
    opener()  # migrate before the race, as the app does at startup
    sessions = [f"s{i}" for i in range(40)]
    go = tmp_path / "go"
    settings = {"data_dir": str(opener.settings.data_dir),
                "database_url": opener.settings.database_url}
    procs = []
    for me, other, order in (("a", "b", sessions), ("b", "a", sessions[::-1])):
        args = {"settings": settings, "me": me, "other": other, "go": str(go),
                "sessions": order, "quota": 30}
        procs.append(subprocess.Popen([sys.executable, "-c", RACER, json.dumps(args)],
                                      cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True))
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready", p.stderr
    go.touch()
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    a, b = results

    assert a["won"] == b["won"]
    assert set(a["won"].values()) <= {"a", "b"}
    store = opener()
    assert {sid: store.holder(sid) for sid in sessions} == a["won"]
    print(f"\nsessions won: a {list(a['won'].values()).count('a')}, "
          f"b {list(a['won'].values()).count('b')}; hot session held "
          f"{len(a['held'])} + {len(b['held'])} times, refused {a['lost']} + {b['lost']}")

    intervals = sorted([(s, e, "a") for s, e in a["held"]] + [(s, e, "b") for s, e in b["held"]])
    for r in results:
        assert len(r["held"]) >= 30 and r["lost"] >= 30, "the racers did not contend"
    for (_, end, who), (start, _, other) in itertools.pairwise(intervals):
        assert end <= start, f"{who} and {other} held the session at the same time"
