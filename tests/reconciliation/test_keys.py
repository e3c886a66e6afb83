"""The reconciliation keys (privacy.accession): normalised before keying, per organisation,
refused when malformed, and missing keys refused in production."""

import pytest

from privacy.accession import (
    AccessionKeyMissing,
    NotAnAccessionNumber,
    accession_digest,
    accession_digests,
    key_setting_problems,
)
from reconciliation.checks import reconciliation_keys_well_formed


def test_the_same_number_written_differently_gives_one_digest(settings):
    settings.RECONCILIATION_KEYS = {"1": "ab" * 32}
    assert accession_digest(1, "rx-123 45") == accession_digest(1, "RX12345")
    assert accession_digest(1, "RX12345") != accession_digest(2, "RX12345")
    assert len(accession_digest(1, "RX12345")) == 64


@pytest.mark.parametrize("text", ["", "   ", "a sentence, with commas", "x" * 41, "-12"])
def test_text_that_is_not_an_accession_number_is_refused_without_repeating_it(text):
    with pytest.raises(NotAnAccessionNumber) as refused:
        accession_digest(1, text)
    assert text.strip() == "" or text not in str(refused.value)


def test_production_has_no_fallback_key(settings):
    settings.IS_PRODUCTION = True
    settings.RECONCILIATION_KEYS = {}
    with pytest.raises(AccessionKeyMissing):
        accession_digest(1, "RX12345")


def test_during_a_rotation_a_list_is_keyed_both_ways(settings):
    settings.RECONCILIATION_KEYS = {"1": "cd" * 32}
    settings.RECONCILIATION_PREVIOUS_KEYS = {"1": "ab" * 32}
    current, previous = accession_digests(1, "RX12345")
    settings.RECONCILIATION_KEYS = {"1": "ab" * 32}
    assert previous == accession_digest(1, "RX12345") != current


def test_malformed_keys_stop_the_start(settings):
    assert key_setting_problems("RECONCILIATION_KEYS", {"1": "ab" * 32}) == []
    assert key_setting_problems("RECONCILIATION_KEYS", {"x": "short"}) == [
        "RECONCILIATION_KEYS: 'x' is not an organisation id",
        "RECONCILIATION_KEYS: the key of organisation x is not 64 hex digits (32 bytes)",
    ]
    settings.RECONCILIATION_KEYS = {"3": "zz"}
    (error,) = reconciliation_keys_well_formed()
    assert error.id == "reconciliation.E001"
