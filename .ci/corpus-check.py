#!/usr/bin/env python3
"""Checks cas-triage against real logs nobody here wrote (../shared/corpus), when present.

- Loghub (logs of 16 other systems): the scan must read every file (nothing skipped, exit 0)
  and no shipped rule may fire.
- SOFABoot logs (real errors of other applications) and a real CRLF application.properties:
  the scan must read every file; what fires is printed for the record.
- Event assembly on the SOFABoot logs: every line that starts with a timestamp starts an
  event, and every stack frame (a line starting with a tab and "at ") joins the event of a
  timestamped header.

Usage: corpus-check.py CAS_TRIAGE_BINARY CORPUS_DIR
"""

import json
import re
import subprocess
import sys
from pathlib import Path

HEADER = re.compile(rb"^\[?\d{4}[-/]\d{2}[-/]\d{2}[ T]\d{2}:\d{2}:\d{2}")
failures = []


def run(binary, *args):
    proc = subprocess.run([binary, *args], capture_output=True)
    return proc.returncode, proc.stdout, proc.stderr


def scan(binary, *paths):
    code, out, err = run(binary, "scan", "--format", "json", "--quiet", *map(str, paths))
    if code != 0:
        failures.append(f"scan {paths} exited {code}: {err.decode(errors='replace')}")
        return None
    return json.loads(out)


def check_loghub(binary, corpus):
    report = scan(binary, corpus / "loghub")
    if report is None:
        return
    inp = report["input"]
    print(f"loghub: {inp['files']} files, {inp['bytes']} bytes, {inp['events']} events, {inp['ignored']} other files ignored")
    for skipped in inp["skipped"]:
        failures.append(f"loghub: skipped {skipped['path']}: {skipped['reason']}")
    for finding in report["findings"]:
        evidence = finding["evidence"][0]
        failures.append(f"loghub: rule {finding['fault']} fired on {evidence['path']}:{evidence['line']}: {evidence['text']}")


def check_sofa(binary, corpus):
    report = scan(binary, corpus / "sofa", corpus / "config")
    if report is None:
        return
    inp = report["input"]
    print(f"sofa+config: {inp['files']} files, {inp['bytes']} bytes, {inp['events']} events")
    for skipped in inp["skipped"]:
        failures.append(f"sofa: skipped {skipped['path']}: {skipped['reason']}")
    for finding in report["findings"]:
        evidence = finding["evidence"][0]
        print(f"  fires: {finding['fault']} x{finding['count']} at {evidence['path']}:{evidence['line']}: {evidence['text'][:140]}")


def check_events(binary, corpus):
    print("event assembly (file: lines, events, timestamped headers, stack frames):")
    for path in sorted((corpus / "sofa").glob("*.log")) + sorted((corpus / "loghub").glob("*/*.log")):
        code, out, err = run(binary, "events", "--format", "json", str(path))
        if code != 0:
            failures.append(f"events {path} exited {code}: {err.decode(errors='replace')}")
            continue
        rows = [json.loads(line) for line in out.splitlines()]
        starts = {row["line"]: row for row in rows}
        lines = path.read_bytes().split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        headers = frames = 0
        owner = None
        for number, text in enumerate(lines, start=1):
            if number in starts:
                owner = starts[number]
            if HEADER.match(text):
                headers += 1
                if number not in starts:
                    failures.append(f"{path.name}:{number}: timestamped header did not start an event")
            if text.startswith(b"\tat "):
                frames += 1
                if number in starts or owner is None or owner["timestamp"] is None:
                    failures.append(f"{path.name}:{number}: stack frame did not join a timestamped event")
        covered = sum(row["lines"] for row in rows)
        if covered != len(lines):
            failures.append(f"{path.name}: events cover {covered} lines of {len(lines)}")
        print(f"  {path.parent.name}/{path.name}: {len(lines)} lines, {len(rows)} events, {headers} headers, {frames} frames")


def main():
    binary, corpus = sys.argv[1], Path(sys.argv[2])
    check_loghub(binary, corpus)
    check_sofa(binary, corpus)
    check_events(binary, corpus)
    if failures:
        print(f"\n{len(failures)} corpus check(s) failed:")
        for failure in failures:
            print(f"  {failure}")
        sys.exit(1)
    print("corpus checks passed")


if __name__ == "__main__":
    main()
