"""Cheaper viewflow bookkeeping for the engine's flows (viewflow itself stays as it is).

- ``ProcessLock`` locks the process row in one transaction (a savepoint when the caller has
  one: an error under the lock, such as a refusal, then leaves the caller's transaction usable),
  without viewflow's retry loop that a blocking lock never needs, and writes the audit events
  recorded under it together (``rpl.audit.services.batch``). Callers open no transaction of
  their own around it.
- ``Route`` (a switch) and ``Call`` (a function) are nodes a step passes through without
  waiting: their task row is inserted once, already done, instead of inserted, then updated; and
  they make a savepoint only when a failure is recorded on the task instead of raised (a timer or
  a job ran them), the one case where rolling back to it keeps the transaction usable.
- ``Meet`` is a join that a path which did not split (one assessor, one decision maker) passes
  through the same way, instead of looking for the other branches.
- ``End`` and the deadline timer's activation make a savepoint only in that same case, and
  ``End`` writes only the process's status and end, not every column of the case.
- A new task row and its link to the task before are one statement on PostgreSQL
  (``store_linked``), for the nodes above and the case's human tasks.
"""

from contextlib import ContextDecorator, contextmanager

from django.db import connection, transaction
from django.utils.timezone import now
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.context import context
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.nodes.boundary import TimerBoundaryActivation
from viewflow.workflow.nodes.end import EndActivation
from viewflow.workflow.nodes.func import FunctionActivation
from viewflow.workflow.nodes.join import JoinActivation
from viewflow.workflow.nodes.mixins import NextNodeActivationMixin
from viewflow.workflow.nodes.switch import SwitchActivation
from viewflow.workflow.signals import flow_finished, task_finished, task_started
from viewflow.workflow.status import STATUS

from rpl.audit import services as audit
from rpl.insert import insert_returning, stored


class ProcessLock:
    """``SELECT ... FOR UPDATE`` on the process row, waiting for it."""

    @contextmanager
    def __call__(self, flow_class, process_pk):
        with transaction.atomic(), audit.batch():
            flow_class.process_class._default_manager.filter(
                pk=process_pk
            ).select_for_update().exists()
            yield


def new_task(flow_task, prev_activation, token, data=None, seed=None):
    """The task row ``Activation.create`` makes for ``flow_task`` after ``prev_activation``, not
    stored yet."""
    task = flow_task.flow_class.task_class(
        process=prev_activation.process, flow_task=flow_task, token=token
    )
    task.data = data if data is not None else {}
    task.seed = seed
    return task


def store_linked(task, previous) -> None:
    """Insert the new ``task`` and its link to ``previous`` (the task it follows), as
    ``task.save()`` and ``task.previous.add(previous)`` would, in one round trip on PostgreSQL."""
    if task.pk is not None or previous is None or connection.vendor != "postgresql":
        task.save()
        if previous is not None:
            task.previous.add(previous)
        return
    if task.flow_task and not task.flow_task_type:
        task.flow_task_type = task.flow_task.task_type
    insert, params = insert_returning(type(task), [task])
    link = type(task).previous.through._meta
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH new AS ({insert}), link AS (INSERT INTO {link.db_table} "  # noqa: S608 (names from the models, values bound)
            f"({link.get_field('from_task').column}, {link.get_field('to_task').column}) "
            f"SELECT id, %s FROM new) SELECT id FROM new",
            [*params, previous.pk],
        )
        stored([task], cursor.fetchall())


def _savepoint_if_kept():
    """A savepoint only when a failure will be recorded on the task instead of raised."""
    return transaction.atomic(savepoint=not context.propagate_exception)


class _PassedThrough:
    """Activation of a node that completes as soon as it is activated: its task is stored when
    done (or when it fails), with its link to the task before."""

    previous_task = None
    # one activation per task, and its task has no key before it is stored
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        activation = cls(new_task(flow_task, prev_activation, token, data, seed))
        activation.previous_task = prev_activation.task
        return activation

    def exception_guard(self):
        guard = super().exception_guard()
        activation = self

        class StoreFailed(ContextDecorator):
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                kept = guard.__exit__(*exc)
                if kept and activation.previous_task is not None:  # saved failed: link it
                    activation.task.previous.add(activation.previous_task)
                return kept

        return StoreFailed()

    def _guarded(self):
        return self.exception_guard(), _savepoint_if_kept()

    def _done(self):
        self.task.finished = now()
        store_linked(self.task, self.previous_task)  # no previous when revived: revive links it
        task_finished.send(sender=self.flow_class, process=self.process, task=self.task)


class RouteActivation(_PassedThrough, SwitchActivation):
    @Activation.status.super()
    def activate(self):
        guard, atomic = self._guarded()
        with guard, atomic:
            if self.flow_task._func is not None:
                self.flow_task._func(self)
            self.next_task = next(
                (node for node, cond in self.flow_task._branches if cond is None or cond(self)),
                None,
            )
            if self.next_task is None:
                raise FlowRuntimeError(f"No next task available for {self.flow_task.name}")

    @Activation.status.super()
    def complete(self):
        self._done()


class CallActivation(_PassedThrough, FunctionActivation):
    @Activation.status.super()
    def activate(self):
        guard, atomic = self._guarded()
        with guard, atomic:
            self.task.started = now()
            task_started.send(sender=self.flow_class, process=self.process, task=self.task)
            self.flow_task._func(self)

    @Activation.status.super()
    def complete(self):
        self._done()


class Route(flow.Switch):
    """A switch; ``func(activation)``, when given, runs first (a step's end, say), so that one
    node does what a function followed by a switch did."""

    activation_class = RouteActivation

    def __init__(self, func=None, **kwargs):
        super().__init__(**kwargs)
        self._func = func

    def _resolve(self, instance):
        super()._resolve(instance)
        self._func = this.resolve(instance, self._func)


class Call(flow.Function):
    activation_class = CallActivation


class PassActivation(_PassedThrough, NextNodeActivationMixin, Activation):
    @Activation.status.super()
    def activate(self):
        pass

    @Activation.status.super()
    def complete(self):
        self._done()


class MeetActivation(JoinActivation):
    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        if token.is_split_token():
            return super().create(flow_task, prev_activation, token, data=data, seed=seed)
        return PassActivation.create(flow_task, prev_activation, token, data=data, seed=seed)


class Meet(flow.Join):
    activation_class = MeetActivation


class _LinkedCreate:
    """``Activation.create`` with the new row and its link stored by ``store_linked``."""

    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        task = new_task(flow_task, prev_activation, token, data, seed)
        store_linked(task, prev_activation.task)
        return cls(task)


class FinishActivation(_LinkedCreate, EndActivation):
    @Activation.status.super()
    def activate(self):
        with self.exception_guard(), _savepoint_if_kept():
            self.task.started = now()
            task_started.send(sender=self.flow_class, process=self.process, task=self.task)
            still_active = (
                self.flow_class.task_class._default_manager.filter(
                    process=self.process, finished__isnull=True
                )
                .exclude(pk=self.task.pk)
                .exists()
            )
            if not still_active:
                self.process.status = STATUS.DONE
                self.process.finished = now()
                self.process.save(update_fields=["status", "finished"])
            task_finished.send(sender=self.flow_class, process=self.process, task=self.task)
            if not still_active:
                flow_finished.send(sender=self.flow_class, process=self.process, task=self.task)


class End(flow.End):
    activation_class = FinishActivation


class TimerArmActivation(_LinkedCreate, TimerBoundaryActivation):
    @Activation.status.super()
    def activate(self):
        guard, atomic = self.exception_guard(), _savepoint_if_kept()
        with guard, atomic:
            delay = self.flow_task._delay(self)
            self.task.scheduled = now() + delay
            self.task.save()
