"""What certbed writes and where: plan folders replaced whole, renewal requests kept inside the
output folder, and the smaller defects (messages for long ids and failed writes, -o a folder).
"""
import os

from harness import (backups_of, friendly_name_inf, leftovers, leftovers_below, read_bytes,
                     textproto_string, tree_state, write_bytes)

# Server names a CA configuration may hold, and what each must turn into in the request name.
SERVER_NAMES = {
    "dotdot-slash": ("../../x", ["!002f"]),
    "absolute": (None, ["!002f"]),  # an absolute path outside the output folder (set below)
    "backslash": ("..\\..\\y", ["!005c"]),
    "dotdot": ("..", []),
    "control-colon": ("a\x01b:c", ["!0001", "!003a"]),
}
LONG_ID = 100_000  # characters


def infs(state):
    return sorted(n for n in state if n.endswith(".inf"))


def plan_folders(case):
    many, few = case.path("many.pb"), case.path("few.pb")
    case.certbed.ok("init", "random", "--certificates", "40", "-o", many)
    case.certbed.ok("init", "ca-ksp-keyspec2", "-o", few)
    case.certbed.run("plan", many, "-o", case.path("ref-many"))
    case.certbed.run("plan", few, "-o", case.path("ref-few"))
    ref_many, ref_few = tree_state(case.path("ref-many")), tree_state(case.path("ref-few"))
    if not ref_many or not ref_few or len(infs(ref_many)) <= len(infs(ref_few)):
        case.fail(f"setup: the plans hold {len(infs(ref_many or {}))} and "
                  f"{len(infs(ref_few or {}))} INFs; the case needs the first to hold more")
        return
    d = case.path("plans")
    os.makedirs(d)
    p = os.path.join(d, "p")

    def plan(src, target, label):
        run = case.certbed.run("plan", src, "-o", target)
        case.check(run.code == 0, f"{label}: {run.describe()}")
        left = leftovers_below(os.path.dirname(target))
        case.check(not left, f"{label}: temp files or folders left: {left}")
        return run

    plan(many, p, "plan into a new folder")
    case.check(tree_state(p) == ref_many, "plan into a new folder: p is not the plan")
    case.check(not backups_of(p), f"plan into a new folder made {backups_of(p)}")
    run = plan(few, p, "plan again into p")
    case.check(f"certbed: kept the previous plan as {p}.bak" in run.out + run.err,
               f"plan again into p: no \"certbed: kept the previous plan as {p}.bak\"")
    case.check(tree_state(p + ".bak") == ref_many, "plan again: p.bak is not the first plan")
    now = tree_state(p) or {}
    stale = sorted(set(infs(now)) - set(infs(ref_few)))
    case.check(not stale, f"plan again: stale INFs of the first plan left in p: {stale[:3]}")
    case.check(now == ref_few, "plan again: p is not the second plan")
    plan(many, p, "plan a third time into p")
    case.check(tree_state(p + ".bak") == ref_many, "a third plan changed p.bak")
    case.check(tree_state(p + ".bak.1") == ref_few, "a third plan: p.bak.1 is not the second")
    case.check(tree_state(p) == ref_many, "a third plan: p is not the third plan")

    empty = os.path.join(d, "empty")
    os.makedirs(empty)
    plan(few, empty, "plan into an empty folder")
    case.check(tree_state(empty) == ref_few and not backups_of(empty),
               "plan into an empty folder: the folder is not the plan, or a backup was made")
    refused_folders(case, d, few)
    case.note("plan into a new folder, again (the old one kept as p.bak, no stale INF), a third "
              "time (p.bak.1), into an empty folder; a folder with other files, one whose "
              "plan.json is not certbed-plan-1, and a file are refused with exit 2, untouched")


def refused_folders(case, d, src):
    other = os.path.join(d, "other")
    os.makedirs(os.path.join(other, "sub"))
    write_bytes(os.path.join(other, "notes.txt"), b"my notes\n")
    write_bytes(os.path.join(other, "sub", "x.inf"), b"[Properties]\n")
    foreign = os.path.join(d, "foreign")
    os.makedirs(foreign)
    write_bytes(os.path.join(foreign, "plan.json"), b'{"format": "somebody-elses-plan"}\n')
    for folder in (other, foreign):
        before = tree_state(folder)
        run = case.certbed.run("plan", src, "-o", folder)
        name = os.path.basename(folder)
        case.check(run.code == 2 and
                   f"{folder}: not empty and holds no certbed plan" in run.err,
                   f"plan into {name}/ (not a plan): {run.describe()}; expected exit 2 and "
                   f"\"{name}: not empty and holds no certbed plan\"")
        case.check(tree_state(folder) == before, f"plan into {name}/ changed it")
        case.check(not backups_of(folder), f"plan into {name}/ made {backups_of(folder)}")
    a_file = os.path.join(d, "a-file")
    write_bytes(a_file, b"not a folder\n")
    run = case.certbed.run("plan", src, "-o", a_file)
    case.check(run.code == 2, f"plan into a file: {run.describe()}; expected exit 2")
    case.check(read_bytes(a_file) == b"not a folder\n" and not backups_of(a_file),
               "plan into a file changed it or made a backup")
    left = leftovers_below(d)
    case.check(not left, f"refused plans left temp files or folders: {left}")


def renew_request_confined(case):
    sub = case.path("sub.textproto")
    case.certbed.ok("init", "subca-ksp-healthy", "-o", sub)
    text = read_bytes(sub).decode("utf-8")
    original = 'server_name: "ca01.contoso.com"'
    if original not in text:
        case.fail(f"setup: {original} is not in the subca-ksp-healthy snapshot")
        return
    outside = case.path("outside")
    os.makedirs(outside)
    for key, (server, escapes) in SERVER_NAMES.items():
        server = server if server is not None else os.path.join(outside, "abs")
        out = case.path(key, "a", "b", "out")
        os.makedirs(out)
        snap = os.path.join(out, "s.textproto")
        write_bytes(snap, text.replace(original, "server_name: " + textproto_string(server))
                    .encode("utf-8"))
        before = tree_state(case.dir)
        run = case.certbed.run("renew", snap, "--reuse-keys")
        after = tree_state(case.dir)
        added = sorted(n for n in after if n not in before)
        label = f"renew with server_name {server!r}"
        if not case.check(run.code == 0, f"{label}: {run.describe()}"):
            continue
        out_rel = os.path.relpath(out, case.dir)
        escaped = [n for n in added if os.path.dirname(n) != out_rel]
        case.check(not escaped, f"{label}: wrote outside the output folder: {escaped}")
        requests = [os.path.basename(n) for n in added if os.path.dirname(n) == out_rel and
                    n.endswith(".req")]
        if not case.check(len(requests) == 1, f"{label}: {len(requests)} request files in the "
                                              f"output folder ({added})"):
            continue
        name = requests[0]
        case.check(not name.startswith("."), f"{label}: the request is named {name!r}; a name "
                                             "starting with \".\" must get a leading \"_\"")
        for escape in escapes:
            case.check(escape in name, f"{label}: the request is named {name!r}; expected "
                                       f"{escape} in it")
        body = read_bytes(os.path.join(out, name))
        case.check(body.startswith(b"-----BEGIN ") and
                   b"CERTIFICATE REQUEST-----" in body.split(b"\n")[0],
                   f"{label}: {name} is not a PEM request")
    case.note(f"renew --reuse-keys of a subordinate CA whose server_name is "
              f"{', '.join(repr(s or 'an absolute path') for s, _ in SERVER_NAMES.values())}: "
              "one request in the output folder, named with !00xx escapes, not starting with "
              "\".\", nothing written elsewhere")


def long_cert_id(case):
    snap = case.path("s.pb")
    case.certbed.ok("init", "random", "--certificates", "20", "-o", snap)
    friendly_name_inf(case.path("w.inf"), "never-written")
    before = read_bytes(snap)
    for kind, cert_id in (("hex", "ab" * (LONG_ID // 2)), ("non-hex", "zq" * (LONG_ID // 2))):
        for args in (["export", snap, cert_id, "-o", case.path("x.der")],
                     ["repairstore", snap, cert_id, case.path("w.inf")]):
            run = case.certbed.run(*args)
            label = f"{args[0]} with a {LONG_ID // 1000} KB {kind} CertID"
            size = len((run.out + run.err).encode("utf-8"))
            case.check(run.code == 2, f"{label}: exit {run.code}; expected 2")
            case.check(size < 1024 and "..." in run.err,
                       f"{label}: {size} bytes of output; expected under 1 KB with the id cut "
                       "short (\"...\")")
    case.check(read_bytes(snap) == before and not backups_of(snap), "s.pb changed or was backed up")
    case.check(not os.path.exists(case.path("x.der")), "export wrote x.der")
    case.note(f"export and repairstore with a {LONG_ID // 1000} KB CertID (hex and not): exit "
              "2, under 1 KB of output with an excerpt ending in \"...\", nothing written")


def repairstore_output_dir(case):
    snap, out = case.path("s.pb"), case.path("existing")
    case.certbed.ok("init", "random", "--certificates", "20", "-o", snap)
    friendly_name_inf(case.path("w.inf"), "never-written")
    os.makedirs(out)
    write_bytes(os.path.join(out, "keep.txt"), b"keep\n")
    before, dir_before = read_bytes(snap), tree_state(out)
    run = case.certbed.run("repairstore", snap, "0", case.path("w.inf"), "-o", out)
    case.check(run.code == 2 and f"{out}: Is a directory" in run.err,
               f"repairstore -o existing/: {run.describe()}; expected exit 2 and "
               "\"existing: Is a directory\"")
    case.check(not backups_of(out) and not backups_of(snap),
               f"repairstore -o existing/ made backups: {backups_of(out) + backups_of(snap)}")
    case.check(tree_state(out) == dir_before, "repairstore -o existing/ changed the folder")
    case.check(read_bytes(snap) == before, "repairstore -o existing/ changed s.pb")
    case.check(not leftovers(case.dir), f"temp files left: {leftovers(case.dir)}")
    case.note("repairstore -o <existing folder>: exit 2 \"<folder>: Is a directory\", no .bak, "
              "folder and snapshot untouched")


def failure_messages(case):
    snap, sub = case.path("s.pb"), case.path("sub.pb")
    case.certbed.ok("init", "random", "--certificates", "20", "-o", snap)
    case.certbed.ok("init", "subca-ksp-healthy", "-o", sub)
    os.makedirs(case.path("a-dir"))
    missing = case.path("missing")
    snapshots = {p: read_bytes(p) for p in (snap, sub)}
    checks = [
        (["init", "web-healthy", "-o", os.path.join(missing, "s.pb")], "No such file or directory"),
        (["export", snap, "0", "-o", os.path.join(missing, "x.der")], "No such file or directory"),
        (["export", snap, "0", "-o", case.path("a-dir")], "Is a directory"),
        (["repairstore", snap, "0", os.path.join(missing, "w.inf")], "No such file or directory"),
        (["apply", snap, missing], "No such file or directory"),
        (["renew", sub, "--reuse-keys", "--request-out", os.path.join(missing, "r.req")],
         "No such file or directory"),
        (["renew", sub, "--request-out", os.path.join(missing, "r.req")],
         "No such file or directory"),
        (["store", case.path("a-dir")], "Is a directory"),
    ]
    for args, reason in checks:
        run = case.certbed.run(*args)
        label = f"`certbed {case.show(' '.join(args))}`"
        case.check(run.code == 2 and run.err.startswith("certbed: ") and reason in run.err,
                   f"{label}: {run.describe()}; expected exit 2 and \"certbed: ... {reason}\"")
        case.check("write failed" not in run.err or "write failed:" in run.err,
                   f"{label}: a bare \"write failed\" without the reason")
    for path, data in snapshots.items():
        case.check(read_bytes(path) == data and not backups_of(path),
                   f"{os.path.basename(path)} changed or was backed up by a failed run")
    case.check(not os.path.exists(missing), "a failed run created missing/")
    left = leftovers_below(case.dir)
    case.check(not left, f"temp files left: {left}")
    case.note(f"{len(checks)} failing writes and reads (missing folder, a folder as a file, a "
              "request that cannot be written): exit 2, \"certbed: \" with the OS reason, never "
              "\"Success\" or a bare \"write failed\", nothing changed")


CASES = [
    ("plan_folders", plan_folders),
    ("renew_request_confined", renew_request_confined),
    ("long_cert_id", long_cert_id),
    ("repairstore_output_dir", repairstore_output_dir),
    ("failure_messages", failure_messages),
]
