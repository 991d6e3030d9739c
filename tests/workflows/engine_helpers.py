"""Drive cases through the engine the way the task pages do, with scripted results."""

from django.db import transaction
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from workflows.cases import services as case_services
from workflows.flows.case_flow import CaseFlow


def open_tasks(case, node=None):
    tasks = Task.objects.filter(process=case, flow_task_type="HUMAN").exclude(
        status__in=[STATUS.DONE, STATUS.CANCELED]
    )
    tasks = [t for t in tasks.order_by("pk") if node is None or t.flow_task.name == node]
    return tasks


def take_and_complete(task, user, data):
    with transaction.atomic(), CaseFlow.lock(task.process_id):
        task.refresh_from_db()
        activation = task.flow_task.activation_class(task)
        if task.owner_id is None:
            activation.assign(user)
        activation.start(None)
        case_services.complete(activation, actor=user, data=data)


def take(client, url):
    """Take a task through its page and declare no conflict of interest, as people do first."""
    client.post(url + "take/")
    client.post(url + "declare/", {"declaration": "none"})
    return url


def score_sheet(case, score=3, rules=("valid", "authentic", "current", "sufficient")):
    """A score sheet's form data: one score per outcome, with the given rules of evidence met."""
    data = {}
    for outcome in case.specification.outcomes.all():
        data[f"score_{outcome.pk}"] = str(score)
        data |= {f"{rule}_{outcome.pk}": "on" for rule in rules}
    return data
