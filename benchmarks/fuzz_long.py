"""Long fuzz run (issue 14): >= 5,000 generated inputs over the families of
``tests/fuzz/inputs.py``; prints, per family, how many gave a Cohort (audit invariants checked),
how many a PrognosisError (by class), and every other outcome (a bug: exception class and the
first lines of the input are printed). Exit status 1 if there was any.

    python benchmarks/fuzz_long.py [n_per_family] [seed]
"""
from __future__ import annotations

import collections
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import hypothesis  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.fuzz import inputs as F  # noqa: E402


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1300
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    tmpdir = F.tmp()
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    bugs: list[str] = []

    def record(family, fn, *args):
        try:
            counts[family][fn(*args)] += 1
        except AssertionError as exc:
            counts[family]["INVARIANT VIOLATED"] += 1
            bugs.append(f"{family}: {exc}  input={repr(args[:2])[:300]}")
        except Exception as exc:  # noqa: BLE001 - the point is to find these
            counts[family][f"RAW {type(exc).__name__}"] += 1
            bugs.append(f"{family}: {type(exc).__name__}: {str(exc)[:200]}  input={repr(args[:2])[:300]}\n"
                        + "".join(traceback.format_exc().splitlines(True)[-4:]))

    cfg = settings(max_examples=n, deadline=None, suppress_health_check=list(HealthCheck), database=None,
                   phases=[hypothesis.Phase.generate])
    families = {
        "csv files": (F.csv_cases(), lambda c: record("csv files", F.run_csv_case, c[0], c[1], c[2], tmpdir)),
        "junk bytes": (st.tuples(st.binary(max_size=400), st.sampled_from([".csv", ".txt", ".xlsx", ".parquet"])),
                       lambda c: record("junk bytes", F.run_bytes_case, c[0], c[1], tmpdir)),
        "dataframes/parquet/excel": (F.frame_cases(), lambda c: record("dataframes/parquet/excel", F.run_frame_case,
                                                                       c[0], c[1], c[2], tmpdir)),
        "junk mappings": (F.junk_mappings(), lambda c: record("junk mappings", F.run_mapping_case, c, tmpdir)),
    }
    t0 = time.perf_counter()
    for name, (strategy, body) in families.items():
        hypothesis.seed(seed)(cfg(given(strategy)(body)))()
        print(f"{name:26s} {sum(counts[name].values()):6d} inputs: "
              + ", ".join(f"{k} {v}" for k, v in counts[name].most_common()), flush=True)
    total = sum(sum(c.values()) for c in counts.values())
    print(f"total {total} inputs in {time.perf_counter() - t0:.0f} s; other outcomes (bugs): {len(bugs)}")
    for b in bugs[:30]:
        print("  " + b)
    return 1 if bugs else 0


if __name__ == "__main__":
    sys.exit(main())
