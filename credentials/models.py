"""The app's models, for Django: each sub-package keeps its own."""

from credentials.bulk.models import BulkIssuedRow, BulkIssueJob
from credentials.catalogue.models import (
    LearningOutcome,
    Organisation,
    Specification,
)
from credentials.issuing.models import IssuedCredential, IssuerKey, StatusList
from credentials.wallets.models import WalletOffer

__all__ = [
    "BulkIssueJob",
    "BulkIssuedRow",
    "IssuedCredential",
    "IssuerKey",
    "LearningOutcome",
    "Organisation",
    "Specification",
    "StatusList",
    "WalletOffer",
]
