"""Cleaned text (issue 19): the per-row shortcut for identifier columns (``row_text``) agrees with
the per-distinct-value path (``coded_text``) on any strings, including missing markers in any
case and surrounding whitespace."""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from prognosis.cohort._text import coded_text, row_text
from prognosis.cohort.vocab import MISSING_MARKERS

markers = st.sampled_from(sorted(MISSING_MARKERS)).flatmap(
    lambda m: st.tuples(st.just(m), st.lists(st.booleans(), min_size=len(m), max_size=len(m))).map(
        lambda t: "".join(c.upper() if up else c for c, up in zip(t[0], t[1], strict=True))))
# no NUL characters: readers and the cell check refuse them before any cleaning (and pandas'
# factorize compares text only up to a NUL, so "" and "\x00" would share a code)
text = st.text(st.characters(blacklist_characters="\x00"), max_size=6)
cells = st.one_of(markers, text, st.sampled_from([" NA ", "\tnull", "N/A", "P001", " P001"]))


@settings(max_examples=200, deadline=None)
@given(st.lists(cells, min_size=1, max_size=30))
def test_row_text_equals_coded_text(values):
    s = pd.Series(values, dtype=object)
    fast = row_text(s)
    slow = coded_text(s).text
    assert fast.tolist() == slow.tolist()


def test_markers_any_case_are_missing():
    s = pd.Series(["NA", "nA", " Null ", "#N/A", "n.d.", "x", "-", "--", "."], dtype=object)
    assert row_text(s).tolist() == [None] * 5 + ["x", None, None, None]


def test_coded_text_codes_point_at_cleaned_values():
    s = pd.Series([" m", "m", "NA", None, 3.0, True], dtype=object)
    c = coded_text(s)
    assert c.text.tolist() == ["m", "m", None, None, "3", "1"]
    assert (c.codes >= 0).tolist() == [True, True, False, False, True, True]
    assert np.all(c.uniques[c.codes[c.codes >= 0]] == c.text[c.codes >= 0])
