"""The `prompt-tracker` command line: where the data lives, statistics, and the GUI entry points."""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from prompt_tracking._storage.pgurl import ENV_DATABASE_URL, DatabaseURL
from prompt_tracking._version import __version__
from prompt_tracking.cli import analytics, caps, demo, export, migrate, review
from prompt_tracking.tracker import EnhancedPromptTracker


def _tracker(args: argparse.Namespace) -> EnhancedPromptTracker:
    return EnhancedPromptTracker(getattr(args, "data_dir", None))


def _existing_store(args: argparse.Namespace) -> EnhancedPromptTracker | None:
    """The tracker for a read-only command, or None when there is no store: never create one."""
    tracker = _tracker(args)
    # A shared store is always "there" (its server holds the records, not the data dir).
    return tracker if tracker.db_path.exists() or tracker.database_url else None


def _filters(args: argparse.Namespace) -> dict[str, Any]:
    return {"models": args.model or None, "since": args.since, "until": args.until,
            "outcome": args.outcome}


def _warn(message: str) -> None:
    print(f"prompt-tracker: warning: {message}", file=sys.stderr)


def _warn_unknown_models(requested: list[str] | None, known: dict[str, Any]) -> None:
    unknown = [m for m in requested or () if m not in known]
    if unknown:
        _warn(f"no records for model {', '.join(map(repr, unknown))}; known models: "
              f"{', '.join(known) or 'none'}")


def cmd_where(args: argparse.Namespace) -> int:
    tracker = _tracker(args)
    print(tracker.data_dir)
    if tracker.database_url:
        print(f"shared store: {tracker.database_url}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from prompt_tracking.analytics import format_analytics_text

    tracker = _existing_store(args)
    if tracker is None:
        if args.json:
            print(json.dumps({"total": 0, "store": None}, indent=2))
        else:
            print(f"No prompts tracked yet (no store in {_tracker(args).data_dir}).")
        return 0
    with tracker:
        _warn_unknown_models(args.model, tracker.stats()["by_model"])
        stats = tracker.stats(**_filters(args))
        analytics = tracker.analytics(**_filters(args))
    if args.json:
        print(json.dumps({**stats, "analytics": analytics.to_dict()}, indent=2, ensure_ascii=False))
        return 0
    filtered = any(v for v in _filters(args).values())
    print(format_stats(stats) if stats["total"] or not filtered else "No prompts match these filters.")
    if stats["total"]:
        print()
        print(format_analytics_text(analytics))
    return 0


def _json_object_option(text: str | None, option: str) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"{option} is not valid JSON ({exc}): {text!r}") from None
    if not isinstance(value, dict):
        raise ValueError(f"{option} must be a JSON object, e.g. '{{\"steps\": 30}}'")
    return value


def cmd_assess(args: argparse.Namespace) -> int:
    from prompt_tracking.analytics import format_assessment_text

    params = _json_object_option(args.params, "--params")
    tracker = _existing_store(args)
    if tracker is None:
        print(f"No history to assess against yet (no store in {_tracker(args).data_dir}).")
        return 0
    with tracker:
        known = tracker.stats()["by_model"]
        _warn_unknown_models([args.model], known)
        assessment = tracker.assess_prompt(args.prompt, args.model, params)
    if args.json:
        data = assessment.to_dict()
        data["model_has_history"] = args.model in known
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print(format_assessment_text(assessment))
    return 0


def plural(n: int, word: str) -> str:
    """'1 prompt', '2 prompts' (with thousands separators)."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def format_stats(stats: dict) -> str:
    """The `stats()` dict as a small plain-text report."""
    if not stats["total"]:
        return "No prompts tracked yet."
    lines = [f"{plural(stats['total'], 'prompt')}: {stats['successful']} succeeded, {stats['failed']} failed "
             f"({stats['success_rate']:.0%} success)"]
    if stats["rated"]:
        lines.append(f"{stats['rated']} rated, average {stats['average_rating']:.2f} / 5")
    lines.append("")
    lines.append(f"{'model':<28}{'total':>7}{'success':>9}{'avg':>6}")
    for model, row in stats["by_model"].items():
        avg = f"{row['average_rating']:.2f}" if row["average_rating"] is not None else "-"
        lines.append(f"{model[:27]:<28}{row['total']:>7}{row['success_rate']:>9.0%}{avg:>6}")
    if stats["by_failure_reason"]:
        lines.append("")
        lines.append("failures: " + ", ".join(f"{k} {v}" for k, v in stats["by_failure_reason"].items()))
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="prompt-tracker",
                                     description="Local prompt tracking, rating and analytics.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--data-dir", help="store location (default: $PROMPT_TRACKING_HOME or the "
                                           "user data dir)")
    parser.add_argument("--database-url", help="a shared PostgreSQL store, postgresql://user@host/db "
                                               "(default: $PROMPT_TRACKING_DATABASE_URL; prefer "
                                               "the variable, a password here shows in `ps`)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("where", help="print the data dir").set_defaults(func=cmd_where)
    stats = sub.add_parser("stats", help="counts, success rate, ratings, failures and patterns")
    stats.add_argument("--json", action="store_true", help="machine-readable output (all analytics)")
    stats.add_argument("--model", "--models", nargs="+", action="extend", metavar="MODEL",
                       help="only these models (several names, or the option repeated)")
    stats.add_argument("--since", help="ISO date or time, inclusive")
    stats.add_argument("--until", help="ISO date or time, exclusive")
    stats.add_argument("--outcome", choices=("success", "failure"),
                       help="only successful or only failed generations")
    stats.set_defaults(func=cmd_stats)
    assess = sub.add_parser("assess", help="risk of a prompt before spending a generation")
    assess.add_argument("prompt", help="the prompt you are about to send")
    assess.add_argument("--model", required=True, help="the model the prompt is meant for")
    assess.add_argument("--params", help='model parameters as JSON, e.g. \'{"steps": 30}\'')
    assess.add_argument("--json", action="store_true", help="machine-readable output")
    assess.set_defaults(func=cmd_assess)
    for register in _feature_commands():
        register(sub)
    return parser


def _feature_commands() -> list:
    """The feature subcommands; the GUI ones import Tk only when they run."""
    return [demo.register_cli, analytics.register_cli, review.register_cli, export.register_cli,
            migrate.register_cli, caps.register_cli]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not args.database_url:
        return _run(args)
    try:
        DatabaseURL.parse(args.database_url)
    except ValueError as exc:
        print(f"prompt-tracker: error: --database-url: {exc}", file=sys.stderr)
        return 2
    # Every subcommand's tracker reads the variable, so one option serves them all; put
    # back afterwards, so main() called in a process that goes on leaves no URL behind.
    before = os.environ.get(ENV_DATABASE_URL)
    os.environ[ENV_DATABASE_URL] = args.database_url
    try:
        return _run(args)
    finally:
        if before is None:
            os.environ.pop(ENV_DATABASE_URL, None)
        else:
            os.environ[ENV_DATABASE_URL] = before


def _run(args: argparse.Namespace) -> int:
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `stats | head` closed the pipe: not an error. Point stdout at devnull so the
        # interpreter's final flush does not complain either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (ValueError, KeyError, OSError) as exc:
        print(f"prompt-tracker: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
