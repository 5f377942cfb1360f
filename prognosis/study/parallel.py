"""Run replicates and folds locally (joblib) or on a Dask cluster, with identical results.

Reproducibility does not depend on where a task runs: every random quantity a task needs (its
resample indices, the seed of a random forest) is derived *before* dispatch from the study
seed with :class:`numpy.random.SeedSequence`, one child per task, and results are collected
in task order. So ``n_jobs=1``, ``n_jobs=2`` and a Dask cluster give the same numbers.

Dask is used through joblib's ``"dask"`` backend (``dask.distributed`` must be installed; it
is the ``dask`` extra of the package).
"""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from ..errors import ConfigError

__all__ = ["task_seeds", "bootstrap_indices", "kfold_indices", "run_tasks", "dask_client"]


def task_seeds(seed: int, n: int) -> list[int]:
    """``n`` independent 32-bit seeds derived from ``seed`` (SeedSequence children)."""
    children = np.random.SeedSequence(seed).spawn(n)
    return [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]


def bootstrap_indices(n_obs: int, n_boot: int, seed: int) -> np.ndarray:
    """Resample indices, shape ``(n_boot, n_obs)``, each row drawn with replacement.

    Row ``b`` depends only on ``(seed, b)`` so adding replicates keeps the earlier ones.
    """
    out = np.empty((n_boot, n_obs), dtype=np.int64)
    for b, s in enumerate(np.random.SeedSequence(seed).spawn(n_boot)):
        out[b] = np.random.default_rng(s).integers(0, n_obs, n_obs)
    return out


def kfold_indices(event: np.ndarray, folds: int, repeats: int,
                  seed: int) -> list[tuple[int, int, np.ndarray, np.ndarray]]:
    """Repeated stratified (by event) k-fold splits: list of ``(repeat, fold, train, test)``."""
    from sklearn.model_selection import StratifiedKFold

    event = np.asarray(event)
    out = []
    for r, s in enumerate(task_seeds(seed, repeats)):
        skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=s)
        for f, (tr, te) in enumerate(skf.split(np.zeros(len(event)), event)):
            out.append((r, f, tr, te))
    return out


@contextlib.contextmanager
def dask_client(scheduler):
    """Context yielding a ``distributed.Client`` for ``scheduler`` (address, Client or cluster)."""
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - depends on the environment
        raise ConfigError("running on a Dask cluster needs dask.distributed: pip install 'prognosis[dask]'") from None
    if isinstance(scheduler, Client):
        yield scheduler
        return
    try:
        client = Client(scheduler, set_as_default=False, timeout="10s")
    except OSError as exc:
        raise ConfigError(f"cannot reach the Dask scheduler at {scheduler!r}: {exc}") from None
    try:
        yield client
    finally:
        client.close()


class _Deterministic:
    """``fn`` run with one BLAS/OpenMP thread and no nested joblib parallelism.

    Floating-point sums depend on how they are split across threads. A Dask worker process
    starts with ``OMP_NUM_THREADS=1`` (distributed's nanny default) while the local process uses
    every core, and a nested ``Parallel`` (e.g. a forest averaging its trees under a lock) adds
    up in completion order; both made forest calibration on Dask differ from the local run by
    ~1e-10. Pinning every task to one thread, wherever it runs, makes the reductions identical,
    so local, joblib-worker and Dask results are byte-identical. Parallelism comes from running
    tasks side by side instead.
    """

    def __init__(self, fn):
        self.fn = fn

    @staticmethod
    @contextlib.contextmanager
    def pinned():
        """One BLAS/OpenMP thread and sequential joblib inside the block."""
        from joblib import parallel_config
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1), parallel_config(backend="sequential"):
            yield

    def __call__(self, *args):
        with self.pinned():
            return self.fn(*args)

    def many(self, tasks: list[tuple], bar=None) -> list:
        """``[fn(*t) for t in tasks]`` under one thread limit (set once per chunk, not per task)."""
        out = []
        with self.pinned():
            for t in tasks:
                out.append(self.fn(*t))
                if bar is not None:
                    bar.update(1)
        return out


#: Chunks per worker: replicates are sent in ``CHUNKS_PER_WORKER * workers`` chunks, not one by
#: one — each chunk carries the task function (with the study's frames) once, and 4 chunks per
#: worker keep the workers evenly loaded when replicates differ in cost (a failed fit is cheaper).
CHUNKS_PER_WORKER = 4


def _chunks(tasks: Sequence[tuple], n_chunks: int) -> list[list[tuple]]:
    """``tasks`` in ``n_chunks`` contiguous chunks of near-equal size (order kept)."""
    n_chunks = max(1, min(n_chunks, len(tasks)))
    bounds = np.linspace(0, len(tasks), n_chunks + 1).round().astype(int)
    return [list(tasks[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]


class _Chunk:
    """Runs ``fn`` over a list of tasks (one joblib / Dask task) under :class:`_Deterministic`."""

    def __init__(self, fn):
        self.fn = _Deterministic(fn)

    def __call__(self, chunk: list[tuple]) -> list:
        return self.fn.many(chunk)


def _n_workers(n_jobs: int) -> int:
    from joblib import effective_n_jobs

    return max(1, int(effective_n_jobs(n_jobs)))


def run_tasks(fn: Callable[..., Any], tasks: Sequence[tuple], *, n_jobs: int = 1, scheduler=None,
              progress: bool = False, desc: str = "replicates") -> list:
    """Evaluate ``fn(*task)`` for every task and return the results in task order.

    Parameters
    ----------
    fn : callable
        A picklable function (module-level) taking the task's arguments.
    tasks : sequence of tuples
    n_jobs : int
        joblib workers for a local run (1 = in-process, no pickling; -1 = all cores).
    scheduler : str, distributed.Client or cluster, optional
        Run on Dask instead (e.g. ``"tcp://host:8786"``).
    progress : bool
        Show a tqdm progress bar.

    Tasks travel in chunks (:data:`CHUNKS_PER_WORKER` per worker): ``fn`` and the data bound
    to it are pickled once per chunk instead of once per task. Results do not depend on the
    chunking — each task's random quantities are fixed before dispatch.
    """
    tasks = list(tasks)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(tasks), desc=desc, leave=False)
    try:
        if scheduler is None and (n_jobs == 1 or len(tasks) <= 1 or _n_workers(n_jobs) == 1):
            return _Deterministic(fn).many(tasks, bar)
        if scheduler is not None:
            with dask_client(scheduler) as client:
                n_workers = max(1, sum(client.nthreads().values()))
                with _dask_backend(client):
                    return _parallel(fn, tasks, n_workers, -1, bar)
        return _parallel(fn, tasks, _n_workers(n_jobs), n_jobs, bar)
    finally:
        if bar is not None:
            bar.close()


def _parallel(fn, tasks: list[tuple], n_workers: int, n_jobs: int, bar) -> list:
    from joblib import Parallel, delayed

    chunks = _chunks(tasks, CHUNKS_PER_WORKER * n_workers)
    run = _Chunk(fn)
    # pre_dispatch = all: a chunk is queued as soon as a worker frees up (no batching heuristics)
    par = Parallel(n_jobs=n_jobs, return_as="generator", batch_size=1, pre_dispatch="all")
    return _gather(par(delayed(run)(c) for c in chunks), bar)


def _gather(it: Iterable[list], bar) -> list:
    res = []
    for part in it:
        res.extend(part)
        if bar is not None:
            bar.update(len(part))
    return res


@contextlib.contextmanager
def _dask_backend(client):
    from joblib import parallel_config

    # joblib's dask backend uses the client passed here rather than a global default
    with parallel_config(backend="dask", client=client):
        yield
