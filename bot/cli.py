"""Command line: `crampbot [telegram | console | ask | explain | eval | knowledge check | diagrams | backup |
restore]`, and `crampbot telegram-serve`, the bot without its supervisor."""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from bot import __version__
from bot.content.strict_yaml import ContentError
from bot.core.replies import render_text
from bot.settings import Settings, load_settings

if TYPE_CHECKING:
    from bot.core.brain import Brain
    from bot.matching.matcher import MatcherSettings

EXIT_USAGE = 2
EXIT_CONTENT = 3
EXIT_DATABASE = 4  # as when the bot starts: the database is refused, or another bot holds the data folder


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors and exit code 2."""

    def error(self, message: str) -> NoReturn:
        """Print one line and exit with code 2."""
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command."""
    parser = _Parser(prog="crampbot", description="CrampBot: help with foot and leg cramps. With no command, "
                     "runs the Telegram bot when TELEGRAM_BOT_TOKEN is set (in the environment or .env), "
                     "otherwise the console chat.",
                     epilog="`crampbot telegram-serve` runs the Telegram bot in one process without its supervisor, "
                     "for systemd or Docker, which restart it themselves (see docs/running.md).")
    parser.add_argument("--version", action="version", version=f"crampbot {__version__}")
    parser.set_defaults(func=cmd_run)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    telegram = sub.add_parser("telegram", help="run the Telegram bot (long polling, or a webhook)",
                              description="Run the Telegram bot. Needs TELEGRAM_BOT_TOKEN. Long polling by "
                              "default; --webhook URL (or TELEGRAM_WEBHOOK_URL) runs a webhook server that "
                              "only accepts updates carrying TELEGRAM_WEBHOOK_SECRET.")
    telegram.add_argument("--webhook", metavar="URL", help="public URL Telegram should post updates to")
    telegram.set_defaults(func=cmd_telegram)

    console = sub.add_parser("console", help="chat in the terminal", description="Chat in the terminal. "
                             "Pick choices by number or by typing. Reads until end of input.")
    console.set_defaults(func=cmd_console)

    ask = sub.add_parser("ask", help="answer one message (or each line of stdin) statelessly",
                         description="Answer TEXT, or each line of standard input independently.")
    ask.add_argument("text", nargs="?", help="the message; omit to read lines from stdin")
    ask.add_argument("--json", action="store_true", help="one JSON object per line: reply, kind, intent, "
                     "score, sources, actions (the buttons) and reading (how the message was read)")
    ask.set_defaults(func=cmd_ask)

    explain = sub.add_parser("explain", help="show how a message is read: questions, topics, who, where, when",
                             description="Print the reading of TEXT: its questions and the topics they ask, "
                             "whom it is about, which muscle, when and for how long, and the reply.")
    explain.add_argument("text", help="the message")
    explain.set_defaults(func=cmd_explain)

    evaluate = sub.add_parser("eval", help="accuracy on the labelled set",
                              description="Accuracy per kind and per intent, and the confusions.")
    evaluate.add_argument("--file", type=Path, help="labelled set (default: tests/data/labelled.yaml)")
    evaluate.add_argument("--verbose", "-v", action="store_true", help="list every mistake")
    evaluate.add_argument("--sweep", action="store_true", help="compare scorers and thresholds")
    evaluate.set_defaults(func=cmd_eval)

    knowledge = sub.add_parser("knowledge", help="knowledge base tools", description="Knowledge base tools.")
    ksub = knowledge.add_subparsers(dest="action", parser_class=_Parser, metavar="ACTION", required=True)
    check = ksub.add_parser("check", help="check every content file; non-zero exit on any error",
                            description="Load and check all knowledge and dialog files.")
    check.set_defaults(func=cmd_knowledge_check)

    diagrams = sub.add_parser("diagrams", help="print or write the Mermaid diagrams of the dialogs",
                              description="Print the Mermaid diagram of each dialog flow.")
    diagrams.add_argument("--write", action="store_true", help="write dialogs/<flow>.mmd")
    diagrams.set_defaults(func=cmd_diagrams)

    backup = sub.add_parser("backup", help="copy the database to PATH, also while the bot runs",
                            description="Copy the SQLite database (CRAMPBOT_DATA_DIR/crampbot.sqlite3), as it is "
                            "at this moment, to the new file PATH, with SQLite's online backup API: the bot may go "
                            "on running. Never overwrites a file. With CRAMPBOT_DATABASE_URL set (PostgreSQL), "
                            "prints the pg_dump command to use instead.")
    backup.add_argument("path", type=Path, metavar="PATH", help="the backup file to write (must not exist)")
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser("restore", help="put a backup in place of the database (stop the bot first)",
                             description="Check that PATH is a sound CrampBot database of a schema this version "
                             "knows, keep the current database beside it (renamed crampbot.sqlite3.before-restore-"
                             "<UTC time>), and put a copy of PATH in its place; the bot upgrades it when it next "
                             "starts. Refused while a bot runs on the data folder. With CRAMPBOT_DATABASE_URL set "
                             "(PostgreSQL), prints the pg_restore command to use instead.")
    restore.add_argument("path", type=Path, metavar="PATH", help="a backup made by `crampbot backup`")
    restore.set_defaults(func=cmd_restore)
    return parser


def build_serve_parser() -> argparse.ArgumentParser:
    """`crampbot telegram-serve`: the one-process bot, started and watched by `crampbot telegram`."""
    serve = _Parser(prog="crampbot telegram-serve", description="The Telegram bot in one process, without the "
                    "supervisor of `crampbot telegram`: for systemd or Docker, which restart it themselves by its "
                    "exit code (2 and 3: fix the settings or content first; 4 and 5: may be tried again).")
    serve.add_argument("--parent", type=int, help="the supervisor's process id (set by `crampbot telegram`): the "
                       "bot stops when it does, and leaves Ctrl-C to it")
    serve.add_argument("--webhook", metavar="URL")
    serve.set_defaults(func=cmd_telegram_serve)
    return serve


def _tolerant_stdin() -> None:
    """Read stdin as UTF-8, replacing undecodable bytes instead of crashing mid-conversation."""
    if hasattr(sys.stdin, "buffer"):
        sys.stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `crampbot` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["telegram-serve"]:
        args = build_serve_parser().parse_args(argv[1:])
    else:
        args = build_parser().parse_args(argv)
        _tolerant_stdin()
    try:
        settings = load_settings()
    except ValueError as exc:
        print(f"crampbot: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.func(args, settings) or 0)
    except ContentError as exc:
        print(f"crampbot: content error, cannot start:\n{exc}", file=sys.stderr)
        return EXIT_CONTENT
    except BrokenPipeError:
        return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """No command: Telegram when a token is set, otherwise the console chat."""
    if settings.telegram_token:
        return cmd_telegram(argparse.Namespace(webhook=None), settings)
    return cmd_console(args, settings)


def cmd_telegram(args: argparse.Namespace, settings: Settings) -> int:
    """Run the Telegram bot until stopped, in one process kept running by a supervisor."""
    from bot.process.supervisor import serve_command, supervise

    return supervise(serve_command(os.getpid(), args.webhook), settings.log_format)


def cmd_telegram_serve(args: argparse.Namespace, settings: Settings) -> int:
    """The one-process Telegram bot: under its supervisor (--parent), or run directly by systemd or Docker."""
    import signal

    from bot.process.supervisor import die_with_parent
    from bot.wiring import run_telegram

    if args.parent is not None:
        die_with_parent(args.parent)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the supervisor too, which sends SIGTERM
    return run_telegram(settings, args.webhook)


def cmd_console(args: argparse.Namespace, settings: Settings) -> int:
    """Chat in the terminal."""
    from bot.console import run_console
    from bot.wiring import build_brain, configure_logging

    configure_logging(settings)
    return run_console(build_brain(settings, can_remind=False), sys.stdin, sys.stdout)


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    """Answer one message, or each stdin line, with a fresh session each time."""
    from bot.wiring import build_brain

    brain = build_brain(settings)
    out = sys.stdout
    if args.text is not None:
        _print_answer(brain, args.text, args.json, out, one_line=False)
        return 0
    for line in sys.stdin:
        _print_answer(brain, line.rstrip("\n"), args.json, out, one_line=True)
    out.flush()
    return 0


def cmd_explain(args: argparse.Namespace, settings: Settings) -> int:
    """Print how one message is read, then the reply."""
    from bot.wiring import build_brain

    brain = build_brain(settings)
    reading = brain.content.reader.read(args.text).to_dict()
    for key, value in reading.items():
        if key == "asks":
            value = "; ".join(f"{a['topic']} ({a['sentence']!r})" for a in value) or "nothing"
        elif isinstance(value, list):
            value = ", ".join(map(str, value)) or "-"
        print(f"{key + ':':12s} {value}")
    content = brain.content
    seen = content.triggers.explain(content.normaliser.normalise(args.text))
    print("\nwhen:")
    for clause, place in seen.clauses:
        print(f"  {place or 'as told':8s} {clause}")
    print("criteria:" if seen.fired else "criteria:   none fired")
    for flag in seen.fired:
        said = ", ".join(f"“{w}”" for w in flag.said)
        print(f"  {flag.criterion.id} ({flag.level.id}) by rule {flag.rule.id}: you said {said}")
    if seen.assessment.unsure is not None:
        print(f"  asks first: {seen.assessment.unsure.criterion.ask}")
    print(f"\n{render_text(brain.classify(args.text))}")
    return 0


def _print_answer(brain: Brain, message: str, as_json: bool, out: TextIO, one_line: bool) -> None:
    reply = brain.classify(message)
    text = render_text(reply)
    if as_json:
        record = {"reply": text, "kind": reply.kind, "intent": reply.intent, "score": round(reply.score, 1),
                  "sources": list(reply.sources), "actions": [c.action for c in reply.choices],
                  "reading": brain.content.reader.read(message).to_dict()}
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    elif one_line:
        out.write(" | ".join(part.strip() for part in text.splitlines() if part.strip()) + "\n")
    else:
        out.write(text + "\n")


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    """Accuracy on the labelled set; exit 1 when a target is missed."""
    from bot.matching.evaluation import default_set, evaluate, format_report, load_labelled, sweep
    from bot.wiring import build_content

    path = args.file or default_set()
    if not path.is_file():
        print(f"crampbot: error: labelled set not found: {path} (eval runs from a source checkout, or use --file)",
              file=sys.stderr)
        return EXIT_USAGE
    content = build_content(settings)
    items = load_labelled(path)
    if args.sweep:
        results = sweep(content, items)
        alone: dict[str, tuple[MatcherSettings, float]] = {}
        for setting, accuracy in results:
            if setting.fuzzy_weight == 1.0:
                alone.setdefault(setting.scorer, (setting, accuracy))

        def row(setting: MatcherSettings, accuracy: float) -> str:
            """One setting and its accuracy, in the table's columns."""
            return f"{setting.scorer:<12}{setting.fuzzy_weight:>13.2f}{setting.threshold:>10.0f}{accuracy:>10.1%}"

        print(f"{'scorer':<12}{'fuzzy weight':>13}{'threshold':>10}{'accuracy':>10}")
        for setting, accuracy in results[:15]:
            print(row(setting, accuracy))
        print("best of each rapidfuzz scorer alone:")
        for setting, accuracy in alone.values():
            print(row(setting, accuracy))
        return 0
    report = evaluate(content, items)
    print(format_report(report, args.verbose))
    return 1 if report.failures() else 0


def cmd_knowledge_check(args: argparse.Namespace, settings: Settings) -> int:
    """Load and check all content; print a summary or every problem."""
    from bot.wiring import build_content

    content = build_content(settings)
    entries = content.knowledge.entries
    examples = sum(len(e.examples) for e in entries.values())
    print(f"ok: {len(entries)} entries, {examples} example phrasings, {len(content.knowledge.sources)} sources, "
          f"{len(content.safety.red_flags)} red-flag rules, flows: checkup ({len(content.checkup.states)} states), "
          f"relief ({len(content.relief.states)} states)")
    return 0


def cmd_diagrams(args: argparse.Namespace, settings: Settings) -> int:
    """Print or write the Mermaid diagram of each flow."""
    from bot.content.diagram import mermaid
    from bot.content.paths import in_checkout
    from bot.wiring import build_content

    content = build_content(settings)
    if args.write and not (in_checkout() or settings.content_dir):
        print("crampbot: error: --write updates the content folder of a source checkout; this is an installed "
              "copy (set CRAMPBOT_CONTENT_DIR to write elsewhere)", file=sys.stderr)
        return EXIT_USAGE
    for flow in content.flows.values():
        text = mermaid(flow)
        if args.write:
            path = content.root / "dialogs" / f"{flow.id}.mmd"
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
        else:
            print(text)
    return 0


def _postgres_advice(settings: Settings, doing: str) -> bool:
    """With PostgreSQL configured, print the pg_dump / pg_restore commands to use (never the URL, which
    may hold a password) and return True."""
    if not settings.database_url:  # Settings.database_url: CRAMPBOT_DATABASE_URL
        return False
    print(f"crampbot: the data is in PostgreSQL (CRAMPBOT_DATABASE_URL is set); crampbot {doing} copies only the "
          "SQLite file. Use PostgreSQL's own tools with the same URL (export it from .env first):\n"
          '  back up:  pg_dump --format=custom --file=PATH "$CRAMPBOT_DATABASE_URL"\n'
          "  restore:  stop every bot, then\n"
          '            pg_restore --clean --if-exists --no-owner --dbname="$CRAMPBOT_DATABASE_URL" PATH\n'
          "(run pg_dump from a PostgreSQL release at least as new as the server)", file=sys.stderr)
    return True


def _size(n: int) -> str:
    """A file size in plain words: 812 bytes, 45.6 kB, 1.2 MB."""
    if n < 1000:
        return f"{n} bytes"
    return f"{n / 1000:.1f} kB" if n < 1_000_000 else f"{n / 1_000_000:.1f} MB"


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    """Copy the database to a new file with SQLite's online backup API (the bot may be running)."""
    from bot.storage import StorageError
    from bot.storage.backup import backup

    if _postgres_advice(settings, "backup"):
        return EXIT_USAGE
    target: Path = args.path
    problem = (f"{target} already exists; give a new file name (a backup never overwrites)" if target.exists()
               else f"the folder {target.parent} does not exist" if not target.parent.is_dir()
               else f"there is no database at {settings.database} to back up (is CRAMPBOT_DATA_DIR right?)"
               if not settings.database.is_file() else None)
    if problem:
        print(f"crampbot: {problem}", file=sys.stderr)
        return EXIT_USAGE
    try:
        copy = backup(settings.database, target)
    except StorageError as exc:
        print(f"crampbot: {exc}", file=sys.stderr)
        return EXIT_DATABASE
    print(f"backed up {settings.database} to {copy.path} ({_size(copy.size)}, schema {copy.schema})")
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    """Put a backup in place of the database, keeping the current one beside it (no bot may be running)."""
    from bot.storage import StorageError
    from bot.storage.backup import restore
    from bot.storage.data_lock import AlreadyRunning
    from bot.storage.sqlite import SCHEMA_VERSION

    if _postgres_advice(settings, "restore"):
        return EXIT_USAGE
    if not args.path.is_file():
        print(f"crampbot: there is no backup file at {args.path}", file=sys.stderr)
        return EXIT_USAGE
    try:
        done = restore(args.path, settings.database)
    except (StorageError, AlreadyRunning) as exc:
        print(f"crampbot: {exc}; nothing was changed", file=sys.stderr)
        return EXIT_DATABASE
    print(f"restored {args.path} (schema {done.database.schema}, {_size(done.database.size)}) to {settings.database}")
    if done.kept is not None:
        print(f"the database it replaced is kept as {done.kept}: delete it once the restore is checked")
    print("chats that used /forget after this backup was taken are back in it (the bot keeps no trace of who "
          "they were): see 'Backups and upgrades' in docs/running.md")
    if done.database.schema < SCHEMA_VERSION:
        print(f"the bot upgrades it from schema {done.database.schema} to {SCHEMA_VERSION} when it next starts")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
