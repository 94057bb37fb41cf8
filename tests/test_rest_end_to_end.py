"""The running bot, as a website visitor and the HTTP API see it: real servers, real model.

Uses the running bot of tests/running_bot.py (action server, web app and Rasa server on free
ports), chats through the REST channel and reads the slots through the HTTP API, restarting
the Rasa server once to show that nothing is lost.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from bot.db import make_engine, make_session_factory
from bot.journey.language import detect_language
from bot.launcher import MODEL
from tests.running_bot import Bot, new_sender, texts

pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="needs a trained model: make train")


def test_german_visitor_gets_german_answers_and_is_recognised_as_skeptic(bot: Bot) -> None:
    sender = new_sender()
    greeting = bot.say(sender, "Grüß Gott!")
    assert detect_language(texts(greeting), None) == "de"
    answer = bot.say(sender, "Kann ich irgendwo ehrliche Bewertungen von euren Kunden lesen?")
    assert detect_language(texts(answer), None) == "de"
    assert any(r.get("buttons") for r in answer), "the answer should end with an offer the visitor can click"
    slots = bot.slots(sender)
    assert (slots["language"], slots["journey_phase"], slots["persona"]) == ("de", "consideration", "skeptic")


def test_a_quick_second_message_is_answered_right_after_the_first(bot: Bot) -> None:
    """A visitor sends a second question while the first is still being answered: both are answered, in order, and
    the second waits only for the first, not a second more (Rasa's lock store checked once a second)."""
    sender = new_sender()
    bot.say(sender, "Hallo!")
    done: dict[str, float] = {}

    def ask(message: str) -> list[dict[str, Any]]:
        answer = bot.say(sender, message)
        done[message] = time.monotonic()
        return answer

    with ThreadPoolExecutor(max_workers=2) as pool:
        price = pool.submit(ask, "Was kostet Wattwerk Home?")
        time.sleep(0.05)  # typed right after it
        reviews = pool.submit(ask, "Und wo finde ich Bewertungen?")
        price_answer, reviews_answer = price.result(), reviews.result()
    assert "79" in texts(price_answer) and "Bewertung" in texts(reviews_answer)
    user = [e["text"] for e in bot.tracker(sender)["events"] if e["event"] == "user"]
    assert user[-2:] == ["Was kostet Wattwerk Home?", "Und wo finde ich Bewertungen?"]
    waited = done["Und wo finde ich Bewertungen?"] - done["Was kostet Wattwerk Home?"]
    assert 0 < waited < 0.8, f"the second answer came {waited:.2f} s after the first"


def test_accepting_an_offer_delivers_it(bot: Bot) -> None:
    sender = new_sender()
    answer = bot.say(sender, "Do you have an API and webhooks for Wattwerk Business?")
    # the asked fact (data/content/knowledge.yml), not the whole spec sheet
    assert "REST API, webhooks and Python SDK come with the Professional plan" in texts(answer)
    offer = next(r for r in answer if any(b["payload"] == "/affirm" for b in r.get("buttons") or []))
    assert bot.slots(sender)["pending_offer"] == "guarantee"
    delivered = bot.say(sender, "/affirm")
    assert delivered and detect_language(texts(delivered), None) == "en"
    assert offer["text"] not in texts(delivered)
    slots = bot.slots(sender)
    assert (slots["pending_offer"], slots["persona"], slots["product"]) == (None, "technical", "wattwerk-business")


def test_an_unclear_product_is_asked_with_buttons_and_the_choice_answers(bot: Bot) -> None:
    sender = new_sender()
    answer = bot.say(sender, "Was kostet das bei euch?")
    choice = next(r for r in answer if r.get("buttons"))
    assert [b["title"] for b in choice["buttons"]] == ["Wattwerk Business", "Wattwerk Home", "Wattwerk Sense"]
    assert len([r for r in answer if r.get("buttons")]) == 1, "no offer on top of the question"
    priced = bot.say(sender, choice["buttons"][1]["payload"])
    assert "Das kostet Wattwerk Home:" in texts(priced)
    assert bot.slots(sender)["product"] == "wattwerk-home"


def test_visitor_who_switches_language_is_answered_in_the_new_one(bot: Bot) -> None:
    sender = new_sender()
    assert detect_language(texts(bot.say(sender, "Hello, what is this website about?")), None) == "en"
    assert detect_language(texts(bot.say(sender, "Was kostet das für unsere Wohnung zu Hause?")), None) == "de"
    slots = bot.slots(sender)
    assert (slots["language"], slots["journey_phase"], slots["segment"]) == ("de", "decision", "b2c")


def test_unclear_input_gets_a_fallback_in_the_visitors_language(bot: Bot) -> None:
    sender = new_sender()
    bot.say(sender, "Hi there, what do you sell?")
    reply = bot.say(sender, "xq zzkv plörr")
    assert texts(reply).strip(), "the bot must never answer with silence"
    assert detect_language(texts(reply), None) == "en"


def test_the_http_api_needs_the_token(bot: Bot) -> None:
    sender = new_sender()
    bot.say(sender, "Hallo")
    with pytest.raises(urllib.error.HTTPError) as error:
        bot.slots(sender, token="wrong")
    assert error.value.code == 401


def test_a_restart_of_the_rasa_server_loses_nothing(bot: Bot) -> None:
    sender = new_sender()
    bot.say(sender, "Wir sind ein Betrieb mit 40 Mitarbeitern. Wie schnell amortisiert sich das?")
    before = bot.slots(sender)
    assert (before["segment"], before["persona"]) == ("b2b", "budget_owner")
    bot.restart_rasa()
    assert bot.slots(sender) == before
    reply = bot.say(sender, "Und was kostet das im Monat?")
    assert detect_language(texts(reply), None) == "de"
    assert bot.slots(sender)["segment"] == "b2b"


def test_the_boss_summary_opens_and_downloads_in_the_visitors_language(bot: Bot) -> None:
    sender = new_sender()
    reply = texts(
        bot.say(sender, "Ich muss das erst meinem Chef vorlegen. Habt ihr eine Zusammenfassung zu Wattwerk Business?")
    )
    url = next(word for word in reply.split() if "/summary/" in word and "download" not in word)
    with urllib.request.urlopen(url, timeout=30) as response:
        page = response.read().decode()
    assert "<title>Wattwerk Business – Zusammenfassung für Entscheider</title>" in page
    with urllib.request.urlopen(url + "?download=1", timeout=30) as response:
        assert response.headers["Content-Disposition"].startswith("attachment;")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(url.rsplit("/", 1)[0] + "/not-a-token", timeout=30)
    assert error.value.code == 404


def test_a_german_b2b_visitor_is_handed_to_sales_with_a_complete_brief(bot: Bot) -> None:
    sender = new_sender()
    bot.say(sender, "Wir sind ein Betrieb mit 40 Mitarbeitern. Wie schnell amortisiert sich das?")
    bot.say(sender, "abbrechen")
    bot.say(sender, "Gibt es ehrliche Bewertungen zu Wattwerk Business?")
    bot.say(sender, "Können Sie mich bitte zurückrufen? Ich hätte gern ein Angebot.")
    asked = texts(bot.say(sender, "Anna Berger, Berger Logistik GmbH, anna.berger@example.de, 0171 2345678"))
    assert "https://wattwerk.example/datenschutz" in asked  # purpose and privacy policy before consent
    assert bot.handoffs(sender) == [], "nothing is stored before consent"
    confirmed = texts(bot.say(sender, "Ja, ich bin einverstanden."))
    assert "Vielen Dank, Anna Berger!" in confirmed and "meldet sich" in confirmed
    (listed,) = bot.handoffs(sender)
    handoff = bot.api(f"/api/handoffs/{listed['id']}")
    assert (handoff["name"], handoff["company"], handoff["email"], handoff["phone"]) == (
        "Anna Berger", "Berger Logistik GmbH", "anna.berger@example.de", "0171 2345678")  # fmt: skip
    assert (handoff["segment"], handoff["language"], handoff["company_size"], handoff["status"]) == (
        "b2b",
        "de",
        40,
        "new",
    )
    assert handoff["assignee"] in ("lena.vogt", "max.huber", "tom.becker") and handoff["consent"]["version"]
    assert handoff["products_shown"] == ["wattwerk-business"] and len(handoff["reviews_shown"]) == 3
    assert any("Bewertungen" in q for q in handoff["questions"])
    assert [t["from"] for t in handoff["transcript"][:2]] == ["visitor", "bot"]
    bot.say(sender, "Dienstag vormittags")
    assert bot.api(f"/api/handoffs/{listed['id']}")["callback_time"] == "Dienstag vormittags"
    bot.say(sender, "Ich hätte gern ein Angebot")
    assert len(bot.handoffs(sender)) == 1, "exactly one handoff per conversation"


def test_an_english_b2b_visitor_is_handed_to_an_english_speaking_salesperson(bot: Bot) -> None:
    sender = new_sender()
    bot.say(sender, "Our firm wants a proposal for 30 users, can a salesperson call me?")
    bot.say(sender, "Claire Dubois, Dubois Consulting SARL, claire@dubois-consulting.fr")
    assert "Thank you, Claire Dubois!" in texts(bot.say(sender, "Yes, that's fine."))
    (handoff,) = bot.handoffs(sender)
    assert (handoff["language"], handoff["assignee"], handoff["company_size"]) == ("en", "sarah.miller", 30)


def test_a_household_and_a_visitor_without_consent_create_no_handoff(bot: Bot) -> None:
    household = new_sender()
    reply = texts(bot.say(household, "Kann mich jemand anrufen? Es geht um unsere Wohnung."))
    assert "https://wattwerk.example/shop" in reply
    assert bot.handoffs(household) == []
    no = new_sender()
    bot.say(no, "Can a salesperson call me about a quote for our company?")
    bot.say(no, "Tom Walsh, Walsh Freight Ltd, tom.walsh@example.co.uk")
    assert "have not stored any of your details" in texts(bot.say(no, "No"))
    assert bot.handoffs(no) == []
    stored = json.dumps(bot.tracker(no)["events"])
    for detail in ("tom.walsh@example.co.uk", "Tom Walsh", "Walsh Freight Ltd"):
        assert detail not in stored, f"{detail} is still in the stored conversation"
    assert "Can a salesperson call me about a quote for our company?" in stored, "the rest of it is kept"


def test_the_handoff_api_needs_the_token_and_takes_status_changes(bot: Bot) -> None:
    for token in (None, "wrong"):
        with pytest.raises(urllib.error.HTTPError) as error:
            bot.api("/api/handoffs", token=token)
        assert error.value.code == 401
    sender = new_sender()
    bot.say(sender, "Can a salesperson call me about a quote for our company?")
    bot.say(sender, "Tom Walsh, Walsh Freight Ltd, +44 20 7946 0958")
    bot.say(sender, "yes")
    (handoff,) = bot.handoffs(sender)
    changed = bot.api(f"/api/handoffs/{handoff['id']}", method="PATCH",
                      body={"status": "claimed", "note": "called, <b>interested</b>"})  # fmt: skip
    assert changed["status"] == "claimed" and changed["notes"][0]["text"] == "called, <b>interested</b>"
    assert [h["id"] for h in bot.api("/api/handoffs?status=claimed")] == [handoff["id"]]
    with pytest.raises(urllib.error.HTTPError) as error:
        bot.api(f"/api/handoffs/{handoff['id']}", method="PATCH", body={"status": "maybe"})
    assert error.value.code == 422


class Browser:
    """A sales person's browser: cookies kept, forms posted with the CSRF token of the page."""

    def __init__(self, bot: Bot) -> None:
        import http.cookiejar

        self.base = f"http://localhost:{bot.settings.web_port}"
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str, str]:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.status, response.url, response.read().decode()

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        data = urllib.parse.urlencode(fields).encode()
        try:
            with self.opener.open(self.base + path, data=data, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    @staticmethod
    def csrf(page: str) -> str:
        return page.split("name='csrf' value='")[1].split("'")[0]

    def login(self, username: str, password: str) -> tuple[int, str]:
        _, _, page = self.get("/login")
        return self.post("/login", {"csrf": self.csrf(page), "username": username, "password": password})


@pytest.fixture(scope="module")
def sales_users(bot: Bot) -> None:
    from bot.sales.accounts import add_user

    factory = make_session_factory(make_engine(bot.settings.database_url))
    now = __import__("datetime").datetime.now(__import__("datetime").timezone.utc)
    add_user(factory, "lena", "lena-secret-password", "lena.vogt", now)
    add_user(factory, "max", "max-secret-password", "max.huber", now)


def test_the_inbox_needs_a_sign_in_and_rejects_a_wrong_password(bot: Bot, sales_users: None) -> None:
    browser = Browser(bot)
    status, url, page = browser.get("/inbox")
    assert url.endswith("/login") and "Passwort" in page
    code, page = browser.login("lena", "not-her-password")
    assert code == 401 and "Benutzer oder Passwort stimmt nicht." in page
    assert browser.get("/inbox")[1].endswith("/login")


def test_a_salesperson_claims_a_handoff_and_visitor_text_is_escaped(bot: Bot, sales_users: None) -> None:
    sender = new_sender()
    bot.say(sender, "Können Sie mich bitte zurückrufen? <script>alert('x')</script> Ich hätte gern ein Angebot.")
    bot.say(sender, "Anna Berger, Berger Logistik GmbH, anna.berger@example.de")
    bot.say(sender, "Ja, ich bin einverstanden.")
    (handoff,) = bot.handoffs(sender)
    browser = Browser(bot)
    assert browser.login("lena", "lena-secret-password")[0] == 200
    _, _, inbox = browser.get("/inbox")
    assert f"href='/handoffs/{handoff['id']}'" in inbox
    _, _, detail = browser.get(f"/handoffs/{handoff['id']}")
    assert "<script>alert" not in detail and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in detail
    assert "Benachrichtigungen" in detail
    code, page = browser.post(f"/handoffs/{handoff['id']}/claim", {"csrf": browser.csrf(detail)})
    assert code == 200 and "claimed" in page
    assert bot.api(f"/api/handoffs/{handoff['id']}")["assignee"] == "lena.vogt"
    code, _ = browser.post(
        f"/handoffs/{handoff['id']}/notes", {"csrf": browser.csrf(detail), "note": "<b>ruft zurück</b>"}
    )
    assert code == 200 and bot.api(f"/api/handoffs/{handoff['id']}")["notes"][-1]["text"] == "<b>ruft zurück</b>"
    _, _, filtered = browser.get("/inbox?status=claimed&assignee=lena.vogt")
    assert f"href='/handoffs/{handoff['id']}'" in filtered and "&lt;b&gt;" not in filtered


def test_a_form_without_the_sessions_csrf_token_is_refused(bot: Bot, sales_users: None) -> None:
    lena, max_ = Browser(bot), Browser(bot)
    lena.login("lena", "lena-secret-password")
    max_.login("max", "max-secret-password")
    (first, *_) = bot.api("/api/handoffs")
    _, _, max_page = max_.get(f"/handoffs/{first['id']}")
    assert lena.post(f"/handoffs/{first['id']}/status", {"status": "lost"})[0] == 403
    assert lena.post(f"/handoffs/{first['id']}/status", {"status": "lost", "csrf": max_.csrf(max_page)})[0] == 403
    assert bot.api(f"/api/handoffs/{first['id']}")["status"] != "lost"


def test_page_context_from_the_website_sets_phase_touchpoint_and_language(bot: Bot) -> None:
    sender = new_sender()
    page = {"path": "/en/pricing", "utm": {"source": "linkedin"}, "language": "en-GB"}
    replies = bot.say(sender, "hi", metadata={"page": page})
    assert detect_language(texts(replies), None) == "en"
    slots = bot.slots(sender)
    assert (slots["journey_phase"], slots["touchpoint"], slots["language"]) == ("decision", "social", "en")


def test_a_missing_name_is_asked_after_consent_and_added_to_the_handoff(bot: Bot) -> None:
    sender = new_sender()
    bot.say(sender, "We need a quote for Wattwerk Business for 120 employees.")
    bot.say(sender, "Contact: p.novak@novak-engineering.cz")
    assert "Who should our sales team ask for?" in texts(bot.say(sender, "yes I agree to be contacted"))
    (stored,) = bot.handoffs(sender)
    assert (stored["name"], stored["email"]) == (None, "p.novak@novak-engineering.cz")  # stored at consent
    assert "which company" in texts(bot.say(sender, "Petr Novak"))
    assert "best time to call" in texts(bot.say(sender, "skip"))
    bot.say(sender, "Tuesday morning")
    handoff = bot.api(f"/api/handoffs/{stored['id']}")
    assert (handoff["name"], handoff["company"], handoff["callback_time"]) == ("Petr Novak", None, "Tuesday morning")
