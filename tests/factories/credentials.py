"""Issued credentials, signed through ``credentials.issuing.services.issue_credential``."""

import factory

from credentials.issuing import services
from credentials.issuing.models import IssuedCredential


class IssuedCredentialFactory(factory.Factory):
    """A credential for ``learner`` of ``specification``; other keywords go to the service."""

    class Meta:
        model = IssuedCredential

    @classmethod
    def _create(cls, model_class, **fields):
        return services.issue_credential(**fields)


def issue(learner, specification, **fields) -> IssuedCredential:
    return IssuedCredentialFactory(learner=learner, specification=specification, **fields)
