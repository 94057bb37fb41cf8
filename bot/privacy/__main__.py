"""`python -m bot.privacy`: answer a data subject's request (DSGVO Art. 15 and 17) and run the retention sweep.

export  --conversation ID | --email ADDRESS | --phone NUMBER   everything stored about them, as one JSON document
delete  --conversation ID | --email ADDRESS | --phone NUMBER   delete it everywhere (asks first, unless --yes)
retention [--as-of DATE]                                        delete what has expired (the worker does it daily)
audit   [--limit N]                                             the latest exports, deletions and sweeps

Every export, deletion and sweep writes an audit record without personal data (docs/privacy.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
from collections.abc import Sequence

from bot.privacy import audit
from bot.privacy.erase import erase
from bot.privacy.export import export
from bot.privacy.records import Selector, SelectorError, find
from bot.privacy.retention import RetentionPolicy, sweep
from bot.services import get_services


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def _add_selector(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--conversation", metavar="ID", help="the conversation (sender) id")
    group.add_argument("--email", metavar="ADDRESS", help="every conversation with this e-mail address")
    group.add_argument("--phone", metavar="NUMBER", help="every conversation with this phone number")


def _selector(args: argparse.Namespace) -> Selector:
    kind = next(kind for kind in ("conversation", "email", "phone") if getattr(args, kind) is not None)
    return Selector.of(kind, getattr(args, kind))


def _moment(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.privacy", description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[2:]))  # fmt: skip
    sub = parser.add_subparsers(dest="command", required=True)
    _add_selector(sub.add_parser("export", help="print everything stored about a person as JSON"))
    delete = sub.add_parser("delete", help="delete everything stored about a person")
    _add_selector(delete)
    delete.add_argument("--yes", action="store_true", help="do not ask before deleting")
    retention = sub.add_parser("retention", help="delete what has expired (RETENTION_* settings)")
    retention.add_argument("--as-of", type=_moment, metavar="DATE",
                           help="as if it were this date (ISO 8601); default now")  # fmt: skip
    retention.add_argument("--yes", action="store_true", help="allow an --as-of date in the future")
    listing = sub.add_parser("audit", help="the latest audit records")
    listing.add_argument("--limit", type=int, default=20)
    args = parser.parse_args(argv)
    services = get_services()
    factory = services.session_factory
    try:
        if args.command == "export":
            json.dump(export(factory, _selector(args), _actor(), services.now()), sys.stdout, ensure_ascii=False,
                      indent=2)  # fmt: skip
            print()
            return 0
        if args.command == "delete":
            selector = _selector(args)
            if not args.yes:
                with factory() as session:
                    found = find(session, selector)
                if found.mentioned:
                    print(f"Only mentioned in (not deleted; check, then delete by --conversation): "
                          f"{', '.join(found.mentioned)}", file=sys.stderr)  # fmt: skip
                if not sys.stdin.isatty():
                    print(f"{len(found.own)} conversation(s) found; add --yes to delete without asking.",
                          file=sys.stderr)  # fmt: skip
                    return 2
                answer = input(f"Delete {len(found.own)} conversation(s) everywhere? [y/N] ")
                if answer.strip().lower() not in ("y", "yes", "j", "ja"):
                    print("Nothing deleted.")
                    return 1
            done = erase(factory, selector, _actor(), services.now())
            print(json.dumps(done.as_dict(), ensure_ascii=False))
            return 0
    except SelectorError as error:
        print(f"bot.privacy: {error}", file=sys.stderr)
        return 2
    if args.command == "retention":
        if args.as_of and args.as_of > services.now() and not args.yes:
            print("--as-of lies in the future: that deletes what has not expired yet; add --yes to do it anyway.",
                  file=sys.stderr)  # fmt: skip
            return 2
        record = sweep(factory, args.as_of or services.now(), RetentionPolicy.from_settings(services.settings))
        print(json.dumps(record.as_dict(), ensure_ascii=False))
        return 0
    for record in audit.recent(factory, args.limit):
        print(json.dumps(record.as_dict(), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
