"""Executors: where runs happen (local processes, a Dask LocalCluster, a remote Dask cluster).

Each executor takes a function and an iterable of tasks and yields results as
they finish (`Executor.imap_unordered`). Only a bounded window of tasks is in
flight at any time, so memory stays flat however long the experiment is, and
tasks start in the order given (the interleaved order of `experiments.design`).
The order in which results arrive never changes a result: each run is a pure
function of its task, and the store sorts by run id.

- `LocalExecutor`: ``--workers N`` processes on this machine (default: all
  cores); one worker runs in this process, with no pool.
- `DaskExecutor`: ``--dask-local N`` starts a ``LocalCluster`` on 127.0.0.1
  (dashboard on loopback too); ``--scheduler tcp://HOST:PORT`` connects to an
  existing cluster, whose workers must be able to import this project.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError
from typing import Any

from experiments.cli_common import positive_int

#: Tasks kept in flight per worker.
WINDOW_PER_WORKER = 2
#: Most workers one command may ask for (a typo such as --workers 40000 would fork-bomb the machine).
MAX_WORKERS = 512
#: What --scheduler accepts: a Dask address with a protocol, a host and a port.
SCHEDULER_ADDRESS = re.compile(r"(tcp|tls|ws|wss|ucx)://[A-Za-z0-9.\-\[\]:]{1,255}:[0-9]{1,5}")


def worker_count(text: str) -> int:
    """Argparse type: workers, an integer in [1, `MAX_WORKERS`]."""
    value = positive_int(text)
    if value > MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"expected at most {MAX_WORKERS} workers, got {value}")
    return value


def scheduler_address(text: str) -> str:
    """Argparse type: a Dask scheduler address such as tcp://127.0.0.1:8786."""
    if not SCHEDULER_ADDRESS.fullmatch(text) or not 0 < int(text.rsplit(":", 1)[1]) < 65536:
        raise argparse.ArgumentTypeError(f"expected an address such as tcp://127.0.0.1:8786, got {text[:80]!r}")
    return text


def add_executor_flags(parser: argparse.ArgumentParser) -> None:
    """``--workers N`` | ``--dask-local N`` | ``--scheduler tcp://HOST:PORT``."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--workers", type=worker_count, help=f"local worker processes (default: all cores, {os.cpu_count()} here)")
    group.add_argument("--dask-local", type=worker_count, metavar="N", help="run on a Dask LocalCluster of N worker processes on 127.0.0.1")
    group.add_argument("--scheduler", type=scheduler_address, metavar="tcp://HOST:PORT", help="run on an existing Dask cluster")


def executor_from(args: argparse.Namespace) -> Executor:
    """The executor the flags ask for."""
    if getattr(args, "scheduler", None):
        return DaskExecutor(address=args.scheduler)
    if getattr(args, "dask_local", None):
        return DaskExecutor(local_workers=args.dask_local)
    return LocalExecutor(getattr(args, "workers", None) or os.cpu_count() or 1)


class Executor:
    """Runs ``fn(task)`` for each task; a context manager."""

    workers: int = 1
    label: str = "executor"

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release processes and connections."""

    def start(self) -> None:
        """Start the workers now rather than with the first task (for timing)."""

    def imap_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        """Yield ``fn(task)`` for every task, in completion order."""
        raise NotImplementedError


def _context() -> multiprocessing.context.BaseContext:
    """How to start workers: fork while this process has one thread, else a fork server (else spawn).

    Forking is the fastest start (the model is already imported) but unsafe once
    the process runs other threads (Arrow's I/O pool, a test runner's); a fork
    server is single-threaded, imports the model once, and forks workers from
    itself in milliseconds.
    """
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and _threads() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" not in methods:
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["experiments.engine", "sim"])
    return context


def _threads() -> int:
    """Operating-system threads of this process (Linux), or a large number where unknown."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 2


def _noop(_: object) -> None:
    """A task that does nothing (used to start workers)."""


class LocalExecutor(Executor):
    """Worker processes on this machine, started from a fork server where the platform has one."""

    def __init__(self, workers: int):
        self.workers = workers
        self.label = f"{workers} local process{'es' if workers > 1 else ''}"
        self._pool = None

    def imap_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        """Yield results as they finish, with at most ``2 x workers`` tasks in flight."""
        if self.workers == 1:
            for task in tasks:
                yield fn(task)
            return
        from concurrent.futures import FIRST_COMPLETED, wait

        self.start()
        pending = set()
        it = iter(tasks)
        window = WINDOW_PER_WORKER * self.workers
        while True:
            while len(pending) < window:
                task = next(it, _END)
                if task is _END:
                    break
                pending.add(self._pool.submit(fn, task))
            if not pending:
                return
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()

    def start(self) -> None:
        """Create the pool and wait until every worker has run a task."""
        if self.workers == 1 or self._pool is not None:
            return
        from concurrent.futures import ProcessPoolExecutor

        self._pool = ProcessPoolExecutor(self.workers, mp_context=_context())
        list(self._pool.map(_noop, range(self.workers)))

    def close(self) -> None:
        """Shut the pool down (cancelling what has not started)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskExecutor(Executor):
    """A Dask cluster: a LocalCluster on 127.0.0.1 or an existing scheduler."""

    def __init__(self, local_workers: int | None = None, address: str | None = None):
        import dask
        from dask.distributed import Client, LocalCluster

        # The client logs a traceback per reconnection attempt when a scheduler is
        # lost; the command reports the loss in one line instead (DESIGN section 4).
        for name in ("distributed.client", "distributed.utils", "distributed.core"):
            logging.getLogger(name).setLevel(logging.CRITICAL)

        self.cluster = None
        if address is None:
            # Dask's nannies set MALLOC_TRIM_THRESHOLD_=65536 in their workers.
            # Setting it at all turns off glibc's adaptive mmap threshold, so
            # every large numpy array of a step becomes a fresh mmap and page
            # faults: runs took 1.9x as long as in a plain process (0.63 vs
            # 0.34 s for a baseline run, benchmarks/bench_experiments.py).
            # Keep Dask's single-thread BLAS settings, drop the trim threshold.
            # The workers' statistical profiler (a stack sample every 10 ms)
            # competes with the run for the GIL: runs took 0.28-0.42 s with
            # it, 0.25-0.27 s without, as in a plain process.
            environ = {k: v for k, v in dask.config.get("distributed.nanny.pre-spawn-environ").items() if k != "MALLOC_TRIM_THRESHOLD_"}
            with dask.config.set({"distributed.nanny.pre-spawn-environ": environ, "distributed.worker.profile.enabled": False}):
                self.cluster = LocalCluster(
                    n_workers=local_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                    dashboard_address="127.0.0.1:0", silence_logs=50,
                )
            self.client = Client(self.cluster)
        else:
            try:
                self.client = Client(address, timeout="20s")
            except (OSError, TimeoutError) as exc:
                raise ConnectionError(f"cannot reach the Dask scheduler at {address} ({exc}); start it, or run without --scheduler") from None
        self.workers = max(1, len(self.client.scheduler_info(n_workers=-1)["workers"]))
        # Import the model in every worker now, as the local executor's fork
        # server does, so the first runs do not pay ~1 s of imports each.
        self.client.run(_warm_up)
        where = "LocalCluster on 127.0.0.1" if address is None else address
        self.label = f"Dask ({where}, {self.workers} worker{'s' if self.workers > 1 else ''})"

    @property
    def dashboard(self) -> str | None:
        """The dashboard address (loopback for a LocalCluster)."""
        return self.client.dashboard_link

    def imap_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        """Yield results as they finish, with at most ``2 x workers`` tasks in flight."""
        from dask.distributed import as_completed

        it = iter(tasks)
        window = WINDOW_PER_WORKER * self.workers
        first = [self.client.submit(fn, t, pure=False) for t in itertools_islice(it, window)]
        if not first:
            return
        queue = as_completed(first)
        for future in queue:
            try:
                result = future.result()
            except CancelledError as exc:  # the scheduler went away: say so in one line; the folder is resumable
                raise ConnectionError(f"lost the Dask scheduler ({str(exc).splitlines()[0][-80:]}); finished runs are kept: add --resume to finish") from None
            future.release()
            task = next(it, _END)
            if task is not _END:
                queue.add(self.client.submit(fn, task, pure=False))
            yield result

    def close(self) -> None:
        """Close the client and, for a LocalCluster, the cluster."""
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


_END = object()


def itertools_islice(it: Iterator[Any], n: int) -> list[Any]:
    """The next ``n`` items of ``it`` (fewer at its end)."""
    out = []
    for _ in range(n):
        item = next(it, _END)
        if item is _END:
            break
        out.append(item)
    return out


def _warm_up() -> None:
    """Import the model and the run function in a worker process."""
    import experiments.engine  # noqa: F401
    import sim  # noqa: F401
