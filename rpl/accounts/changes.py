"""What accounts tell the apps that stand on them.

- ``people_changed(user)``: a person's roles or active state changed, after it commits.
"""

from django.dispatch import Signal

people_changed = Signal()
