"""Signals the catalogue sends to the apps further along the journey."""

from dataclasses import dataclass

from django.dispatch import Signal

# Sent before a specification is published, with ``specification``; each receiver returns a list
# of problems in words (empty when it has none), and any problem refuses the publication.
publishing = Signal()

# Sent when a catalogue page shows a specification, with ``specification``; each receiver returns
# the steps of its assessment in words, a list of ``AssessmentStep`` (empty when it has no plan).
describing_assessment = Signal()

# Sent before a specification is published, and before a published one is changed, with
# ``specification`` (its unsaved values); each receiver returns what in it contradicts how it is
# assessed, a list of ``Contradiction`` (empty when nothing does), and any refuses the change.
checking_assessment = Signal()


@dataclass(frozen=True)
class AssessmentStep:
    """One step of how a micro-credential is assessed, as a candidate reads it: its title, what
    happens, and when it is taken only in some cases, on what it depends (else empty)."""

    title: str
    what: str
    only_if: str = ""


@dataclass(frozen=True)
class Contradiction:
    """An element of a specification that says otherwise than how it is assessed: the
    specification's field and, in words naming both sides, what contradicts it."""

    element: str
    message: str
