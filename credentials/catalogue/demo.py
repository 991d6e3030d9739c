"""Demo catalogue: one awarding body in Poland and three published specifications.

``seed_specifications()`` is idempotent: it creates what is missing (matching the awarding body
by identifier and specifications by slug) and never overwrites what already exists.
"""

from decimal import Decimal

from django.db import transaction

from credentials.catalogue import services
from credentials.catalogue.models import Organisation, Specification
from credentials.catalogue.vocabularies import (
    AssessmentType,
    FieldOfStudy,
    Grading,
    ParticipationForm,
    QualityAssurance,
    Stackability,
    Status,
    Supervision,
)
from credentials.issuing import keys

ESCO_PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"

DEMO_ORGANISATION = {
    "name_pl": "Mazowieckie Centrum Walidacji Kompetencji (demo)",
    "name_en": "Masovian Skills Validation Centre (demo)",
    "country": "PL",
    "region_code": "PL91",
    "region": "Mazowieckie",
    "website": "https://rpl.example.org/",
    "identifier": "DEMO-RPL-PL-0001",
}


def _outcome(statement_en, statement_pl, criteria_en, criteria_pl, esco_uri=""):
    return services.OutcomeData(
        statement_en=statement_en,
        statement_pl=statement_pl,
        criteria_en="\n".join(criteria_en),
        criteria_pl="\n".join(criteria_pl),
        esco_uri=esco_uri,
    )


PYTHON = {
    "fields": {
        "slug": "python-basics",
        "title_pl": "Podstawy programowania w Pythonie",
        "title_en": "Python programming basics",
        "description_pl": (
            "Potwierdza, że posiadacz potrafi pisać, testować i utrzymywać niewielkie programy "
            "w Pythonie, które automatyzują codzienne zadania: przetwarzają pliki tekstowe "
            "i pliki z danymi, korzystają z funkcji, modułów i biblioteki standardowej.\n\n"
            "Dla osób, które nauczyły się programować w pracy, na kursach online lub samodzielnie."
        ),
        "description_en": (
            "Confirms that the holder can write, test and maintain small Python programs that "
            "automate everyday tasks: processing text and data files, and using functions, "
            "modules and the standard library.\n\n"
            "For people who learned to program at work, on online courses or on their own."
        ),
        "field_of_study": FieldOfStudy.ICT,
        "eqf_level": 4,
        "prk_level": 4,
        "workload_ects": Decimal("4.0"),
        "workload_hours": 100,
        "assessment_type": AssessmentType.COMBINED,
        # As its pipeline (workflows/demo/pipeline_files/python-basics.yaml) assesses it: a
        # portfolio review and an unsupervised 30-minute online test, no identity check.
        "supervision": Supervision.UNSUPERVISED_NO_ID,
        "participation_form": ParticipationForm.ONLINE,
        "quality_assurance": QualityAssurance.INTERNAL,
        "grading": Grading.PASS_FAIL,
        "prerequisites_pl": (
            "Sprawna obsługa komputera i pracy z plikami; znajomość języka angielskiego "
            "wystarczająca do czytania dokumentacji technicznej (A2)."
        ),
        "prerequisites_en": (
            "Basic computer literacy and working with files; enough English to read technical "
            "documentation (A2)."
        ),
        "stackability": Stackability.STACKABLE,
        "stackable_towards_pl": "Programista Python – poziom średnio zaawansowany",
        "stackable_towards_en": "Python developer – intermediate level",
        "further_information_pl": (
            "Walidacja obejmuje ocenę portfolio przez asesora oraz test online (30 minut) "
            "bez nadzoru."
        ),
        "further_information_en": (
            "Validation consists of an assessor's review of your portfolio and an unsupervised "
            "30-minute online test."
        ),
    },
    "outcomes": [
        _outcome(
            "Writes and runs Python programs that use variables, built-in data types, operators "
            "and control flow (conditions and loops).",
            "Pisze i uruchamia programy w Pythonie wykorzystujące zmienne, wbudowane typy danych, "
            "operatory oraz instrukcje sterujące (warunki i pętle).",
            [
                "Chooses a suitable built-in type (int, float, str, bool, list, dict) for the "
                "data in a task.",
                "Uses if/elif/else, for and while correctly, including break and continue.",
                "Runs a script from the command line and explains its output.",
            ],
            [
                "Dobiera odpowiedni typ wbudowany (int, float, str, bool, list, dict) do danych "
                "w zadaniu.",
                "Poprawnie stosuje instrukcje if/elif/else, for i while, w tym break i continue.",
                "Uruchamia skrypt z wiersza poleceń i objaśnia wynik jego działania.",
            ],
            ESCO_PYTHON,
        ),
        _outcome(
            "Structures code into functions and modules and uses the Python standard library.",
            "Dzieli kod na funkcje i moduły oraz korzysta z biblioteki standardowej Pythona.",
            [
                "Defines functions with parameters, default values and return values.",
                "Imports and uses modules of the standard library (for example pathlib, "
                "datetime, csv, json).",
                "Splits a program of more than 100 lines into at least two modules with clear "
                "responsibilities.",
            ],
            [
                "Definiuje funkcje z parametrami, wartościami domyślnymi i wartościami zwracanymi.",
                "Importuje i wykorzystuje moduły biblioteki standardowej (np. pathlib, datetime, "
                "csv, json).",
                "Dzieli program dłuższy niż 100 wierszy na co najmniej dwa moduły o jasno "
                "określonych zadaniach.",
            ],
        ),
        _outcome(
            "Reads, transforms and writes data in text, CSV and JSON files.",
            "Odczytuje, przekształca i zapisuje dane w plikach tekstowych, CSV i JSON.",
            [
                "Opens files safely with a context manager and the right encoding (UTF-8).",
                "Filters, sorts and aggregates records read from a CSV file.",
                "Saves results as JSON and checks that they can be read back.",
            ],
            [
                "Bezpiecznie otwiera pliki za pomocą menedżera kontekstu i z właściwym kodowaniem "
                "(UTF-8).",
                "Filtruje, sortuje i agreguje rekordy odczytane z pliku CSV.",
                "Zapisuje wyniki w formacie JSON i sprawdza, czy można je ponownie odczytać.",
            ],
        ),
        _outcome(
            "Handles errors and tests code so that programs behave predictably with bad input.",
            "Obsługuje błędy i testuje kod tak, aby programy działały przewidywalnie przy "
            "błędnych danych.",
            [
                "Catches specific exceptions with try/except and gives the user a clear message.",
                "Writes automated tests (pytest or unittest) for at least three cases, including "
                "an edge case.",
                "Finds the cause of a failing test from the traceback or with a debugger.",
            ],
            [
                "Przechwytuje konkretne wyjątki za pomocą try/except i przekazuje użytkownikowi "
                "zrozumiały komunikat.",
                "Pisze testy automatyczne (pytest lub unittest) dla co najmniej trzech "
                "przypadków, w tym przypadku brzegowego.",
                "Znajduje przyczynę niezaliczonego testu na podstawie śladu stosu lub za pomocą "
                "debugera.",
            ],
        ),
        _outcome(
            "Manages a small project with a virtual environment, third-party packages and "
            "version control.",
            "Prowadzi niewielki projekt z wykorzystaniem środowiska wirtualnego, pakietów "
            "zewnętrznych i systemu kontroli wersji.",
            [
                "Creates a virtual environment and installs pinned dependencies with pip.",
                "Records changes in Git with meaningful commit messages.",
                "Writes a README that explains how to install and run the program.",
            ],
            [
                "Tworzy środowisko wirtualne i instaluje zależności w określonych wersjach "
                "za pomocą pip.",
                "Rejestruje zmiany w repozytorium Git z opisowymi komunikatami.",
                "Przygotowuje plik README wyjaśniający, jak zainstalować i uruchomić program.",
            ],
        ),
    ],
}

AGILE = {
    "fields": {
        "slug": "agile-project-management",
        "title_pl": "Zarządzanie projektami w metodyce Agile",
        "title_en": "Agile project management",
        "description_pl": (
            "Potwierdza, że posiadacz potrafi prowadzić projekt w podejściu zwinnym: planować "
            "i porządkować backlog produktu, organizować pracę w krótkich iteracjach według "
            "Scrum lub Kanban, współpracować z interesariuszami i wykorzystywać dane do "
            "doskonalenia pracy zespołu.\n\n"
            "Dla liderów zespołów, koordynatorów projektów i Scrum Masterów, którzy uczyli się "
            "w praktyce."
        ),
        "description_en": (
            "Confirms that the holder can run a project with an agile approach: plan and refine "
            "a product backlog, organise work in short iterations with Scrum or Kanban, work "
            "with stakeholders and use data to improve how the team delivers.\n\n"
            "For team leaders, project coordinators and Scrum Masters who learned on the job."
        ),
        "field_of_study": FieldOfStudy.BUSINESS_LAW,
        "eqf_level": 5,
        "prk_level": 5,
        "workload_ects": Decimal("5.0"),
        "workload_hours": 125,
        "assessment_type": AssessmentType.PORTFOLIO,
        "supervision": Supervision.SUPERVISED_ONLINE_WITH_ID,
        "participation_form": ParticipationForm.WORK_BASED,
        "quality_assurance": QualityAssurance.BOTH,
        "grading": Grading.SCALE_2_5,
        "prerequisites_pl": (
            "Co najmniej sześć miesięcy doświadczenia w pracy w zespole projektowym."
        ),
        "prerequisites_en": "At least six months of experience working in a project team.",
        "stackability": Stackability.STANDALONE,
        # As its pipeline (agile-pm.yaml) assesses it: identity checked by video, the portfolio
        # reviewed by two assessors, an interview only when that review is borderline.
        "further_information_pl": (
            "Walidacja obejmuje sprawdzenie tożsamości w rozmowie wideo oraz ocenę portfolio "
            "(np. backlog, plany iteracji, notatki z retrospektyw) przez dwóch asesorów; "
            "gdy wynik jest na granicy, także rozmowę wyjaśniającą z asesorami."
        ),
        "further_information_en": (
            "Validation consists of an identity check in a video call and a review of your "
            "portfolio (for example a backlog, iteration plans, retrospective notes) by two "
            "assessors; when the result is borderline, also a clarifying interview with them."
        ),
    },
    "outcomes": [
        _outcome(
            "Explains the values and principles of the Agile Manifesto and chooses a suitable "
            "approach (Scrum, Kanban or a hybrid) for a given project.",
            "Wyjaśnia wartości i zasady Manifestu Agile oraz dobiera odpowiednie podejście "
            "(Scrum, Kanban lub hybrydowe) do danego projektu.",
            [
                "Compares an agile and a plan-driven (waterfall) approach for a described project "
                "and justifies the choice.",
                "Describes the roles, events and artefacts of Scrum.",
                "Names the limits of an agile approach in a regulated or fixed-price project.",
            ],
            [
                "Porównuje podejście zwinne i kaskadowe (waterfall) dla opisanego projektu "
                "i uzasadnia wybór.",
                "Opisuje role, wydarzenia i artefakty Scruma.",
                "Wskazuje ograniczenia podejścia zwinnego w projekcie regulowanym lub o stałej "
                "cenie.",
            ],
        ),
        _outcome(
            "Builds and maintains a product backlog: writes user stories with acceptance "
            "criteria, estimates them and orders them by value.",
            "Tworzy i utrzymuje backlog produktu: pisze historyjki użytkownika z kryteriami "
            "akceptacji, szacuje je i porządkuje według wartości.",
            [
                "Writes user stories in the form “As a …, I want …, so that …” with testable "
                "acceptance criteria.",
                "Splits an epic into stories that fit in one iteration.",
                "Estimates with story points or T-shirt sizes and explains the ordering to "
                "a stakeholder.",
            ],
            [
                "Pisze historyjki użytkownika w formie „Jako … chcę …, aby …” z testowalnymi "
                "kryteriami akceptacji.",
                "Dzieli epik na historyjki mieszczące się w jednej iteracji.",
                "Szacuje pracochłonność w punktach historyjek lub rozmiarach koszulek "
                "i wyjaśnia interesariuszowi przyjętą kolejność.",
            ],
        ),
        _outcome(
            "Plans and runs iterations and the team's regular events: planning, daily stand-up, "
            "review and retrospective.",
            "Planuje i prowadzi iteracje oraz regularne spotkania zespołu: planowanie, codzienne "
            "spotkanie, przegląd i retrospektywę.",
            [
                "Sets an iteration goal and a plan the team commits to, based on its past "
                "capacity.",
                "Keeps the daily stand-up within 15 minutes and follows up on blockers.",
                "Runs a retrospective that ends with at least one concrete improvement action "
                "with an owner.",
            ],
            [
                "Wyznacza cel iteracji i plan, do którego zobowiązuje się zespół, na podstawie "
                "jego dotychczasowej wydajności.",
                "Utrzymuje codzienne spotkanie w granicach 15 minut i doprowadza do usunięcia "
                "przeszkód.",
                "Prowadzi retrospektywę zakończoną co najmniej jednym konkretnym działaniem "
                "usprawniającym z przypisaną osobą odpowiedzialną.",
            ],
        ),
        _outcome(
            "Tracks progress and flow with agile metrics and visual boards, and reports them to "
            "stakeholders.",
            "Monitoruje postęp i przepływ pracy za pomocą metryk zwinnych i tablic wizualnych "
            "oraz raportuje je interesariuszom.",
            [
                "Sets up a board with work-in-progress limits that match the team's process.",
                "Reads a burndown chart or a cumulative flow diagram and identifies a risk "
                "from it.",
                "Prepares a short progress report for a sponsor without technical jargon.",
            ],
            [
                "Przygotowuje tablicę z limitami pracy w toku dopasowaną do procesu zespołu.",
                "Odczytuje wykres spalania (burndown) lub skumulowany diagram przepływu "
                "i wskazuje na jego podstawie ryzyko.",
                "Przygotowuje dla sponsora krótki raport z postępów bez żargonu technicznego.",
            ],
        ),
        _outcome(
            "Works with stakeholders and the team to manage changes of scope, risks and conflicts.",
            "Współpracuje z interesariuszami i zespołem przy zarządzaniu zmianami zakresu, "
            "ryzykiem i konfliktami.",
            [
                "Maps stakeholders by influence and interest and plans how to involve each group.",
                "Handles a change request by re-ordering the backlog and explaining its effect "
                "on the release plan.",
                "Facilitates the resolution of a disagreement in the team, respecting each "
                "person's view.",
            ],
            [
                "Sporządza mapę interesariuszy według wpływu i zainteresowania oraz planuje "
                "sposób zaangażowania każdej grupy.",
                "Obsługuje wniosek o zmianę, porządkując ponownie backlog i wyjaśniając jej "
                "wpływ na plan wydań.",
                "Moderuje rozwiązanie sporu w zespole z poszanowaniem stanowiska każdej osoby.",
            ],
        ),
    ],
}

WELDING = {
    "fields": {
        "slug": "mig-mag-welding",
        "title_pl": "Spawanie metodą MIG/MAG",
        "title_en": "MIG/MAG welding",
        "description_pl": (
            "Potwierdza, że posiadacz potrafi przygotować, wykonać i sprawdzić spoiny "
            "pachwinowe i czołowe blach metodą spawania łukowego elektrodą topliwą w osłonie "
            "gazów: MAG (proces 135) dla stali niestopowej i MIG (proces 131) dla aluminium, "
            "bezpiecznie i zgodnie z instrukcją technologiczną spawania (WPS).\n\n"
            "Dla spawaczy, którzy nauczyli się zawodu w pracy."
        ),
        "description_en": (
            "Confirms that the holder can prepare, weld and check fillet and butt joints in "
            "sheet and plate by gas-shielded metal arc welding: MAG (process 135) for unalloyed "
            "steel and MIG (process 131) for aluminium, safely and to a welding procedure "
            "specification (WPS).\n\n"
            "For welders who learned the trade at work."
        ),
        "field_of_study": FieldOfStudy.ENGINEERING,
        "eqf_level": 3,
        "prk_level": 3,
        "workload_hours": 150,
        "assessment_type": AssessmentType.PRACTICAL,
        "supervision": Supervision.SUPERVISED_ONSITE_WITH_ID,
        "participation_form": ParticipationForm.WORK_BASED,
        "quality_assurance": QualityAssurance.EXTERNAL,
        "quality_assurance_reference": "EN ISO 9606-1; EN ISO 5817",
        "grading": Grading.PASS_FAIL,
        "prerequisites_pl": (
            "Ukończone 18 lat; zaświadczenie lekarskie o braku przeciwwskazań do pracy "
            "spawacza; ukończone szkolenie BHP."
        ),
        "prerequisites_en": (
            "Aged 18 or over; a medical certificate of fitness to work as a welder; completed "
            "occupational safety and health training."
        ),
        "stackability": Stackability.STACKABLE,
        "stackable_towards_pl": "Spawacz konstrukcji stalowych",
        "stackable_towards_en": "Structural steel welder",
        "further_information_pl": (
            "Egzamin praktyczny odbywa się w ośrodku egzaminacyjnym, po sprawdzeniu tożsamości "
            "na miejscu; próbki ocenia się wizualnie i próbą łamania. Kto go zda, pisze "
            "45-minutowy test wiedzy pod nadzorem. Ważność można przedłużyć po potwierdzeniu, "
            "że spawacz nadal pracuje tą metodą."
        ),
        "further_information_en": (
            "The practical examination takes place in a test centre, after an identity check on "
            "site; test pieces are assessed visually and by a fracture test. Those who pass it "
            "take a supervised 45-minute theory test. Validity can be extended on confirmation "
            "that the welder still works with the process."
        ),
        "validity_months": 24,
    },
    "outcomes": [
        _outcome(
            "Works safely at a welding station, protecting themselves, others and the "
            "surroundings from the hazards of arc welding.",
            "Pracuje bezpiecznie na stanowisku spawalniczym, chroniąc siebie, innych i otoczenie "
            "przed zagrożeniami spawania łukowego.",
            [
                "Selects and wears the right personal protective equipment (helmet with the "
                "correct filter shade, gloves, flame-resistant clothing).",
                "Checks ventilation or fume extraction and removes flammable materials before "
                "starting.",
                "Handles and stores shielding-gas cylinders according to safety rules.",
            ],
            [
                "Dobiera i stosuje właściwe środki ochrony indywidualnej (przyłbica z filtrem "
                "o odpowiednim stopniu zaciemnienia, rękawice, odzież trudnopalna).",
                "Sprawdza wentylację lub odciąg dymów i usuwa materiały palne przed "
                "rozpoczęciem pracy.",
                "Obsługuje i przechowuje butle z gazem osłonowym zgodnie z zasadami "
                "bezpieczeństwa.",
            ],
        ),
        _outcome(
            "Reads a welding procedure specification (WPS) and technical drawings with welding "
            "symbols.",
            "Odczytuje instrukcję technologiczną spawania (WPS) i rysunki techniczne "
            "z oznaczeniami spoin.",
            [
                "Identifies the joint type, dimensions and weld size from symbols to EN ISO 2553.",
                "Takes the process, filler wire, shielding gas and parameter ranges from the WPS.",
                "Explains what to do when the WPS does not match the work piece.",
            ],
            [
                "Rozpoznaje rodzaj złącza, wymiary i grubość spoiny na podstawie oznaczeń "
                "wg EN ISO 2553.",
                "Odczytuje z WPS metodę spawania, drut elektrodowy, gaz osłonowy i zakresy "
                "parametrów.",
                "Wyjaśnia, jak postąpić, gdy WPS nie odpowiada spawanemu elementowi.",
            ],
        ),
        _outcome(
            "Prepares the joint and sets up the welding machine for the material and the "
            "welding position.",
            "Przygotowuje złącze i ustawia urządzenie spawalnicze odpowiednio do materiału "
            "i pozycji spawania.",
            [
                "Cleans and bevels the edges and tack-welds the parts with the required gap and "
                "alignment.",
                "Sets wire feed speed, arc voltage and gas flow within the ranges of the WPS.",
                "Chooses the shielding gas for the process: an argon and CO2 mixture for MAG on "
                "steel, pure argon for MIG on aluminium.",
            ],
            [
                "Oczyszcza i ukosuje krawędzie oraz sczepia elementy z wymaganym odstępem "
                "i współosiowością.",
                "Ustawia prędkość podawania drutu, napięcie łuku i przepływ gazu w zakresach "
                "podanych w WPS.",
                "Dobiera gaz osłonowy do procesu: mieszankę argonu z CO2 dla MAG na stali, "
                "czysty argon dla MIG na aluminium.",
            ],
        ),
        _outcome(
            "Welds fillet and butt joints in unalloyed steel plate in the flat (PA), horizontal "
            "(PB) and vertical-up (PF) positions.",
            "Wykonuje spoiny pachwinowe i czołowe blach ze stali niestopowej w pozycjach "
            "podolnej (PA), nabocznej (PB) i pionowej z dołu do góry (PF).",
            [
                "Produces a fillet weld of the required throat thickness with an even width and "
                "no visible undercut.",
                "Produces a butt weld with full penetration in plate 8–10 mm thick.",
                "Test pieces meet quality level C of EN ISO 5817 in the visual and fracture tests.",
            ],
            [
                "Wykonuje spoinę pachwinową o wymaganej grubości, równej szerokości i bez "
                "widocznych podtopień.",
                "Wykonuje spoinę czołową z pełnym przetopem na blasze o grubości 8–10 mm.",
                "Próbki spełniają poziom jakości C wg EN ISO 5817 w badaniu wizualnym i próbie "
                "łamania.",
            ],
        ),
        _outcome(
            "Checks the finished weld, recognises common imperfections and explains their "
            "causes and remedies.",
            "Sprawdza wykonaną spoinę, rozpoznaje typowe niezgodności spawalnicze oraz wyjaśnia "
            "ich przyczyny i sposoby usunięcia.",
            [
                "Recognises porosity, lack of fusion, undercut and spatter on sample welds.",
                "Links each imperfection to a likely cause (for example gas flow, contamination, "
                "wrong parameters).",
                "Removes a local imperfection and re-welds it according to the WPS.",
            ],
            [
                "Rozpoznaje pory, przyklejenia, podtopienia i rozpryski na próbkach spoin.",
                "Wiąże każdą niezgodność z jej prawdopodobną przyczyną (np. przepływ gazu, "
                "zanieczyszczenie, niewłaściwe parametry).",
                "Usuwa lokalną niezgodność i ponownie wykonuje spoinę zgodnie z WPS.",
            ],
        ),
    ],
}

DEMO_SPECIFICATIONS = [PYTHON, AGILE, WELDING]


@transaction.atomic
def seed_specifications(actor=None) -> list[Specification]:
    """Create the demo awarding body and publish the three demo specifications if missing."""
    organisation = Organisation.objects.filter(
        identifier=DEMO_ORGANISATION["identifier"]
    ).first() or services.create_organisation(actor=actor, **DEMO_ORGANISATION)
    specifications = []
    for demo in DEMO_SPECIFICATIONS:
        specification = Specification.objects.filter(slug=demo["fields"]["slug"]).first()
        if specification is None:
            specification = services.create_specification(
                actor=actor,
                fields={**demo["fields"], "awarding_body": organisation},
                outcomes=demo["outcomes"],
            )
        if specification.status == Status.DRAFT and specification.published_at is None:
            specification = services.publish_specification(specification, actor=actor)
        specifications.append(specification)
    # The demo awarding body signs credentials: give it an issuer key (once).
    keys.ensure_key(organisation, actor=actor)
    return specifications
