#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Counts one `meson test` run from its JSON log, for scripts/test.sh.

    testlog-count.py BUILDDIR LOG.json [REQUIRED_SUITE ...]

Prints one line per suite, then, as the last line, "<passed> <failed>". A test's suites come from
BUILDDIR/meson-info/intro-tests.json (the log names a test "project:suite / name" only when the
build has several suites, so the name alone is not enough). Passed: OK and EXPECTEDFAIL. Failed:
everything else, SKIP included (a test that skips in CI checked nothing: an emulated suite that
skips would otherwise look green). A required suite with no test that ran counts one failure.
"""
import collections
import json
import os
import sys

PASS = {"OK", "EXPECTEDFAIL"}


def suites_of(builddir):
    """(command, name) -> suite names without the project prefix."""
    with open(os.path.join(builddir, "meson-info", "intro-tests.json"), encoding="utf-8") as f:
        return {(tuple(t["cmd"]), t["name"]): [s.split(":", 1)[-1] for s in t["suite"]] for t in json.load(f)}


def main(argv):
    builddir, log, required = argv[1], argv[2], argv[3:]
    suites = suites_of(builddir)
    per_suite = collections.defaultdict(collections.Counter)
    passed = failed = 0
    try:
        with open(log, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                entry = json.loads(line)
                pretty, result = entry["name"], entry["result"]
                name = pretty.rsplit(" / ", 1)[-1]
                for suite in suites.get((tuple(entry["command"]), name), ["(unknown)"]):
                    per_suite[suite][result] += 1
                if result in PASS:
                    passed += 1
                else:
                    failed += 1
    except FileNotFoundError:
        print(f"  no test log {log}: meson test ran nothing")

    for suite in sorted(per_suite):
        counts = per_suite[suite]
        bad = sum(n for r, n in counts.items() if r not in PASS)
        detail = ", ".join(f"{n} {r.lower()}" for r, n in sorted(counts.items()))
        flag = "" if bad == 0 else "   <-- FAILED" + (" (skipped counts as failed)" if counts["SKIP"] else "")
        print(f"  suite {suite}: {detail}{flag}")
    for suite in required:
        if suite not in per_suite:
            print(f"  suite {suite}: no tests ran   <-- FAILED (required suite)")
            failed += 1
    print(f"{passed} {failed}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
