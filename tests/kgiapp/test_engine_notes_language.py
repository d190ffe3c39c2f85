"""The engine's customer-success notes read in the reader's language (customers.notes)."""
from django.utils import translation

from customers.notes import explain


def test_known_notes_are_translated_and_numbers_keep_their_digits():
    note = ("undefined: no customers active at month start; expansion 47500 not counted; "
            "13 customers excluded: 30-day window not yet elapsed")
    with translation.override("ja"):
        text = explain(note)
    assert "undefined" not in text and "excluded" not in text
    assert "47,500" in text and "13" in text and "30" in text
    with translation.override("en"):
        assert explain("ARPA 137383 × margin 0.8 ÷ churn 0.0283688") == (
            "ARPA 137,383 × gross margin 0.8 ÷ churn rate 0.02837")


def test_an_unknown_note_passes_through_unchanged():
    assert explain("something new") == "something new"
    assert explain("") == ""
