"""What a person recorded, in words: the identity method by its name, never its code."""

from django.utils import translation

from assessments.scoresheets import records
from workflows.cases.selectors import _facts


def test_it_names_the_identity_method_in_the_reader_s_language():
    record = records.IdentityCheck(verified=True, method="in_person", note="Seen.")
    assert _facts(record) == [
        ("Identity confirmed", "Yes"),
        ("Method", "In person"),
        ("Note", "Seen."),
    ]
    with translation.override("pl"):
        assert dict(_facts(record))["Metoda"] == "Osobiście"
