"""The training worker: one thread, jobs in order, results handed back in batches."""

import asyncio
import itertools
import threading
import time

import pytest

from app.training.worker import BATCH_SECONDS, Worker


def test_jobs_run_in_order_on_one_thread_and_errors_reach_the_caller() -> None:
    worker = Worker("test-worker")
    try:
        seen: list[tuple[int, str]] = []
        futures = [worker.submit(lambda i=i: seen.append((i, threading.current_thread().name)))
                   for i in range(50)]
        failing = worker.submit(lambda: 1 / 0)
        for f in futures:
            f.result(5)
        assert [i for i, _ in seen] == list(range(50))
        assert {name for _, name in seen} == {"test-worker"}
        with pytest.raises(ZeroDivisionError):
            failing.result(5)
        assert worker.submit(int, "7").result(5) == 7
    finally:
        worker.shutdown()


def test_results_come_back_in_batches_yet_never_wait_for_the_whole_queue() -> None:
    """Many short jobs: their results are handed back a few at a time (one event-loop wake-up
    for each batch, not for each job), but the first ones before the last job has run."""
    worker = Worker()
    try:
        handed: list[float] = []  # when each future completed
        ran: list[float] = []  # when each job ended
        n, job_seconds = 40, 0.002

        def job() -> None:
            time.sleep(job_seconds)
            ran.append(time.monotonic())

        futures = [worker.submit(job) for _ in range(n)]
        for f in futures:
            f.add_done_callback(lambda _: handed.append(time.monotonic()))
        for f in futures:
            f.result(10)
        # one hand-back completes its futures one after another: a gap of under 1 ms is the
        # same batch (rounding the times split a batch at a 0.1 ms boundary)
        batches = 1 + sum(b - a > 0.001 for a, b in itertools.pairwise(handed))
        # 40 jobs of ≥ 2 ms are ≥ 80 ms of work: with 10 ms batches at most ~9 hand-backs
        worked = ran[-1] - ran[0] + job_seconds
        assert batches <= worked / BATCH_SECONDS + 2 < n, (batches, worked)
        assert handed[0] < ran[-1], "the first results came back before the last job ran"
        # no result waited much more than a batch (and the job after it) past its job's end
        assert max(h - r for h, r in zip(handed, ran, strict=True)) < 10 * BATCH_SECONDS
    finally:
        worker.shutdown()


def test_a_lone_job_is_handed_back_at_once() -> None:
    worker = Worker()
    try:
        worker.submit(int).result(5)  # the thread is up
        for _ in range(5):
            began = time.monotonic()
            worker.submit(time.sleep, 0.001).result(5)
            assert time.monotonic() - began < BATCH_SECONDS + 0.05  # not held for a batch
    finally:
        worker.shutdown()


def test_shutdown_cancels_queued_jobs_waits_for_the_running_one_and_refuses_new_ones() -> None:
    worker = Worker()
    started, release = threading.Event(), threading.Event()
    running = worker.submit(lambda: (started.set(), release.wait(5), "done")[-1])
    queued = worker.submit(int)
    assert started.wait(5)
    threading.Timer(0.1, release.set).start()
    worker.shutdown(wait=True, cancel_futures=True)
    assert running.result(0) == "done"  # finished and handed back before shutdown returned
    assert queued.cancelled()
    with pytest.raises(RuntimeError, match="after shutdown"):
        worker.submit(int)


def test_a_cancelled_job_is_skipped() -> None:
    worker = Worker()
    try:
        gate = threading.Event()
        worker.submit(gate.wait, 5)
        ran: list[int] = []
        skipped = worker.submit(ran.append, 1)
        assert skipped.cancel()
        gate.set()
        worker.submit(ran.append, 2).result(5)
        assert ran == [2]
    finally:
        worker.shutdown()


def test_asyncio_awaits_its_jobs() -> None:
    worker = Worker()

    async def main() -> list[int]:
        loop = asyncio.get_running_loop()
        return list(await asyncio.gather(*(loop.run_in_executor(worker, abs, -i)
                                           for i in range(20))))

    try:
        assert asyncio.run(main()) == list(range(20))
    finally:
        worker.shutdown()
