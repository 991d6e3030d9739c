import pytest

from assessments.online_tests.marking import choice_points, percent


@pytest.mark.parametrize(
    ("chosen", "points"),
    [([1], 2.0), ([2], 0.0), ([], 0.0), ([1, 2], 0.0)],
)
def test_it_gives_single_choice_all_or_nothing(chosen, points):
    assert choice_points("single", 2, correct=[1], chosen=chosen) == points


@pytest.mark.parametrize(
    ("chosen", "points"),
    [
        ([1, 2], 3.0),  # both correct options
        ([1], 1.5),  # half the correct options
        ([1, 3], 0.0),  # one right, one wrong: the wrong one takes its share back
        ([1, 2, 3], 1.5),
        ([3, 4], 0.0),  # never below zero
        ([1, 2, 3, 4], 0.0),  # ticking everything earns nothing
        ([], 0.0),
    ],
)
def test_it_gives_multiple_choice_partial_credit_with_a_penalty_for_wrong_picks(chosen, points):
    assert choice_points("multiple", 3, correct=[1, 2], chosen=chosen) == points


def test_it_computes_percentages_and_survives_an_empty_test():
    assert percent(7, 8) == 87.5
    assert percent(1, 3) == 33.33
    assert percent(0, 0) == 0.0
