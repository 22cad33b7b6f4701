"""Writers of one snapshot at once: certbed processes (which take <snapshot>.lock), a writer that
holds the lock, writers that do not take it, and the temp files dead writers leave behind.
"""
import fcntl
import os
import random
import re
import time

from harness import (CaseError, backups_of, dead_pid, friendly_name_inf, leftovers,
                     load_dump, mode_of, parallel_map, read_bytes, tree_state, write_bytes)

WRITERS = 6  # concurrent repairstore processes per trial, each on its own certificate
WRITER_TRIALS = 20
WRITER_CERTIFICATES = 20
NONLOCKING_CERTIFICATES = 300  # big enough that certbed parses and saves for a while
NONLOCKING_AFTER_READ_TRIALS = 4
NONLOCKING_RANDOM_TRIALS = 6
SEED = 1303


def concurrent_writers(case):
    base = case.path("base.pb")
    case.certbed.ok("init", "random", "--certificates", WRITER_CERTIFICATES, "-o", base)
    base_bytes = read_bytes(base)
    exits = {}
    for trial in range(WRITER_TRIALS):
        d = case.path(f"trial-{trial:02d}")
        os.makedirs(d)
        snap = os.path.join(d, "s.pb")
        write_bytes(snap, base_bytes)
        names = [f"fault-t{trial:02d}-w{k}" for k in range(WRITERS)]
        args = []
        for k, name in enumerate(names):
            inf = os.path.join(d, f"w{k}.inf")
            friendly_name_inf(inf, name)
            args.append(["repairstore", snap, str(k), inf])
        procs = [case.certbed.start(a) for a in args]  # all started before any is waited for
        runs = [case.certbed.finish(p, a) for p, a in zip(procs, args)]
        for run in runs:
            exits[run.code] = exits.get(run.code, 0) + 1
        check_writers_trial(case, trial, snap, base_bytes, names, runs)
    case.note(f"{WRITER_TRIALS} trials of {WRITERS} concurrent repairstore runs on one "
              f"{WRITER_CERTIFICATES}-certificate snapshot (exits {exits}): every change of an "
              "exit 0 present, every failed one absent, the snapshot and each backup load, "
              "backup k holds exactly k changes, nested; the lock is 0600; no temp left")


def check_writers_trial(case, trial, snap, base_bytes, names, runs):
    where = f"trial {trial}"
    final = load_dump(case, snap)
    if final is None:
        case.fail(f"{where}: s.pb does not load after {WRITERS} concurrent writers")
        return
    succeeded = set()
    for k, (name, run) in enumerate(zip(names, runs)):
        present = name in final.get(k, "")
        if run.code == 0:
            succeeded.add(name)
            case.check(present, f"{where}: writer {k} exited 0 but its friendly name {name!r} "
                                f"is not on certificate {k} of s.pb (a lost update)")
        else:
            case.check(not present, f"{where}: writer {k} failed ({run.describe()}) but its "
                                    f"change {name!r} is in s.pb")
            case.fail(f"{where}: writer {k} {run.describe()}; expected every writer to wait "
                      "for the lock and succeed")
    backups = backups_of(snap)
    case.check(len(backups) == len(succeeded),
               f"{where}: {len(backups)} backups ({', '.join(map(os.path.basename, backups))}) "
               f"for {len(succeeded)} successful writers; expected one each")
    if backups:
        case.check(read_bytes(backups[0]) == base_bytes,
                   f"{where}: {os.path.basename(backups[0])} is not the snapshot as it was "
                   "before the first writer")
    loaded = parallel_map(lambda b: load_dump(case, b), backups)
    previous = set()
    for j, (backup, blocks) in enumerate(zip(backups, loaded)):
        label = f"{where}: {os.path.basename(backup)}"
        if blocks is None:
            case.fail(f"{label} does not load")
            continue
        held = {n for n in names if any(n in text for text in blocks.values())}
        case.check(len(held) == j and previous <= held,
                   f"{label} holds the changes {sorted(held)}; expected {j} changes including "
                   f"{sorted(previous)} (each writer backs up the file it read)")
        previous = held
    left = leftovers(os.path.dirname(snap))
    case.check(not left, f"{where}: temp files left: {left}")
    lock = snap + ".lock"
    if case.check(os.path.isfile(lock), f"{where}: no {os.path.basename(lock)} beside s.pb"):
        case.check(mode_of(lock) == 0o600,
                   f"{where}: s.pb.lock has mode {mode_of(lock):o}; expected 600")


def blocked_on_lock(pid):
    """Whether `pid` waits in flock(2) (a '->' line of /proc/locks)."""
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as f:
            text = f.read()
    except OSError:
        return False
    return re.search(rf"->\s+FLOCK\s+\S+\s+\S+\s+{pid}\s", text) is not None


def holds_open(pid, path):
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == path:
                return True
        except OSError:
            pass
    return False


def lock_waits_for_holder(case):
    snap = case.path("s.pb")
    case.certbed.ok("init", "random", "--certificates", WRITER_CERTIFICATES, "-o", snap)
    friendly_name_inf(case.path("held.inf"), "written-while-locked")
    other = case.path("other.pb")
    case.certbed.ok("repairstore", snap, "1", case.path("held.inf"), "-o", other)
    friendly_name_inf(case.path("w.inf"), "written-after-the-lock")
    before = read_bytes(snap)

    fd = os.open(snap + ".lock", os.O_CREAT | os.O_RDWR, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    args = ["repairstore", snap, "0", case.path("w.inf")]
    proc = case.certbed.start(args)
    waiting, deadline, opened_at = False, time.monotonic() + 10, None
    while proc.poll() is None and time.monotonic() < deadline:
        if blocked_on_lock(proc.pid):
            waiting = True
            break
        if opened_at is None and holds_open(proc.pid, snap + ".lock"):
            opened_at = time.monotonic()  # a writer that polls with LOCK_NB: give it time
        if opened_at is not None and time.monotonic() - opened_at > 0.5:
            waiting = True
            break
        time.sleep(0.002)
    unchanged = read_bytes(snap) == before
    if waiting:
        # What a locked writer does: replace the file while certbed waits for the lock.
        write_bytes(case.path("incoming.pb"), read_bytes(other))
        os.replace(case.path("incoming.pb"), snap)
    os.close(fd)
    still_running = proc.poll() is None
    run = case.certbed.finish(proc, args)
    if not waiting and still_running:
        raise CaseError("repairstore was not seen waiting in flock on s.pb.lock, nor holding it "
                        "open, within 10 s; no verdict")
    if not waiting:
        raise CaseError(f"repairstore ran to the end ({run.describe()}) while the test held an "
                        "exclusive flock on s.pb.lock; expected it to wait for the lock" +
                        ("" if unchanged else ", and s.pb changed under the lock"))
    case.check(unchanged, "s.pb changed while the test held s.pb.lock")
    case.check(run.code == 0, f"repairstore after the lock was released: {run.describe()}")
    final = load_dump(case, snap) or {}
    case.check("written-after-the-lock" in final.get(0, ""),
               "certbed's change (certificate 0) is not in s.pb")
    case.check("written-while-locked" in final.get(1, ""),
               "the change the lock holder made (certificate 1) is gone: certbed read s.pb "
               "before it had the lock")
    case.note("repairstore waits while another process holds s.pb.lock, leaves s.pb alone "
              "meanwhile, and then reads the file the holder wrote (both changes present)")


def nonlocking_setup(case):
    base = case.path("base.pb")
    case.certbed.ok("init", "random", "--certificates", NONLOCKING_CERTIFICATES, "-o", base)
    friendly_name_inf(case.path("python.inf"), "python-writer")
    friendly_name_inf(case.path("certbed.inf"), "certbed-writer")
    theirs = case.path("theirs.pb")  # the other writer's file: base plus its own change
    case.certbed.ok("repairstore", base, "1", case.path("python.inf"), "-o", theirs)
    return read_bytes(base), read_bytes(theirs)


def read_bytes_so_far(pid):
    try:
        with open(f"/proc/{pid}/io", encoding="ascii") as f:
            for line in f:
                if line.startswith("rchar:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


def nonlocking_trial(case, d, base, theirs, replace_when):
    """Runs repairstore on d/s.pb and os.replace()s theirs over it when replace_when(pid, t)
    says so. Returns (run, replaced)."""
    os.makedirs(d)
    snap = os.path.join(d, "s.pb")
    write_bytes(snap, base)
    write_bytes(os.path.join(d, "incoming.pb"), theirs)
    args = ["repairstore", snap, "0", case.path("certbed.inf")]
    started = time.monotonic()
    proc = case.certbed.start(args)
    replaced = False
    while proc.poll() is None:
        if replace_when(proc.pid, time.monotonic() - started):
            os.replace(os.path.join(d, "incoming.pb"), snap)
            replaced = True
            break
        time.sleep(0.001)
    return case.certbed.finish(proc, args, started=started), replaced


def non_locking_writer_after_read(case):
    base, theirs = nonlocking_setup(case)
    half = len(base) // 2
    conclusive = 0
    for trial in range(NONLOCKING_AFTER_READ_TRIALS):
        d = case.path(f"trial-{trial}")
        run, replaced = nonlocking_trial(case, d, base, theirs,
                                         lambda pid, t: read_bytes_so_far(pid) > half)
        if not replaced:
            continue  # certbed ended before the test saw it read: no verdict either way
        conclusive += 1
        snap = os.path.join(d, "s.pb")
        where = f"trial {trial}"
        case.check(run.code == 2 and "changed by another process" in run.err,
                   f"{where}: s.pb was replaced after certbed read it; certbed {run.describe()}; "
                   "expected exit 2 and \"changed by another process\"")
        case.check(read_bytes(snap) == theirs,
                   f"{where}: s.pb is not the other writer's file (certbed wrote over it)")
        case.check(not backups_of(snap),
                   f"{where}: backups made though nothing was written: {backups_of(snap)}")
        case.check(not leftovers(d), f"{where}: temp files left: {leftovers(d)}")
    if conclusive == 0:
        raise CaseError(f"certbed ended before reading half of the {len(base)}-byte snapshot "
                        f"in all {NONLOCKING_AFTER_READ_TRIALS} trials; no verdict")
    case.note(f"{conclusive} of {NONLOCKING_AFTER_READ_TRIALS} trials replaced s.pb (os.replace) "
              "while repairstore was reading it: exit 2 \"changed by another process\", the "
              "other writer's file on disk byte for byte, no backup, no temp")


def non_locking_writer_random(case):
    base, theirs = nonlocking_setup(case)
    probe = case.certbed.run("repairstore", case.path("base.pb"), "0", case.path("certbed.inf"),
                             "-o", case.path("probe.pb"))
    duration = probe.elapsed
    rng = random.Random(SEED)
    outcomes = {}
    for trial in range(NONLOCKING_RANDOM_TRIALS):
        delay = (trial + rng.random()) / NONLOCKING_RANDOM_TRIALS * duration
        d = case.path(f"trial-{trial}")
        run, replaced = nonlocking_trial(case, d, base, theirs, lambda pid, t: t >= delay)
        if not replaced:
            os.replace(os.path.join(d, "incoming.pb"), os.path.join(d, "s.pb"))
        outcome = classify_nonlocking(case, f"trial {trial} (replaced at {delay:.2f} s)", d,
                                      run, theirs)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    case.note(f"{NONLOCKING_RANDOM_TRIALS} repairstore runs with s.pb replaced at seeded random "
              f"times over its {duration:.2f} s: message and disk agree ({outcomes})")


def classify_nonlocking(case, where, d, run, theirs):
    snap = os.path.join(d, "s.pb")
    now = read_bytes(snap)
    case.check(not leftovers(d), f"{where}: temp files left: {leftovers(d)}")
    if now == theirs:
        if run.code == 2:
            case.check("changed by another process" in run.err,
                       f"{where}: certbed {run.describe()}; expected \"changed by another "
                       "process\"")
            case.check(not backups_of(snap), f"{where}: a backup was made though certbed "
                                             "wrote nothing")
            return "refused"
        case.check(run.code == 0, f"{where}: certbed {run.describe()}")
        return "replaced after certbed published"
    blocks = load_dump(case, snap)
    if blocks is None:
        case.fail(f"{where}: s.pb does not load after certbed {run.describe()}")
        return "broken"
    ours, others = "certbed-writer" in blocks.get(0, ""), "python-writer" in blocks.get(1, "")
    if ours and others:
        case.check(run.code == 0, f"{where}: both changes are in s.pb but certbed "
                                  f"{run.describe()}")
        return "certbed read the replaced file"
    if ours:
        case.fail(f"{where}: certbed {run.describe()} and s.pb holds its change on the file it "
                  "read before: the other writer's file is lost")
        return "lost update"
    case.fail(f"{where}: s.pb is neither the other writer's file nor holds certbed's change "
              f"(certbed {run.describe()})")
    return "unexplained"


def stale_temp_cleanup(case):
    d = case.path("d")
    victim = case.path("victim")
    os.makedirs(os.path.join(victim, "inside"))
    write_bytes(os.path.join(victim, "inside", "precious"), b"do not delete\n")
    os.makedirs(d)
    snap = os.path.join(d, "s.pb")
    case.certbed.ok("init", "random", "--certificates", WRITER_CERTIFICATES, "-o", snap)
    friendly_name_inf(case.path("w.inf"), "after-cleanup")
    dead, live = dead_pid(), os.getpid()
    stale_file = f".s.pb.certbed-{dead}-a1b2c3.tmp"
    stale_dir = f".s.pb.certbed-{dead}-d4e5f6.tmp"
    live_file = f".s.pb.certbed-{live}-g7h8i9.tmp"
    other_name = f".other.pb.certbed-{dead}-j1k2l3.tmp"
    write_bytes(os.path.join(d, stale_file), b"half a snapshot")
    os.makedirs(os.path.join(d, stale_dir))
    os.symlink(victim, os.path.join(d, stale_dir, "link-to-victim"))
    write_bytes(os.path.join(d, live_file), b"a running writer's temp")
    write_bytes(os.path.join(d, other_name), b"another file's temp")
    victim_before = tree_state(victim)

    run = case.certbed.run("repairstore", snap, "0", case.path("w.inf"))
    case.check(run.code == 0, f"repairstore with stale temps beside s.pb: {run.describe()}")
    for name in (stale_file, stale_dir):
        case.check(not os.path.lexists(os.path.join(d, name)),
                   f"{name} (pid {dead}, not running) is still there after repairstore wrote "
                   "s.pb")
    case.check(os.path.exists(os.path.join(d, live_file)),
               f"{live_file} was removed though pid {live} is running")
    case.check(os.path.exists(os.path.join(d, other_name)),
               f"{other_name} (another file's temp) was removed")
    case.check(tree_state(victim) == victim_before,
               "removing a stale temp folder followed its symlink into another folder")

    plan_dir = os.path.join(d, "p")
    stale_plan = os.path.join(d, f".p.certbed-{dead}-m4n5o6.tmp")
    os.makedirs(stale_plan)
    write_bytes(os.path.join(stale_plan, "plan.json"), b"{}")
    run = case.certbed.run("plan", snap, "-o", plan_dir)
    case.check(run.code in (0, 1), f"plan -o p: {run.describe()}")
    case.check(not os.path.lexists(stale_plan),
               f"{os.path.basename(stale_plan)} (pid {dead}) is still there after plan wrote p")
    case.note("a run that writes s.pb removes .s.pb.certbed-<dead pid>-*.tmp files and folders "
              "(without following a symlink inside), keeps a running pid's temp and another "
              "file's; plan removes a dead .p.certbed-*.tmp folder")


CASES = [
    ("concurrent_writers", concurrent_writers),
    ("lock_waits_for_holder", lock_waits_for_holder),
    ("non_locking_writer_after_read", non_locking_writer_after_read),
    ("non_locking_writer_random", non_locking_writer_random),
    ("stale_temp_cleanup", stale_temp_cleanup),
]
