"""The `prompt-tracker` command line: where the data lives, statistics, and the GUI entry points."""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from prompt_tracking._version import __version__
from prompt_tracking.cli import analytics, demo, export, migrate


def _tracker(args: argparse.Namespace):
    from prompt_tracking.tracker import EnhancedPromptTracker

    return EnhancedPromptTracker(getattr(args, "data_dir", None))


def cmd_where(args: argparse.Namespace) -> int:
    print(_tracker(args).data_dir)
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from prompt_tracking.analytics.analysis import format_analytics_text

    with _tracker(args) as tracker:
        stats = tracker.stats()
        analytics = tracker.analytics(models=args.model or None, since=args.since,
                                      until=args.until, outcome=args.outcome)
    if args.json:
        print(json.dumps({**stats, "analytics": analytics.to_dict()}, indent=2, ensure_ascii=False))
        return 0
    print(format_stats(stats))
    if stats["total"]:
        print()
        print(format_analytics_text(analytics))
    return 0


def cmd_assess(args: argparse.Namespace) -> int:
    from prompt_tracking.analytics.analysis import format_assessment_text

    params = json.loads(args.params) if args.params else None
    if params is not None and not isinstance(params, dict):
        raise ValueError("--params must be a JSON object")
    with _tracker(args) as tracker:
        assessment = tracker.assess_prompt(args.prompt, args.model, params)
    if args.json:
        print(json.dumps(assessment.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(format_assessment_text(assessment))
    return 0


def format_stats(stats: dict) -> str:
    """The `stats()` dict as a small plain-text report."""
    if not stats["total"]:
        return "No prompts tracked yet."
    lines = [f"{stats['total']} prompts: {stats['successful']} succeeded, {stats['failed']} failed "
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
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("where", help="print the data dir").set_defaults(func=cmd_where)
    stats = sub.add_parser("stats", help="counts, success rate, ratings, failures and patterns")
    stats.add_argument("--json", action="store_true", help="machine-readable output (all analytics)")
    stats.add_argument("--model", action="append", help="only this model (repeatable)")
    stats.add_argument("--since", help="ISO date or time, inclusive")
    stats.add_argument("--until", help="ISO date or time, exclusive")
    stats.add_argument("--outcome", choices=("success", "failure"))
    stats.set_defaults(func=cmd_stats)
    assess = sub.add_parser("assess", help="risk of a prompt before spending a generation")
    assess.add_argument("prompt")
    assess.add_argument("--model", required=True, help="the model the prompt is meant for")
    assess.add_argument("--params", help='model parameters as JSON, e.g. \'{"steps": 30}\'')
    assess.add_argument("--json", action="store_true")
    assess.set_defaults(func=cmd_assess)
    for register in _feature_commands():
        register(sub)
    return parser


def _feature_commands() -> list:
    """The feature subcommands; the GUI ones import Tk only when they run."""
    return [demo.register_cli, analytics.register_cli, export.register_cli, migrate.register_cli]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except (ValueError, KeyError, OSError) as exc:
        print(f"prompt-tracker: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
