"""The referral programme with real rasa-sdk objects: a customer gets a personal link (the same one when asking
again), a visitor who arrives with it has the touchpoint `referral` and is credited to that customer, once."""

from __future__ import annotations

import re

import sqlalchemy as sa
from rasa_sdk.executor import CollectingDispatcher

from actions.aftersale import ActionReferralLink
from actions.journey import ActionTrackJourney
from bot.aftersale.referrals import ReferralCredit, code_for
from bot.journey.touchpoint import referral_code, touchpoint
from bot.services import Services
from tests.helpers import make_tracker, user


def said(dispatcher: CollectingDispatcher) -> str:
    return "\n".join(str(message.get("text") or "") for message in dispatcher.messages)


def credited(services: Services) -> list[tuple[str, str]]:
    with services.session_factory() as session:
        return [tuple(row) for row in session.execute(sa.select(ReferralCredit.code, ReferralCredit.conversation_id))]


def test_a_customer_gets_a_personal_link_and_the_same_one_when_asking_again(services: Services) -> None:
    tracker = make_tracker([user("Gibt es ein Empfehlungsprogramm?", "ask_referral")], {"language": "de"})
    first, again = CollectingDispatcher(), CollectingDispatcher()
    ActionReferralLink(services).run(first, tracker, {})
    ActionReferralLink(services).run(again, tracker, {})
    found = re.search(r"(http://\S+/\?ref=([2-9A-Z]{8})) \(Code \2\)", said(first))
    assert found, said(first)
    assert "25 € Guthaben" in said(first) and "bewerten" in said(first), "the review link and what both get"
    assert found.group(1) in said(again)
    english = make_tracker([user("Do you have a referral programme?", "ask_referral")], {"language": "en"})
    dispatcher = CollectingDispatcher()
    ActionReferralLink(services).run(dispatcher, english, {})
    assert f"(code {found.group(2)})" in said(dispatcher)  # the same visitor, the same code, in English


def test_a_visitor_arriving_with_the_link_is_a_referral_credited_to_the_customer(services: Services) -> None:
    code = code_for(services.session_factory, "customer-7", "conversation-of-customer-7", services.now())
    message = user("Hallo, ein Freund hat euch empfohlen. Was kostet Home?", "ask_price")
    message["metadata"] = {"page": {"path": "/", "url": f"https://wattwerk.example/?ref={code.lower()}",
                                    "referrer": "https://mail.example.com/"}}  # fmt: skip
    tracker = make_tracker([message])
    events = ActionTrackJourney(services).run(CollectingDispatcher(), tracker, {})
    assert {"event": "slot", "name": "touchpoint", "value": "referral", "timestamp": None} in events
    assert credited(services) == [(code, "test-visitor")]
    ActionTrackJourney(services).run(CollectingDispatcher(), make_tracker([message], {"touchpoint": "referral"}), {})
    assert credited(services) == [(code, "test-visitor")], "credited once"


def test_an_unknown_or_malformed_code_credits_nobody(services: Services) -> None:
    message = user("Hallo", "greet")
    message["metadata"] = {"page": {"path": "/", "url": "https://wattwerk.example/?ref=ABCDEFGH"}}
    ActionTrackJourney(services).run(CollectingDispatcher(), make_tracker([message]), {})
    assert credited(services) == []
    assert referral_code({"url": "https://wattwerk.example/?ref=abc"}) is None
    assert referral_code({"ref": "2345ABCD"}) == "2345ABCD"
    assert touchpoint({"url": "https://wattwerk.example/?ref=O0I1O0I1"}) == "direct"  # no code: where from
