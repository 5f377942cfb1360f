"""Sample-size criteria against hand calculation and the published pmsampsize test values."""
import math

import pytest

from prognosis import samplesize
from prognosis.cli.main import main
from prognosis.errors import InputError


def hand_development(r2, p, rate, t, meanfup, s=0.9):
    n1 = math.ceil(p / ((s - 1) * math.log(1 - r2 / s)))
    e = math.ceil(rate * meanfup * 10000)
    maxr2 = 1 - math.exp(2 * (e * math.log(e / 10000) - e) / 10000)
    s2 = r2 / (r2 + 0.05 * maxr2)
    n2 = math.ceil(p / ((s2 - 1) * math.log(1 - r2 / s2)))
    return n1, n2


# (inputs, (n1, n2, final)) -- the BMJ 2020 worked example (final 5143, criterion 1 binding) and
# cases from pmsampsize's own tests (tests/testthat/test_surv.R, R package pmsampsize 1.1.x)
CASES = [
    ((0.051, 30, 0.065, 2, 2.07), (5143, 1039, 5143)),
    ((0.051, 25, 0.065, 2, 2.07), (4286, 866, 4286)),
    ((0.06, 40, 0.08, 3, 5), (5798, 969, 5798)),
    ((0.3, 80, 0.03, 1, 5), (1974, 2272, 2272)),
]


@pytest.mark.parametrize(("args", "expected"), CASES)
def test_development_matches_hand_and_published(args, expected):
    res = samplesize.development(*args)
    got = tuple(c["n"] for c in res.criteria[:2]) + (res.n,)
    assert got == expected
    assert got[:2] == hand_development(*args)
    binding = "criterion 1" if expected[0] >= expected[1] else "criterion 2"
    assert res.binding.startswith(binding)


def test_bmj_example_details():
    res = samplesize.development(0.051, 30, 0.065, 2, 2.07)
    # 5143 * 0.065 * 2.07 = 692 events, 23.07 per parameter (BMJ 2020 box)
    assert res.events == pytest.approx(5143 * 0.065 * 2.07)
    assert round(res.epp, 2) == 23.07
    assert res.risk == pytest.approx(1 - math.exp(-0.13))
    assert "binding" in str(res.summary())
    assert "5,143" in str(res.summary())


def test_validation_hand_calculated():
    # O/E: width 0.2 around 1 -> se = asinh(0.1)/1.96 = 0.0509357; n = 0.5/(0.5 se^2) = 385.43 -> 386
    # slope: sd_lp = sqrt(2) qnorm(0.75) = 0.953873; n = 1/(0.5 * 0.909874 * (0.2/3.92)^2) = 844.4 -> 845
    res = samplesize.validation(0.5, 0.75)
    n = {c["criterion"]: c["n"] for c in res.criteria}
    assert n["O/E"] == 386
    assert n["calibration slope"] == 845
    assert res.n == 845
    assert res.binding == "calibration slope"
    # C: Newcombe width at the returned n is <= 0.1 and at n - 1 it is > 0.1
    c, q = 0.75, 0.5

    def width(m):
        k = m / 2 - 1
        return 2 * 1.96 * math.sqrt(c * (1 - c) * (1 + k * (1 - c) / (2 - c) + k * c / (1 + c)) / (m * m * q * (1 - q)))
    assert width(n["C-index"]) <= 0.1 < width(n["C-index"] - 1)


def test_validation_given_sd_and_fraction():
    res = samplesize.validation(0.2, 0.7, event_fraction=0.4, sd_lp=1.0, slope_ciwidth=0.3)
    n = {c["criterion"]: c["n"] for c in res.criteria}
    assert n["calibration slope"] == math.ceil(1 / (0.4 * 1.0 * (0.3 / 3.92) ** 2))
    se = math.asinh(0.1) / 1.96
    assert n["O/E"] == math.ceil(0.8 / (0.2 * se * se))


def test_bad_inputs_are_typed():
    with pytest.raises(InputError, match="parameters"):
        samplesize.development(0.05, 0, 0.1, 1, 1)
    with pytest.raises(InputError, match="maximum"):
        samplesize.development(0.6, 10, 0.065, 2, 2.07)
    with pytest.raises(InputError, match="cstatistic"):
        samplesize.validation(0.5, 0.4)


def test_cli(capsys):
    assert main(["samplesize", "--rsquared", "0.051", "--parameters", "30", "--rate", "0.065",
                 "--timepoint", "2", "--meanfup", "2.07"]) == 0
    out = capsys.readouterr().out
    assert "criterion 1" in out
    assert "criterion 2" in out
    assert "5,143" in out
    assert "binding" in out
    assert main(["samplesize", "--validation", "--risk", "0.5", "--cstatistic", "0.75"]) == 0
    assert "calibration slope" in capsys.readouterr().out
    assert main(["samplesize", "--rsquared", "0.05"]) == 2
