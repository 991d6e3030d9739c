"""The dashboard's assessor and process figures and step waits read from the roll-ups
(``rollups``): the same rows as ``figures`` computes from the raw rows, which the tests keep as the
oracle. A period is whole local days, as the period form chooses it."""

from collections import defaultdict
from datetime import timedelta
from functools import reduce
from math import ceil
from operator import or_

from django.db.models import Count, F, FloatField, Max, Min, Q, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone
from viewflow.workflow.status import STATUS

from quality.models import (
    AssessorCase,
    DecidedCase,
    PairTally,
    ScoreTally,
    SheetTally,
    StepWaitTally,
    TaskTally,
)
from quality.statistics import figures
from quality.statistics.figures import PERCENTILES, AssessorRow, Period, ProcessRow
from workflows.models import Outcome


def _first_day(period: Period):
    return timezone.localtime(period.start, timezone.get_default_timezone()).date()


def _days(model, period: Period, specification, day="day"):
    zone = timezone.get_default_timezone()
    rows = model.objects.filter(
        **{
            f"{day}__gte": _first_day(period),
            f"{day}__lt": timezone.localtime(period.end, zone).date(),
        }
    )
    return rows.filter(specification=specification) if specification is not None else rows


def agreement_matrices(period: Period, specification=None):
    """The count tables of double marking per (specification, assessor, first), ``first`` when
    the assessor has the lower user id of the pair: ``figures.agreement_matrices`` with the
    colleagues folded together, which is all the dashboard reads of them."""
    matrices = defaultdict(lambda: {"cells": defaultdict(int), "low": None, "high": None})
    for item in (
        _days(PairTally, period, specification)
        .values("specification_id", "assessor_id", "first", "value", "colleague_value")
        .annotate(low=Min("rubric_min"), high=Max("rubric_max"), n=Sum("pairs"))
        .order_by()
    ):
        entry = matrices[(item["specification_id"], item["assessor_id"], item["first"])]
        entry["cells"][(item["value"], item["colleague_value"])] += item["n"]
        low, high = item["low"], item["high"]
        entry["low"] = low if entry["low"] is None else min(entry["low"], low)
        entry["high"] = high if entry["high"] is None else max(entry["high"], high)
    return matrices


def specification_agreement(matrices) -> dict[int, dict]:
    """``figures.specification_agreement`` from ``agreement_matrices``."""
    by_spec = defaultdict(list)
    for (spec_id, _assessor, first), entry in matrices.items():
        if first:
            by_spec[spec_id].append(entry)
    return figures.agreement_by_specification(by_spec)


def assessor_statistics(period: Period, specification=None, matrices=None) -> list[AssessorRow]:
    """``figures.assessor_statistics`` from the roll-ups."""
    if matrices is None:
        matrices = agreement_matrices(period, specification)
    keys = ("assessor_id", "specification_id")
    tallies = _days(ScoreTally, period, specification).order_by()
    share = Cast(F("value") - F("rubric_min"), FloatField()) / Cast(
        F("rubric_max") - F("rubric_min"), FloatField()
    )
    rows: dict[tuple[int, int], AssessorRow] = {}
    for item in tallies.values(*keys).annotate(
        n=Sum("scores"),
        passed_n=Sum("scores", filter=Q(passed=True), default=0),
        shares=Sum(share * F("scores"), output_field=FloatField()),
    ):
        rows[(item["assessor_id"], item["specification_id"])] = AssessorRow(
            assessor=item["assessor_id"],
            specification=item["specification_id"],
            scores=item["n"],
            passed=item["passed_n"],
            mean_share=item["shares"] / item["n"],
        )
    for item in tallies.values(*keys, "value", "rubric_min", "rubric_max").annotate(
        n=Sum("scores")
    ):
        row = rows[(item["assessor_id"], item["specification_id"])]
        row.distribution[item["value"]] = row.distribution.get(item["value"], 0) + item["n"]
        low, high = row.rubric
        row.rubric = (
            item["rubric_min"] if low == high == 0 else min(low, item["rubric_min"]),
            max(high, item["rubric_max"]),
        )
    for item in (
        _days(SheetTally, period, specification)
        .values(*keys)
        .annotate(sheets=Sum("sheets"), moderated=Sum("moderated"), cases=Sum("cases"))
        .order_by()
    ):
        row = rows[(item["assessor_id"], item["specification_id"])]
        row.sheets, row.moderated, row.cases = item["sheets"], item["moderated"], item["cases"]
    assessed = _days(AssessorCase, period, specification).order_by()
    # Cases first scored before the period and again in it (the partial index's rows).
    for item in (
        assessed.filter(day__gt=F("first_day"), first_day__lt=_first_day(period))
        .values(*keys)
        .annotate(n=Count("case_id", distinct=True))
    ):
        rows[(item["assessor_id"], item["specification_id"])].cases += item["n"]
    by_assessor = defaultdict(list)
    for (spec_id, assessor, _first), entry in matrices.items():
        by_assessor[(assessor, spec_id)].append(entry)
    for key, row in rows.items():
        figures.set_agreement(row, by_assessor.get(key))
    for item in (
        _days(TaskTally, period, specification)
        .values("actor_id", "specification_id")
        .annotate(n=Sum("tasks"), microseconds=Sum("microseconds"))
        .order_by()
    ):
        row = rows.get((item["actor_id"], item["specification_id"]))
        if row is not None:
            row.tasks = item["n"]
            row.mean_task_time = timedelta(microseconds=item["microseconds"] / item["n"])
    figures.add_missed_deadlines(rows, period, specification)
    figures.add_appeals(rows, assessed)
    figures.resolve_names(rows)
    figures.flag_outliers(rows.values())
    return sorted(rows.values(), key=lambda r: (r.specification.slug, str(r.assessor)))


def process_statistics(period: Period, specification=None, matrices=None) -> list[ProcessRow]:
    """``figures.process_statistics`` from the roll-ups."""
    rows = figures.process_rows(specification)
    figures.add_applications(rows, period)
    decided = _days(DecidedCase, period, specification, day="decided_on").filter(
        specification__in=rows
    )
    by_days = decided.annotate(days=F("microseconds") / DAY)
    histogram = defaultdict(lambda: defaultdict(int))  # specification -> {days: cases}
    # Outcomes and whole days to decision in one pass over the period's decided cases.
    for item in (
        by_days.values("specification_id", "days", "outcome").annotate(n=Count("pk")).order_by()
    ):
        row = rows[item["specification_id"]]
        if item["outcome"] in OUTCOMES:
            setattr(row, item["outcome"], getattr(row, item["outcome"]) + item["n"])
        histogram[item["specification_id"]][item["days"]] += item["n"]
    _add_percentiles(rows, by_days, histogram)
    if matrices is None:
        matrices = agreement_matrices(period, specification)
    for spec_id, found in specification_agreement(matrices).items():
        if spec_id in rows:
            rows[spec_id].agreement = found
    return list(rows.values())


DAY = 86_400_000_000  # microseconds
OUTCOMES = (Outcome.FULL, Outcome.PARTIAL, Outcome.NONE)  # named as ProcessRow's counts


def _add_percentiles(rows: dict[int, ProcessRow], by_days, histogram) -> None:
    """The nearest-rank percentiles of ``figures`` (the shortest time at or above the share of
    cases), exactly, without sorting every case: from the cases counted per whole day of time to
    decision (``histogram``), sort only the day that holds each percentile's rank."""
    wanted = {}  # (specification, days) -> [(attribute, rank within that day)]
    for spec_id, counts in histogram.items():
        total = sum(counts.values())
        for share, attribute in zip(PERCENTILES, ("median", "p90"), strict=True):
            rank = _nearest_rank(share, total)
            for days in sorted(counts):
                if rank <= counts[days]:
                    wanted.setdefault((spec_id, days), []).append((attribute, rank))
                    break
                rank -= counts[days]
    if not wanted:
        return
    times = defaultdict(list)
    for spec_id, days, microseconds in (
        by_days.filter(reduce(or_, (Q(specification_id=spec, days=days) for spec, days in wanted)))
        .values_list("specification_id", "days", "microseconds")
        .order_by("microseconds")
    ):
        times[(spec_id, days)].append(microseconds)
    for key, ranks in wanted.items():
        for attribute, rank in ranks:
            setattr(rows[key[0]], attribute, timedelta(microseconds=times[key][rank - 1]))


def _nearest_rank(share: float, total: int) -> int:
    """The first rank whose cumulative distribution (rank / total, as CUME_DIST computes it)
    reaches ``share``."""
    rank = max(1, ceil(share * total))
    while rank > 1 and (rank - 1) / total >= share:
        rank -= 1
    while rank / total < share:
        rank += 1
    return rank


# A person's task that is neither done nor cancelled; the status's index finds these few.
OPEN = [STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]


def step_waits(period: Period, specification=None, limit: int | None = None) -> list[dict]:
    """``figures.step_waits``: the tasks done from the roll-up, those still open counted as they
    are."""
    rows = {}
    for item in (
        _days(StepWaitTally, period, specification)
        .values("specification_id", "step")
        .annotate(n=Sum("tasks"), microseconds=Sum("microseconds"))
        .order_by()
    ):
        step = item["step"] or None  # a task not tagged with its step has none, as in ``figures``
        rows[(item["specification_id"], step)] = {
            "spec": item["specification_id"],
            "step": step,
            "tasks": item["n"],
            "open": 0,
            "mean": timedelta(microseconds=item["microseconds"] / item["n"]),
        }
    for item in (
        figures.case_tasks(period, specification)
        .filter(status__in=OPEN)
        .values(spec=F("process__case__specification_id"), step=KeyTextTransform("step", "data"))
        .annotate(n=Count("pk"))
        .order_by()
    ):
        row = rows.setdefault(
            (item["spec"], item["step"]),
            {"spec": item["spec"], "step": item["step"], "tasks": 0, "open": 0, "mean": None},
        )
        row["tasks"] += item["n"]
        row["open"] = item["n"]
    return figures.name_steps(figures.longest_first(list(rows.values()), limit))
