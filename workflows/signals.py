"""What the engine tells the apps that stand on it (quality assurance, for one), which it does not
import.

- ``step_recorded(result)``: a person's record of a step was stored, inside that transaction.
- ``task_done(case, task)``: a person's task of a case (a human task of the case flow) was
  completed, inside that transaction.
- ``case_decided(case_id)``: a case's decision was made, after it commits.
- ``appeal_decided(case_id)``: an appeal against the case's decision was decided, after it commits.
"""

from django.dispatch import Signal

step_recorded = Signal()
task_done = Signal()
case_decided = Signal()
appeal_decided = Signal()
