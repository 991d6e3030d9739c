"""What the audit log tells the apps after it: each event once it is written to the chain."""

from django.dispatch import Signal

# Sent for each event, in chain order, inside the transaction that wrote it, with ``event``
# (an ``AuditEvent`` with its sequence and hash). Events are written in batches (one insert per
# transaction), so there is no ``post_save`` for them.
recorded = Signal()
