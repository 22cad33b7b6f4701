"""Shared machinery of the fault suite: running certbed, cases, and what is on disk.

A case gets a Case: a fresh directory, a runner that records every certbed run (and fails the
case when a failing run says "Success"), and helpers that read snapshots, plan folders and
leftover temp files the way the assertions need them.
"""
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time

# Every run ends within this (the spec: bad input fails at once, a silent stream after 30 s).
RUN_TIMEOUT = 20.0
# A run whose resident memory passes this is killed and fails its case: reading /dev/zero
# without a cap would otherwise take the machine's memory (RLIMIT_AS would break ASan builds).
MEMORY_LIMIT = 3 << 30

SNAPSHOT_EXTENSIONS = (".textproto", ".txtpb", ".pbtxt", ".pb", ".binpb")
# certbed's temp names (".<name>.certbed-<pid>-<random>.tmp") and any other "<name>.tmp".
TEMP_NAME = re.compile(r"\.tmp$")


class Run:
    """One finished certbed run."""

    def __init__(self, args, code, out, err, elapsed, timed_out=False, memory_killed=False):
        self.args, self.code, self.out, self.err = args, code, out, err
        self.elapsed, self.timed_out, self.memory_killed = elapsed, timed_out, memory_killed

    @property
    def text(self):
        return self.out + self.err

    def describe(self):
        if self.timed_out:
            return f"did not end within {RUN_TIMEOUT:.0f} s (killed)"
        if self.memory_killed:
            return f"used more than {MEMORY_LIMIT >> 30} GiB of memory (killed)"
        return f"exit {self.code}, stderr {excerpt(self.err)!r}"


def excerpt(text, limit=300):
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "..."


def rss_bytes(pid):
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class Certbed:
    """Runs the certbed binary for one case and records what each run did."""

    def __init__(self, binary, case):
        self.binary = binary
        self.case = case
        self.runs = 0

    def argv(self, args, user=None):
        argv = [self.binary] + [str(a) for a in args]
        if user:  # run as an unprivileged user: root passes every permission check
            argv = ["setpriv", f"--reuid={user}", "--regid=nogroup", "--clear-groups"] + argv
        return argv

    def start(self, args, cwd=None, stdin=subprocess.DEVNULL, umask=None, user=None,
              input_bytes=None):
        """Starts certbed with threads draining its output (and feeding `input_bytes`), so a
        run that prints a lot never blocks on a full pipe while the caller watches it."""
        self.runs += 1
        kwargs = {} if umask is None else {"umask": umask}
        if input_bytes is not None:
            stdin = subprocess.PIPE
        proc = subprocess.Popen(self.argv(args, user), cwd=cwd or self.case.dir, stdin=stdin,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)
        proc.collected = {"out": [], "err": []}
        proc.threads = [threading.Thread(target=drain, args=(proc.stdout, proc.collected["out"])),
                        threading.Thread(target=drain, args=(proc.stderr, proc.collected["err"]))]
        if input_bytes is not None:
            proc.threads.append(threading.Thread(target=feed, args=(proc.stdin, input_bytes)))
        for t in proc.threads:
            t.daemon = True
            t.start()
        return proc

    def finish(self, proc, args, timeout=RUN_TIMEOUT, started=None):
        """Waits for `proc`, killing it on timeout or runaway memory."""
        started = started or time.monotonic()
        timed_out = memory_killed = False
        while True:
            try:
                proc.wait(timeout=0.02)
                break
            except subprocess.TimeoutExpired:
                if time.monotonic() - started > timeout:
                    timed_out = True
                elif rss_bytes(proc.pid) > MEMORY_LIMIT:
                    memory_killed = True
                else:
                    continue
                proc.kill()
                proc.wait()
                break
        for t in proc.threads:
            t.join(5)
        out, err = (b"".join(proc.collected[k]) for k in ("out", "err"))
        run = Run(args, proc.returncode, out.decode("utf-8", "replace"),
                  err.decode("utf-8", "replace"), time.monotonic() - started, timed_out,
                  memory_killed)
        if run.code != 0 and "Success" in run.text:
            self.case.fail(f"`certbed {self.case.show(' '.join(map(str, args)))[:120]}` failed "
                           f"with a message saying \"Success\": "
                           f"{self.case.show(excerpt(run.err))!r}")
        if run.code != 0 and re.search(r"write failed(?!:)", run.err):
            self.case.fail(f"`certbed {self.case.show(' '.join(map(str, args)))[:120]}` says "
                           f"\"write failed\" without the reason: "
                           f"{self.case.show(excerpt(run.err))!r}")
        return run

    def run(self, *args, cwd=None, stdin=subprocess.DEVNULL, input_bytes=None, umask=None,
            user=None, timeout=RUN_TIMEOUT):
        started = time.monotonic()
        proc = self.start(args, cwd=cwd, stdin=stdin, umask=umask, user=user,
                          input_bytes=input_bytes)
        return self.finish(proc, args, timeout, started)

    def ok(self, *args, **kwargs):
        """A run the case needs to succeed; a failure stops the case as a setup failure."""
        run = self.run(*args, **kwargs)
        if run.code != 0:
            raise CaseError(self.case.show(f"setup: `certbed {' '.join(map(str, args))[:200]}` "
                                           f"{run.describe()}"))
        return run


def drain(stream, chunks):
    while True:
        chunk = stream.read1(1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
    stream.close()


def feed(stream, data):
    try:
        stream.write(data)
        stream.close()
    except (BrokenPipeError, OSError):
        pass  # certbed stopped reading (it refused the input): what it says is what counts


class CaseError(Exception):
    """Stops a case: what went wrong, as the FAIL line shows it."""


class Case:
    """The state of one case: its directory, its certbed runner, what it checked and found."""

    def __init__(self, name, root, binary, source_dir):
        self.name = name
        self.dir = os.path.join(root, name)
        os.makedirs(self.dir)
        self.source_dir = source_dir
        self.certbed = Certbed(binary, self)
        self.problems = []
        self.checked = []

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def fixture(self, *parts):
        return os.path.join(self.source_dir, "fixtures", *parts)

    def fail(self, message):
        self.problems.append(self.show(message))

    def check(self, condition, message):
        if not condition:
            self.fail(message)
        return bool(condition)

    def show(self, text):
        """`text` with the case directory left out, for shorter messages."""
        return text.replace(self.dir + "/", "")

    def note(self, what):
        self.checked.append(what)


# --- files on disk -------------------------------------------------------------------------

def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def write_bytes(path, data):
    with open(path, "wb") as f:
        f.write(data)


def digest(data):
    return hashlib.sha256(data).hexdigest()[:16]


def replace_with(path, data):
    """Puts `data` at `path` the way a careful non-certbed writer does (write, then rename)."""
    staging = os.path.join(os.path.dirname(path), "staging-" + os.path.basename(path))
    write_bytes(staging, data)
    os.replace(staging, path)


def leftovers(directory, before=()):
    """Temp files or folders in `directory` that were not there in `before`."""
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    return sorted(n for n in names if TEMP_NAME.search(n) and n not in before)


def leftovers_below(root, before=()):
    """Temp entries anywhere under `root` (relative paths), minus `before`."""
    found = []
    for parent, dirs, files in os.walk(root):
        for name in dirs + files:
            rel = os.path.relpath(os.path.join(parent, name), root)
            if TEMP_NAME.search(name) and rel not in before:
                found.append(rel)
    return sorted(found)


def backups_of(path):
    """The backup names of `path` that exist, in the order certbed picks them."""
    names = []
    for n in [".bak"] + [f".bak.{i}" for i in range(1, 200)]:
        if os.path.lexists(path + n):
            names.append(path + n)
    return names


def tree_state(root):
    """{relative path: what is there} for everything under `root`: files by content and mode,
    folders, symlinks by target. Comparing two states tells whether anything changed."""
    state = {}
    if not os.path.lexists(root):
        return None
    if not os.path.isdir(root) or os.path.islink(root):
        return {".": entry_state(root)}
    for parent, dirs, files in os.walk(root):
        for name in dirs + files:
            full = os.path.join(parent, name)
            state[os.path.relpath(full, root)] = entry_state(full)
    return state


def entry_state(path):
    st = os.lstat(path)
    if os.path.islink(path):
        return ("link", os.readlink(path))
    if os.path.isdir(path):
        return ("dir", oct(st.st_mode & 0o7777))
    if not os.path.isfile(path):
        return ("special", st.st_mode)
    return ("file", digest(read_bytes(path)), oct(st.st_mode & 0o7777), st.st_uid)


def describe_difference(before, after, limit=4):
    """What changed between two tree_state values, briefly."""
    if before is None or after is None:
        return f"was {'absent' if before is None else 'present'}, now " \
               f"{'absent' if after is None else 'present'}"
    parts = []
    for name in sorted(set(before) | set(after)):
        if before.get(name) != after.get(name):
            if name not in after:
                parts.append(f"{name} removed")
            elif name not in before:
                parts.append(f"{name} added")
            else:
                parts.append(f"{name} changed")
    more = f" (+{len(parts) - limit} more)" if len(parts) > limit else ""
    return ", ".join(parts[:limit]) + more


def mode_of(path):
    return os.lstat(path).st_mode & 0o7777


def dead_pid():
    """A pid that is not running: a child that has exited and been reaped."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def next_pids(count):
    """The pids the kernel is likely to hand out next (for names an attacker would guess)."""
    try:
        with open("/proc/sys/kernel/ns_last_pid", encoding="ascii") as f:
            last = int(f.read())
    except (OSError, ValueError):
        last = os.getpid()
    return [last + i for i in range(1, count + 1)]


# --- snapshots and INFs ----------------------------------------------------------------------

def friendly_name_inf(path, name):
    """A property INF setting CERT_FRIENDLY_NAME_PROP_ID (11), as fixtures/inf/ writes them."""
    write_bytes(path, f'[Properties]\n11 = "{{text}}{name}"\n'.encode("ascii"))




def loadable_path(case, path, ext=".pb"):
    """`path` itself if certbed reads it as a snapshot by its name, else a copy that it does."""
    if path.endswith(SNAPSHOT_EXTENSIONS):
        return path
    fd, copy = tempfile.mkstemp(suffix=ext, prefix="check-copy-", dir=case.dir)
    os.close(fd)  # a fresh name each time: cases load backups from several threads
    shutil.copyfile(path, copy)
    return copy


def certificate_blocks(dump_text):
    """`certbed dump -v` output split per certificate: {index: text of its record}."""
    blocks = {}
    parts = re.split(r"^================ Certificate (\d+) ================$", dump_text,
                     flags=re.M)
    for i in range(1, len(parts) - 1, 2):
        blocks[int(parts[i])] = parts[i + 1]
    return blocks


def load_dump(case, path, ext=".pb"):
    """The per-certificate records of a snapshot, or None if certbed cannot load it."""
    run = case.certbed.run("dump", "-v", loadable_path(case, path, ext))
    return certificate_blocks(run.out) if run.code == 0 else None




def textproto_string(value):
    """`value` as a quoted text-format protobuf string."""
    out = []
    for ch in value.encode("utf-8"):
        c = chr(ch)
        if c in "\\\"":
            out.append("\\" + c)
        elif ch < 0x20 or ch >= 0x7F:
            out.append(f"\\{ch:03o}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


# --- mounts --------------------------------------------------------------------------------

class Tmpfs:
    """A tmpfs mounted for one case (we run as root), unmounted however the case ends."""

    def __init__(self, path, size):
        self.path = path
        os.makedirs(path, exist_ok=True)
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs",
                               path], capture_output=True, text=True)
        if proc.returncode != 0:
            raise CaseError(f"cannot mount a tmpfs at {path} (the case needs root and mount "
                            f"permission): {proc.stderr.strip()}")

    def remount_read_only(self):
        proc = subprocess.run(["mount", "-o", "remount,ro", self.path], capture_output=True,
                              text=True)
        if proc.returncode != 0:
            raise CaseError(f"cannot remount {self.path} read-only: {proc.stderr.strip()}")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        subprocess.run(["umount", "-l", self.path], capture_output=True)


def fill_filesystem(directory):
    """Writes a filler file until the file system under `directory` is full."""
    chunk = b"\0" * (64 << 10)
    with open(os.path.join(directory, "filler"), "wb", buffering=0) as f:
        for size in (64 << 10, 4096, 512, 1):
            try:
                while True:
                    f.write(chunk[:size])
            except OSError:
                pass




def parallel_map(fn, items, workers=2):
    """fn over items on `workers` threads, results in order (certbed runs are processes, so
    threads overlap them; two cores)."""
    results = [None] * len(items)
    lock = threading.Lock()
    queue = list(enumerate(items))

    def work():
        while True:
            with lock:
                if not queue:
                    return
                i, item = queue.pop(0)
            results[i] = fn(item)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
