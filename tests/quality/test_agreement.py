"""Agreement statistics on hand-checked examples."""

from fractions import Fraction

import pytest

from quality.statistics.agreement import cohen_kappa, count_matrix, percentage_agreement

# Wikipedia, "Cohen's kappa", worked example: 50 proposals, two readers, yes/no.
# 20 both yes, 15 both no, 5 yes/no, 10 no/yes: p_o = 0.7, p_e = 0.5, kappa = 0.4.
YES_NO = [[20, 5], [10, 15]]

# Three ordered categories, worked by hand (rows: first marker, columns: second):
#   row sums 3, 3, 2; column sums 2, 3, 3; N = 8.
#   unweighted: p_o = 6/8, p_e = 21/64, kappa = 27/43
#   linear (w = 1, 1/2, 0): p_o = 7/8, p_e = 36/64, kappa = 5/7
#   quadratic (w = 1, 3/4, 0): p_o = 15/16, p_e = 87/128, kappa = 33/41
ORDINAL = [[2, 1, 0], [0, 2, 1], [0, 0, 2]]


def test_it_reproduces_the_textbook_kappa():
    assert cohen_kappa(YES_NO) == pytest.approx(0.4)
    assert percentage_agreement(YES_NO) == pytest.approx(70)


def test_it_gives_the_same_kappa_for_every_weighting_with_two_categories():
    assert cohen_kappa(YES_NO, "linear") == pytest.approx(0.4)
    assert cohen_kappa(YES_NO, "quadratic") == pytest.approx(0.4)


def test_it_weights_near_misses_on_an_ordinal_scale():
    assert cohen_kappa(ORDINAL) == pytest.approx(float(Fraction(27, 43)))
    assert cohen_kappa(ORDINAL, "linear") == pytest.approx(float(Fraction(5, 7)))
    assert cohen_kappa(ORDINAL, "quadratic") == pytest.approx(float(Fraction(33, 41)))
    assert percentage_agreement(ORDINAL) == pytest.approx(75)


def test_it_is_one_for_perfect_agreement_and_symmetric_in_the_markers():
    perfect = [[3, 0, 0], [0, 4, 0], [0, 0, 2]]
    assert cohen_kappa(perfect) == pytest.approx(1)
    assert cohen_kappa(perfect, "quadratic") == pytest.approx(1)
    transposed = [list(column) for column in zip(*ORDINAL, strict=True)]
    assert cohen_kappa(transposed, "linear") == pytest.approx(cohen_kappa(ORDINAL, "linear"))


def test_it_is_negative_when_markers_disagree_more_than_chance():
    assert cohen_kappa([[0, 5], [5, 0]]) == pytest.approx(-1)


def test_it_is_undefined_without_pairs_or_without_variation():
    assert cohen_kappa([[0, 0], [0, 0]]) is None
    assert percentage_agreement([[0, 0], [0, 0]]) is None
    assert cohen_kappa([[7, 0], [0, 0]]) is None


def test_it_builds_the_matrix_from_counted_pairs_and_refuses_bad_input():
    assert count_matrix({(2, 3): 4, (4, 4): 1}, range(2, 5)) == [[0, 4, 0], [0, 0, 0], [0, 0, 1]]
    with pytest.raises(ValueError):
        cohen_kappa([[1, 2]])
    with pytest.raises(ValueError):
        cohen_kappa(YES_NO, "cubic")
