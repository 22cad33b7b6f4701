"""kill -9 at seeded random points of a save: init -o over a file, repairstore, apply, renew and
plan. After each kill the target is the old file (or plan) byte for byte or the complete new
one; the next successful run leaves no temp file or folder behind.
"""
import os
import random
import re
import shutil
import signal
import time

from harness import (CaseError, backups_of, describe_difference, digest, friendly_name_inf,
                     leftovers, leftovers_below, read_bytes, replace_with, tree_state,
                     write_bytes)

KILLS_PER_COMMAND = 10  # half at a uniform time over the run, half once its save has begun
KILL_CERTIFICATES = 300
SEED = 9


def watched_names(dirs):
    names = set()
    for d in dirs:
        try:
            names |= {os.path.join(d, n) for n in os.listdir(d)}
        except OSError:
            pass
    return names


def new_output(dirs, before):
    """Whether a file the run writes has appeared (a temp file or folder; not its lock, its
    backups or the test's own staging files)."""
    for name in watched_names(dirs) - before:
        base = os.path.basename(name)
        if not (base.endswith(".lock") or re.search(r"\.bak(\.\d+)?$", base) or
                base.startswith("staging-")):
            return True
    return False


def run_and_maybe_kill(case, args, dirs, kill_at=None, after_output=None):
    """Runs certbed; kills it kill_at s after the start, or after_output s after its first
    output file appears. Returns (run, phase, seconds to first output or None)."""
    before = watched_names(dirs)
    started = time.monotonic()
    proc = case.certbed.start(args)
    output_at = None
    killed = False
    while proc.poll() is None:
        now = time.monotonic() - started
        if output_at is None and new_output(dirs, before):
            output_at = now
        due = (kill_at is not None and now >= kill_at) or (
            after_output is not None and output_at is not None and now >= output_at +
            after_output)
        if due:
            proc.send_signal(signal.SIGKILL)
            killed = True
            break
        time.sleep(0.0005)
    run = case.certbed.finish(proc, args, started=started)
    if not killed or run.code != -signal.SIGKILL:
        phase = "ended before the kill"
    else:
        phase = "killed while saving" if output_at is not None else "killed before saving"
    return run, phase, output_at


class SnapshotTarget:
    """A command that replaces one snapshot file."""

    def __init__(self, case, name, old, args, ext=".pb"):
        self.case, self.name = case, name
        self.dir = case.path(name)
        os.makedirs(self.dir)
        self.target = os.path.join(self.dir, "s" + ext)
        self.ext = ext
        self.old = old
        self.args = [a.replace("TARGET", self.target) for a in args]

    def reference(self):
        """Runs the command on a copy (twice: the result must not depend on when it runs)."""
        results = []
        for i in range(2):
            d = self.case.path(f"{self.name}-reference-{i}")
            os.makedirs(d)
            target = os.path.join(d, os.path.basename(self.target))
            write_bytes(target, self.old)
            args = [a.replace(self.target, target) for a in self.args]
            run, _, output_at = run_and_maybe_kill(self.case, args, [d])
            if run.code != 0:
                raise CaseError(f"setup: `certbed {' '.join(args)}` {run.describe()}")
            results.append(read_bytes(target))
        if results[0] != results[1]:
            raise CaseError(f"{self.name}: two runs on the same file wrote different bytes; "
                            "the case needs a deterministic result to compare with")
        if results[0] == self.old:
            raise CaseError(f"{self.name}: the command did not change the file")
        self.new = results[0]
        return run.elapsed, output_at

    def reset(self):
        replace_with(self.target, self.old)

    def check(self, where):
        case = self.case
        if not os.path.isfile(self.target) or os.path.islink(self.target):
            case.fail(f"{where}: {os.path.basename(self.target)} is missing or not a file")
            return
        now = read_bytes(self.target)
        case.check(now in (self.old, self.new),
                   f"{where}: {os.path.basename(self.target)} is neither the old file "
                   f"({len(self.old)} bytes, {digest(self.old)}) nor the new one "
                   f"({len(self.new)} bytes, {digest(self.new)}): {len(now)} bytes, "
                   f"{digest(now)}")
        for backup in backups_of(self.target):
            case.check(read_bytes(backup) == self.old,
                       f"{where}: {os.path.basename(backup)} is not the old file byte for byte")

    def finish(self):
        self.reset()
        run = self.case.certbed.run(*self.args)
        self.case.check(run.code == 0, f"{self.name}: the run after the kills {run.describe()}")
        self.check(f"{self.name}: after the run that followed the kills")
        self.case.check(read_bytes(self.target) == self.new,
                        f"{self.name}: the run after the kills did not write the new file")
        left = leftovers(self.dir)
        self.case.check(not left, f"{self.name}: temp files left after a successful run "
                                  f"following the kills: {left}")


class PlanTarget:
    """certbed plan INPUT -o DIR over a folder holding an older plan."""

    def __init__(self, case, old_plan, input_path):
        self.case, self.name = case, "plan"
        self.dir = case.path("plan")
        os.makedirs(self.dir)
        self.target = os.path.join(self.dir, "p")
        self.old_plan = old_plan
        self.old = tree_state(old_plan)
        self.args = ["plan", input_path, "-o", self.target]

    def reference(self):
        d = self.case.path("plan-reference")
        os.makedirs(d)
        target = os.path.join(d, "p")
        shutil.copytree(self.old_plan, target)
        run, _, output_at = run_and_maybe_kill(self.case, ["plan", self.args[1], "-o", target],
                                               [d, target])
        if run.code != 0:
            raise CaseError(f"setup: plan into a folder holding a plan {run.describe()}")
        self.new = tree_state(target)
        if self.new == self.old:
            raise CaseError("setup: the new plan is the same as the old one")
        return run.elapsed, output_at

    def reset(self):
        if os.path.lexists(self.target):
            shutil.rmtree(self.target)
        shutil.copytree(self.old_plan, self.target)

    def check(self, where):
        case = self.case
        now = tree_state(self.target)
        if now is None:
            kept = [b for b in backups_of(self.target) if tree_state(b) == self.old]
            case.fail(f"{where}: p is missing (the old plan is in "
                      f"{', '.join(map(os.path.basename, kept)) or 'no p.bak'}); expected p to "
                      "hold the old plan or the new one")
        elif now != self.old and now != self.new:
            case.fail(f"{where}: p holds neither the old plan nor the new one; against the old: "
                      f"{describe_difference(self.old, now)}; against the new: "
                      f"{describe_difference(self.new, now)}")
        for backup in backups_of(self.target):
            case.check(tree_state(backup) == self.old,
                       f"{where}: {os.path.basename(backup)} is not the old plan: "
                       f"{describe_difference(self.old, tree_state(backup))}")

    def finish(self):
        self.reset()
        run = self.case.certbed.run(*self.args)
        self.case.check(run.code == 0, f"plan: the run after the kills {run.describe()}")
        self.case.check(tree_state(self.target) == self.new,
                        "plan: the run after the kills did not leave the new plan in p")
        left = leftovers_below(self.dir)
        self.case.check(not left, f"plan: temp files or folders left after a successful run "
                                  f"following the kills: {left}")


def kill_sweep(case, target):
    duration, output_at = target.reference()
    save_window = duration - output_at if output_at is not None else duration
    rng = random.Random(f"{SEED}-{target.name}")
    phases = {}
    for i in range(KILLS_PER_COMMAND):
        target.reset()
        slot = (i // 2 + rng.random()) / ((KILLS_PER_COMMAND + 1) // 2)
        if i % 2 == 0:
            run, phase, _ = run_and_maybe_kill(case, target.args, [target.dir, target.target],
                                               kill_at=slot * duration)
            when = f"kill {i} at {slot * duration:.3f} s"
        else:
            run, phase, _ = run_and_maybe_kill(case, target.args, [target.dir, target.target],
                                               after_output=slot * save_window)
            when = f"kill {i} {slot * save_window:.3f} s into the save"
        phases[phase] = phases.get(phase, 0) + 1
        if phase == "ended before the kill" and run.code != 0:
            case.fail(f"{target.name}: {when}: the run ended on its own with {run.describe()}")
        target.check(f"{target.name}: {when} ({phase})")
    target.finish()
    saving = "" if output_at is None else f", its save from {output_at:.2f} s"
    case.note(f"{KILLS_PER_COMMAND} SIGKILLs over its {duration:.2f} s run{saving} "
              f"({', '.join(f'{v} {k}' for k, v in sorted(phases.items()))}): the target was "
              "the old or the new one each time, every backup the old one; the next run wrote "
              "the new one and left no temp")


def kill_init(case):
    old = case.path("old.pb")
    case.certbed.ok("init", "random", "--certificates", KILL_CERTIFICATES, "--seed", "2", "-o",
                    old)
    kill_sweep(case, SnapshotTarget(case, "init", read_bytes(old),
                                    ["init", "random", "--certificates", str(KILL_CERTIFICATES),
                                     "--seed", "1", "-o", "TARGET"]))


def kill_repairstore(case):
    old = case.path("old.pb")
    case.certbed.ok("init", "random", "--certificates", KILL_CERTIFICATES, "-o", old)
    friendly_name_inf(case.path("name.inf"), "written-before-the-kill")
    kill_sweep(case, SnapshotTarget(case, "repairstore", read_bytes(old),
                                    ["repairstore", "TARGET", "7", case.path("name.inf")]))


def kill_apply(case):
    old = case.path("old.pb")
    case.certbed.ok("init", "web-farm-400-one-keyspec2", "-o", old)
    case.certbed.ok("plan", old, "-o", case.path("farm-plan"))
    kill_sweep(case, SnapshotTarget(case, "apply", read_bytes(old),
                                    ["apply", "TARGET", case.path("farm-plan")]))


def ca_with_filler(case, path):
    """A CA snapshot (ca-ksp-healthy) with a store of random certificates beside it, so that
    saving it takes a while."""
    ca, filler = case.path("ca.textproto"), case.path("filler.textproto")
    case.certbed.ok("init", "ca-ksp-healthy", "-o", ca)
    case.certbed.ok("init", "random", "--certificates", KILL_CERTIFICATES, "-o", filler)
    text = read_bytes(filler).decode("utf-8")
    store = re.search(r'^stores \{\n  location: LOCAL_MACHINE\n  name: "My"\n.*?^\}\n', text,
                      re.S | re.M)
    if not store:
        raise CaseError("setup: no LocalMachine\\My store block in the random snapshot's text")
    block = store.group(0).replace('name: "My"', 'name: "Filler"', 1)
    write_bytes(path, read_bytes(ca) + block.encode("utf-8"))
    case.certbed.ok("store", path, "--store", "Filler")


def kill_renew(case):
    old = case.path("old.textproto")
    ca_with_filler(case, old)
    kill_sweep(case, SnapshotTarget(case, "renew", read_bytes(old), ["renew", "TARGET"],
                                    ext=".textproto"))


def kill_plan(case):
    farm, large = case.path("farm.pb"), case.path("large.pb")
    case.certbed.ok("init", "web-farm-400-one-keyspec2", "-o", farm)
    case.certbed.ok("init", "random", "--certificates", KILL_CERTIFICATES, "-o", large)
    case.certbed.ok("plan", farm, "-o", case.path("old-plan"))
    kill_sweep(case, PlanTarget(case, case.path("old-plan"), large))


CASES = [
    ("kill_init", kill_init),
    ("kill_repairstore", kill_repairstore),
    ("kill_apply", kill_apply),
    ("kill_renew", kill_renew),
    ("kill_plan", kill_plan),
]
