"""Agreement between two markers on an ordinal scale: percentage agreement and Cohen's kappa,
unweighted or with linear or quadratic weights. Pure functions over a square count matrix
(``matrix[i][j]``: how often the first marker gave category ``i`` and the second ``j``)."""

from collections.abc import Mapping, Sequence

Matrix = Sequence[Sequence[float]]
WEIGHTS = (None, "linear", "quadratic")


def count_matrix(
    counts: Mapping[tuple[int, int], int], categories: Sequence[int]
) -> list[list[int]]:
    """The square matrix over ``categories`` (in order) of ``{(first, second): count}``."""
    index = {category: i for i, category in enumerate(categories)}
    matrix = [[0] * len(categories) for _ in categories]
    for (first, second), count in counts.items():
        matrix[index[first]][index[second]] += count
    return matrix


def _total(matrix: Matrix) -> float:
    return sum(sum(row) for row in matrix)


def percentage_agreement(matrix: Matrix) -> float | None:
    """Share of pairs on the diagonal, 0..100; None without pairs."""
    total = _total(matrix)
    if not total:
        return None
    return 100 * sum(matrix[i][i] for i in range(len(matrix))) / total


def _weight(i: int, j: int, k: int, weights: str | None) -> float:
    """Agreement weight of cell (i, j) among k ordered categories: 1 on the diagonal."""
    if i == j:
        return 1.0
    if weights is None or k < 2:
        return 0.0
    distance = abs(i - j) / (k - 1)
    return 1 - (distance if weights == "linear" else distance**2)


def cohen_kappa(matrix: Matrix, weights: str | None = None) -> float | None:
    """Cohen's kappa (weights=None) or weighted kappa ("linear", "quadratic").

    None when it is undefined: no pairs, or chance agreement already perfect (both markers
    used a single category)."""
    if weights not in WEIGHTS:
        raise ValueError(f"weights must be one of {WEIGHTS}")
    k = len(matrix)
    if any(len(row) != k for row in matrix):
        raise ValueError("the matrix must be square")
    total = _total(matrix)
    if not total:
        return None
    rows = [sum(row) for row in matrix]
    columns = [sum(matrix[i][j] for i in range(k)) for j in range(k)]
    observed = expected = 0.0
    for i in range(k):
        for j in range(k):
            weight = _weight(i, j, k, weights)
            observed += weight * matrix[i][j] / total
            expected += weight * rows[i] * columns[j] / total**2
    if expected >= 1:
        return None
    return (observed - expected) / (1 - expected)
