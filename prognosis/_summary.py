"""One meaning of ``summary`` across the package.

Every ``summary()`` in ``prognosis`` is a **method** returning a :class:`Summary`: a small result
whose ``str()`` is the readable text (print it) and whose ``.table`` is the numbers as a
DataFrame (``.to_frame()`` returns a copy), as lifelines' ``print_summary``/``summary`` and
statsmodels' ``Summary`` split text and table. In a notebook it renders as the text (``__repr__``)
or as HTML (``_repr_html_``: the text, then the table).

It is deliberately *not* a ``str`` subclass: string methods (``+``, ``.upper()``, slicing) would
silently return plain text without the table, ``==`` would compare the text only, and
``isinstance(x, str)`` checks elsewhere would treat a result as a label. ``str(s)`` (or
``s.text``) is the text; the change from the earlier ``str`` / DataFrame return values is listed
in ``CHANGELOG.md``.

This module sits at the top of the package and imports only pandas, so every layer (cohort,
metrics, models, impute, study, ...) can return it without importing upward.
"""
from __future__ import annotations

import html

import pandas as pd

__all__ = ["Summary"]


class Summary:
    """A readable summary: ``str()`` is the text, ``.table`` the numbers.

    Parameters
    ----------
    text : str, optional
        The readable text. When omitted it is built from ``title``, the table
        (``DataFrame.to_string``) and ``notes``.
    table : DataFrame, optional
        The numbers behind the text (default: an empty DataFrame).
    title : str, optional
        First line(s) when the text is built from the table (and the heading of the HTML view).
    notes : sequence of str, optional
        Lines after the table when the text is built from it.
    decimals : int, default 4
        Rounding of floats when the text is built from the table.

    Examples
    --------
    >>> import pandas as pd
    >>> from prognosis import Summary
    >>> s = Summary(table=pd.DataFrame({"HR": [1.5]}, index=["age"]), title="Cox model")
    >>> print(s)
    Cox model
            HR
    age 1.5000
    >>> s.table.loc["age", "HR"]
    np.float64(1.5)
    """

    def __init__(self, text: str | None = None, table: pd.DataFrame | None = None, *, title: str = "",
                 notes=(), decimals: int = 4):
        self._table = table if table is not None else pd.DataFrame()
        self._title = str(title)
        self._notes = [str(n) for n in notes]
        self._decimals = int(decimals)
        self._from_table = text is None
        self._text = self._build_text() if text is None else str(text)

    # -- the two views ---------------------------------------------------------------------------
    @property
    def text(self) -> str:
        """The readable text (also ``str(summary)``)."""
        return self._text

    @property
    def table(self) -> pd.DataFrame:
        """The numbers behind the text."""
        return self._table

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`table`."""
        return self.table.copy()

    # -- display -----------------------------------------------------------------------------------
    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text

    def __format__(self, spec: str) -> str:
        return format(self.text, spec)

    def _repr_html_(self) -> str:
        table = self.table
        if getattr(self, "_from_table", False):
            head = f"<p><b>{html.escape(self._title)}</b></p>" if self._title else ""
            tail = "".join(f"<p>{html.escape(n)}</p>" for n in self._notes)
            return head + table.to_html(float_format=self._float_format) + tail
        out = f"<pre>{html.escape(self.text)}</pre>"
        if len(table.columns):
            out += table.to_html(float_format=self._float_format)
        return out

    # -- helpers -----------------------------------------------------------------------------------
    def _float_format(self, x: float) -> str:
        return f"{x:.{getattr(self, '_decimals', 4)}g}" if abs(x) >= 1e4 or (x != 0 and abs(x) < 1e-3) \
            else f"{x:.{getattr(self, '_decimals', 4)}f}"

    def _build_text(self) -> str:
        lines = [self._title] if self._title else []
        if len(self._table.columns):
            lines.append(self._table.to_string(float_format=self._float_format) if len(self._table) else "(no rows)")
        lines += self._notes
        return "\n".join(lines)
