#!/usr/bin/env python3
"""certbed's file safety under faults: concurrent writers, kill -9, full and read-only disks,
planted symlinks, odd input files, standard input, plan folders, renewal request paths.

    fault_suite_test.py --certbed PATH/TO/certbed --source-dir REPO_ROOT [--only CASE...]

Each case runs in a fresh directory and asserts what is on disk afterwards. Prints one line per
case ("ok  <case>: <what was checked>" or "FAIL <case>: <what is on disk vs expected>", further
problems indented below it) with its time, and exits 1 if any case fails. Runs as root (it
mounts tmpfs file systems and runs certbed as nobody).
"""
import argparse
import fnmatch
import os
import shutil
import sys
import tempfile
import time
import traceback

sys.dont_write_bytecode = True  # nothing lands in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cases_inputs  # noqa: E402
import cases_kill  # noqa: E402
import cases_outputs  # noqa: E402
import cases_storage  # noqa: E402
import cases_writers  # noqa: E402
from harness import Case, CaseError  # noqa: E402

CASES = (cases_writers.CASES + cases_kill.CASES + cases_storage.CASES + cases_inputs.CASES +
         cases_outputs.CASES)
SHOWN_PROBLEMS = 12


def run_case(name, fn, root, args):
    case = Case(name, root, args.certbed, args.source_dir)
    started = time.monotonic()
    try:
        fn(case)
    except CaseError as e:
        case.fail(str(e))
    except Exception:  # a bug in the case itself: show where
        case.fail("the case raised " + traceback.format_exc().strip().replace("\n", "\n    "))
    elapsed = time.monotonic() - started
    timing = f"[{elapsed:.1f} s, {case.certbed.runs} runs]"
    if case.problems:
        print(f"FAIL {name}: {case.problems[0]} {timing}")
        for problem in case.problems[1:SHOWN_PROBLEMS]:
            print(f"     {problem}")
        if len(case.problems) > SHOWN_PROBLEMS:
            print(f"     ... and {len(case.problems) - SHOWN_PROBLEMS} more")
    else:
        print(f"ok  {name}: {'; '.join(case.checked)} {timing}")
    sys.stdout.flush()
    return not case.problems, elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certbed", required=True, help="the certbed binary")
    parser.add_argument("--source-dir", required=True, help="the repository (for fixtures/)")
    parser.add_argument("--only", nargs="+", metavar="CASE",
                        help="run only these cases (names or shell patterns)")
    parser.add_argument("--keep", action="store_true", help="keep the case directories")
    parser.add_argument("--list", action="store_true", help="list the cases")
    args = parser.parse_args()
    args.certbed = os.path.abspath(args.certbed)
    args.source_dir = os.path.abspath(args.source_dir)

    selected = [(n, f) for n, f in CASES
                if not args.only or any(fnmatch.fnmatch(n, p) for p in args.only)]
    if args.list:
        for name, _ in CASES:
            print(name)
        return 0
    if not selected:
        print(f"no case matches {args.only}; cases: {', '.join(n for n, _ in CASES)}")
        return 1
    if not os.access(args.certbed, os.X_OK):
        print(f"FAIL setup: {args.certbed} is not an executable")
        return 1
    if os.geteuid() != 0:
        print("FAIL setup: the fault suite runs as root (tmpfs mounts, files owned by nobody)")
        return 1

    root = tempfile.mkdtemp(prefix="certbed-faults-")
    os.chmod(root, 0o755)  # cases run certbed as nobody below it
    started = time.monotonic()
    failed = 0
    try:
        for name, fn in selected:
            passed, _ = run_case(name, fn, root, args)
            failed += 0 if passed else 1
    finally:
        if args.keep:
            print(f"case directories kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    print(f"faults: {len(selected)} case(s), {failed} failed, "
          f"{time.monotonic() - started:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
