"""Regenerate the bundled demo cohorts byte for byte.

    python data/demo/make_demo.py [OUTPUT_DIR ...]

Without arguments writes ``data/demo/`` and the package copy ``prognosis/datasets/data/``.
The recipe (n, seed, preset) is ``prognosis.datasets.demo.DEMO_COHORTS``; all clinical
parameters come from the cited file ``prognosis/simulate/parameters.yaml``.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# the repository's own package, not whichever copy the interpreter has installed
sys.path.insert(0, str(HERE.parents[1]))

from prognosis.datasets.demo import DEMO_COHORTS, write_demo_csv  # noqa: E402
from prognosis.simulate import simulate_cohort  # noqa: E402

DEFAULT_DIRS = [HERE, HERE.parents[1] / "prognosis" / "datasets" / "data"]


def main(argv: list[str]) -> int:
    dirs = [Path(a) for a in argv] or DEFAULT_DIRS
    for spec in DEMO_COHORTS.values():
        cohort = simulate_cohort(spec["n"], seed=spec["seed"], preset=spec["preset"],
                                 cohort=spec["cohort"], id_prefix=spec["id_prefix"])
        for d in dirs:
            d.mkdir(parents=True, exist_ok=True)
            write_demo_csv(cohort.frame, d / spec["file"])
            print(f"wrote {d / spec['file']} ({len(cohort)} patients, {int(cohort.frame['event'].sum())} deaths)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
