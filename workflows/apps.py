from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")

    def ready(self):
        # the flow uses models, importable only once the app registry is ready
        from workflows.cases import (
            assessment_words,  # noqa: F401 - describes plans to the catalogue
            todo,  # noqa: F401 - gives listed applications their states
        )
        from workflows.flows import case_flow as flows  # noqa: F401 - registers the flow's nodes with viewflow
        from workflows.staffing import receivers  # noqa: F401 - connects to accounts and catalogue
