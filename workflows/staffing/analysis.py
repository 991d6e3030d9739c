"""Whether a pipeline can be staffed on every path, worked out from its steps and its pools.

Each step asks for seats: people of a pool, some of whom must be different from others (two
markers of a step, a moderator who is neither, a panel of people who assessed nothing in the case,
an appeal reviewer who marked and decided nothing, an appeal decider who did neither). Steps
with a condition are counted as if they run. The check plays the case against the pools the way
the worst run would go: each seat is taken by the eligible person who is most needed later, and a
seat for which nobody is left is a shortfall. Pure: no database.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rpl.accounts.roles import Role
from workflows.pipelines import schema
from workflows.staffing.pools import PoolKey, pool_of_step

SCORING, DECIDING, REVIEWING = "scoring", "deciding", "reviewing"


@dataclass(frozen=True)
class Seat:
    words: str
    pool: PoolKey
    kind: str  # SCORING, DECIDING or REVIEWING: what taking it makes a person in the case
    group: str  # seats of one group are held by different people
    not_after: frozenset = frozenset()  # the kinds a holder must not already be


@dataclass
class PoolNeed:
    pool: PoolKey
    seats: list[str] = field(default_factory=list)
    members: int = 0

    @property
    def words(self) -> str:
        return ngettext(
            "%(pool)s: %(count)d person in the pool; the pool serves %(seats)s.",
            "%(pool)s: %(count)d people in the pool; the pool serves %(seats)s.",
            self.members,
        ) % {"pool": self.pool.label, "count": self.members, "seats": "; ".join(self.seats)}


@dataclass
class Staffing:
    needs: list[PoolNeed]
    shortfalls: list[str]

    @property
    def staffed(self) -> bool:
        return not self.shortfalls


def step_title(step) -> str:
    return step.title.text() if step.title else str(schema.STEP_KIND_LABELS[step.kind])


def seats_of(plan, *, appeals: bool) -> list[Seat]:
    seats: list[Seat] = []
    for step in plan.steps:
        pool, title = pool_of_step(step), step_title(step)
        group = f"step:{step.id}"
        if step.kind == schema.StepKind.IDENTITY_CHECK:
            words = _("an identity officer for “%(step)s”") % {"step": title}
            seats.append(Seat(words, pool, SCORING, group))
        elif step.kind == schema.StepKind.TEST:
            words = _("an assessor to mark “%(step)s”") % {"step": title}
            seats.append(Seat(words, pool, SCORING, group))
        elif step.kind in schema.SCORED_KINDS:
            for n in range(1, step.assessors + 1):
                words = (
                    _("marker %(n)d of %(total)d for “%(step)s”")
                    % {"n": n, "total": step.assessors, "step": title}
                    if step.assessors > 1
                    else _("an assessor for “%(step)s”") % {"step": title}
                )
                seats.append(Seat(words, pool, SCORING, group))
            if getattr(step, "moderation_divergence", None) and step.assessors > 1:
                words = _("a moderator for “%(step)s” who is none of its markers") % {"step": title}
                seats.append(Seat(words, pool, SCORING, group))
        else:
            size = step.panel_size if step.decided_by == schema.DecidedBy.PANEL else 1
            for n in range(1, (size or 1) + 1):
                words = (
                    _(
                        "panel seat %(n)d of %(total)d for “%(step)s”, for someone who assessed "
                        "nothing in the case"
                    )
                    % {"n": n, "total": size, "step": title}
                    if size and size > 1
                    else _("a decision maker for “%(step)s” who assessed nothing in the case")
                    % {"step": title}
                )
                seats.append(Seat(words, pool, DECIDING, "panel", frozenset({SCORING})))
    if appeals:
        seats.append(
            Seat(
                _("an appeal reviewer who assessed and decided nothing in the case"),
                PoolKey(Role.ASSESSOR),
                REVIEWING,
                "appeal",
                frozenset({SCORING, DECIDING}),
            )
        )
        seats.append(
            Seat(
                _("an appeal decider who assessed nothing, did not decide and did not review"),
                PoolKey(Role.DECISION_MAKER),
                DECIDING,
                "appeal-decision",
                frozenset({SCORING, DECIDING, REVIEWING}),
            )
        )
    return seats


def staffing(plan, members: dict[PoolKey, set[int]], *, appeals: bool) -> Staffing:
    """``members``: the people (ids) of each pool the plan uses."""
    seats = seats_of(plan, appeals=appeals)
    needs: dict[PoolKey, PoolNeed] = {}
    for seat in seats:
        need = needs.setdefault(
            seat.pool, PoolNeed(seat.pool, members=len(members.get(seat.pool, ())))
        )
        need.seats.append(seat.words)
    shortfalls = []
    held: dict[str, set[int]] = {}  # seat kind or group -> the people holding one
    for index, seat in enumerate(seats):
        excluded = set(held.get(seat.group, set()))
        for kind in seat.not_after:
            excluded |= held.get(kind, set())
        eligible = members.get(seat.pool, set()) - excluded
        if not eligible:
            shortfalls.append(_shortfall(seat, members.get(seat.pool, set())))
            continue
        later = seats[index + 1 :]
        involved = set().union(*held.values()) if held else set()
        # The worst run: a person not yet involved in the case (so more people are), and of
        # those the one most needed by the later seats.
        person = max(
            sorted(eligible),
            key=lambda pk: (
                pk not in involved,
                sum(pk in members.get(other.pool, ()) for other in later),
            ),
        )
        held.setdefault(seat.group, set()).add(person)
        held.setdefault(seat.kind, set()).add(person)
    return Staffing(list(needs.values()), shortfalls)


def _shortfall(seat: Seat, pool: set[int]) -> str:
    if not pool:
        return _("Nobody is in the pool %(pool)s, which must provide %(seat)s.") % {
            "pool": seat.pool.label,
            "seat": seat.words,
        }
    return _(
        "The pool %(pool)s has too few people: on some runs of a case nobody would be left for "
        "%(seat)s. Add a person to the pool."
    ) % {"pool": seat.pool.label, "seat": seat.words}
