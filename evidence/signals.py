"""What the evidence app tells the apps after it in the journey."""

from django.dispatch import Signal

# Sent when a candidate's applications are listed, with ``candidate`` and ``applications`` (a
# list). A receiver may set ``state`` on each application: the state that follows its case.
listing_applications = Signal()
