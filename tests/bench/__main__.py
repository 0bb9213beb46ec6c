"""Run the benchmarks: `python -m tests.bench [NAME ...]` (what `make bench` runs).

Convention — one, kept simple: a benchmark is a module `tests/bench/bench_<name>.py` that
defines `main() -> None`. `main` takes no arguments, does its own warm-up and repeats, and
prints its own report (a markdown table) to stdout; its return value is ignored. Shared
helpers (timing with medians, the table, environment info) live in `tests/bench/common.py`.
To add a benchmark, drop a new `bench_<name>.py` with such a `main` in this folder: nothing
else needs registering.

The runner finds the modules itself and runs them one after another in this process, in
alphabetical order. It is tolerant: a module that fails to import, has no `main`, has a
`main` that needs arguments, or whose `main` raises is reported and skipped, and the rest
still run; the exit status is then 1. Missing a target is not a failure: a benchmark
reports, it does not assert. Optional references (torch, …) are the module's business: it
should print a line and skip that row, not fail to import.

With NAMEs (`engine` or `bench_engine`), only those modules run.
"""

import importlib
import inspect
import pkgutil
import sys
import time
import traceback
from pathlib import Path

PREFIX = "bench_"


def discover() -> list[str]:
    """Names of the bench_*.py modules beside this file, sorted."""
    here = str(Path(__file__).resolve().parent)
    return sorted(m.name for m in pkgutil.iter_modules([here]) if m.name.startswith(PREFIX))


def run_one(name: str) -> bool:
    """Import `name` and call its `main()`; False (after printing why) when that failed."""
    package = __package__ or "tests.bench"
    try:
        module = importlib.import_module(f"{package}.{name}")
    except Exception:
        print(f"{name}: FAILED to import\n{traceback.format_exc()}")
        return False
    main = getattr(module, "main", None)
    if not callable(main):
        print(f"{name}: skipped, it defines no main()")
        return False
    required = [
        p.name
        for p in inspect.signature(main).parameters.values()
        if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    if required:
        print(f"{name}: skipped, main() must take no arguments (it needs {', '.join(required)})")
        return False
    try:
        main()
    except Exception:
        print(f"{name}: FAILED\n{traceback.format_exc()}")
        return False
    return True


def run(argv: list[str]) -> int:
    names = discover()
    if argv:
        wanted = {a if a.startswith(PREFIX) else PREFIX + a for a in argv}
        unknown = sorted(wanted - set(names))
        if unknown:
            print(f"no such benchmark: {', '.join(unknown)} (have: {', '.join(names)})")
            return 2
        names = [n for n in names if n in wanted]
    failed = []
    for name in names:
        print(f"\n## {name}\n", flush=True)
        start = time.perf_counter()
        if not run_one(name):
            failed.append(name)
        print(f"\n({name} took {time.perf_counter() - start:.1f} s)", flush=True)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
