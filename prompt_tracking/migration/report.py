"""What a migration found and did: `MigrationReport` (one per run) and `SourceReport` (one per
given file or folder), with the summary a person reads in the dialog and the command line.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from prompt_tracking.migration.legacy_sources import Issue

MISSING = "no such file or folder"  # the issue `expand_sources` gives a path that is not there


@dataclasses.dataclass
class SourceReport:
    """Counts for one given source (a file, or a folder of images)."""

    path: str
    kinds: list[str] = dataclasses.field(default_factory=list)
    found: int = 0
    imported: int = 0
    duplicates: int = 0
    invalid: int = 0


@dataclasses.dataclass
class MigrationReport:
    """What a migration found and did (or, in a dry run, would do).

    `found == imported + duplicates + invalid`: every entry read is counted exactly once.
    In a dry run `imported` counts the records that would be imported.
    """

    dry_run: bool
    found: int = 0
    imported: int = 0
    duplicates: int = 0
    invalid: int = 0
    would_archive: int = 0
    totals_after: dict[str, int] = dataclasses.field(
        default_factory=lambda: {"successful": 0, "failed": 0})
    caps: dict[str, int | None] = dataclasses.field(default_factory=dict)
    sources: list[SourceReport] = dataclasses.field(default_factory=list)
    issues: list[Issue] = dataclasses.field(default_factory=list)
    issues_omitted: int = 0
    backup_path: str | None = None
    seconds: float = 0.0

    @property
    def errors(self) -> list[Issue]:
        """Issues that concern a whole file (unreadable, malformed, missing)."""
        return [i for i in self.issues if i.severity == "error"]

    def caps_needed(self) -> dict[str, int | None]:
        """The caps under which nothing goes to the archive, now or soon (never lower).

        A cap this import would exceed becomes the total after it plus the old cap: raised
        only to the total, the next generation would archive the oldest record, which is
        an imported one. The old cap's worth of room is left for new results.
        """
        return {name: None if cap is None else
                cap if self.totals_after[name] <= cap else self.totals_after[name] + cap
                for name, cap in self.caps.items()}

    def caps_to_raise(self) -> dict[str, int]:
        """Only the caps this import would exceed, with the value that fits everything."""
        return {name: needed for name, needed in self.caps_needed().items()
                if needed is not None and needed != self.caps[name]}

    def missing_sources(self) -> list[str]:
        """The given paths that do not exist (nothing was read from them)."""
        missing = {str(Path(issue.file)) for issue in self.errors if issue.why == MISSING}
        return [s.path for s in self.sources if str(Path(s.path)) in missing and not s.found]

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["issues"] = [issue.to_dict() for issue in self.issues]
        return data

    def summary(self) -> str:
        """A few lines for a person: counts, archive warning, backup and the first issues."""
        verb = "would import" if self.dry_run else "imported"
        missing = self.missing_sources()
        lines = [f"File not found: {path}" for path in missing]
        missing_files = {str(Path(path)) for path in missing}
        if len(missing) < len(self.sources) or not self.sources:
            lines.append(f"{'Dry run: ' if self.dry_run else ''}{_plural(self.found, 'entry')} "
                         f"found in {_plural(len(self.sources) - len(missing), 'source')}: "
                         f"{verb} {self.imported:,}, {self.duplicates:,} already present, "
                         f"{self.invalid:,} invalid.")
        if self.would_archive:
            caps = ", ".join(f"{k} {v}" for k, v in self.caps.items())
            records = "record" if self.would_archive == 1 else "records"
            verb = ("would go" if self.dry_run else "go") if self.would_archive > 1 else \
                ("would go" if self.dry_run else "goes")
            lines.append(f"{self.would_archive} {records} {verb} to the archive (caps: {caps}); "
                         "nothing is deleted.")
        if self.backup_path:
            lines.append(f"Backup of the store: {self.backup_path}")
        shown = [i for i in self.issues if not (i.why == MISSING and i.file in missing_files)]
        for issue in shown[:20]:
            where = f" at {issue.position}" if issue.position else ""
            lines.append(f"  {issue.severity}: {Path(issue.file).name}{where}: {issue.why}")
        more = len(shown) - 20 + self.issues_omitted
        if more > 0:
            lines.append(f"  ... and {_plural(more, 'more issue')}")
        return "\n".join(lines)


def _plural(n: int, word: str) -> str:
    """'1 entry', '2 entries', '1 source', '3 sources'."""
    if n == 1:
        return f"1 {word}"
    return f"{n:,} {word[:-1] + 'ies' if word.endswith('y') else word + 's'}"
