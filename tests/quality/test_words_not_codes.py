"""People read words: the dashboard, the dossier (page and PDF), the audit page and the evaluation
report of a case that went the whole way (application, portfolio, test, partial decision,
appeal, credential, audits) show no Python dicts or lists, no action codes, no measure keys,
no step slugs, no outcome codes and no database ids, in English and in Polish.

The PDFs are read as the HTML WeasyPrint prints (no PDF text extractor is installed)."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from evidence.portfolio import services as evidence_services
from quality.models import AuditCase
from tests.factories.cases import double_marked_agile_case, sheet
from tests.factories.evidence import add_file
from tests.factories.people import reserve_staff
from tests.factories.pipelines import assessed_catalogue
from tests.workflows.appeal_helpers import as_user, task_url
from tests.workflows.engine_helpers import open_tasks, take_and_complete
from workflows.appeals import services as appeals
from workflows.cases import applications
from workflows.models import Case

pytestmark = pytest.mark.django_db

LANGUAGES = {"en": "Quality assurance dashboard", "pl": "Panel zapewniania jakości"}


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    settings.EVIDENCE_STORAGE_ROOT = tmp_path / "root"
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "store"), "base_url": None},
        },
    }


@pytest.fixture
def journey(
    candidate,
    assessor,
    assessor2,
    decision_maker,
    quality_officer,
    django_capture_on_commit_callbacks,
):
    """A python-basics case from the application to an overturned appeal and reviewed audits."""
    reserve = reserve_staff()
    reviewer, judge = reserve[0], reserve[2]
    spec = assessed_catalogue([assessor, assessor2, decision_maker, *reserve])["python-basics"]
    outcomes = list(spec.outcomes.order_by("position"))
    with django_capture_on_commit_callbacks(execute=True):
        application = evidence_services.start_application(candidate=candidate, specification=spec)
        evidence_services.save_self_assessment(
            application,
            actor=candidate,
            answers={o.pk: (None, f"I do this daily ({o.position}).") for o in outcomes},
        )
        add_file(application, name="project-report.pdf")
        applications.submit_application(application, candidate, declaration="My own work.")
        case = Case.objects.get(application=application)
        # A score at the pass score of an outcome: the decision is close to a threshold.
        take_and_complete(open_tasks(case)[0], assessor, sheet(spec, 3, 2))
        take_and_complete(open_tasks(case)[0], assessor, {"score_percent": 72.0})
        take_and_complete(
            open_tasks(case, "decision")[0],
            decision_maker,
            {
                "outcome": "partial",
                "recognised_outcomes": [str(outcomes[0].pk)],
                "reasons": "The report shows the first outcome only.",
            },
        )
        case.refresh_from_db()
        appeal = appeals.submit_appeal(
            case, candidate=candidate, grounds="Page 4 of my report shows the others."
        )
        for node, person, data in [
            ("review", reviewer, {"recommendation": "overturn", "reasons": "Page 4 shows it."}),
            (
                "decide",
                judge,
                {
                    "outcome": "overturned",
                    "new_outcome": "full",
                    "recognised_outcomes": [str(o.pk) for o in outcomes],
                    "reasons": "Page 4 shows every outcome.",
                },
            ),
        ]:
            (task,) = open_tasks(appeal, node)
            client = as_user(person)
            client.post(task_url(task) + "take/")
            client.post(task_url(task) + "declare/", {"declaration": "none"})
            assert client.post(task_url(task), data).status_code == 302
    case.refresh_from_db()
    assert case.outcome == "full" and hasattr(case, "credential")
    near, appealed = AuditCase.objects.filter(audited_case=case).order_by("pk")
    assert (near.reason, appealed.reason) == ("near_threshold", "appeal")
    officer = as_user(quality_officer)
    for audit in (near, appealed):
        (task,) = open_tasks(audit)
        officer.post(reverse("quality:take", args=[audit.pk, task.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(
            reverse("quality:audit", args=[appealed.pk, task.pk]),
            {
                "verdict": "finding",
                "severity": "serious",
                "description": "Outcome 2 was scored without evidence.",
                "corrective_action": "Re-assess outcome 2.",
                "suspend": "on",
            },
        )
    case.refresh_from_db()
    assert case.credential.state == "suspended"
    return case, near


class _Text(HTMLParser):
    """What a person reads or hears of a page: its text and its labels, not its markup; and
    ``pieces``, each run of text between tags cut at separators ("·", ",", ":"...), where a code
    standing for a word would show on its own ("<h3>portfolio</h3>", "python-basics · test")."""

    SPOKEN = {"aria-label", "title", "alt", "placeholder"}

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.parts += [value for name, value in attrs if name in self.SPOKEN and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)

    @property
    def pieces(self) -> set[str]:
        return {
            piece.strip(" .“”„\"'")
            for part in self.parts
            for piece in re.split(r"[·,;:()|—–\n]", part)
        }


def read(html: str) -> tuple[str, set[str]]:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts)), parser.pieces


@pytest.fixture
def printed(monkeypatch):
    """The HTML of every PDF printed during the test, in order."""
    import weasyprint

    pages = []

    class FakeHTML:
        def __init__(self, *, string, base_url=None):
            pages.append(string)

        def write_pdf(self, **options):
            return b"%PDF-1.7 (not printed in tests)"

    monkeypatch.setattr(weasyprint, "HTML", FakeHTML)
    return pages


def _pages(client, case, audit, printed, language):
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    (task,) = open_tasks(audit)
    pages = {
        "dashboard": client.get(reverse("quality:dashboard"), **headers),
        "dossier": client.get(reverse("quality:dossier", args=[case.pk]), **headers),
        "audit": client.get(reverse("quality:audit", args=[audit.pk, task.pk]), **headers),
    }
    before = len(printed)
    client.get(reverse("quality:dossier_pdf", args=[case.pk]), **headers)
    client.get(
        reverse("quality:evaluation_report") + f"?specification={case.specification_id}",
        **headers,
    )
    texts = {name: response.content.decode() for name, response in pages.items()}
    assert all(r.status_code == 200 for r in pages.values()), {
        name: r.status_code for name, r in pages.items()
    }
    texts["dossier.pdf"], texts["evaluation.pdf"] = printed[before:]
    return {name: read(html) for name, html in texts.items()}


CODES = [
    (r"\{'|\{\"|\['|\[\"|': |\": ", "a Python or JSON dict or list"),
    (r"\b(case|appeal|application|evidence|credential|quality)\.[a-z]+(_[a-z]+)*\b", "an action"),
    (r"\b[a-z]+(?:_[a-z0-9]+)+\b", "a snake_case key (a measure, a field, a task node)"),
    (r"\b(True|False)\b", "a Python boolean"),
    (r"\b(knowledge-test|python-basics)\b", "a step slug, the pipeline's key or the slug"),
    (r"\b(score_mean|outcomes_passed_ratio|divergence =)", "a measure's key"),
]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_and_pdf_speaks_words(journey, quality_officer, printed, language):
    case, near = journey
    texts = _pages(as_user(quality_officer), case, near, printed, language)
    assert LANGUAGES[language] in texts["dashboard"][0]
    plan = case.plan_model
    outcomes = list(case.specification.outcomes.order_by("position"))
    codes = {
        *(step.id for step in plan.steps),
        *("full", "partial", "none", "uphold", "overturn", "upheld", "overturned"),
        *("random", "appeal", "confirmed", "finding", "active", "suspended", "revoked"),
        *("assess_1", "decision", "test", "review", "decide", "portfolio", "file", "link"),
    }
    for name, (text, pieces) in texts.items():
        for pattern, what in CODES:
            found = re.search(pattern, text)
            assert found is None, f"{name} ({language}) shows {what}: …{_around(text, found)}…"
        assert not pieces & codes, f"{name} ({language}) shows codes: {pieces & codes}"
        if language == "pl":
            # No English outcome code, nor Python's None, as a word anywhere on a Polish page.
            found = re.search(r"\b(full|partial|none|None)\b", text)
            assert found is None, f"{name} shows an outcome code: …{_around(text, found)}…"
    # Outcome ids never stand for outcomes: lists of them are read as their statements.
    ids = ", ".join(sorted((str(o.pk) for o in outcomes), key=int))
    assert not any(ids in text for text, _pieces in texts.values())
    dossier = texts["dossier"][0]
    assert outcomes[1].statement[:40] in dossier  # recognised on appeal: its statement
    if language == "en":
        assert "Took the task “Assessment” of step “Portfolio review”" in dossier
        assert "Decided the appeal: Decision overturned" in dossier
        assert "Partial recognition" in dossier and "average score" in dossier
        assert "Result of the step" in texts["dossier.pdf"][0]
        assert re.search(r"\d (millisecond|second|minute|hour|day)s?\b", texts["dashboard"][0])
        assert "Portfolio review" in texts["audit"][0]  # why it is near a threshold, in words
    else:
        assert "Ocena portfolio" in dossier and "Test wiedzy" in dossier
        assert "Częściowe uznanie" in dossier and "Pełne uznanie" in dossier
        assert "Ocena portfolio" in texts["evaluation.pdf"][0]


def _around(text, found, width=60):
    if found is None:
        return ""
    return text[max(found.start() - width, 0) : found.end() + width]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_double_marked_case_with_an_identity_check_reads_in_words(
    demo, candidate, identity_officer, assessor, assessor2, quality_officer, printed, language
):
    """Agile project management: a video identity check, two blind markers who diverge enough
    to call in a moderator (steps without titles read as their kinds)."""
    staff = {"identity_officer": identity_officer, "assessor": assessor, "assessor2": assessor2}
    case = double_marked_agile_case(demo["agile-project-management"], candidate, staff, (4,), (2,))
    client = as_user(quality_officer)
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    html = client.get(reverse("quality:dossier", args=[case.pk]), **headers).content.decode()
    client.get(reverse("quality:dossier_pdf", args=[case.pk]), **headers)
    codes = {
        *(step.id for step in case.plan_model.steps),
        *("video", "in_person", "document", "assess_1", "assess_2", "moderate"),
    }
    for name, (text, pieces) in {"dossier": read(html), "dossier.pdf": read(printed[-1])}.items():
        for pattern, what in CODES:
            found = re.search(pattern, text)
            assert found is None, f"{name} ({language}) shows {what}: …{_around(text, found)}…"
        assert not pieces & codes, f"{name} ({language}) shows codes: {pieces & codes}"
    text = read(html)[0]
    if language == "en":
        assert "Identity check (Video call) by" in text
        assert "A moderator was called in on step “Evidence review”" in text
        assert "Divergence between markers 2" in text
        assert "Took the task “Second assessment” of step “Evidence review”" in text
    else:
        assert "(Wideorozmowa)" in text
