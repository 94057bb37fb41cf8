"""`python -m bot.sales.cli`: the sales basics on a server without a browser.

add-user NAME [--salesperson ID] [--role R …]   create an account (password asked twice, or --password-stdin);
                                   --language de|en: the inbox's language (else the salesperson's first);
                                   roles: sales (the inbox, the default), editor (the editor area),
                                   marketing (the journey dashboard), admin (all)
set-roles NAME ROLE [ROLE …]       change an account's roles
add-token NAME                     a personal API token for the account (shown once; the privacy API needs admin)
revoke-tokens NAME                 remove every API token of the account
list [--status S] [--assignee ID]  handoffs, newest first
show ID                            the brief and transcript
claim ID --salesperson ID          take a handoff
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence

from bot.sales.accounts import (
    LANGUAGES,
    ROLES,
    AccountError,
    add_api_token,
    add_user,
    revoke_api_tokens,
    set_roles,
)
from bot.sales.brief import brief_text
from bot.sales.routing import Team
from bot.sales.store import HandoffFilter, HandoffUpdateError, get_handoff, list_handoffs, update_handoff
from bot.services import get_services


def _first_language(team: Team, salesperson: str | None) -> str:
    person = team.people.get(salesperson or "")
    return person.languages[0] if person and person.languages and person.languages[0] in LANGUAGES else "de"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.sales.cli", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add-user")
    add.add_argument("username")
    add.add_argument("--salesperson", help="id in data/sales/team.yml (lets the user claim handoffs)")
    add.add_argument("--password-stdin", action="store_true")
    add.add_argument("--role", action="append", choices=ROLES,
                     help="sales (default), editor, marketing or admin; repeatable")  # fmt: skip
    add.add_argument("--language", choices=LANGUAGES, help="the inbox's language (default: the salesperson's first "
                     "language in data/sales/team.yml, else de); each user can switch it in the inbox")  # fmt: skip
    roles = sub.add_parser("set-roles")
    roles.add_argument("username")
    roles.add_argument("roles", nargs="+", choices=ROLES)
    token = sub.add_parser("add-token")
    token.add_argument("username")
    revoke = sub.add_parser("revoke-tokens")
    revoke.add_argument("username")
    lst = sub.add_parser("list")
    lst.add_argument("--status")
    lst.add_argument("--assignee")
    show = sub.add_parser("show")
    show.add_argument("id", type=int)
    claim = sub.add_parser("claim")
    claim.add_argument("id", type=int)
    claim.add_argument("--salesperson", required=True)
    args = parser.parse_args(argv)
    services = get_services()
    team = services.team.get()
    if args.command == "add-user":
        if args.salesperson and args.salesperson not in team.people:
            print(f"Unknown salesperson {args.salesperson!r}; known: {', '.join(team.people)}", file=sys.stderr)
            return 1
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Again: "):
                print("The passwords differ.", file=sys.stderr)
                return 1
        try:
            add_user(
                services.session_factory,
                args.username,
                password,
                args.salesperson,
                services.now(),
                roles=args.role or ("sales",),
                language=args.language or _first_language(team, args.salesperson),
            )
        except AccountError as exc:
            print(exc, file=sys.stderr)
            return 1
        print(f"User {args.username} created ({' '.join(args.role or ('sales',))}).")
        return 0
    if args.command == "set-roles":
        try:
            set_roles(services.session_factory, args.username, args.roles)
        except AccountError as exc:
            print(exc, file=sys.stderr)
            return 1
        print(f"User {args.username}: {' '.join(args.roles)}.")
        return 0
    if args.command == "add-token":
        try:
            print(add_api_token(services.session_factory, args.username, services.now()))
        except AccountError as exc:
            print(exc, file=sys.stderr)
            return 1
        print("Shown once; only its hash is stored. Send it as 'Authorization: Bearer <token>'.", file=sys.stderr)
        return 0
    if args.command == "revoke-tokens":
        print(f"{revoke_api_tokens(services.session_factory, args.username)} token(s) of {args.username} removed.")
        return 0
    if args.command == "list":
        for h in list_handoffs(services.session_factory, HandoffFilter(status=args.status, assignee=args.assignee)):
            print(f"#{h['id']:<5} {h['created_at'][:16]}  {h['status']:<9} {h['assignee'] or '-':<13} "
                  f"{h['name']}, {h['company'] or '-'}")  # fmt: skip
        return 0
    if args.command == "show":
        handoff = get_handoff(services.session_factory, args.id)
        if handoff is None:
            print(f"No handoff #{args.id}.", file=sys.stderr)
            return 1
        print(brief_text(handoff, services.settings.web_base_url))
        return 0
    try:
        updated = update_handoff(services.session_factory, args.id, status="claimed", assignee=args.salesperson,
                                 author="cli", known_assignees=set(team.people), now=services.now())  # fmt: skip
    except HandoffUpdateError as exc:
        print(exc, file=sys.stderr)
        return 1
    if updated is None:
        print(f"No handoff #{args.id}.", file=sys.stderr)
        return 1
    print(f"#{args.id} claimed by {args.salesperson}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
