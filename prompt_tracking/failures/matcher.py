"""A first-match regex table that runs only the patterns whose trigger word occurs in the text.

Each pattern is split into its top-level branches, and each branch is indexed by literals one
of which every match must contain (its trigger). One scan of the lower-cased text with a
single trie-shaped alternation of all triggers finds the triggers present; only the branches
they index (plus the few without a trigger) run their own regex, in table order. On real
error messages that is a handful of regex searches instead of hundreds of substring tests.
"""
from __future__ import annotations

import re
from typing import Any

# Escapes that stand for one literal character (the patterns escape punctuation like "\." or "\-").
_LITERAL_ESCAPE = re.compile(r"\\([^A-Za-z0-9])")
_SPECIAL = set("[](){}?*+|^$.")
_MIN_TRIGGER = 3


class Matcher:
    """Named regexes tried in order; the first key whose pattern matches wins.

    Patterns are lower-cased outside escapes and matched against text the caller lower-cased.
    """

    def __init__(self, named_patterns: list[tuple[Any, str]]) -> None:
        branches: list[tuple[re.Pattern[str], Any, int]] = []  # (regex, key, index of its pattern)
        by_trigger: dict[str, list[int]] = {}
        self._always: list[int] = []  # branches no literal guards: they always run
        for key_order, (key, pattern) in enumerate(named_patterns):
            lowered = re.sub(r"\\.|[A-Z]", lambda m: m.group(0) if m.group(0)[0] == "\\" else m.group(0).lower(),
                             pattern)
            for branch in split_branches(lowered):
                number = len(branches)
                branches.append((re.compile(branch), key, key_order))
                triggers = required_literals(branch)
                if not triggers:
                    self._always.append(number)
                for trigger in triggers:
                    by_trigger.setdefault(trigger, []).append(number)
        self._branches = tuple(branches)
        # A trigger found in the text also means every trigger inside it is present ("rate limit" -> "limit").
        self._implied = {found: tuple(sorted({n for trigger, numbers in by_trigger.items() if trigger in found
                                              for n in numbers}))
                         for found in by_trigger}
        self._scans = _scanners(list(by_trigger))  # indexed by text.isascii()

    def first_key(self, text: str, limit: int | None = None) -> Any:
        """The first key (among the first `limit` patterns) whose pattern matches `text`."""
        found = self.first_match(text, limit)
        return found[0] if found else None

    def first_match(self, text: str, limit: int | None = None) -> tuple[Any, str] | None:
        """Like `first_key`, with the matched text."""
        candidates = set(self._always)
        implied = self._implied
        for first, regex in self._scans[text.isascii()]:
            for rest in regex.findall(text):
                candidates.update(implied[first + rest])
        branches = self._branches
        for number in sorted(candidates):
            regex, key, key_order = branches[number]
            if limit is not None and key_order >= limit:
                break
            match = regex.search(text)
            if match:
                return key, match.group(0)
        return None


_Scans = tuple[tuple[str, "re.Pattern[str]"], ...]


def _scanners(literals: list[str]) -> tuple[_Scans, _Scans]:
    """(first character, regex) pairs whose `findall` yields, after that character, every literal in a text.

    The first tuple is for any text, the second for ASCII text.

    One regex per ASCII first character, `c(?=(?:trie of the rest))`: its literal first character
    lets the regex engine skip straight to candidate positions, and the look-ahead consumes only
    that character, so literals that overlap are all found. Non-ASCII literals share one regex,
    run only on non-ASCII text.
    """
    by_first: dict[str, list[str]] = {}
    for literal in literals:
        by_first.setdefault(literal[0] if literal[0].isascii() else "", []).append(literal)
    scans = [(first, re.compile(f"{re.escape(first)}(?=({_trie_pattern([g[1:] for g in group])}))"))
             for first, group in sorted(by_first.items()) if first]
    ascii_scans = tuple(scans)
    if "" in by_first:
        scans.append(("", re.compile(f"(?=({_trie_pattern(by_first[''])}))")))
    return tuple(scans), ascii_scans


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
