"""The one thread a process trains and builds frames on, its results handed back in batches.

Every play loop of the process takes turns on this thread (`Players.executor`). A
ThreadPoolExecutor completes each job's future as soon as the job ends, and asyncio then
wakes the event loop for it: with 50 sessions playing that is ~600 wake-ups a second, each
one taking the interpreter lock from the worker mid-step. The lock changing hands that often
cost the worker about a third of its steps (bench_load, alternating runs: 3,038-3,608 steps/s
in all, 5,004-6,386 with batches). Here a finished job's result waits until BATCH_SECONDS of
jobs have finished, or until the queue is empty, and then all of them are handed back at
once: the event loop wakes once for the lot.
"""

import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any

BATCH_SECONDS = 0.01  # a result waits at most this long behind the jobs after it (and one job)

Job = tuple[Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class Worker(Executor):
    """One thread running jobs in the order submitted; their futures complete in batches."""

    def __init__(self, name: str = "lens-train"):
        self.name = name
        self._jobs: deque[Job] = deque()
        self._wake = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None  # started by the first job

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        with self._wake:
            if self._closed:
                raise RuntimeError("cannot schedule new futures after shutdown")
            self._jobs.append((future, fn, args, kwargs))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
            self._wake.notify()
        return future

    def _next(self, done: list[tuple[Future[Any], bool, Any]]) -> Job | None:
        """The next job; when there is none, hand back what is done, then wait for one (None:
        shut down)."""
        with self._wake:
            if self._jobs:
                return self._jobs.popleft()
        _complete(done)
        with self._wake:
            while not self._jobs and not self._closed:
                self._wake.wait()
            return self._jobs.popleft() if self._jobs else None

    def _run(self) -> None:
        done: list[tuple[Future[Any], bool, Any]] = []  # finished, not handed back yet
        since = 0.0  # when the oldest of them finished
        while (job := self._next(done)) is not None:
            future, fn, args, kwargs = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                done.append((future, True, fn(*args, **kwargs)))
            except BaseException as err:  # as ThreadPoolExecutor: the caller gets it
                done.append((future, False, err))
            now = time.monotonic()
            if len(done) == 1:
                since = now
            if now - since >= BATCH_SECONDS:
                _complete(done)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """No new jobs; with `cancel_futures` the queued ones are cancelled, else they run.
        `wait`: return once the thread has finished (and handed everything back)."""
        with self._wake:
            self._closed = True
            if cancel_futures:
                while self._jobs:
                    self._jobs.popleft()[0].cancel()
            self._wake.notify_all()
            thread = self._thread
        if wait and thread is not None and thread is not threading.current_thread():
            thread.join()


def _complete(done: list[tuple[Future[Any], bool, Any]]) -> None:
    """Complete the futures of finished jobs, in the order they finished."""
    for future, ok, value in done:
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)
    done.clear()
