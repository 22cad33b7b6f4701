"""Input files that are not what they seem: /dev/zero, a FIFO with or without a writer, a folder,
a 1 GiB sparse file, in the place of every file argument; and standard input ("-").
"""
import fcntl
import os
import re
import select
import shutil
import stat
import struct
import termios
import threading
import time

from harness import (RUN_TIMEOUT, friendly_name_inf, leftovers_below, parallel_map, read_bytes,
                     tree_state)

SPARSE_SIZE = 1 << 30
DUMPS = ["emulated/seed-ca-ksp-keyspec2-verbose-crlf.txt",
         "emulated/seed-ca-ksp-keyspec2-verbose-powershell-utf16le.txt",
         "real/05-ksp-user-my-verbose-tabs.txt"]
INFS = ["KeyProv.inf", "KeyProv-utf16.inf", "KeyProv-article-verbatim.inf",
        "certutil-help-example.inf"]

# What each kind of bad file must make certbed say, by what the argument is read as.
EXPECTED = {
    ("dir", "snapshot"): "Is a directory", ("dir", "dump"): "Is a directory",
    ("dir", "inf"): "Is a directory", ("dir", "plan"): "Is a directory",
    ("zero", "snapshot"): "not a regular file", ("fifo", "snapshot"): "not a regular file",
    ("zero", "dump"): "is not a certutil store dump",
    ("sparse", "dump"): "is not a certutil store dump",
    ("sparse", "inf"): "larger than", ("sparse", "plan"): "larger than",
    # diagnose takes a folder as the files in it: an empty one is an input error of its own.
    ("dir", "batch"): "holds no file to diagnose",
}


def make_bad_files(case):
    """{kind: (path read by name as a snapshot, path read as anything else)}."""
    make_zero_device(case.path("zero.pb"))
    for name in ("fifo", "fifo.pb"):
        os.mkfifo(case.path(name))
    for name in ("adir", "adir.pb"):
        os.makedirs(case.path(name))
    for name in ("sparse", "sparse.pb"):
        with open(case.path(name), "wb") as f:
            f.truncate(SPARSE_SIZE)
    return {"zero": (case.path("zero.pb"), "/dev/zero"),
            "fifo": (case.path("fifo.pb"), case.path("fifo")),
            "dir": (case.path("adir.pb"), case.path("adir")),
            "sparse": (case.path("sparse.pb"), case.path("sparse"))}


def make_zero_device(path):
    """/dev/zero under a snapshot's name: a device node of its own (a symlink to /dev/zero is
    what certbed refuses to replace before it looks at what it points to)."""
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.stat("/dev/zero").st_rdev)
    except OSError:
        os.symlink("/dev/zero", path)  # no CAP_MKNOD here: the next best thing


def plant(kind, path):
    """Puts a bad file of `kind` at `path` (inside a plan folder)."""
    if os.path.lexists(path):
        os.remove(path)
    if kind == "zero":
        os.symlink("/dev/zero", path)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "dir":
        os.makedirs(path)
    else:
        with open(path, "wb") as f:
            f.truncate(SPARSE_SIZE)


def bad_input_jobs(case, bad):
    good, ca, inf = case.path("good.pb"), case.path("ca.pb"), case.path("good.inf")
    case.certbed.ok("init", "random", "--certificates", "20", "-o", good)
    case.certbed.ok("init", "ca-ksp-keyspec2", "-o", ca)
    case.certbed.ok("plan", ca, "-o", case.path("good-plan"))
    friendly_name_inf(inf, "never-written")
    plan_inf = next(n for n in os.listdir(case.path("good-plan")) if n.endswith(".inf"))
    out = case.path("out")
    os.makedirs(out)
    jobs = []
    for kind, (as_snapshot, as_other) in bad.items():
        bad_plan, bad_inf_plan = case.path(f"plan-json-{kind}"), case.path(f"plan-inf-{kind}")
        shutil.copytree(case.path("good-plan"), bad_plan)
        shutil.copytree(case.path("good-plan"), bad_inf_plan)
        plant(kind, os.path.join(bad_plan, "plan.json"))
        plant(kind, os.path.join(bad_inf_plan, plan_inf))
        s, o = as_snapshot, as_other
        batch_dump = "batch" if kind == "dir" else "dump"
        batch_snapshot = "batch" if kind == "dir" else "snapshot"
        jobs += [
            (kind, "snapshot", "store SNAPSHOT", s, ["store", s]),
            (kind, "snapshot", "export SNAPSHOT", s,
             ["export", s, "0", "-o", os.path.join(out, f"{kind}.der")]),
            (kind, "snapshot", "dump SNAPSHOT", s, ["dump", s]),
            (kind, "dump", "parse DUMP", o, ["parse", o]),
            (kind, "inf", "inf check INF", o, ["inf", "check", o]),
            (kind, "snapshot", "repairstore SNAPSHOT", s, ["repairstore", s, "0", inf]),
            (kind, "inf", "repairstore ... INF", o, ["repairstore", good, "0", o]),
            (kind, batch_dump, "diagnose DUMP", o, ["diagnose", o]),
            (kind, batch_snapshot, "diagnose SNAPSHOT", s, ["diagnose", s]),
            (kind, "dump", "plan DUMP", o, ["plan", o, "-o", os.path.join(out, f"{kind}-p1")]),
            (kind, "snapshot", "plan SNAPSHOT", s,
             ["plan", s, "-o", os.path.join(out, f"{kind}-p2")]),
            (kind, "snapshot", "apply SNAPSHOT", s, ["apply", s, case.path("good-plan")]),
            (kind, "plan", "apply ... DIR/plan.json", os.path.join(bad_plan, "plan.json"),
             ["apply", ca, bad_plan]),
            (kind, "inf", "apply ... DIR/<its INF>", os.path.join(bad_inf_plan, plan_inf),
             ["apply", ca, bad_inf_plan]),
            (kind, "snapshot", "renew SNAPSHOT", s, ["renew", s]),
        ]
    return jobs


def bad_inputs(case):
    bad = make_bad_files(case)
    jobs = bad_input_jobs(case, bad)
    unchanged = {p: read_bytes(p) for p in (case.path("good.pb"), case.path("ca.pb"))}
    before = set(leftovers_below(case.dir))

    def run(job):
        kind, _, _, _, args = job
        return case.certbed.run(*args, timeout=RUN_TIMEOUT)

    # A FIFO run that blocks uses no CPU: run those many at a time, the rest two at a time.
    fifo = [j for j in jobs if j[0] == "fifo"]
    other = [j for j in jobs if j[0] != "fifo"]
    results = dict(zip(map(id, fifo), parallel_map(run, fifo, workers=8)))
    results.update(zip(map(id, other), parallel_map(run, other, workers=2)))
    slowest = 0.0
    for job in jobs:
        kind, reads_as, label, path, _ = job
        r = results[id(job)]
        slowest = max(slowest, r.elapsed)
        where = f"{label} with {kind} ({os.path.basename(path)})"
        if not case.check(not r.timed_out and not r.memory_killed, f"{where}: {r.describe()}"):
            continue
        case.check(r.code == 2, f"{where}: {r.describe()}; expected exit 2")
        case.check(os.path.basename(path) in r.err, f"{where}: the message does not name "
                                                   f"{os.path.basename(path)}: {r.describe()}")
        expected = EXPECTED.get((kind, reads_as))
        if expected:
            case.check(expected in r.err, f"{where}: expected \"{expected}\" (the spec's "
                                          f"words) in the message: {r.describe()}")
    for path, data in unchanged.items():
        case.check(read_bytes(path) == data, f"{os.path.basename(path)} changed")
    made = sorted(n for n in os.listdir(case.path("out")))
    case.check(not made, f"failed runs wrote into out/: {made}")
    left = sorted(set(leftovers_below(case.dir)) - before)
    case.check(not left, f"temp files left: {left}")
    case.note(f"{len(jobs)} runs: /dev/zero, a FIFO without writer, a folder and a 1 GiB sparse "
              "file as each file argument of store, export, dump, parse, inf check, "
              "repairstore (snapshot, INF), diagnose and plan (dump, snapshot), apply "
              "(snapshot, plan.json, its INF), renew: each exit 2 within "
              f"{RUN_TIMEOUT:.0f} s (slowest {slowest:.1f} s) naming the file, with the reason "
              "the spec gives; nothing written, no temp")


class FifoWriter:
    """Writes `data` into a FIFO from a thread. The FIFO is opened read-write first, so the
    writer exists before certbed opens it (certbed opens without blocking: a FIFO with no
    writer reads as empty)."""

    def __init__(self, path, data):
        self.fd = os.open(path, os.O_RDWR | os.O_NONBLOCK)
        self.data, self.stop = data, False
        self.thread = threading.Thread(target=self.write)
        self.thread.start()

    def write(self):
        view = memoryview(self.data)
        while view and not self.stop:
            _, writable, _ = select.select([], [self.fd], [], 0.05)
            if writable:
                try:
                    view = view[os.write(self.fd, view[:1 << 16]):]
                except BlockingIOError:
                    pass
        # The last close of a FIFO drops what nobody has read: hold it open until certbed has
        # read everything (then the close is its end of file).
        while not self.stop and unread(self.fd) > 0:
            time.sleep(0.001)
        os.close(self.fd)

    def join(self):
        self.stop = True
        self.thread.join()


def unread(fd):
    return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]


def normalized(run, path):
    return run.code, run.out.replace(path, "INPUT"), run.err.replace(path, "INPUT")


def fifo_with_writer(case):
    compared = 0
    for i, dump in enumerate(DUMPS):
        data = read_bytes(case.fixture("dumps", dump))
        regular, fifo = case.path(f"dump-{i}.txt"), case.path(f"fifo-{i}")
        with open(regular, "wb") as f:
            f.write(data)
        os.mkfifo(fifo)
        for args in (["parse"], ["parse", "--json"], ["diagnose"], ["diagnose", "--json"]):
            expected = case.certbed.run(*args, regular)
            writer = FifoWriter(fifo, data)
            got = case.certbed.run(*args, fifo)
            writer.join()
            label = f"{' '.join(args)} of {os.path.basename(dump)} through a FIFO"
            if normalized(got, fifo) != normalized(expected, regular):
                case.fail(f"{label}: {got.describe()}, output differs from the regular file's "
                          f"(exit {expected.code}); first difference: "
                          f"{first_difference(expected.out + expected.err, got.out + got.err)}")
            compared += 1
    case.note(f"{compared} parse/diagnose runs reading a FIFO fed by a writer thread print what "
              "they print for the same dump as a regular file")


def first_difference(a, b):
    for n, (x, y) in enumerate(zip(a.splitlines(), b.splitlines()), 1):
        if x != y:
            return f"line {n}: {x[:100]!r} vs {y[:100]!r}"
    return f"{len(a.splitlines())} lines vs {len(b.splitlines())}"


def same_modulo_name(file_text, path, stdin_text):
    """Whether stdin_text is file_text with `path` written as one other name throughout.
    Returns (same, what differs)."""
    a, b = file_text.split("\n"), stdin_text.split("\n")
    if len(a) != len(b):
        return False, f"{len(a)} lines vs {len(b)}"
    label = None
    for n, (x, y) in enumerate(zip(a, b), 1):
        if path not in x:
            if x != y:
                return False, f"line {n}: {x[:100]!r} vs {y[:100]!r}"
            continue
        pattern = "^" + "(.+?)".join(re.escape(p) for p in x.split(path)) + "$"
        m = re.match(pattern, y)
        names = set(m.groups()) if m else set()
        if not m or len(names) != 1 or (label is not None and names != {label}):
            return False, f"line {n}: {x[:100]!r} vs {y[:100]!r}"
        label = names.pop()
    return True, ""


def compare_stdin(case, label, file_run, path, stdin_run, outputs=None):
    """`outputs`: (the file run's output folder, the stdin run's), which may differ too."""
    texts = [file_run.out, file_run.err, stdin_run.out, stdin_run.err]
    if outputs:
        texts = [t.replace(outputs[i // 2], "OUTPUT") for i, t in enumerate(texts)]
    same_out, why_out = same_modulo_name(texts[0], path, texts[2])
    same_err, why_err = same_modulo_name(texts[1], path, texts[3])
    case.check(file_run.code == stdin_run.code and same_out and same_err,
               f"{label}: {stdin_run.describe()} (the file: exit {file_run.code}); "
               f"{why_out or why_err or 'exit codes differ'}")


def stdin_inputs(case):
    compared = 0
    for i, dump in enumerate(DUMPS):
        path = case.path(f"dump-{i}.txt")
        shutil.copyfile(case.fixture("dumps", dump), path)
        data = read_bytes(path)
        for args in (["parse"], ["parse", "--json"], ["diagnose"], ["diagnose", "--json"]):
            file_run = case.certbed.run(*args, path)
            label = f"{' '.join(args)} - of {os.path.basename(dump)}"
            compare_stdin(case, label + " (a pipe)", file_run, path,
                          case.certbed.run(*args, "-", input_bytes=data))
            with open(path, "rb") as f:
                compare_stdin(case, label + " (a file)", file_run, path,
                              case.certbed.run(*args, "-", stdin=f))
            compared += 2
        from_file, from_stdin = case.path(f"plan-file-{i}"), case.path(f"plan-stdin-{i}")
        file_run = case.certbed.run("plan", path, "-o", from_file)
        stdin_run = case.certbed.run("plan", "-", "-o", from_stdin, input_bytes=data)
        compare_stdin(case, f"plan - of {os.path.basename(dump)}", file_run, path, stdin_run,
                      (from_file, from_stdin))
        compare_plans(case, f"plan - of {os.path.basename(dump)}", from_file, path, from_stdin)
        compared += 1
    for inf in INFS:
        path = case.path(inf)
        shutil.copyfile(case.fixture("inf", inf), path)
        for args in (["inf", "check"], ["inf", "check", "--json"], ["inf", "check", "--lines"]):
            compare_stdin(case, f"{' '.join(args)} - of {inf}", case.certbed.run(*args, path),
                          path, case.certbed.run(*args, "-", input_bytes=read_bytes(path)))
            compared += 1
    endless = [["parse", "-"], ["diagnose", "-"], ["inf", "check", "-"],
               ["plan", "-", "-o", case.path("zero-plan")]]
    for args in endless:
        with open("/dev/zero", "rb") as zero:
            run = case.certbed.run(*args, stdin=zero)
        case.check(run.code == 2, f"{' '.join(args[:3])} < /dev/zero: {run.describe()}; "
                                  "expected exit 2")
    case.check(not os.path.exists(case.path("zero-plan")), "plan - < /dev/zero made a folder")
    case.note(f"{compared} runs of parse, diagnose, plan and inf check on \"-\" (a pipe, a "
              "redirected file) print and write what they do for the file, but for its name; "
              "each of them with /dev/zero as standard input exits 2")


def compare_plans(case, label, expected_dir, path, got_dir):
    expected, got = tree_state(expected_dir), tree_state(got_dir)
    if expected is None or got is None or set(expected) != set(got):
        case.fail(f"{label}: the plan folder holds {sorted(got or [])}; from the file: "
                  f"{sorted(expected or [])}")
        return
    for name in sorted(expected):
        if expected[name][0] != "file":
            continue
        a = read_bytes(os.path.join(expected_dir, name)).decode("utf-8", "replace")
        b = read_bytes(os.path.join(got_dir, name)).decode("utf-8", "replace")
        # The report names its input by the file name alone.
        named = os.path.basename(path) if name == "report.html" else path
        same, why = same_modulo_name(a, named, b)
        case.check(same, f"{label}: {name} differs from the plan made from the file: {why}")


CASES = [
    ("bad_inputs", bad_inputs),
    ("fifo_with_writer", fifo_with_writer),
    ("stdin_inputs", stdin_inputs),
]
