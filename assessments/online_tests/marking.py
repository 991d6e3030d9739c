"""Automatic marking of choice questions; pure functions.

- Single choice: full points when exactly the correct option is chosen, otherwise none.
- Multiple choice: partial credit. Each correct option chosen earns its share of the points
  (points / number of correct options), each wrong option chosen takes one share away, and the
  result never goes below zero. Choosing every option therefore earns nothing unless every option
  is correct.
- Short answers are marked by an assessor, within the question's points.
"""

from collections.abc import Collection


def choice_points(
    kind: str, points: int, correct: Collection[int], chosen: Collection[int]
) -> float:
    correct, chosen = set(correct), set(chosen)
    if kind == "single":
        return float(points) if chosen == correct else 0.0
    if not correct:
        return 0.0
    shares = len(chosen & correct) - len(chosen - correct)
    return round(points * max(shares, 0) / len(correct), 2)


def percent(points: float, max_points: int) -> float:
    return round(100 * points / max_points, 2) if max_points else 0.0
