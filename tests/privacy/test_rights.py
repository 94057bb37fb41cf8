"""Export, deletion and retention over everything the bot stores (bot/privacy/): a person's conversation written by
the bot's own tracker store (real Rasa events), with a handoff and its notes, activity and deliveries, a summary, an
NPS answer and invitation, a referral code that brought another visitor, and the dashboard's rows; beside it two
other visitors' conversations. On SQLite and PostgreSQL.

"Nothing left" is checked by reading every row of every table in the database, not the tables the code knows."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered
from sqlalchemy.orm import sessionmaker

from bot.aftersale.nps import Answer, add_comment, invite, record
from bot.aftersale.referrals import code_for, credit
from bot.analytics.ingest import ingest
from bot.analytics.models import ConversationFacts, Missed
from bot.config import PROJECT_ROOT
from bot.db import create_tables, make_engine, make_session_factory
from bot.privacy.audit import recent
from bot.privacy.erase import erase
from bot.privacy.export import export
from bot.privacy.forget import ReviewedConversationRow
from bot.privacy.records import Selector, SelectorError
from bot.privacy.retention import RetentionPolicy, sweep
from bot.rasa_plugins.tracker_store import SettingsSQLTrackerStore
from bot.sales.models import HandoffRow, OutboxRow
from bot.sales.store import update_handoff
from bot.summaries import create_summary

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.timezone.utc)
JANA = "conv-jana-7f3a"  # the person who asks
OTHER = "conv-max-21bc"  # someone else
REFERRED = "conv-referred-90aa"  # came with Jana's referral link
EMAIL = "jana.roth@roth-metall.de"
PHONE_TYPED = "+49 171 2345678"
PHONE_IN_HANDOFF = "0171 2345678"
# what must not be anywhere after Jana's deletion (lower case; the phone as its digits)
TRACES = (JANA.lower(), EMAIL, "2345678", "jana roth", "roth metallbau")


def at(moment: dt.datetime, days: float = 0) -> dt.datetime:
    return moment + dt.timedelta(days=days)


class Database:
    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        create_tables(self.engine)
        self.factory: sessionmaker = make_session_factory(self.engine)
        self.store = SettingsSQLTrackerStore(Domain.load(str(PROJECT_ROOT / "domain")))

    def conversation(self, sender: str, start: dt.datetime, *events: Event) -> None:
        moment = start.timestamp()
        for event in events:
            moment += 60
            event.timestamp = moment

        async def save() -> None:
            tracker = await self.store.get_or_create_tracker(sender)
            for event in events:
                tracker.update(event)
            await self.store.save(tracker)

        asyncio.run(save())

    def handoff(self, sender: str, created: dt.datetime) -> int:
        row = {"conversation_id": sender, "kind": "sales", "created_at": created, "updated_at": created,
               "consent_at": created, "consent_version": "test", "consent_text": "Darf Wattwerk …",
               "language": "de", "name": "Jana Roth", "company": "Roth Metallbau GmbH", "email": EMAIL,
               "phone": PHONE_IN_HANDOFF, "products_shown": ["business"], "reviews_shown": [],
               "questions": ["Was kostet Business?"], "transcript": [{"user": f"Jana Roth, {EMAIL}"}],
               "status": "new"}  # fmt: skip
        with self.engine.begin() as connection:
            return int(connection.execute(HandoffRow.__table__.insert().values(row)).inserted_primary_key[0])

    def all_rows(self) -> dict[str, list[str]]:
        """Every row of every table, as lower-case text."""
        rows: dict[str, list[str]] = {}
        with self.engine.connect() as connection:
            for name in sa.inspect(connection).get_table_names():
                table = sa.Table(name, sa.MetaData(), autoload_with=connection)
                rows[name] = [" ".join(str(v) for v in row).lower() for row in connection.execute(sa.select(table))]
        return rows

    def traces(self) -> dict[str, list[str]]:
        """Rows anywhere that mention Jana, her conversation, e-mail address or phone number; except the counter of
        rewrites of her conversation's id, which holds nothing else (it makes a Rasa process that kept the
        conversation in memory read it again)."""
        found = {name: [row for row in rows if any(t in row for t in TRACES)] for name, rows in self.all_rows().items()}
        revisions = found.pop("conversation_revisions", [])
        assert all(row.split()[0] == JANA.lower() and row.split()[1].isdigit() for row in revisions), revisions
        return {name: rows for name, rows in found.items() if rows}

    def events_of(self, sender: str) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(sa.text("SELECT count(*) FROM events WHERE sender_id = :s"),
                                          {"s": sender}).scalar_one())  # fmt: skip


def user(text: str, intent: str = "inform_contact") -> UserUttered:
    return UserUttered(text, {"name": intent, "confidence": 0.95})


@pytest.fixture
def db(database_url: str) -> Database:
    made = Database(database_url)
    made.conversation(JANA, NOW, SlotSet("language", "de"),
                      user("Wir sind 40 Leute, was kostet Business?", "ask_price"),
                      ActionExecuted("action_show_prices"), BotUttered("Business kostet …"),
                      user("Bitte rufen Sie mich an", "request_contact"), ActionExecuted("lead_form"),
                      user(f"Jana Roth, Roth Metallbau GmbH, {EMAIL}, {PHONE_TYPED}"),
                      SlotSet("lead_name", "Jana Roth"), SlotSet("lead_contact", EMAIL),
                      BotUttered(f"Darf Wattwerk Ihre Angaben ({EMAIL}) speichern?"), user("ja", "affirm"),
                      user("asdf qwer", "nlu_fallback"))  # fmt: skip
    handoff_id = made.handoff(JANA, at(NOW, 0.01))
    update_handoff(made.factory, handoff_id, status="claimed", assignee="lena.vogt", note="Rückruf Dienstag, 40 MA",
                   author="lena", known_assignees={"lena.vogt"}, now=at(NOW, 0.02))  # fmt: skip
    with made.factory.begin() as session:
        session.add_all([OutboxRow(handoff_id=handoff_id, channel="email", status="delivered", attempts=1,
                                   next_attempt_at=NOW, delivered_at=at(NOW, 0.01)),
                         OutboxRow(handoff_id=handoff_id, channel="webhook", status="pending", attempts=3,
                                   next_attempt_at=NOW, last_error="HTTP 503")])  # fmt: skip
        session.add(ReviewedConversationRow(sender_id=JANA, last_event_id=1, reviewed_at=NOW, events_rewritten=0))
    create_summary(made.factory, JANA, "de", "business", {"payback_months": 9}, now=at(NOW, 0.01))
    invite(made.factory, JANA, JANA, at(NOW, 0.01))
    answer_id = record(made.factory, Answer(JANA, JANA, 10, "de", "business", "advocacy"), at(NOW, 0.01))
    add_comment(made.factory, answer_id, "Jana Roth findet es super")
    code = code_for(made.factory, JANA, JANA, at(NOW, 0.01))
    made.conversation(OTHER, NOW, SlotSet("language", "en"), user("hi, my mail is max@example.com", "greet"))
    made.conversation(REFERRED, at(NOW, 1), SlotSet("language", "de"), user("Hallo", "greet"))
    credit(made.factory, code, REFERRED, at(NOW, 1))
    ingest(made.engine)
    return made


def test_an_export_by_e_mail_holds_everything_stored_about_the_person_and_nobody_else(db: Database) -> None:
    document = export(db.factory, Selector.of("email", "Jana.Roth@Roth-Metall.DE"), "cli:test", NOW)
    (conversation,) = document["conversations"]
    assert conversation["conversation_id"] == JANA
    typed = [e["text"] for e in conversation["events"] if e["event"] == "user"]
    assert f"Jana Roth, Roth Metallbau GmbH, {EMAIL}, {PHONE_TYPED}" in typed
    (handoff,) = conversation["handoffs"]
    assert (handoff["email"], handoff["phone"], handoff["company"]) == (EMAIL, PHONE_IN_HANDOFF, "Roth Metallbau GmbH")
    assert [n["text"] for n in handoff["handoff_notes"]] == ["Rückruf Dienstag, 40 MA"]
    assert {a["action"] for a in handoff["handoff_activity"]} >= {"claim", "note"}
    assert sorted(o["channel"] for o in handoff["handoff_outbox"]) == ["email", "webhook"]
    assert conversation["boss_summaries"][0]["roi"] == {"payback_months": 9}
    assert [(a["score"], a["comment"]) for a in conversation["nps_answers"]] == [(10, "Jana Roth findet es super")]
    assert len(conversation["nps_invitations"]) == 1
    (code,) = conversation["referral_codes"]
    assert code["referral_credits"] == 1  # the visitor it brought is counted, not named
    assert [row["messages"] for row in conversation["analytics_conversations"]] == [5]
    assert [m["text"] for m in conversation["analytics_missed"]] == ["asdf qwer"]
    assert len(conversation["privacy_reviewed_conversations"]) == 1
    text = json.dumps(document, ensure_ascii=False).lower()
    assert OTHER not in text and "max@example.com" not in text and REFERRED not in text
    (audit,) = recent(db.factory)
    assert (audit.action, audit.actor, audit.selector, audit.conversations) == ("export", "cli:test", "email", 1)
    assert not any(t in json.dumps(audit.as_dict()).lower() for t in TRACES)


@pytest.mark.parametrize("written", ["0049 171 234 56 78", "0171/2345678", "+491712345678", "+49 (0)171 2345678"])
def test_a_phone_number_finds_the_person_however_it_is_written(db: Database, written: str) -> None:
    document = export(db.factory, Selector.of("phone", written), "cli:test", NOW)
    assert [c["conversation_id"] for c in document["conversations"]] == [JANA]


def test_after_a_deletion_nothing_anywhere_mentions_the_person_and_the_others_are_untouched(db: Database) -> None:
    before = {sender: db.events_of(sender) for sender in (OTHER, REFERRED)}
    assert db.traces()  # the check below can see them
    done = erase(db.factory, Selector.of("phone", "0171 2345678"), "api:admin", NOW)
    assert done.conversations == 1
    assert {"events", "handoffs", "handoff_notes", "handoff_activity", "handoff_outbox", "boss_summaries",
            "nps_answers", "nps_invitations", "referral_codes", "referral_credits", "analytics_conversations",
            "analytics_missed", "privacy_reviewed_conversations"} <= set(done.rows)  # fmt: skip
    assert db.traces() == {}
    assert {sender: db.events_of(sender) for sender in (OTHER, REFERRED)} == before
    assert export(db.factory, Selector.of("email", EMAIL), "cli:test", NOW)["conversations"] == []


def test_a_deletion_done_twice_deletes_nothing_the_second_time_and_both_are_recorded(db: Database) -> None:
    first = erase(db.factory, Selector.of("conversation", JANA), "chat", NOW)
    second = erase(db.factory, Selector.of("conversation", JANA), "chat", at(NOW, 0.1))
    assert first.rows["events"] > 5 and (second.conversations, second.rows) == (0, {})
    records = recent(db.factory)
    assert [(r.action, r.conversations) for r in records] == [("delete", 0), ("delete", 1)]
    assert not any(t in json.dumps([r.as_dict() for r in records]).lower() for t in TRACES)


def test_an_address_someone_else_typed_selects_nothing_of_theirs_but_is_listed(db: Database) -> None:
    """A colleague asks for a copy to Jana's address: their conversation is not Jana's to export or delete."""
    db.conversation("conv-bernd-55", NOW, SlotSet("language", "de"),
                    user("Bitte das Angebot in Kopie an\u00a0„Jana.Roth@roth-metall.de“ schicken", "request_contact"),
                    BotUttered(f"Gern, in Kopie an:\n{EMAIL}"))  # fmt: skip
    document = export(db.factory, Selector.of("email", EMAIL), "cli:test", NOW)
    assert [c["conversation_id"] for c in document["conversations"]] == [JANA]
    assert document["also_mentioned_in"] == ["conv-bernd-55"]
    done = erase(db.factory, Selector.of("email", EMAIL), "cli:test", NOW)
    assert done.mentioned == ["conv-bernd-55"] and db.events_of("conv-bernd-55") == 4


def test_an_address_given_only_in_the_lead_form_is_the_visitors_own(db: Database) -> None:
    """Before the consent question is answered there is no handoff: the lead form's contact slot names the visitor."""
    db.conversation("conv-eva-31", NOW, SlotSet("language", "de"), user("Eva Klein, „eva.klein@example.de“"),
                    SlotSet("lead_contact", "eva.klein@example.de"))  # fmt: skip
    document = export(db.factory, Selector.of("email", "EVA.KLEIN@example.de"), "cli:test", NOW)
    assert [c["conversation_id"] for c in document["conversations"]] == ["conv-eva-31"]


@pytest.mark.parametrize(("asked", "stored"), [("030 12345678", "+49 40 12345678"), ("0151 23456789", "0171 23456789")])
def test_different_numbers_with_the_same_ending_are_different_people(db: Database, asked: str, stored: str) -> None:
    db.conversation("conv-hamburg-1", NOW, user(f"Meine Nummer: {stored}"), SlotSet("lead_contact", stored))
    assert export(db.factory, Selector.of("phone", asked), "cli:test", NOW)["conversations"] == []


def test_after_deleting_the_newest_conversation_the_dashboard_still_takes_in_new_ones(db: Database) -> None:
    """SQLite gives new events the ids of deleted ones: the dashboard's ingestion must not skip them."""
    erase(db.factory, Selector.of("conversation", REFERRED), "chat", NOW)
    db.conversation("conv-new-77", at(NOW, 2), SlotSet("language", "en"), user("hello", "greet"))
    ingest(db.engine)
    assert any("conv-new-77" in row for row in db.all_rows()["analytics_conversations"])


@pytest.mark.parametrize(("kind", "value"), [("email", "jana at roth"), ("phone", "12 34"), ("conversation", ""),
                                              ("name", "Jana")])  # fmt: skip
def test_a_request_that_names_nobody_is_refused_with_the_reason(kind: str, value: str) -> None:
    with pytest.raises(SelectorError):
        Selector.of(kind, value)


def test_retention_with_the_clock_moved_forward(db: Database) -> None:
    policy = RetentionPolicy(conversation_days=90, handoff_days=365, note_days=365, outbox_days=30)
    (handoff_id,) = [h.id for h in db.factory().query(HandoffRow).all()]
    update_handoff(db.factory, handoff_id, status="contacted", author="lena", known_assignees={"lena.vogt"},
                   now=at(NOW, 300))  # fmt: skip

    early = sweep(db.factory, at(NOW, 20), policy)
    assert (early.conversations, early.rows) == (0, {})

    # 100 days on: the visitors without a handoff have expired, Jana's conversation stays with its handoff; the
    # record of the delivered e-mail goes, the pending webhook stays
    later = sweep(db.factory, at(NOW, 100), policy)
    assert later.conversations == 2 and db.events_of(OTHER) == db.events_of(REFERRED) == 0
    assert db.events_of(JANA) > 5
    with db.factory() as session:
        assert [o.channel for o in session.query(OutboxRow)] == ["webhook"]
    rows = db.all_rows()
    assert len(rows["analytics_conversations"]) == 3  # the dashboard keeps its figures, under other ids
    assert not any(OTHER in row or REFERRED in row for row in rows["analytics_conversations"])

    # 400 days on: Jana's note is older than a year and goes (with the activity entry that repeats it), so do her
    # referral code and the credit it earned; her handoff, changed 100 days ago, stays
    notes = sweep(db.factory, at(NOW, 400), policy)
    assert notes.rows == {"handoff_activity": 1, "handoff_notes": 1, "referral_codes": 1, "referral_credits": 1}
    assert notes.conversations == 0 and db.events_of(JANA) > 5
    assert not any("rückruf dienstag" in row for rows in db.all_rows().values() for row in rows)

    # 700 days on: the handoff has expired, and with it Jana's conversation; her NPS score stays, anonymised
    last = sweep(db.factory, at(NOW, 700), policy)
    assert last.conversations == 1 and last.rows["handoffs"] == 1 and last.rows["events"] > 5
    assert db.traces() == {}
    with db.engine.connect() as connection:
        kept = connection.execute(sa.text("SELECT score, conversation_id, customer, comment FROM nps_answers")).all()
    assert [tuple(row) for row in kept] == [(10, "", "", None)]
    assert [r.action for r in recent(db.factory)] == ["retention"] * 4


def test_retention_also_expires_dashboard_rows_whose_conversation_is_gone_already(db: Database) -> None:
    """The worker took in a conversation's last events while it was being deleted: its dashboard row came back."""
    with db.factory.begin() as session:
        session.add(ConversationFacts(sender_id="conv-ghost", started_at=NOW, last_at=NOW, language="de", messages=3))
        session.add(Missed(sender_id="conv-ghost", at=NOW, language="de", text="wo ist mein Paket"))
    sweep(db.factory, at(NOW, 100), RetentionPolicy())
    rows = db.all_rows()
    assert not any("conv-ghost" in row for row in rows["analytics_conversations"] + rows["analytics_missed"])
    assert len(rows["analytics_conversations"]) == 4  # the figures stay


def test_retention_set_to_zero_keeps_that_kind_for_ever(db: Database) -> None:
    kept = sweep(db.factory, at(NOW, 5000), RetentionPolicy(0, 0, 0, 0))
    assert (kept.conversations, kept.rows) == (0, {})
    assert db.events_of(OTHER) > 0

