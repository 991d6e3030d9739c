import csv
import io

import pytest

from rpl.lib import csv_safe


def _written(*cells) -> list[str]:
    out = io.StringIO()
    csv_safe.writer(out).writerows([cells])
    return next(csv.reader(io.StringIO(out.getvalue())))


@pytest.mark.parametrize(
    "hostile",
    [
        '=HYPERLINK("https://evil.example","x")',
        "+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_it_writes_a_formula_as_text(hostile):
    assert _written(hostile) == ["'" + hostile]


def test_it_leaves_numbers_and_ordinary_text_alone():
    assert _written("-0.25", "+3", "-1e-05", 7, -3, None, "Ada Lovelace", "a=b") == [
        "-0.25",
        "+3",
        "-1e-05",
        "7",
        "-3",
        "",
        "Ada Lovelace",
        "a=b",
    ]
