"""The JSON bodies sent to subscribers, as pydantic models (docs/webhooks.md shows examples).

Personal data is kept to the minimum: people appear only by their id in this service, never by
name or e-mail, and evidence never appears.
"""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from webhooks.models import EventType


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PersonRef(_Model):
    id: int


class OrganisationRef(_Model):
    id: int


class SpecificationRef(_Model):
    slug: str
    url: str


class CaseData(_Model):
    id: int
    candidate: PersonRef
    specification: SpecificationRef
    organisation: OrganisationRef
    round: int | None = Field(default=None, description="case.submitted: the evidence round")
    outcome: Literal["full", "partial", "none"] | None = Field(
        default=None, description="case.decided: the decision"
    )


class CredentialData(_Model):
    id: UUID
    url: str
    state: Literal["active", "revoked", "suspended"]
    learner: PersonRef
    specification: SpecificationRef
    organisation: OrganisationRef
    case: int | None
    issued_at: datetime
    valid_until: datetime | None


class Envelope(_Model):
    id: UUID
    type: Literal[tuple(EventType.values)]  # type: ignore[valid-type]
    created: datetime
    data: CaseData | CredentialData
