"""Property tests: random junk tables and random mappings either give a Cohort whose audit
accounts for every input row, or raise a PrognosisError — never another exception."""
import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prognosis import read_cohort
from prognosis.cohort.mapping import UNITS
from prognosis.cohort.schema import CANONICAL_COLUMNS
from prognosis.errors import PrognosisError

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))

JUNK = st.one_of(
    st.sampled_from(["", "NA", "-", "0", "1", "2", "-1", "1.5", "3,5", "inf", "-inf", "nan", "1e400", "150",
                     "yes", "nein", "männlich", "W", "Lung ca", "C34.1", "C79.5", "unknown", "none",
                     "31.12.2020", "2020-02-30", "01/02/2021", "dead", "alive", "ASIA C", "mut", " ", "None"]),
    st.text(max_size=8),
    st.integers(-1000, 1000).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
POOL = ["patient_id", "time_months", "event", "kps", "ecog", "sex", "primary_site", "age_years", "frankel",
        "brain_mets", "egfr", "entry_months", "calcium_mg_dl", "dx", "dod", "lc", "asia", "junk", "Ünïcödé"]


MOSTLY_VALID = {
    "patient_id": st.one_of(st.sampled_from(["a", "b", "c", "d", "", "NA"]), st.text(max_size=4)),
    "time_months": st.one_of(st.floats(0.01, 200).map(lambda x: f"{x:.3f}"), JUNK),
    "event": st.one_of(st.sampled_from(["0", "1", "dead", "alive"]), JUNK),
}


@st.composite
def tables(draw):
    n = draw(st.integers(1, 12))
    required = draw(st.lists(st.sampled_from(list(MOSTLY_VALID)), max_size=3, unique=True)) \
        if draw(st.integers(0, 4)) == 0 else list(MOSTLY_VALID)
    others = draw(st.lists(st.sampled_from(POOL[3:]), max_size=7, unique=True))
    frame = {c: draw(st.lists(MOSTLY_VALID[c], min_size=n, max_size=n)) for c in required}
    frame.update({c: draw(st.lists(JUNK, min_size=n, max_size=n)) for c in others})
    if not frame:
        frame["junk"] = ["x"] * n
    return pd.DataFrame(frame)


def maybe_bad(draw, good, bad):
    """Mostly a valid choice, sometimes an invalid one (which must raise a MappingError)."""
    return draw(st.sampled_from(bad)) if draw(st.integers(0, 5)) == 0 else draw(st.sampled_from(good))


@st.composite
def mappings(draw, frame):
    cols = list(frame.columns)
    m = {}
    if draw(st.booleans()):
        targets = draw(st.lists(st.sampled_from(list(CANONICAL_COLUMNS[3:]) + ["asia"]), max_size=6, unique=True))
        m["columns"] = {t: maybe_bad(draw, cols, ["missing_col"]) for t in targets}
        if draw(st.integers(0, 5)) == 0:
            m["columns"]["bogus"] = cols[0]
    if draw(st.booleans()):
        c = draw(st.sampled_from(sorted(UNITS)))
        m["units"] = {c: maybe_bad(draw, sorted(UNITS[c]), ["parsecs"])}
    if draw(st.integers(0, 3)) == 0:
        roles = draw(st.lists(st.sampled_from(["origin", "death", "last_contact", "birth"]), max_size=4, unique=True))
        m["dates"] = {r: maybe_bad(draw, cols, ["missing_col"]) for r in roles}
        m["dates"]["format"] = maybe_bad(draw, ["dayfirst", "iso", "monthfirst", "%d.%m.%Y"], ["weird"])
        if "origin" in m["dates"]:
            m.get("columns", {}).pop("time_months", None)
    if draw(st.booleans()):
        col = draw(st.sampled_from(["sex", "event", "primary_site", "kps", "egfr"]))
        target = {"sex": "male", "event": "1", "primary_site": "lung", "kps": "80", "egfr": "mutant"}[col]
        m["values"] = {col: {draw(JUNK): maybe_bad(draw, [target, None], ["not-a-category"])}}
    if draw(st.booleans()):
        m["derive"] = {"kps_from_ecog": maybe_bad(draw, ["lower", "upper", False], ["x"]),
                       "ecog_from_kps": draw(st.booleans())}
    if draw(st.booleans()):
        m["read"] = {"decimal": draw(st.sampled_from([".", ","]))}
    return m


def check(cohort, n):
    a = cohort.audit
    status = a[a["column"] == "*"]
    assert sorted(status["row"].tolist()) == list(range(n))
    assert set(status["action"]) <= {"kept", "changed", "rejected"}
    assert set(a["row"]) <= set(range(n))
    assert len(cohort.frame) == int((status["action"] != "rejected").sum())
    # kept/changed rows without any cell record are "kept"; every rejected row has a reason
    assert status.loc[status["action"] == "rejected", "reason"].notna().all()
    f = cohort.frame
    assert (f["time_months"] > 0).all()
    assert np.isfinite(f["time_months"]).all()
    assert set(f["event"]) <= {0, 1}


@SETTINGS
@given(data=st.data())
def test_random_table_and_mapping(data):
    frame = data.draw(tables())
    mapping = data.draw(mappings(frame))
    try:
        c = read_cohort(frame, mapping, cohort=data.draw(st.sampled_from([None, "X"])))
    except PrognosisError:
        return
    check(c, len(frame))


@SETTINGS
@given(body=st.binary(max_size=200), suffix=st.sampled_from([".csv", ".tsv", ".txt", ".xlsx", ".parquet"]))
def test_random_bytes_file(tmp_path_factory, body, suffix):
    p = tmp_path_factory.mktemp("p") / f"f{suffix}"
    p.write_bytes(body)
    try:
        c = read_cohort(p)
    except PrognosisError:
        return
    check(c, c.metadata["n_input_rows"])


@SETTINGS
@given(data=st.data())
def test_random_text_table_written_to_csv(tmp_path_factory, data):
    frame = data.draw(tables())
    sep = data.draw(st.sampled_from([",", ";", "\t"]))
    enc = data.draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1"]))
    p = tmp_path_factory.mktemp("t") / "t.csv"
    try:
        frame.to_csv(p, sep=sep, index=False, encoding=enc)
    except UnicodeEncodeError:
        return
    try:
        c = read_cohort(p, data.draw(mappings(frame)))
    except PrognosisError:
        return
    check(c, c.metadata["n_input_rows"])


NATIVE = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True),
                   st.datetimes(min_value=pd.Timestamp("1900-01-01").to_pydatetime(),
                                max_value=pd.Timestamp("2100-01-01").to_pydatetime()).map(pd.Timestamp),
                   JUNK)


@SETTINGS
@given(data=st.data())
def test_native_python_values_in_a_dataframe(data):
    """DataFrames (and Excel/Parquet) carry numbers, booleans, timestamps and None, not text."""
    n = data.draw(st.integers(1, 8))
    cols = ["patient_id", "time_months", "event"] + data.draw(
        st.lists(st.sampled_from(POOL[3:]), max_size=5, unique=True))
    frame = pd.DataFrame({c: data.draw(st.lists(NATIVE, min_size=n, max_size=n)) for c in cols})
    mapping = data.draw(mappings(frame))
    try:
        c = read_cohort(frame, mapping, cohort="X")
    except PrognosisError:
        return
    check(c, n)
