"""Drive cases through the engine the way the task pages do, with scripted results."""

from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from workflows.identity import services as identity
from workflows.models import Case
from workflows.pipelines.schema import IdentityMethod
from workflows.work.forms import RULES_OF_EVIDENCE
from workflows.work.services import complete_task


def open_tasks(case, node=None):
    tasks = Task.objects.filter(process=case, flow_task_type="HUMAN").exclude(
        status__in=[STATUS.DONE, STATUS.CANCELED]
    )
    tasks = [t for t in tasks.order_by("pk") if node is None or t.flow_task.name == node]
    return tasks


def take_and_complete(task, user, data):
    """``user`` (loaded afresh, as each request does) takes ``task``, declares and records
    ``data`` (what the step records) through the task's page form, under the pages' rules."""
    complete_task(task, type(user).objects.get(pk=user.pk), page_fields(task, data))


def page_fields(task, data: dict) -> dict:
    """The fields of the task's form that record ``data``: a score sheet's rules of evidence are
    met unless ``data`` says otherwise, an identity check uses its step's method unless given
    (a document instead of an electronic ID the candidate did not sign in with)."""
    if "verified" in data:
        case = Case.objects.get(pk=task.process_id)
        method = data.get("method") or case.current_step.method
        if method == IdentityMethod.ELECTRONIC_ID and identity.assertion_of(case) is None:
            method = IdentityMethod.DOCUMENT
        verified = "yes" if data["verified"] else "no"
        return {"method": method, "verified": verified, "note": data.get("note", "")}
    if "marks" in data:
        comments = data.get("comments", {})
        return {f"points_{pk}": points for pk, points in data["marks"].items()} | {
            f"comment_{pk}": text for pk, text in comments.items()
        }
    if "scores" in data or "more_evidence" in data:
        fields = {key: data[key] for key in ("more_evidence", "notes") if key in data}
        rules = data.get("rules") or {}
        for pk, score in data.get("scores", {}).items():
            fields[f"score_{pk}"] = score
            met = rules.get(pk, {})
            fields |= {f"{rule}_{pk}": met.get(rule, True) for rule, _l, _h in RULES_OF_EVIDENCE}
        return fields | {f"comment_{pk}": text for pk, text in data.get("comments", {}).items()}
    if "score_percent" in data:
        return {"score_percent": round(data["score_percent"], 2)}  # as the page takes it
    return data


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
