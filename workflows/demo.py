"""Demo data for the engine: the demo pipelines, which specification each assesses, and pools."""

from django.db import transaction
from guardian.shortcuts import assign_perm

from credentials.models import Specification
from rpl.accounts.roles import Role
from workflows import case_services
from workflows.models import Pipeline
from workflows.services import install_demo_pipelines

SPECIFICATION_PIPELINES = {
    "python-basics": "python-basics",
    "agile-project-management": "agile-pm",
    "mig-mag-welding": "welding-mig-mag",
}
POOL_PERMISSION = {
    Role.ASSESSOR: "credentials.assess",
    Role.IDENTITY_OFFICER: "credentials.verify_identity",
    Role.DECISION_MAKER: "credentials.decide",
}


@transaction.atomic
def seed_engine(users) -> int:
    """Publish the demo pipelines, link them to the demo specifications and put the demo staff
    in every pool; returns how many specifications are linked. Safe to run again."""
    install_demo_pipelines()
    linked = 0
    for slug, key in SPECIFICATION_PIPELINES.items():
        specification = Specification.objects.filter(slug=slug).first()
        if specification is None:
            continue
        case_services.assign_pipeline(
            actor=None, specification=specification, pipeline=Pipeline.objects.get(key=key)
        )
        linked += 1
        for user in users:
            for role in user.roles:
                if role in POOL_PERMISSION:
                    assign_perm(POOL_PERMISSION[role], user, specification)
    return linked
