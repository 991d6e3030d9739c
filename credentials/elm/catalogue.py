"""The published catalogue in the ELM learning opportunity and qualification profile (LOQ), the
form course catalogues use to publish to Europass: one ``LearningOpportunity`` per published
specification, provided by its awarding body."""

from typing import Any

from credentials.catalogue.selectors import published_specifications
from credentials.elm import nodes
from credentials.issuing import documents as issuing

# What the EDC context leaves to the W3C credentials context a credential names first (``id``,
# ``type``), and the LOQ's ``defaultLanguage``, which it lacks.
LOQ_TERMS = {
    "id": "@id",
    "type": "@type",
    "defaultLanguage": {"@id": "elm:defaultLanguage", "@type": "@id"},
}


def catalogue_document() -> dict[str, Any]:
    specifications = published_specifications().prefetch_related("outcomes")
    return {
        "@context": [nodes.EDC_CONTEXT, LOQ_TERMS],
        "@graph": [
            learning_opportunity(specification)
            for specification in specifications
            if specification.awarding_body is not None
        ],
    }


def learning_opportunity(specification) -> dict[str, Any]:
    page = issuing.achievement_url(specification)
    languages = [code for code in nodes.LANGUAGES if getattr(specification, f"title_{code}")]
    outcomes = sorted(specification.outcomes.all(), key=lambda outcome: outcome.position)
    achievement = nodes.specification_node(specification, outcomes, qualification=False)
    achievement["language"] = [nodes.language_concept(code) for code in languages]
    return {
        "id": f"{page}#opportunity",
        "type": "LearningOpportunity",
        "title": nodes.texts(specification, "title"),
        "homepage": {"id": f"{page}#page", "type": "WebResource", "contentURL": page},
        "providedBy": nodes.organisation_node(specification.awarding_body),
        "learningAchievementSpecification": achievement,
        "defaultLanguage": nodes.language_concept(languages[0]),
    }
