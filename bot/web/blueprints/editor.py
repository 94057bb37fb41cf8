"""The editor area (`/editor`): content editors change the bot's answers in the browser, see them in both languages
as the chat shows them, and save; the running bot says the new text from the next message on (the NLG endpoint reads
the file, bot/rasa_plugins/nlg.py). Under "Nicht verstanden" (`/editor/not-understood`) they see what visitors typed
that the bot did not understand, grouped, with a link to each conversation, and assign a group to a question or mark
it out of scope: the texts become training examples (data/nlu/<language>/from_editors.yml, reviewable in git).
"Trainieren und ausliefern" (`/editor/training`) trains a new model in the background, checks it against the NLU
test set and the conversation tests, and swaps it into the running Rasa server(s) only if it is not worse
(bot/content/deploy.py); the page shows the progress and the gate's result.

Accounts are the inbox's (bot/sales/accounts.py) with the role `editor` (or `admin`); sign-in, sessions and the CSRF
token on every form are shared with the inbox (bot/web/signin.py), the services come from the app context. Every
value is escaped by the templates (bot/web/templates/editor/). A save is checked like `make content` checks the
file, refused when the file changed meanwhile, and changes only the edited lines (bot/content/editing.py). What an
editor typed is never lost: a refused save shows the form again with the text and the reasons.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import cache
from typing import Any

from jinja2 import Environment
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, html, redirect

from bot.catalogue.schema import ContentError
from bot.config import PROJECT_ROOT
from bot.content.deploy import STEP_NAMES, Busy, latest_job, start_job
from bot.content.editing import (
    AnswerSource,
    StaleEdit,
    TextField,
    all_answers,
    find_answer,
    save_texts,
    text_fields,
    version_of,
)
from bot.content.not_understood import (
    add_examples,
    group_similar,
    intent_choices,
    missed_messages,
    training_examples,
    transcript,
)
from bot.sales.accounts import SignedIn
from bot.services import Services
from bot.web.jinja import environment
from bot.web.signin import csrf_ok, current_user, forged, message_page, services_of

logger = logging.getLogger(__name__)

#: the longest text a field takes (a chat answer, not an article)
MAX_LENGTH = 2000
#: the not-understood page: how many days back by default, how many groups, how many texts one decision takes
DAYS = 30
MAX_GROUPS = 50
MAX_TEXTS = 200


@cache
def _environment() -> Environment:
    return environment()


def page(template: str, user: SignedIn, status: int = 200, **context: Any) -> HTTPResponse:
    body = _environment().get_template(f"editor/{template}").render(user=user, **context)
    return html(body, status=status, headers={"Cache-Control": "no-store"})


def editor(request: Request, posted: bool = False) -> tuple[SignedIn | None, HTTPResponse | None]:
    """The signed-in editor, or the answer for anyone else; a form (`posted`) must carry the CSRF token."""
    user = current_user(request)
    if user is None:
        return None, redirect("/login")
    if not user.may("editor"):
        return None, message_page("Kein Zugriff", "Dieses Konto ist nicht für die Redaktion freigegeben (Rolle "
                                  "editor).", user, 403)  # fmt: skip
    if posted and not csrf_ok(request, user):
        return None, forged(user)
    return user, None


def editor_blueprint() -> Blueprint:
    bp = Blueprint("editor")

    @bp.get("/editor")
    async def answers(request: Request) -> HTTPResponse:
        user, refused = editor(request)
        if user is None:
            return refused  # type: ignore[return-value]
        services = services_of(request)
        settings = services.settings
        return page("list.html", user, title="Texte", groups=all_answers(settings))

    @bp.get("/editor/answers/<name:str>")
    async def answer(request: Request, name: str) -> HTTPResponse:
        user, refused = editor(request)
        if user is None:
            return refused  # type: ignore[return-value]
        services = services_of(request)
        settings = services.settings
        source = find_answer(name, settings)
        if source is None:
            return message_page("Nicht gefunden", f"Eine Antwort {name} gibt es nicht.", user, 404)
        return form(services, user, source, text_fields(source), version_of(source.path),
                    saved=bool(request.args.get("saved")))  # fmt: skip

    @bp.post("/editor/answers/<name:str>")
    async def change(request: Request, name: str) -> HTTPResponse:
        user, refused = editor(request, posted=True)
        if user is None:
            return refused  # type: ignore[return-value]
        services = services_of(request)
        settings = services.settings
        source = find_answer(name, settings)
        if source is None:
            return message_page("Nicht gefunden", f"Eine Antwort {name} gibt es nicht.", user, 404)
        current = text_fields(source)
        typed = [TextField(f.key, f.label, _typed(request, "de", f), _typed(request, "en", f)) for f in current]
        version = request.form.get("version") or ""
        too_long = [f"{f.label}: höchstens {MAX_LENGTH} Zeichen" for f in typed
                    if max(len(f.de), len(f.en)) > MAX_LENGTH]  # fmt: skip
        if request.form.get("action") != "save" or too_long:
            return form(services, user, source, typed, version, preview=not too_long, problems=too_long,
                        status=422 if too_long else 200)  # fmt: skip
        changes = {f.key: {"de": f.de, "en": f.en} for f, old in zip(typed, current, strict=True) if f != old}
        try:
            if changes:
                save_texts(source, changes, version)
        except StaleEdit:
            return form(services, user, source, typed, version_of(source.path), status=409, problems=[
                "Die Datei wurde inzwischen geändert (von jemand anderem oder per git). Ihre Texte stehen unten; "
                "prüfen Sie sie und speichern Sie noch einmal."])  # fmt: skip
        except ContentError as error:
            return form(services, user, source, typed, version, status=422,
                        problems=[str(problem) for problem in error.problems])  # fmt: skip
        logger.info("Answer %s changed by %s in %s (%s)", name, user.username, source.path.name,
                    ", ".join(key or "text" for key in changes) or "nothing")  # fmt: skip
        return redirect(f"/editor/answers/{name}?saved=1")

    @bp.get("/editor/not-understood")
    async def not_understood(request: Request) -> HTTPResponse:
        user, refused = editor(request)
        if user is None:
            return refused  # type: ignore[return-value]
        services = services_of(request)
        settings = services.settings
        days = _days(request.args.get("days"))
        since = services.now() - dt.timedelta(days=days)
        known = training_examples(settings.nlu_dir)
        groups = group_similar(missed_messages(_engine(services), since, known))[:MAX_GROUPS]
        choices = intent_choices(PROJECT_ROOT / "domain", settings.questions_file)
        done = request.args.get("assigned")
        return page("not_understood.html", user, title="Nicht verstanden", groups=groups, days=days, choices=choices,
                    done=done, added=request.args.get("added") or "0")  # fmt: skip

    @bp.post("/editor/not-understood")
    async def assign(request: Request) -> HTTPResponse:
        user, refused = editor(request, posted=True)
        if user is None:
            return refused  # type: ignore[return-value]
        services = services_of(request)
        settings = services.settings
        choices = intent_choices(PROJECT_ROOT / "domain", settings.questions_file)
        intent = "out_of_scope" if request.form.get("action") == "out_of_scope" else request.form.get("intent") or ""
        texts = [t for t in request.form.getlist("text") or [] if t.strip()][:MAX_TEXTS]
        if intent not in choices or not texts:
            return message_page("Nicht gespeichert", "Bitte eine Frage aus der Liste wählen.", user, 422)
        written = add_examples(settings.nlu_dir, intent, texts)
        logger.info("%s assigned %d message_page(s) to %s (%s)", user.username, len(texts), intent,
                    ", ".join(str(path) for path in written.values()))  # fmt: skip
        return redirect(f"/editor/not-understood?assigned={intent}&added={len(texts)}")

    @bp.get("/editor/conversations/<sender_id:str>")
    async def conversation(request: Request, sender_id: str) -> HTTPResponse:
        user, refused = editor(request)
        if user is None:
            return refused  # type: ignore[return-value]
        services = services_of(request)
        lines = transcript(_engine(services), sender_id)
        if not lines:
            return message_page("Nicht gefunden", "Dieses Gespräch gibt es nicht (mehr).", user, 404)
        return page("conversation.html", user, title="Gespräch", lines=lines)

    @bp.get("/editor/training")
    async def training(request: Request) -> HTTPResponse:
        user, refused = editor(request)
        if user is None:
            return refused  # type: ignore[return-value]
        services = services_of(request)
        settings = services.settings
        latest = latest_job(settings)
        job = latest[1] if latest else None
        return page("training.html", user, title="Trainieren und ausliefern", job=job, names=STEP_NAMES,
                    running=bool(job and job.state == "running"), busy=bool(request.args.get("busy")))  # fmt: skip

    @bp.post("/editor/training")
    async def train(request: Request) -> HTTPResponse:
        user, refused = editor(request, posted=True)
        if user is None:
            return refused  # type: ignore[return-value]
        services = services_of(request)
        settings = services.settings
        try:
            _, job = start_job(settings, user.username)
        except Busy:
            return redirect("/editor/training?busy=1")
        logger.info("Train and deploy %s started by %s", job.id, user.username)
        return redirect("/editor/training")

    return bp


def form(services: Services, user: SignedIn, source: AnswerSource, fields: list[TextField], version: str, *,
         saved: bool = False, preview: bool = False, problems: list[str] | None = None, status: int = 200
         ) -> HTTPResponse:  # fmt: skip
    buttons: list[str] = []
    if preview and source.path == services.settings.responses_file:
        shown = services.responses.get().answer(source.name, {"language": "de"})
        buttons = [str(b["title"]) for b in (shown or {}).get("buttons") or []]
    return page("answer.html", user, status, title=f"{source.kind} {source.name}", name=source.name, fields=fields,
                version=version, file=source.path.name, saved=saved, preview=preview, problems=problems or [],
                buttons=buttons, max_length=MAX_LENGTH, alternatives=source.alternatives,
                placeholders=source.placeholders)  # fmt: skip


def _days(raw: str | None) -> int:
    try:
        return min(max(int(raw or DAYS), 1), 365)
    except ValueError:
        return DAYS


def _engine(services: Services) -> Any:
    return services.session_factory.kw["bind"]


def _typed(request: Request, language: str, field: TextField) -> str:
    value = request.form.get(f"{language}:{field.key}")
    return (value if value is not None else getattr(field, language)).replace("\r\n", "\n")
