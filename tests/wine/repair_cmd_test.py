#!/usr/bin/env python3
"""repair.cmd run for real: `wine cmd /c repair.cmd` in every plan folder certbed writes (see
plan_corpus.py), with the logging stand-ins as certutil.exe and reg.exe. Asserts that each call
gets exactly the arguments plan.json's steps call for, by full path from system32; that no
payload runs (hostile names, a plan folder whose path is full of cmd syntax, programs of the
same name dropped into the folder); that a failure injected at call k stops the script there with
a nonzero exit, for every k; and that a run without failure exits 0.

usage: repair_cmd_test.py CERTBED SOURCE_DIR PREFIX_STATE_FILE STUB_EXE
"""
import concurrent.futures
import json
import pathlib
import re
import shutil
import sys
import tempfile
import time

import plan_corpus
import wine_env

# Where Windows keeps each location's stores, as reg export takes them.
REGISTRY_ROOTS = {
    "LocalMachine": "HKLM\\SOFTWARE\\Microsoft\\SystemCertificates\\",
    "unknown": "HKLM\\SOFTWARE\\Microsoft\\SystemCertificates\\",
    "CurrentUser": "HKCU\\Software\\Microsoft\\SystemCertificates\\",
    "LocalMachineEnterprise": "HKLM\\SOFTWARE\\Microsoft\\EnterpriseCertificates\\",
}
LOCATION_OPTIONS = {"CurrentUser": ["-user"], "LocalMachineEnterprise": ["-enterprise"]}
SYSTEM32 = "C:\\windows\\System32\\"
HRESULT_FAIL = -2146893802  # 0x80090016 NTE_BAD_KEYSET, as certutil exits with it
# A folder name a user could have: everything cmd.exe would interpret outside quotes.
# (Windows paths cannot hold < > | " * ?, so the payload makes a folder instead of redirecting.)
HOSTILE_FOLDER = "plan & mkdir pwned & ^^ !x! (1); O'Brien, Müller =x"
# With a '%' in the folder's path Wine's cmd expands %~dp0's value again (Windows does not) and
# cannot cd there (with "%~dp0" in it, it crashes): the script must then stop before any call.
PERCENT_FOLDER = "plan %PATH% 100%"


def expected_calls(plan, folder):
    """[(program, argv[1:], redirect file or None)] that plan.json's steps make repair.cmd run."""
    backup = wine_env.windows_path(folder) + "\\backup"
    store = plan["store"]
    if store is None:
        return []  # nothing is scripted for a plan that names no store
    where = LOCATION_OPTIONS.get(plan["location"], [])
    registry_key = REGISTRY_ROOTS[plan["location"]] + store
    reg_file = backup + "\\" + re.sub(r"[^a-z0-9]", "-", store.lower()) + "-store.reg"
    calls = []
    for step in plan["steps"]:
        kind = step["kind"]
        if kind == "backup":
            calls.append(("certutil.exe", where + ["-v", "-store", store],
                          "machine-before.txt"))
            calls.append(("reg.exe", ["export", registry_key, reg_file, "/y"], None))
            if plan["ca_host"]:
                verb = "-backupDB" if plan["ca_hsm_provider"] else "-backup"
                calls.append(("certutil.exe", [verb, backup + "\\ca"], None))
        elif kind == "inspect":
            calls.append(("certutil.exe", ["-getreg", "CA\\CACertHash"], "ca-cert-hashes.txt"))
        elif kind == "repairstore":
            args = where + ["-repairstore", store, step["cert_id"]]
            if step["inf"]:
                args.append(step["inf"])
            calls.append(("certutil.exe", args, None))
        elif kind == "verify":
            calls.append(("certutil.exe", where + ["-v", "-store", store],
                          "machine-after.txt"))
            if plan["ca_host"]:
                calls.append(("certutil.exe", ["-verifykeys"], None))
    return calls


# Under load, Wine's cmd now and then fails to start a program that is there. Two forms are seen:
# "Can't recognize '"C:\windows\System32\certutil.exe" ...' as an internal or external command",
# and "Application could not be started, ... ShellExecuteEx failed: Internal error." with no call
# logged. Such a run says nothing about the script, so it is run again from a fresh log (twice at
# most); the count is reported, and a script that fails the same way every time still fails.
LAUNCH_FAILURES = (b"Can't recognize '\"C:\\windows\\System32\\",
                   b"ShellExecuteEx failed: Internal error")
launch_retries = 0


def run_script(prefix, folder, fail_at=None):
    global launch_retries
    log = folder / "stub-log.jsonl"
    env = {"CERTBED_STUB_LOG": wine_env.windows_path(log)}
    if fail_at is not None:
        env["CERTBED_STUB_FAIL_AT"] = fail_at
        env["CERTBED_STUB_FAIL_CODE"] = HRESULT_FAIL
    for attempt in (1, 2, 3):
        log.unlink(missing_ok=True)
        code, out, err = wine_env.run_wine(["cmd", "/c", "repair.cmd"], prefix, folder,
                                           timeout=60, **env)
        if attempt < 3 and any(f in out + err for f in LAUNCH_FAILURES):
            launch_retries += 1
            continue
        break
    calls = [json.loads(line) for line in log.read_text(encoding="ascii").splitlines()] \
        if log.is_file() else []
    log.unlink(missing_ok=True)
    return code, calls, out, err


def side_effects(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if re.search(r"pwned|dropped", p.name, re.I))


def check_calls(label, calls, want, folder):
    problems = []
    for n, (got, (program, args, redirect)) in enumerate(zip(calls, want), 1):
        argv = got["argv"]
        if argv[0].lower() != (SYSTEM32 + program).lower() or argv[1:] != args:
            problems.append(f"{label}: call {n}: got {argv}, want {SYSTEM32 + program} {args}")
        if not got["exe"].lower().endswith("\\system32\\" + program):
            problems.append(f"{label}: call {n} ran {got['exe']}, not the system32 {program}")
        if got["cwd"].rstrip("\\").lower() != wine_env.windows_path(folder).lower():
            problems.append(f"{label}: call {n} ran in {got['cwd']}")
        if redirect:
            target = folder / "backup" / redirect
            text = target.read_text(errors="replace") if target.is_file() else ""
            if f"stand-in call {n}" not in text:
                problems.append(f"{label}: call {n}'s output did not reach backup\\{redirect}")
    if len(calls) != len(want):
        problems.append(f"{label}: {len(calls)} calls logged, want {len(want)}: "
                        f"{[c['argv'][1:3] for c in calls]}")
    return problems


def fresh_copy(plan_dir, work, name):
    folder = work / name
    shutil.copytree(plan_dir, folder)
    return folder


def check_plan(prefix, label, plan_dir, work, n, sweep, folder_name=None):
    """The run without failure, then (if sweep) one run per injected failure."""
    plan = json.loads((plan_dir / "plan.json").read_text(encoding="utf-8"))
    problems = []
    name = folder_name or f"run-{n:03d}"
    folder = fresh_copy(plan_dir, work, name)
    want = expected_calls(plan, folder)
    code, calls, out, err = run_script(prefix, folder)
    if code != 0:
        problems.append(f"{label}: exit {code} without any failure: {(out + err)[-300:]!r}")
    problems += check_calls(label, calls, want, folder)
    problems += [f"{label}: a payload ran: {p}" for p in side_effects(folder)]
    runs = 1
    if sweep:
        for k in sweep_points(want):
            folder = fresh_copy(plan_dir, work / f"fail-{k}", name)
            code, calls, out, err = run_script(prefix, folder, fail_at=k)
            runs += 1
            if code == 0:
                problems.append(f"{label}: exit 0 although call {k} failed")
            if len(calls) != k:
                problems.append(f"{label}: the run failing call {k} printed {(out + err)[-300:]!r}")
            problems += check_calls(f"{label} (call {k} fails)", calls,
                                    expected_calls(plan, folder)[:k], folder)
            shutil.rmtree(folder, ignore_errors=True)
    return problems, runs


def call_form(call):
    program, args, redirect = call
    return (program, tuple(re.sub(r"[0-9a-f]{16,}", "ID", a) for a in args), redirect)


def sweep_points(want):
    """The calls to fail: every call of a short script; in a long one (a random store's 40
    repairstore lines) the first call of each form and the last call, since the lines between
    are the same text with another certificate id."""
    if len(want) <= 10:
        return list(range(1, len(want) + 1))
    seen, points = set(), []
    for k, call in enumerate(want, 1):
        if call_form(call) not in seen or k == len(want):
            seen.add(call_form(call))
            points.append(k)
    return points


def shape(plan_dir):
    """Plans whose calls have the same forms (certificate ids aside) in the same order behave
    alike; long scripts are alike when they use the same set of forms."""
    plan = json.loads((plan_dir / "plan.json").read_text(encoding="utf-8"))
    forms = [call_form(c) for c in expected_calls(plan, pathlib.Path("/plan"))]
    return tuple(forms) if len(forms) <= 10 else ("long",) + tuple(sorted(set(forms)))


def check_percent_folder(prefix, plan_dir, work):
    folder = fresh_copy(plan_dir, work, PERCENT_FOLDER)
    plan = json.loads((plan_dir / "plan.json").read_text(encoding="utf-8"))
    code, calls, _, _ = run_script(prefix, folder)
    want = expected_calls(plan, folder)
    problems = [f"'%' in the folder: a payload ran: {p}" for p in side_effects(folder)]
    if calls:  # Windows: the whole plan; Wine: nothing
        problems += check_calls("'%' in the folder", calls, want, folder)
    elif code == 0:
        problems.append("'%' in the folder: exit 0 without running any call")
    return problems


def check_dropped_programs(prefix, plan_dir, work, stub_exe):
    """A certutil/reg .exe, .bat or .cmd in the plan folder must never run instead."""
    folder = fresh_copy(plan_dir, work, "run-dropped")
    for name in ("certutil.exe", "reg.exe"):
        shutil.copyfile(stub_exe, folder / name)
    for name in ("certutil.bat", "certutil.cmd", "reg.bat", "reg.cmd"):
        (folder / name).write_bytes(b"@echo off\r\necho DROPPED>\"%~dp0dropped.txt\"\r\n")
    plan = json.loads((plan_dir / "plan.json").read_text(encoding="utf-8"))
    code, calls, _, _ = run_script(prefix, folder)
    problems = [] if code == 0 else [f"dropped programs: exit {code}"]
    problems += check_calls("dropped programs", calls, expected_calls(plan, folder), folder)
    problems += [f"dropped programs: a dropped program ran: {p}" for p in side_effects(folder)]
    return problems


def main():
    certbed, source_dir, state, stub_exe = sys.argv[1:5]
    start = time.monotonic()
    prefix = wine_env.prefix_from_state(state)
    with tempfile.TemporaryDirectory(prefix="certbed-cmd-") as tmp:
        work = pathlib.Path(tmp)
        plans, refused = plan_corpus.build_plans(certbed, pathlib.Path(source_dir), work / "plans")
        problems = [f"certbed plan refused {label} (exit {code}): {err}"
                    for label, code, err in refused]
        seen = set()
        jobs = []
        for n, (label, plan_dir) in enumerate(plans):
            sweep = shape(plan_dir) not in seen
            seen.add(shape(plan_dir))
            jobs.append((label, plan_dir, n, sweep))
        runs = 0
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            futures = [pool.submit(check_plan, prefix, label, plan_dir, work, n, sweep)
                       for label, plan_dir, n, sweep in jobs]
            # The plan is copied into a folder named HOSTILE_FOLDER for each run.
            (work / "hostile").mkdir()
            futures.append(pool.submit(check_plan, prefix, "hostile folder name", plans[0][1],
                                       work / "hostile", 0, True, HOSTILE_FOLDER))
            for f in futures:
                found, count = f.result()
                problems += found
                runs += count
        problems += check_dropped_programs(prefix, plans[0][1], work, stub_exe)
        problems += check_percent_folder(prefix, plans[0][1], work)
        runs += 2
        for p in problems:
            print("FAIL:", p)
        print(f"repair-cmd: {len(plans)} plans, {len(seen)} distinct scripts swept, {runs} runs of "
              f"repair.cmd under Wine ({launch_retries} run again after Wine failed to start a "
              f"stand-in), {len(problems)} problem(s) in {time.monotonic() - start:.1f} s")
        return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
