#!/usr/bin/env python3
"""Checks the Sigma rules that `cas-triage rules export --format sigma DIR` wrote, with pySigma:
every *.yml in DIR loads as a Sigma rule without error, passes pySigma's validators, has the id
derived from its fault (and component), uses only the regular expressions Sigma allows, and
converts to LogQL (the Loki backend) and to Lucene (the Elasticsearch backend), both with their
defaults, no processing pipeline. Prints what it counted; exits 1 on any problem.

Usage: sigma-check.py DIR
"""

import pathlib
import re
import sys
import uuid

from sigma.backends.elasticsearch import LuceneBackend
from sigma.backends.loki import LogQLBackend
from sigma.collection import SigmaCollection
from sigma.rule import SigmaRule
from sigma.types import SigmaRegularExpression
from sigma.validation import SigmaValidator
from sigma.validators.core import validators

# The namespace of the rules' version 5 UUIDs (src/export/sigma/rule.rs).
NAMESPACE = uuid.UUID("deedaceb-a301-4027-b19d-617b6ec0a2a2")
PRODUCT = "sofastack-cas"

# Validators not run, and why.
SKIPPED = {
    # The rules tag their fault as `cas.fault.<id>`: a namespace of their own, which the
    # specification allows besides its standard ones (attack, car, cve, ...).
    "namespace_tag": "cas.fault.<id> tags use a namespace of their own",
    # These download the MITRE ATT&CK and D3FEND data first; the rules carry no such tags.
    "attacktag": "downloads MITRE ATT&CK data; no attack.* tags",
    "d3_fendtag": "downloads MITRE D3FEND data; no d3fend.* tags",
}

# What Sigma's regular expressions allow besides literal characters: `.`, `^`, `$`, `*`, `+`,
# `?`, `{n,m}`, classes, groups, `|`; an escaped punctuation character stands for itself, and
# `\n`, `\t`, `\r`, `\xHH` for control characters.
ESCAPE = re.compile(r"\\(?:[\\.^$*+?()\[\]{}|/\-]|[ntr]|x[0-9A-Fa-f]{2})")


def sigma_subset_problem(pattern: str) -> str | None:
    """Why `pattern` is not in Sigma's regex subset, or None."""
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            m = ESCAPE.match(pattern, i)
            if not m:
                return f"escape {pattern[i:i + 2]!r} at {i}"
            i = m.end()
            continue
        if c == "(" and pattern.startswith("(?", i):
            return f"group syntax (? at {i}"
        if c in "*+?}" and pattern.startswith("?", i + 1) and c != "?":
            return f"lazy quantifier at {i}"
        i += 1
    return None


def regexes(rule: SigmaRule):
    for detection in rule.detection.detections.values():
        for item in detection.detection_items:
            for value in item.value:
                if isinstance(value, SigmaRegularExpression):
                    yield str(value.regexp)


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    directory = pathlib.Path(sys.argv[1])
    paths = sorted(directory.glob("*.yml"))
    problems: list[str] = []
    if not paths:
        problems.append(f"{directory}: no *.yml rule")
    collection = SigmaCollection.load_ruleset([str(p) for p in paths], collect_errors=True)
    for error in collection.errors:
        problems.append(f"collection: {error}")
    rules = [rule for rule in collection.rules if isinstance(rule, SigmaRule)]
    if len(rules) != len(paths):
        problems.append(f"{len(paths)} files but {len(rules)} rules loaded")
    for rule in rules:
        name = rule.source.path.name if rule.source else "?"
        for error in rule.errors:
            problems.append(f"{name}: {error}")
        faults = [tag.name[len("fault."):] for tag in rule.tags if tag.namespace == "cas" and tag.name.startswith("fault.")]
        if len(faults) != 1:
            problems.append(f"{name}: expected one cas.fault.<id> tag, found {faults}")
            continue
        service = rule.logsource.service
        expected_id = uuid.uuid5(NAMESPACE, faults[0] if service is None else f"{faults[0]}/{service}")
        if rule.id != expected_id:
            problems.append(f"{name}: id {rule.id}, expected {expected_id}")
        if rule.logsource.product != PRODUCT:
            problems.append(f"{name}: logsource.product {rule.logsource.product!r}")
        for pattern in regexes(rule):
            try:
                re.compile(pattern)
            except re.error as e:
                problems.append(f"{name}: regex {pattern!r} does not compile: {e}")
            subset = sigma_subset_problem(pattern)
            if subset:
                problems.append(f"{name}: regex {pattern!r} is outside Sigma's subset: {subset}")

    run = {cls for key, cls in validators.items() if key not in SKIPPED}
    issues = SigmaValidator(run).validate_rules(iter(rules))
    for issue in issues:
        names = ", ".join(r.source.path.name for r in issue.rules if r.source)
        problems.append(f"validator {type(issue).__name__} ({names}): {issue.description}")

    counts = {}
    for backend in (LogQLBackend(), LuceneBackend()):
        label = type(backend).__name__
        queries = 0
        for rule in rules:
            name = rule.source.path.name if rule.source else "?"
            try:
                converted = backend.convert_rule(rule)
            except Exception as e:  # noqa: BLE001 - any conversion failure is a problem
                problems.append(f"{label}: {name}: {type(e).__name__}: {e}")
                continue
            if not converted or not all(isinstance(q, str) and q for q in converted):
                problems.append(f"{label}: {name}: no query")
            queries += len(converted)
        counts[label] = queries

    print(f"sigma-check: {len(paths)} files, {len(rules)} rules loaded")
    print(f"sigma-check: {len(run)} pySigma validators run, {len(issues)} issues "
          f"(not run: {', '.join(f'{k} ({v})' for k, v in sorted(SKIPPED.items()))})")
    print(f"sigma-check: {sum(1 for r in rules for _ in regexes(r))} regexes in Sigma's subset checked")
    print(f"sigma-check: LogQL (Loki backend, default settings): {counts.get('LogQLBackend', 0)} queries")
    print(f"sigma-check: Lucene (Elasticsearch backend, no pipeline): {counts.get('LuceneBackend', 0)} queries")
    for problem in problems:
        print(f"FAIL {problem}")
    print(f"sigma-check: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
