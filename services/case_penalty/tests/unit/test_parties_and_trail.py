"""Identifier checksums, the keyed party reference, and the trail catching an edited row."""

from dataclasses import replace

import pytest

from oneteam_case_penalty.domain.decisions import PartyKind
from oneteam_case_penalty.domain.parties import mask, normalise, party_ref
from oneteam_case_penalty.domain.trail import chain, verify
from oneteam_servicekit.errors import InvalidRequest

from .factories import NOW

KEY = b"test-key"


def test_a_citizen_id_with_a_valid_x_checksum_is_accepted_and_a_wrong_checksum_refused() -> None:
    assert normalise(PartyKind.PERSON, "11010519491231002X") == "11010519491231002X"
    with pytest.raises(InvalidRequest, match="GB 11643") as refused:
        normalise(PartyKind.PERSON, "110105194912310021")
    assert "110105" not in refused.value.detail


def test_a_credit_code_checksum_is_checked() -> None:
    assert normalise(PartyKind.ORGANISATION, "91110000600037341L") == "91110000600037341L"
    with pytest.raises(InvalidRequest, match="GB 32100"):
        normalise(PartyKind.ORGANISATION, "91110000600037341M")


def test_the_same_party_gets_the_same_reference_and_the_number_is_not_in_it() -> None:
    ref = party_ref(KEY, PartyKind.PERSON, "11010519491231002x")
    assert ref == party_ref(KEY, PartyKind.PERSON, "11010519491231002X")
    assert "1101051949" not in ref and ref != party_ref(b"other-key", PartyKind.PERSON, "11010519491231002X")
    assert mask("11010519491231002X") == "110*************2X"


def test_the_trail_verifies_and_an_edited_entry_is_named() -> None:
    first = chain(None, "c1", "opened", "o-1", NOW, {"category": "street_vending"})
    second = chain(first, "c1", "filed", "o-1", NOW, {"reason": "facts clear"})
    third = chain(second, "c1", "decided", "head", NOW, {"fine_fen": 20000})
    assert verify([first, second, third]) is None
    edited = replace(second, detail={"reason": "changed later"})
    assert verify([first, edited, third]) == 2
    assert verify([first, third]) == 3  # a deleted entry: the next one no longer fits
