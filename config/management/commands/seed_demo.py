from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from assessments.online_tests.demo import seed_question_banks
from credentials.catalogue.demo import seed_specifications
from quality.demo import seed_audit
from rpl.accounts.roles import Role
from rpl.accounts.services import ensure_user
from workflows.demo.cases import seed_waiting_cases
from workflows.demo.engine import seed_demo_credentials, seed_engine

DEMO_PASSWORD = "demo-rpl-2026"  # noqa: S105 - printed for the demo on purpose

DEMO_USERS = [
    ("kandydat@demo.rpl.local", "Anna Kowalska", Role.CANDIDATE),
    ("kandydat2@demo.rpl.local", "Jan Mazur", Role.CANDIDATE),
    ("kandydat3@demo.rpl.local", "Maria Dąbrowska", Role.CANDIDATE),
    ("kandydat4@demo.rpl.local", "Paweł Grabowski", Role.CANDIDATE),
    ("asesor@demo.rpl.local", "Piotr Nowak", Role.ASSESSOR),
    ("asesor2@demo.rpl.local", "Joanna Zielińska", Role.ASSESSOR),
    ("asesor3@demo.rpl.local", "Tadeusz Kaczmarek", Role.ASSESSOR),
    ("asesor4@demo.rpl.local", "Barbara Piotrowska", Role.ASSESSOR),
    ("asesor5@demo.rpl.local", "Michał Grabowski", Role.ASSESSOR),
    ("asesor6@demo.rpl.local", "Zofia Pawlak", Role.ASSESSOR),
    ("tozsamosc@demo.rpl.local", "Ewa Wiśniewska", Role.IDENTITY_OFFICER),
    ("decyzje@demo.rpl.local", "Marek Wójcik", Role.DECISION_MAKER),
    ("decyzje2@demo.rpl.local", "Agnieszka Szymańska", Role.DECISION_MAKER),
    ("decyzje3@demo.rpl.local", "Krzysztof Woźniak", Role.DECISION_MAKER),
    ("decyzje4@demo.rpl.local", "Elżbieta Michalska", Role.DECISION_MAKER),
    ("jakosc@demo.rpl.local", "Katarzyna Lewandowska", Role.QUALITY_OFFICER),
    ("admin@demo.rpl.local", "Tomasz Kamiński", Role.ADMINISTRATOR),
]


class Command(BaseCommand):
    help = "Create demo accounts (one per role) and demo data; safe to run again."

    def handle(self, *args, **options):
        # The demo's own steps would e-mail its people: nobody is told of made-up work.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            self._seed()
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for email, _name, role in DEMO_USERS:
            self.stdout.write(f"  {str(role.label):<18} {email}")

    @transaction.atomic
    def _seed(self):
        users = []
        for email, name, role in DEMO_USERS:
            is_admin = role == Role.ADMINISTRATOR
            user, _ = ensure_user(
                email,
                full_name=name,
                roles=[role],
                password=DEMO_PASSWORD,
                is_staff=is_admin,
                is_superuser=is_admin,
            )
            users.append(user)
        specifications = seed_specifications()
        self.stdout.write(f"Demo catalogue: {len(specifications)} published specifications.")
        linked = seed_engine(users)
        self.stdout.write(f"Demo pipelines published and linked to {linked} specifications.")
        credentials = seed_demo_credentials(users)
        self.stdout.write(
            f"Demo credentials: {len(credentials)} issued to {DEMO_USERS[0][0]} "
            "(one revoked, one suspended)."
        )
        # After the credentials: with banks, the demo cases' test steps would wait for a candidate.
        self.stdout.write(f"Demo question banks: {len(seed_question_banks())} imported.")
        waiting = seed_waiting_cases(users)
        seed_audit()
        self.stdout.write(f"Demo cases waiting at a step: {waiting}.")
