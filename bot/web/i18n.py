"""The sales inbox in German and English: its templates write `{{ _("Anfragen") }}`, and an account whose language is
English (the header's switch, `python -m bot.sales.cli add-user --language en`) reads the English text from `EN`.

German is the source text, as in gettext; a text missing here stays German, and tests/sales/test_inbox_browser.py
checks that every text the templates mark has its English entry.
"""

from __future__ import annotations

from collections.abc import Callable

EN = {
    # layout, sign-in
    "Wattwerk · Sales-Postfach": "Wattwerk · Sales inbox",
    "Sales-Postfach": "Sales inbox",
    "Zum Inhalt springen": "Skip to content",
    "Konto": "Account",
    "Redaktion": "Editor area",
    "Angemeldet als": "Signed in as",
    "Abmelden": "Sign out",
    "Anmelden": "Sign in",
    "Benutzer": "User name",
    "Passwort": "Password",
    "Sprache": "Language",
    "English": "English",
    "Deutsch": "Deutsch",
    "Zurück zu den Anfragen": "Back to the requests",
    "Das Formular ist abgelaufen, bitte noch einmal.": "The form has expired, please try again.",
    "Benutzer oder Passwort stimmt nicht.": "User name or password is wrong.",
    # the list
    "Anfragen": "Requests",
    "Anfragen filtern": "Filter requests",
    "Status": "Status",
    "alle": "all",
    "Zuständig": "Assigned to",
    "Suche (Name, Firma, E-Mail)": "Search (name, company, e-mail)",
    "Eingang ab": "Received from",
    "Eingang bis": "Received until",
    "Filtern": "Filter",
    "Anfragen, seitlich scrollbar": "Requests, scrolls sideways",
    "Nr.": "No.",
    "Eingang (UTC)": "Received (UTC)",
    "Name": "Name",
    "Firma": "Company",
    "Art": "Kind",
    "Priorität": "Priority",
    "Keine Anfragen.": "No requests.",
    "Seiten": "Pages",
    "Vorherige Seite": "Previous page",
    "Nächste Seite": "Next page",
    "Seite": "Page",
    "von": "of",
    "Treffer": "results",
    "Neue Anfragen sind eingegangen.": "New requests have arrived.",
    "Liste aktualisieren": "Refresh the list",
    "auch": "also",
    "Anfrage": "Request",
    "Support-Rückruf": "Support call-back",
    "Erweiterung (Bestandskunde)": "Upgrade (customer)",
    # a request
    "Übernehmen": "Claim",
    "Status ändern": "Change the status",
    "Neuer Status": "New status",
    "Status setzen": "Set status",
    "Kontakt": "Contact",
    "E-Mail": "E-mail",
    "Telefon": "Phone",
    "Rückruf gewünscht": "Call-back wanted",
    "keine Angabe": "not given",
    "Was der Bot erfahren hat": "What the bot learned",
    "Phase": "Phase",
    "Persona": "Persona",
    "Segment": "Segment",
    "Teamgröße": "Team size",
    "Gefunden über": "Found us through",
    "Angesehene Seiten": "Pages viewed",
    "Produkte angesehen": "Products viewed",
    "Warum der Bot das annimmt": "Why the bot thinks so",
    "ROI-Rechnung": "ROI calculation",
    "Einsparung pro Jahr": "savings per year",
    "Amortisation in Monaten": "payback in months",
    "TCO über 3 Jahre": "TCO over 3 years",
    "Fragen des Besuchers": "The visitor's questions",
    "Frühere Anfragen mit derselben E-Mail": "Earlier requests with the same e-mail",
    "Brief als Text": "Brief as text",
    "Benachrichtigungen": "Notifications",
    "Versuch(e)": "attempt(s)",
    "keine Kanäle eingerichtet": "no channels set up",
    "Verlauf": "History",
    "Verlauf, seitlich scrollbar": "History, scrolls sideways",
    "Wann (UTC)": "When (UTC)",
    "Wer": "Who",
    "Was": "What",
    "Noch keine Änderungen.": "No changes yet.",
    "Notizen": "Notes",
    "Noch keine Notizen.": "No notes yet.",
    "Neue Notiz für Kolleginnen und Kollegen": "New note for colleagues",
    "Notiz speichern": "Save note",
    "Gesprächsverlauf": "Conversation",
    "Besucher": "Visitor",
    "Bot": "Bot",
    "übernommen": "claimed",
    "Notiz": "Note",
    "live": "live",
    "meeting": "meeting",
    "Termin": "Meeting",
    # live chat
    "Live-Chat": "Live chat",
    "Alle Live-Chats": "All live chats",
    "Besucherinnen und Besucher, die jetzt mit jemandem schreiben möchten. Solange diese Seite offen ist, bietet der "
    "Chat Ihnen passende Besucher an (in Ihren Geschäftszeiten); neue erscheinen hier ohne Neuladen.":
        "Visitors who want to chat with someone now. While this page is open, the chat offers you to visitors you "
        "fit (in your business hours); new ones appear here without a reload.",
    "Gerade wartet niemand.": "Nobody is waiting right now.",
    "seit": "since",
    "Gespräch": "Conversation",
    "Anfrage mit Brief": "request with brief",
    "Ihre Nachricht": "Your message",
    "Senden": "Send",
    "Chat beenden – der Assistent übernimmt wieder": "End the chat – the assistant takes over again",
    "wartet": "waiting",
    "im Gespräch": "in conversation",
    "wird beendet": "ending",
    "beendet": "ended",
    "niemand rechtzeitig frei": "nobody in time",
    "Besucher/in": "Visitor",
    "Assistent": "Assistant",
    "Vertrieb": "Sales",
    # messages
    "Nicht gefunden": "Not found",
    "Diese Anfrage gibt es nicht.": "This request does not exist.",
    "Diesen Live-Chat gibt es nicht.": "This live chat does not exist.",
    "Kein Zugriff": "No access",
    "Dieses Konto ist nicht für das Sales-Postfach freigegeben (Rolle sales).":
        "This account may not use the sales inbox (role sales).",
    "Abgelehnt": "Refused",
    "Ungültiges Formular (CSRF).": "Invalid form (CSRF).",
    "Fehler": "Error",
    "Nur Konten, die mit einer Vertriebsperson verknüpft sind, können Anfragen übernehmen.":
        "Only accounts linked to a salesperson can claim requests.",
    "Nur Konten, die mit einer Vertriebsperson verknüpft sind, können Live-Chats übernehmen.":
        "Only accounts linked to a salesperson can claim live chats.",
    "Nicht mehr frei": "Taken already",
    "Diesen Live-Chat hat schon jemand übernommen, oder die Wartezeit ist abgelaufen.":
        "Someone has claimed this live chat already, or the waiting time is over.",
}  # fmt: skip


def translator(language: str | None) -> Callable[[str], str]:
    """`_` for the templates: the English text for an English account, the German source for everyone else."""
    if language != "en":
        return _same
    return lambda text: EN.get(text, text)


def _same(text: str) -> str:
    return text
