"""``test_over`` is sent, inside the transaction, when no further attempt may be made at a
sitting (it passed, awaits marking, or no attempts are left). The engine listens to it
(``workflows.cases.services``), so this app never imports the engine."""

from django.dispatch import Signal

test_over = Signal()  # keyword argument: sitting
