"""The referral link end to end through the running bot: a customer asks about recommending us and gets a link; a
new visitor who opens the website with it chats; that visitor is a referral, credited to the customer, and counted
on the journey dashboard."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from bot.aftersale.referrals import ReferralCredit
from bot.analytics.ingest import ingest
from bot.analytics.report import Period, report
from bot.db import make_engine
from bot.launcher import MODEL
from tests.running_bot import Bot, new_sender, texts

pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="needs a trained model: make train")


def test_a_customers_link_brings_a_visitor_who_is_credited_and_counted(bot: Bot) -> None:
    customer = new_sender()
    bot.say(customer, "Super Produkt, wir sind total begeistert!")
    answer = texts(bot.say(customer, "Gibt es ein Empfehlungsprogramm?"))
    found = re.search(r"https?://\S+/\?ref=([2-9A-Z]{8})", answer)
    assert found, answer
    link, code = found.group(0), found.group(1)
    visitor = new_sender()
    page = {"path": "/", "url": link, "referrer": "https://mail.example.com/", "utm": {}, "language": "de-DE"}
    assert "79" in texts(bot.say(visitor, "Hallo, was kostet Wattwerk Home?", metadata={"page": page}))
    assert bot.tracker(visitor)["slots"]["touchpoint"] == "referral"
    engine = make_engine(bot.settings.database_url)
    with engine.connect() as connection:
        rows = connection.execute(sa.select(ReferralCredit.code).where(ReferralCredit.conversation_id == visitor))
        assert rows.scalars().all() == [code]
    ingest(engine)
    today = dt.datetime.now(dt.timezone.utc).date()
    figures = report(engine, Period.days(today, today))
    assert figures["referrals"]["visitors"] >= 1
    assert any(t["touchpoint"] == "referral" and t["conversations"] >= 1 for t in figures["touchpoints"])
