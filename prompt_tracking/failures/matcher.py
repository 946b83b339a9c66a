"""A first-match regex table that runs only the patterns whose trigger word occurs in the text.

Each pattern is split into its top-level branches, and each branch is indexed by literals one
of which every match must contain (its trigger). A `TriggerScan` finds the triggers present in
the lower-cased text with one literal-led regex per first letter (the regex engine skips to
that letter at C speed); only the branches they index (plus the few without a trigger) run
their own regex, in table order. On real error messages that is a handful of regex searches
instead of hundreds of substring tests.
"""
from __future__ import annotations

import re
from typing import Any

_SPECIAL = set("[](){}?*+|^$.")
_MIN_TRIGGER = 3


class TriggerScan:
    """Finds which of a set of literals occur in a (lower-cased) text, in one pass per first letter."""

    def __init__(self, literals: set[str]) -> None:
        self.literals = frozenset(literals)
        self._scans, self._wide = _scanners(sorted(literals))

    def find(self, text: str) -> list[str]:
        """Every literal occurring in `text` that is not the prefix of a longer one found at the same place."""
        found = []
        for first, regex in self._scans:
            found += [first + rest for rest in regex.findall(text)]
        if not text.isascii():
            firsts, regex = self._wide
            for match in regex.finditer(text):
                group = match.lastindex or 1  # the one group that took part names the first character
                found.append(firsts[group - 1] + match.group(group))
        return found


class Matcher:
    """Named regexes tried in order; the first key whose pattern matches wins.

    Patterns are lower-cased outside escapes and matched against text the caller lower-cased.
    Several matchers can share one `TriggerScan` (see `share`), so a text is scanned once.
    """

    def __init__(self, named_patterns: list[tuple[Any, str]], flags: int = 0) -> None:
        branches: list[tuple[re.Pattern[str], Any, int]] = []  # (regex, key, index of its pattern)
        self._by_trigger: dict[str, list[int]] = {}
        self._always: list[int] = []  # branches no literal guards: they always run
        for key_order, (key, pattern) in enumerate(named_patterns):
            lowered = re.sub(r"\\.|[A-Z]", lambda m: m.group(0) if m.group(0)[0] == "\\" else m.group(0).lower(),
                             pattern)
            for branch in split_branches(lowered):
                number = len(branches)
                branches.append((re.compile(branch, flags), key, key_order))
                triggers = required_literals(branch)
                if not triggers:
                    self._always.append(number)
                for trigger in triggers:
                    self._by_trigger.setdefault(trigger, []).append(number)
        self._branches = tuple(branches)
        self._implied: dict[str, tuple[int, ...]] = {}
        self.scan: TriggerScan | None = None  # built on first use unless shared

    @property
    def triggers(self) -> set[str]:
        """The literals that guard this matcher's branches."""
        return set(self._by_trigger)

    def share(self, scan: TriggerScan) -> None:
        """Use `scan` (built over at least this matcher's triggers) to find candidate branches."""
        # A literal found in the text also means every trigger inside it is present ("rate limit" -> "limit").
        by_trigger = self._by_trigger
        self._implied = {found: tuple(sorted({n for part in _substrings(found) for n in by_trigger.get(part, ())}))
                         for found in scan.literals}
        self.scan = scan

    def first_key(self, text: str, limit: int | None = None, found: list[str] | None = None) -> Any:
        """The first key (among the first `limit` patterns) whose pattern matches `text`."""
        match = self.first_match(text, limit, found)
        return match[0] if match else None

    def first_match(self, text: str, limit: int | None = None,
                    found: list[str] | None = None) -> tuple[Any, str] | None:
        """Like `first_key`, with the matched text; `found` is `self.scan.find(text)` when already known."""
        if self.scan is None:
            self.share(TriggerScan(self.triggers))
        assert self.scan is not None
        candidates = set(self._always)
        implied = self._implied
        for literal in self.scan.find(text) if found is None else found:
            candidates.update(implied[literal])
        branches = self._branches
        for number in sorted(candidates):
            regex, key, key_order = branches[number]
            if limit is not None and key_order >= limit:
                break
            match = regex.search(text)
            if match:
                return key, match.group(0)
        return None


def _scanners(literals: list[str]) -> tuple[list[tuple[str, re.Pattern[str]]], tuple[str, re.Pattern[str]]]:
    """Regexes that find every literal in a text: ([(first letter, regex)], (wide first letters, regex)).

    One regex per ASCII first letter, `c(?=(trie of the rest))`: its literal first letter lets
    the regex engine skip straight to candidate positions, and the look-ahead consumes only that
    letter, so overlapping literals are all found; `findall` yields the rest after the letter.
    Literals starting with a non-ASCII character (Chinese) share one regex, an alternation
    `x(?=(rest))|y(?=(rest))|...` whose first characters the engine also skips to; the group
    that matched names the first character. It only runs on non-ASCII text.
    """
    by_first: dict[str, list[str]] = {}
    for literal in literals:
        by_first.setdefault(literal[0], []).append(literal[1:])
    narrow = [(first, re.compile(f"{re.escape(first)}(?=({_trie_pattern(rests)}))"))
              for first, rests in sorted(by_first.items()) if first.isascii()]
    wide = [(first, rests) for first, rests in sorted(by_first.items()) if not first.isascii()]
    alternatives = "|".join(f"{re.escape(first)}(?=({_trie_pattern(rests)}))" for first, rests in wide)
    return narrow, ("".join(first for first, _ in wide), re.compile(alternatives or "(?!)"))


def _substrings(text: str) -> set[str]:
    return {text[i:j] for i in range(len(text)) for j in range(i + 1, len(text) + 1)}


def split_branches(pattern: str) -> list[str]:
    """The top-level alternatives of a pattern."""
    branches, depth, start, i = [], 0, 0, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 1
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "|" and depth == 0:
            branches.append(pattern[start:i])
            start = i + 1
        i += 1
    return [*branches, pattern[start:]]


def required_literals(branch: str) -> tuple[str, ...]:
    """Literals one of which every match of `branch` contains; empty when none is selective.

    Candidates are the literal runs outside groups and the leading-literal sets of mandatory
    groups (`(?:ab|cd)` promises "ab" or "cd"); the one whose shortest literal is longest wins.
    """
    best: tuple[str, ...] = ()
    for candidate in _candidates(branch):
        # A literal's inner part is as required as the literal; spaces are in every text, so drop them.
        candidate = tuple(literal.strip() for literal in candidate)
        if candidate and all(_selective(t) for t in candidate) and _better(candidate, best):
            best = candidate
    return best


def _selective(literal: str) -> bool:
    return len(literal) >= _MIN_TRIGGER or (bool(literal) and not literal.isascii())


def _better(candidate: tuple[str, ...], best: tuple[str, ...]) -> bool:
    if not best:
        return True
    return (min(map(len, candidate)), -len(candidate)) > (min(map(len, best)), -len(best))


def _candidates(branch: str) -> list[tuple[str, ...]]:
    """Literal runs and mandatory groups of one branch, each as a tuple of alternatives."""
    found: list[tuple[str, ...]] = []
    run: list[str] = []
    i = 0
    while i < len(branch):
        char = branch[i]
        if char == "\\" and i + 1 < len(branch):
            escaped = branch[i + 1]
            i += 1
            if escaped.isalnum() and escaped != "b":  # \w, \d, \s ...: one unknown character (\b is zero-width)
                found.append(("".join(run),))
                run = []
            elif escaped != "b":
                run.append(escaped)
        elif char in "([":
            end = _closing(branch, i)
            optional = branch[end + 1:end + 2] in ("?", "*", "{")
            body = branch[i + 1:end]
            lookaround = body.startswith("?") and not body.startswith(("?:", "?P<"))
            if char == "(" and not optional and not lookaround:
                body = re.sub(r"^\?(?::|P<\w+>)", "", body)
                alternatives = [required_literals(alt) for alt in split_branches(body)]
                if all(alternatives):
                    found.append(tuple(literal for alternative in alternatives for literal in alternative))
            found.append(("".join(run),))
            run = []
            i = end + 1
            continue
        elif char in "?*{":
            if run:
                run.pop()  # the previous character is optional or repeated
            found.append(("".join(run),))
            run = []
            if char == "{":
                i = branch.index("}", i)
        elif char in _SPECIAL:
            if char == "+" and run:
                found.append(("".join(run),))
                run = [run[-1]]
            else:
                found.append(("".join(run),))
                run = []
        else:
            run.append(char)
        i += 1
    found.append(("".join(run),))
    return found


def _closing(pattern: str, start: int) -> int:
    """The index of the bracket closing the one at `start`."""
    opening = pattern[start]
    depth, i = 0, start
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if opening == "[":
            if char == "]" and i > start + 1 and not (i == start + 2 and pattern[start + 1] == "^"):
                return i
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return len(pattern) - 1


def _trie_pattern(literals: list[str]) -> str:
    """One regex matching any of the literals, longest first at each position (a prefix trie)."""
    trie: dict[str, Any] = {}
    for literal in literals:
        node = trie
        for char in literal:
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict[str, Any]) -> str:
        ends = "" in node
        children = [re.escape(char) + render(child) for char, child in sorted(node.items()) if char]
        if not children:
            return ""
        body = children[0] if len(children) == 1 else "(?:" + "|".join(children) + ")"
        if ends:
            return ("(?:" + body + ")?") if len(children) > 1 or len(body) > 1 else body + "?"
        return body

    return render(trie)
