"""Where certbed writes: a full disk, a read-only one, a folder it may not write, names planted as
symlinks, backup names already taken by files it cannot read, and the modes files keep.
"""
import os
import re

from harness import (CaseError, Tmpfs, backups_of, dead_pid, entry_state, fill_filesystem,
                     friendly_name_inf, leftovers, load_dump, mode_of, next_pids, read_bytes,
                     tree_state, write_bytes)

PLANTED_PIDS = 64  # next pids for which temp names are planted as symlinks
NOBODY = 65534


def changed_besides_locks(before, after):
    """What changed in a folder other than lock files and backups (checked on their own)."""
    def strip(state):
        return {k: v for k, v in (state or {}).items()
                if not (k.endswith(".lock") or re.search(r"\.bak(\.\d+)?$", k))}
    b, a = strip(before), strip(after)
    return sorted(k for k in set(b) | set(a) if b.get(k) != a.get(k))


def expect_refused(case, label, run, reason, folder, before, originals):
    """A write that must fail with `reason`, leaving `folder` as it was."""
    case.check(run.code == 2 and reason in run.err and run.err.startswith("certbed: "),
               f"{label}: {run.describe()}; expected exit 2 and \"certbed: ... {reason}\"")
    changed = changed_besides_locks(before, tree_state(folder))
    case.check(not changed, f"{label}: changed on disk: {changed}")
    for original, data in originals.items():
        for backup in backups_of(original):
            case.check(read_bytes(backup) == data,
                       f"{label}: {os.path.basename(backup)} is not {os.path.basename(original)}")


def write_commands(case, d, inf):
    """(label, args) of every kind of write into folder d, which holds s.pb and ca.pb."""
    s, ca = os.path.join(d, "s.pb"), os.path.join(d, "ca.pb")
    return [
        ("repairstore s.pb", ["repairstore", s, "0", inf]),
        ("init -o over s.pb", ["init", "random", "--certificates", "20", "--seed", "5", "-o", s]),
        ("init -o new.pb", ["init", "web-healthy", "-o", os.path.join(d, "new.pb")]),
        ("plan -o q", ["plan", s, "-o", os.path.join(d, "q")]),
        ("export -o x.der", ["export", s, "0", "-o", os.path.join(d, "x.der")]),
        ("renew ca.pb", ["renew", ca]),
    ]


def populate(case, d):
    case.certbed.ok("init", "random", "--certificates", "20", "-o", os.path.join(d, "s.pb"))
    case.certbed.ok("init", "ca-ksp-healthy", "-o", os.path.join(d, "ca.pb"))
    friendly_name_inf(case.path("w.inf"), "never-written")
    return {os.path.join(d, n): read_bytes(os.path.join(d, n)) for n in ("s.pb", "ca.pb")}


def enospc(case):
    mnt = case.path("full")
    with Tmpfs(mnt, "4m"):
        originals = populate(case, mnt)
        fill_filesystem(mnt)
        before = tree_state(mnt)
        for label, args in write_commands(case, mnt, case.path("w.inf")):
            run = case.certbed.run(*args)
            expect_refused(case, label, run, "No space left on device", mnt, before, originals)
            before = tree_state(mnt)  # a lock file may stay; the next command starts from here
        left = leftovers(mnt)
        case.check(not left, f"temp files left on the full disk: {left}")
    case.note("on a full tmpfs repairstore, init (over a file and new), plan, export and renew "
              "exit 2 with \"No space left on device\", the disk as it was (besides lock "
              "files), no temp")


def read_only_fs(case):
    mnt = case.path("ro")
    rw = case.path("rw")
    os.makedirs(rw)
    with Tmpfs(mnt, "8m") as fs:
        originals = populate(case, mnt)
        sub = case.path("sub.textproto")
        case.certbed.ok("init", "subca-ksp-healthy", "-o", sub)
        fs.remount_read_only()
        before = tree_state(mnt)
        for label, args in write_commands(case, mnt, case.path("w.inf")):
            run = case.certbed.run(*args)
            expect_refused(case, label, run, "Read-only file system", mnt, before, originals)
        # A new key: renew writes the request and the snapshot, or neither.
        request = os.path.join(rw, "request.req")
        run = case.certbed.run("renew", sub, "-o", os.path.join(mnt, "renewed.textproto"),
                               "--request-out", request)
        expect_refused(case, "renew -o on the read-only disk", run, "Read-only file system",
                       mnt, before, originals)
        case.check(not os.path.exists(request),
                   "renew failed to write its snapshot but left the request behind in rw/")
    case.note("on a read-only tmpfs every write command exits 2 with \"Read-only file system\" "
              "and changes nothing; renew whose snapshot cannot be written leaves no request")


def permission_denied(case):
    probe = case.certbed.run("init", "--list", user="nobody")
    if probe.code != 0:
        raise CaseError(f"setup: certbed does not run as nobody ({probe.describe()}); the case "
                        "needs the binary and the temp folder readable by other users")
    d = case.path("locked")
    os.makedirs(d)
    originals = populate(case, d)
    os.chmod(d, 0o755)  # root's folder: nobody may read it but not write it
    for name in originals:
        os.chmod(name, 0o644)
    before = tree_state(d)
    for label, args in write_commands(case, d, case.path("w.inf")):
        run = case.certbed.run(*args, user="nobody")
        expect_refused(case, f"{label} as nobody", run, "Permission denied", d, before,
                       originals)
    secret = case.path("secret.pb")
    write_bytes(secret, originals[os.path.join(d, "s.pb")])
    os.chmod(secret, 0o600)
    run = case.certbed.run("store", secret, user="nobody")
    case.check(run.code == 2 and "secret.pb: cannot open: Permission denied" in run.err,
               f"store of a 0600 root file as nobody: {run.describe()}; expected \"secret.pb: "
               "cannot open: Permission denied\"")
    run = case.certbed.run("store", case.path("missing.pb"))
    case.check(run.code == 2 and "missing.pb: cannot open: No such file or directory" in run.err,
               f"store of a missing file: {run.describe()}")
    case.note("as nobody in root's 0755 folder every write exits 2 with \"Permission denied\" "
              "and changes nothing; unreadable and missing inputs say \"cannot open: "
              "Permission denied\" / \"No such file or directory\"")


def symlinked_temp_names(case):
    d = case.path("d")
    os.makedirs(d)
    victim, victim_dir = case.path("victim.txt"), case.path("victim-dir")
    write_bytes(victim, b"the victim's bytes\n")
    os.chmod(victim, 0o644)
    os.makedirs(victim_dir)
    write_bytes(os.path.join(victim_dir, "precious"), b"keep me\n")
    snap = os.path.join(d, "s.pb")
    case.certbed.ok("init", "random", "--certificates", "20", "-o", snap)
    friendly_name_inf(case.path("w.inf"), "through-the-symlinks")
    names = ["s.pb.tmp", ".s.pb.tmp", "s.pb.bak.tmp", "s.pb.bak.1.tmp", "x.der.tmp",
             ".x.der.tmp", "p.tmp", ".p.tmp", "p.bak.tmp"]
    for pid in next_pids(PLANTED_PIDS) + [dead_pid()]:
        for target in ("s.pb", "x.der", "p"):
            names += [f".{target}.certbed-{pid}.tmp", f".{target}.certbed-{pid}-000000.tmp",
                      f".{target}.certbed-{pid}-aaaaaa.tmp"]
    names = list(dict.fromkeys(names))  # a dead pid may be among the next ones
    for i, name in enumerate(names):
        os.symlink(victim_dir if i % 7 == 3 else victim, os.path.join(d, name))
    victim_before, dir_before = entry_state(victim), tree_state(victim_dir)

    runs = [("repairstore", case.certbed.run("repairstore", snap, "0", case.path("w.inf"))),
            ("export", case.certbed.run("export", snap, "0", "-o", os.path.join(d, "x.der"))),
            ("plan", case.certbed.run("plan", snap, "-o", os.path.join(d, "p")))]
    for label, run in runs:
        case.check(run.code in ((0, 1) if label == "plan" else (0,)),
                   f"{label} with symlinks planted at temp names: {run.describe()}")
    case.check(entry_state(victim) == victim_before,
               "victim.txt changed: certbed wrote through a symlink planted at a temp name")
    case.check(tree_state(victim_dir) == dir_before,
               "victim-dir changed: certbed followed a symlink planted at a temp name")
    case.check(os.path.isfile(snap) and not os.path.islink(snap), "s.pb is not a regular file")
    case.check("through-the-symlinks" in (load_dump(case, snap) or {}).get(0, ""),
               "s.pb does not hold repairstore's change")
    der = os.path.join(d, "x.der")
    case.check(os.path.isfile(der) and not os.path.islink(der) and
               read_bytes(der)[:1] == b"\x30", "x.der is not a regular file holding DER")
    case.check(os.path.isfile(os.path.join(d, "p", "plan.json")) and
               not os.path.islink(os.path.join(d, "p")), "p is not a plan folder")
    case.note(f"{len(names)} symlinks to a victim file and folder at the temp names an attacker "
              "would guess (s.pb.tmp, .s.pb.certbed-<next pids>-*.tmp, x.der.tmp, p.tmp, ...): "
              "repairstore, export and plan succeed, the victims are untouched, the outputs "
              "are regular files")


def backup_check(case, d, planted, expected_backup, old):
    """Runs repairstore on d/s.pb with `planted` names already there; the backup must go to
    `expected_backup` and every planted entry stay as it was."""
    snap = os.path.join(d, "s.pb")
    before = {name: entry_state(os.path.join(d, name)) for name in planted}
    run = case.certbed.run("repairstore", snap, "0", case.path("w.inf"))
    label = f"s.pb with {', '.join(planted)} taken"
    case.check(run.code == 0, f"{label}: repairstore {run.describe()}")
    backup = os.path.join(d, expected_backup)
    case.check(f"certbed: backed up {snap} to {backup}" in run.out,
               f"{label}: expected \"certbed: backed up {snap} to {backup}\" in the output")
    case.check(os.path.isfile(backup) and not os.path.islink(backup) and
               read_bytes(backup) == old,
               f"{label}: {expected_backup} is not the old snapshot byte for byte")
    for name, state in before.items():
        path = os.path.join(d, name)
        now = entry_state(path) if os.path.lexists(path) else "gone"
        case.check(now == state, f"{label}: {name} was changed or replaced ({state} -> {now})")


def fresh_snapshot(case, name):
    d = case.path(name)
    os.makedirs(d)
    case.certbed.ok("init", "random", "--certificates", "20", "-o", os.path.join(d, "s.pb"))
    return d, read_bytes(os.path.join(d, "s.pb"))


def symlinked_backup_name(case):
    friendly_name_inf(case.path("w.inf"), "backup-elsewhere")
    victim = case.path("victim.txt")
    write_bytes(victim, b"the victim's bytes\n")
    d, old = fresh_snapshot(case, "dangling")
    os.symlink(case.path("nowhere"), os.path.join(d, "s.pb.bak"))
    backup_check(case, d, ["s.pb.bak"], "s.pb.bak.1", old)
    case.check(not os.path.lexists(case.path("nowhere")),
               "the dangling s.pb.bak symlink was followed: its target now exists")
    d, old = fresh_snapshot(case, "to-victim")
    os.symlink(victim, os.path.join(d, "s.pb.bak"))
    backup_check(case, d, ["s.pb.bak"], "s.pb.bak.1", old)
    case.check(read_bytes(victim) == b"the victim's bytes\n", "victim.txt changed")
    case.note("with s.pb.bak a dangling symlink, and a symlink to a victim, the backup goes to "
              "s.pb.bak.1; the symlinks, their targets and the victim are untouched")


def unreadable_backup(case):
    friendly_name_inf(case.path("w.inf"), "backup-elsewhere")
    d, old = fresh_snapshot(case, "unreadable")
    bak = os.path.join(d, "s.pb.bak")
    write_bytes(bak, b"someone else's file\n")
    os.chown(bak, NOBODY, NOBODY)
    os.chmod(bak, 0)
    backup_check(case, d, ["s.pb.bak"], "s.pb.bak.1", old)
    d, old = fresh_snapshot(case, "all-taken")
    bak = os.path.join(d, "s.pb.bak")
    write_bytes(bak, b"someone else's file\n")
    os.chown(bak, NOBODY, NOBODY)
    os.chmod(bak, 0)
    os.makedirs(os.path.join(d, "s.pb.bak.1"))
    write_bytes(os.path.join(d, "s.pb.bak.1", "inside"), b"a folder's file\n")
    os.symlink(case.path("nowhere"), os.path.join(d, "s.pb.bak.2"))
    backup_check(case, d, ["s.pb.bak", "s.pb.bak.1", "s.pb.bak.1/inside", "s.pb.bak.2"],
                 "s.pb.bak.3", old)
    case.note("an s.pb.bak owned by nobody with mode 0000 is kept and the backup is s.pb.bak.1; "
              "with .bak (unreadable), .bak.1 (a folder) and .bak.2 (dangling) taken it is "
              "s.pb.bak.3")


def modes_kept(case):
    case.certbed.ok("init", "web-farm-400-one-keyspec2", "-o", case.path("farm.pb"))
    case.certbed.ok("plan", case.path("farm.pb"), "-o", case.path("farm-plan"))
    friendly_name_inf(case.path("w.inf"), "mode-kept")
    for mode in (0o600, 0o640):
        d = case.path(f"mode-{mode:o}")
        os.makedirs(d)
        snaps = {"repairstore": os.path.join(d, "r.pb"), "apply": os.path.join(d, "a.pb"),
                 "renew": os.path.join(d, "n.pb"), "init -o over": os.path.join(d, "i.pb")}
        case.certbed.ok("init", "random", "--certificates", "20", "-o", snaps["repairstore"])
        write_bytes(snaps["apply"], read_bytes(case.path("farm.pb")))
        case.certbed.ok("init", "ca-ksp-healthy", "-o", snaps["renew"])
        case.certbed.ok("init", "web-healthy", "-o", snaps["init -o over"])
        for path in snaps.values():
            os.chmod(path, mode)
        runs = {"repairstore": ["repairstore", snaps["repairstore"], "0", case.path("w.inf")],
                "apply": ["apply", snaps["apply"], case.path("farm-plan")],
                "renew": ["renew", snaps["renew"]],
                "init -o over": ["init", "random", "--certificates", "5", "-o",
                                 snaps["init -o over"]]}
        for label, args in runs.items():
            run = case.certbed.run(*args, umask=0o022)
            if not case.check(run.code == 0, f"{label} on a {mode:o} snapshot: {run.describe()}"):
                continue
            path = snaps[label]
            case.check(mode_of(path) == mode,
                       f"{label}: the {mode:o} snapshot is {mode_of(path):o} afterwards")
            for backup in backups_of(path):
                case.check(mode_of(backup) == mode, f"{label}: {os.path.basename(backup)} of "
                                                    f"a {mode:o} snapshot is {mode_of(backup):o}")
            if label != "init -o over":
                case.check(backups_of(path), f"{label}: no backup of the {mode:o} snapshot")
    new_snapshot(case)
    case.note("0600 and 0640 snapshots keep their mode through repairstore, apply, renew and "
              "init -o, and so do their backups; a new snapshot is 0600; .der, .req and plan "
              "files are 0666 & ~umask")


def new_snapshot(case):
    d = case.path("new")
    os.makedirs(d)
    snap = os.path.join(d, "s.pb")
    case.certbed.run("init", "random", "--certificates", "5", "-o", snap, umask=0o022)
    case.check(os.path.exists(snap) and mode_of(snap) == 0o600,
               f"a new snapshot (umask 022) has mode "
               f"{mode_of(snap) if os.path.exists(snap) else 0:o}; expected 600")
    sub = os.path.join(d, "sub.pb")
    case.certbed.ok("init", "subca-ksp-healthy", "-o", sub)
    for umask, expected in ((0o022, 0o644), (0o077, 0o600)):
        der = os.path.join(d, f"x-{umask:o}.der")
        req = os.path.join(d, f"r-{umask:o}.req")
        plan = os.path.join(d, f"p-{umask:o}")
        outputs = [(der, case.certbed.run("export", snap, "0", "-o", der, umask=umask)),
                   (req, case.certbed.run("renew", sub, "--reuse-keys", "--request-out", req,
                                          umask=umask))]
        run = case.certbed.run("plan", snap, "-o", plan, umask=umask)
        outputs += [(os.path.join(plan, n), run)
                    for n in (sorted(os.listdir(plan)) if os.path.isdir(plan) else ["plan.json"])]
        for path, run in outputs:
            name = os.path.relpath(path, d)
            if case.check(os.path.isfile(path), f"{name} was not written: {run.describe()}"):
                case.check(mode_of(path) == expected, f"{name} written with umask {umask:03o} "
                                                      f"has mode {mode_of(path):o}; expected "
                                                      f"{expected:o}")


CASES = [
    ("enospc", enospc),
    ("read_only_fs", read_only_fs),
    ("permission_denied", permission_denied),
    ("symlinked_temp_names", symlinked_temp_names),
    ("symlinked_backup_name", symlinked_backup_name),
    ("unreadable_backup", unreadable_backup),
    ("modes_kept", modes_kept),
]
