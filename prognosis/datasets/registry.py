"""The one list of public data sets that load as cohorts.

Every place that needs to know which data sets exist reads this registry: the study
configuration (``cohorts: {role: {dataset: <name>, path: ..., options: {...}}}`` is checked
against it, options included), the study runner (which loads through :meth:`Dataset.load`)
and :mod:`prognosis.datasets` itself. A new data set is therefore two edits: its loader module
and one :func:`register_dataset` call below (or in user code, before the study is loaded).

Loaders are named by dotted path and imported only when used, so reading the registry (e.g.
to check a config) does not read pandas-heavy loader modules.
"""
from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass

from ..errors import InputError, did_you_mean

__all__ = ["Dataset", "register_dataset", "unregister_dataset", "dataset_names", "get_dataset"]


@dataclass(frozen=True)
class Dataset:
    """A public data set that loads as a canonical :class:`~prognosis.cohort.Cohort`.

    Attributes
    ----------
    name : str
        The name used in study configs (``"msk_met"``).
    loader : str
        Dotted path of the loader function, called as ``loader(path, **options)``.
    label : str
        One line for help texts and error messages.
    licence : str
        The data's licence, repeated where the data set is offered (the files are never bundled).
    """

    name: str
    loader: str
    label: str
    licence: str = ""

    def function(self):
        module, _, fn = self.loader.rpartition(".")
        return getattr(importlib.import_module(module), fn)

    def options(self) -> tuple[str, ...]:
        """Keyword options the loader accepts (its keyword-only parameters)."""
        params = inspect.signature(self.function()).parameters.values()
        return tuple(p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY)

    def check_options(self, options: dict) -> list[str]:
        """Problems with ``options`` (unknown names, with a "did you mean"); empty when fine."""
        known = self.options()
        return [f"unknown option {k!r} for data set {self.name!r}{did_you_mean(k, known)}; "
                f"available: {', '.join(known)}" for k in options if k not in known]

    def load(self, path, **options):
        """Load the data set from ``path`` (the files are read from there, never downloaded)."""
        problems = self.check_options(options)
        if problems:
            raise InputError("; ".join(problems))
        return self.function()(path, **options)


_REGISTRY: dict[str, Dataset] = {}


def register_dataset(dataset: Dataset, replace: bool = False) -> Dataset:
    """Add a data set to the registry (``replace=True`` to overwrite an existing name)."""
    if not dataset.name.isidentifier():
        raise InputError(f"data set name {dataset.name!r} must be an identifier")
    if dataset.name in _REGISTRY and not replace:
        raise InputError(f"data set {dataset.name!r} is already registered")
    _REGISTRY[dataset.name] = dataset
    return dataset


def unregister_dataset(name: str) -> Dataset:
    """Remove a data set (e.g. one registered by a test or a plug-in); returns it."""
    get_dataset(name)
    return _REGISTRY.pop(name)


def dataset_names() -> tuple[str, ...]:
    """Names of the registered data sets, in registration order."""
    return tuple(_REGISTRY)


def get_dataset(name: str) -> Dataset:
    """The registered :class:`Dataset` called ``name``; :class:`InputError` naming the choices."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise InputError(f"unknown data set {name!r}{did_you_mean(name, tuple(_REGISTRY))}; "
                         f"available: {', '.join(_REGISTRY)}") from None


register_dataset(Dataset(
    "msk_met", "prognosis.datasets.msk_met.load_msk_met",
    "MSK-MET pan-cancer metastatic cohort, cBioPortal study folder (Nguyen et al., Cell 2022)",
    licence="CC BY-NC-ND 4.0"))
register_dataset(Dataset(
    "byar_prostate", "prognosis.datasets.byar.load_byar_prostate",
    "Byar & Green prostate trial table (Byar & Green, Bull Cancer 1980; SurvSet prostate.csv)",
    licence="long-published teaching data (hbiostat.org/data); file from SurvSet, GPL-3"))
