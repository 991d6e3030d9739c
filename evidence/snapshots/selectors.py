"""The frozen portfolio as the people judging a case see it: the latest submitted snapshot, the
round each item came in, and which items support each learning outcome. Two queries."""

from dataclasses import dataclass, field

from django.http import FileResponse

from evidence.models import Confidence, EvidenceItem, Snapshot
from evidence.uploads.storage import open_stored

PREVIEWABLE_IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


@dataclass
class PortfolioItem:
    id: int
    round: int
    kind: str
    title: str
    data: dict

    @property
    def kind_label(self) -> str:
        return EvidenceItem.Kind(self.kind).label

    @property
    def preview(self) -> str:
        """How the page may show the file itself: "image", "pdf" or "" (download only)."""
        content_type = self.data.get("content_type", "")
        if content_type in PREVIEWABLE_IMAGES:
            return "image"
        return "pdf" if content_type == "application/pdf" else ""


@dataclass
class OutcomeEvidence:
    id: int
    position: int
    statement: str
    confidence: int | None
    narrative: str
    items: list[PortfolioItem] = field(default_factory=list)

    @property
    def confidence_label(self) -> str:
        return Confidence(self.confidence).label if self.confidence else ""


@dataclass
class Portfolio:
    round: int
    digest: str
    submitted_at: object
    items: list[PortfolioItem]
    outcomes: dict[int, OutcomeEvidence]

    @property
    def new_items(self) -> list[PortfolioItem]:
        return [item for item in self.items if item.round == self.round]


def portfolio_of(case) -> Portfolio | None:
    """What the candidate submitted last, or None when the case has no application."""
    if case.application_id is None:
        return None
    snapshot = (
        Snapshot.objects.filter(application_id=case.application_id).order_by("-round").first()
    )
    if snapshot is None:
        return None
    content = snapshot.content
    items = [
        PortfolioItem(id=i["id"], round=i["round"], kind=i["kind"], title=i["title"], data=i)
        for i in content["items"]
    ]
    outcomes = {
        o["id"]: OutcomeEvidence(
            id=o["id"],
            position=o["position"],
            statement=o["statement"],
            confidence=o.get("confidence"),
            narrative=o.get("narrative", ""),
        )
        for o in content["outcomes"]
    }
    for item in items:
        for outcome_id in item.data.get("outcomes", []):
            if outcome_id in outcomes:
                outcomes[outcome_id].items.append(item)
    return Portfolio(
        round=snapshot.round,
        digest=snapshot.digest,
        submitted_at=snapshot.created_at,
        items=items,
        outcomes=outcomes,
    )


def frozen_file(case, item_id):
    """The stored file of a submitted item of the case, or None."""

    if case.application_id is None:
        return None
    return (
        EvidenceItem.objects.filter(
            pk=item_id,
            application_id=case.application_id,
            kind=EvidenceItem.Kind.FILE,
            frozen=True,
        )
        .exclude(storage_name="")
        .first()
    )


def file_response(item, *, preview: bool):
    """A submitted file: inline for previews of images and PDFs (framed by our own pages only),
    otherwise as a sandboxed attachment."""
    inline = preview and (
        item.content_type in PREVIEWABLE_IMAGES or item.content_type == "application/pdf"
    )
    response = FileResponse(
        open_stored(item.storage_name),
        as_attachment=not inline,
        filename=item.display_name,
        content_type=item.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    if inline:
        response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
        response["X-Frame-Options"] = "SAMEORIGIN"
    else:
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
