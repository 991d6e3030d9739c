"""The engine's viewflow flows: ``case_flow.CaseFlow`` runs every case, ``appeal_flow.AppealFlow``
every appeal.

A flow imports the services its nodes call and the views of its tasks, so those cannot import the
flow back. With a process or a task at hand they use ``process.flow_class`` or ``task.flow_task``;
to start a flow or to query all its processes they look the flow up here, when called.
"""


def case_flow_class():
    # the flow imports the services that call this (its nodes call them): look it up when called
    from workflows.flows.case_flow import CaseFlow

    return CaseFlow


def appeal_flow_class():
    # the flow imports the services that call this (its nodes call them): look it up when called
    from workflows.flows.appeal_flow import AppealFlow

    return AppealFlow
