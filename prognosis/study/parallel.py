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


def kfold_indices(event: np.ndarray, folds: int, repeats: int, seed: int) -> list[tuple[int, int, np.ndarray, np.ndarray]]:
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

    def __call__(self, *args):
        from joblib import parallel_config
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1), parallel_config(backend="sequential"):
            return self.fn(*args)


def run_tasks(fn: Callable[..., Any], tasks: Sequence[tuple], *, n_jobs: int = 1, scheduler=None,
              progress: bool = False, desc: str = "replicates") -> list:
    """Evaluate ``fn(*task)`` for every task and return the results in task order.

    Parameters
    ----------
    fn : callable
        A picklable function (module-level) taking the task's arguments.
    tasks : sequence of tuples
    n_jobs : int
        joblib workers for a local run (1 = in-process, no pickling).
    scheduler : str, distributed.Client or cluster, optional
        Run on Dask instead (e.g. ``"tcp://host:8786"``).
    progress : bool
        Show a tqdm progress bar.
    """
    from joblib import Parallel, delayed

    fn = _Deterministic(fn)
    tasks = list(tasks)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(tasks), desc=desc, leave=False)

    def _collect(it: Iterable) -> list:
        res = []
        for r in it:
            res.append(r)
            if bar is not None:
                bar.update(1)
        return res

    try:
        if scheduler is not None:
            with dask_client(scheduler) as client:
                # tasks carry only indices and seeds; the data travel once with fn (a partial)
                with _dask_backend(client):
                    return _collect(Parallel(n_jobs=-1, return_as="generator")(delayed(fn)(*t) for t in tasks))
        if n_jobs == 1:
            return _collect(fn(*t) for t in tasks)
        return _collect(Parallel(n_jobs=n_jobs, return_as="generator")(delayed(fn)(*t) for t in tasks))
    finally:
        if bar is not None:
            bar.close()


@contextlib.contextmanager
def _dask_backend(client):
    from joblib import parallel_config

    # joblib's dask backend uses the client passed here rather than a global default
    with parallel_config(backend="dask", client=client):
        yield
