"""Signals the catalogue sends to the apps further along the journey."""

from django.dispatch import Signal

# Sent before a specification is published, with ``specification``; each receiver returns a list
# of problems in words (empty when it has none), and any problem refuses the publication.
publishing = Signal()
