"""Executors: where runs happen (local processes, a Dask LocalCluster, a remote Dask cluster).

``experiments.Local(workers=None)`` and ``experiments.Dask(workers=None |
address="tcp://HOST:PORT")`` are objects: pass one to ``compare``, ``sweep`` or
``sensitivity`` and reuse it across calls (the workers start once, with the
first run or on ``with``), or let a call make its own ``Local()`` on all cores.
Use them as context managers, or call ``close()``::

    with experiments.Local(workers=4) as pool:
        for seed in range(20):
            experiments.compare(files, reps=5, seed=seed, executor=pool)

Each executor takes a function and an iterable of tasks and yields results as
they finish (`Executor.imap_unordered`). Only a bounded window of tasks is in
flight at any time, so memory stays flat however long the experiment is, and
tasks start in the order given (the interleaved order of `experiments.design`).
The order in which results arrive never changes a result: each run is a pure
function of its task, and the store sorts by run id.

- `Local`: N processes on this machine (default: all cores); one worker runs
  in this process, with no pool.
- `Dask`: ``Dask(workers=N)`` starts a ``LocalCluster`` on 127.0.0.1 (dashboard
  on loopback too); ``Dask(address="tcp://HOST:PORT")`` connects to an existing
  cluster, whose workers must be able to import this project.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import signal
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, CancelledError, ProcessPoolExecutor, wait
from typing import Any

from experiments.errors import BadInput, python_line

#: Tasks kept in flight per worker.
WINDOW_PER_WORKER = 2
#: Most workers one command may ask for (a typo such as --workers 40000 would fork-bomb the machine).
MAX_WORKERS = 512
#: What --scheduler accepts: a Dask address with a protocol, a host and a port.
SCHEDULER_ADDRESS = re.compile(r"(tcp|tls|ws|wss|ucx)://[A-Za-z0-9.\-\[\]:]{1,255}:[0-9]{1,5}")


class Executor:
    """Runs ``fn(task)`` for each task; a context manager that starts its workers on entry."""

    workers: int = 1
    label: str = "executor"

    def __enter__(self) -> Executor:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def started(self) -> bool:
        """Whether the workers are up (a reused executor stays started between experiments)."""
        return True

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
    context.set_forkserver_preload(["experiments.worker", "sim"])
    return context


def _threads() -> int:
    """Operating-system threads of this process (Linux), or a large number where unknown."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 2


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the parent, which cancels the pool and reports in one line.

    A Ctrl-C in a terminal reaches the whole process group; without this each
    worker printed a KeyboardInterrupt traceback beside the command's one line.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _noop(_: object) -> None:
    """A task that does nothing (used to start workers)."""


class Local(Executor):
    """Worker processes on this machine, started from a fork server where the platform has one.

    Args:
        workers: processes (default: every core); 1 runs in this process, with no pool.

    Example:
        >>> Local(workers=1).label
        '1 local process'
    """

    def __init__(self, workers: int | None = None):
        _check_workers(workers)
        workers = workers or os.cpu_count() or 1
        self.workers = workers
        self.label = f"{workers} local process{'es' if workers > 1 else ''}"
        self._pool = None

    def imap_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        """Yield results as they finish, with at most ``2 x workers`` tasks in flight."""
        if self.workers == 1:
            for task in tasks:
                yield fn(task)
            return
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

    @property
    def started(self) -> bool:
        """Whether the pool is up (always, for one worker: it runs in this process)."""
        return self.workers == 1 or self._pool is not None

    def start(self) -> None:
        """Create the pool and wait until every worker has run a task."""
        if self.workers == 1 or self._pool is not None:
            return
        self._pool = ProcessPoolExecutor(self.workers, mp_context=_context(), initializer=_ignore_interrupts)
        list(self._pool.map(_noop, range(self.workers)))

    def close(self) -> None:
        """Shut the pool down (cancelling what has not started)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class Dask(Executor):
    """A Dask cluster: a LocalCluster of ``workers`` processes on 127.0.0.1, or an existing scheduler.

    The cluster starts (or the client connects) on ``with`` or with the first
    run, not when the object is made, so making one costs nothing.

    Args:
        workers: worker processes of a new LocalCluster (default: Dask's choice, one per core).
        address: ``tcp://HOST:PORT`` of a running scheduler instead.
    """

    def __init__(self, workers: int | None = None, address: str | None = None):
        if workers is not None and address is not None:
            raise BadInput([python_line("address", "give workers (a new LocalCluster) or address (an existing scheduler), not both")])
        _check_workers(workers)
        self.address = address
        self.local_workers = workers
        self.cluster = None
        self.client = None
        self.workers = workers or 1
        where = "LocalCluster on 127.0.0.1" if address is None else address
        self.label = f"Dask ({where}" + (f", {workers} worker{'s' if workers > 1 else ''})" if workers else ")")

    @property
    def started(self) -> bool:
        """Whether the cluster is up and the client connected."""
        return self.client is not None

    def start(self) -> None:
        """Start the LocalCluster (or connect to the scheduler) and import the model in every worker."""
        if self.client is not None:
            return
        # Imported here: dask.distributed takes 1.5 s to import (measured after
        # `import experiments`), is an optional extra, and only Dask users need it.
        import dask
        from dask.distributed import Client, LocalCluster

        # The client logs a traceback per reconnection attempt when a scheduler is
        # lost; the command reports the loss in one line instead (DESIGN section 4).
        for name in ("distributed.client", "distributed.utils", "distributed.core"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
        if self.address is None:
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
                    n_workers=self.local_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                    dashboard_address="127.0.0.1:0", silence_logs=50,
                )
            self.client = Client(self.cluster)
        else:
            try:
                self.client = Client(self.address, timeout="20s")
            except (OSError, TimeoutError) as exc:
                raise ConnectionError(f"cannot reach the Dask scheduler at {self.address} ({exc}); start it, or run without --scheduler") from None
        self.workers = max(1, len(self.client.scheduler_info(n_workers=-1)["workers"]))
        # Import the model in every worker now, as the local executor's fork
        # server does, so the first runs do not pay ~1 s of imports each.
        self.client.run(_warm_up)
        where = "LocalCluster on 127.0.0.1" if self.address is None else self.address
        self.label = f"Dask ({where}, {self.workers} worker{'s' if self.workers > 1 else ''})"

    @property
    def dashboard(self) -> str | None:
        """The dashboard address (loopback for a LocalCluster), once started."""
        return None if self.client is None else self.client.dashboard_link

    def imap_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        """Yield results as they finish, with at most ``2 x workers`` tasks in flight."""
        from dask.distributed import as_completed  # imported with the cluster in start()

        self.start()
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
                raise ConnectionError(f"lost the Dask scheduler ({str(exc).splitlines()[0][-80:] if str(exc) else 'cancelled'}); finished runs are kept: add --resume to finish") from None
            future.release()
            task = next(it, _END)
            if task is not _END:
                queue.add(self.client.submit(fn, task, pure=False))
            yield result

    def close(self) -> None:
        """Close the client and, for a LocalCluster, the cluster (a later run starts them again)."""
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None


_END = object()


def _check_workers(workers: object) -> None:
    """Refuse a worker count that is not a whole number >= 1 (None means the default)."""
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise BadInput([python_line("workers", f"{workers!r} is not a whole number >= 1 (allowed: 1, 2, ... or None for every core)")])


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
    """Import the model and the run function in a worker process (the point of the call)."""
    import experiments.worker  # noqa: F401
    import sim  # noqa: F401
