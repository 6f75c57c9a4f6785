"""The local claims a node alone uses, and the claim keys every node agrees on."""

from __future__ import annotations

from frontdesk.automation.claims import LOCAL_CLAIMS, LocalClaims
from frontdesk.automation.keys import message_claim_key
from frontdesk.server.delivery import message_claim_key as server_message_claim_key


def test_a_node_alone_is_granted_every_key_it_asks_for() -> None:
    keys = ["rule-1:patient:p1:2026-03-02T07:30:00Z", "message:rule:welcome/event:1#0"]
    assert LocalClaims().claim(keys) == set(keys)


def test_asking_for_nothing_grants_nothing() -> None:
    assert LOCAL_CLAIMS.claim([]) == set()


def test_a_key_asked_for_twice_is_granted_once() -> None:
    assert LOCAL_CLAIMS.claim(["k", "k"]) == {"k"}


def test_a_message_is_claimed_under_the_key_the_server_claims() -> None:
    key = "rule:welcome/event:42#0"
    assert message_claim_key(key) == "message:rule:welcome/event:42#0"
    assert message_claim_key(key) == server_message_claim_key(key)
