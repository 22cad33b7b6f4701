"""Every plan folder certbed writes for the Wine tests: `certbed plan` over each built-in scenario,
each fixtures/cases input, random stores of 200 certificates for a few seeds, and hostile dumps
whose container or provider name is full of what INF files and cmd.exe must never interpret."""
import pathlib
import shlex
import subprocess

RANDOM_SEEDS = (1, 7, 2026)

# (label, name): each goes into a verbose dump of the seed CA once as the container and once as
# the provider. Names the INF writer refuses still give a plan (one without an INF).
HOSTILE_NAMES = [
    ("umlaut", "Müller CA"),
    ("cjk", "東京 CA"),
    ("emoji", "key 🔑 CA"),
    ("apostrophe", "O'Brien's CA"),
    ("backtick", "back`tick CA"),
    ("bang", "bang!x! CA"),
    ("semicolon", "semi;colon CA"),
    ("comma", "com,ma CA"),
    ("percent", "100%PATH% CA"),
    ("caret", "caret^^ CA"),
    ("ampersand", "R&D & echo PWNED>pwned.txt"),
    ("curly", "‘single’ “double” CA"),
    ("line-separator", "line\u2028separator CA"),
    ("brackets", "[Strings] x = y"),
    ("backslash", "trailing backslash \\"),
    ("long600", "L" * 600),
    ("long5000", "M" * 5000),
]


def run(args, **kwargs):
    return subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, timeout=120,
                          **kwargs)


def scenarios(certbed):
    out = run([certbed, "init", "--list"], check=True).stdout.decode()
    names = [line.split()[0] for line in out.splitlines() if line.strip()]
    return [n for n in names if n != "random"]


def hostile_dumps(certbed, work):
    seed = work / "hostile-seed.textproto"
    run([certbed, "init", "ca-ksp-keyspec2", "-o", str(seed)], check=True)
    dump = run([certbed, "dump", str(seed), "-v", "--store", "my", "--crlf"],
               check=True).stdout.decode("utf-8")
    container = "Key Container = Contoso CA"
    provider = "Provider = Microsoft Software Key Storage Provider"
    assert container in dump and provider in dump, "the seed dump changed its layout"
    out = []
    for label, name in HOSTILE_NAMES:
        for field, line in (("container", container), ("provider", provider)):
            path = work / f"hostile-{field}-{label}.txt"
            text = dump.replace(line, line.split(" = ")[0] + " = " + name, 1)
            path.write_bytes(text.encode("utf-8"))
            out.append(path)
    return out


def inputs(certbed, source_dir, work):
    """(label, input file, extra plan arguments) for every input."""
    items = []
    for name in scenarios(certbed):
        path = work / f"scenario-{name}.textproto"
        run([certbed, "init", name, "-o", str(path)], check=True)
        items.append((f"scenario {name}", path, []))
    for case in sorted((source_dir / "fixtures" / "cases").iterdir()):
        if not case.is_dir():
            continue
        args_file = case / "args"
        args = shlex.split(args_file.read_text()) if args_file.is_file() else []
        for path in sorted(case.glob("input*")):
            # An input certbed refuses by design (not a store dump) makes no plan.
            if (case / "expected" / (path.stem + ".refused")).is_file():
                continue
            items.append((f"case {case.name}/{path.name}", path, args))
    for seed in RANDOM_SEEDS:
        path = work / f"random-{seed}.textproto"
        run([certbed, "init", "random", "--certificates", "200", "--seed", str(seed), "-o",
             str(path)], check=True)
        items.append((f"random seed {seed}", path, []))
    for path in hostile_dumps(certbed, work):
        items.append((f"hostile {path.stem}", path, []))
    # The seed dump said to come from other stores and locations: the scripts must follow.
    seed_dump = source_dir / "fixtures" / "cases" / "seed-ca-ksp-keyspec2" / "input-dump.txt"
    for where in (["--location", "CurrentUser"], ["--store", "CA"],
                  ["--location", "LocalMachineEnterprise", "--store", "NTAuth"]):
        items.append((f"seed dump {' '.join(where)}", seed_dump, where))
    return items


def build_plans(certbed, source_dir, work):
    """Returns [(label, plan folder)] and the labels of inputs `certbed plan` refused."""
    work = pathlib.Path(work)
    work.mkdir(parents=True, exist_ok=True)
    plans, refused = [], []
    for n, (label, path, args) in enumerate(inputs(certbed, pathlib.Path(source_dir), work)):
        out = work / f"plan-{n:03d}"
        proc = run([certbed, "plan"] + args + [str(path), "-o", str(out)])
        if proc.returncode != 0:
            refused.append((label, proc.returncode, proc.stderr.decode(errors="replace")[-300:]))
            continue
        plans.append((label, out))
    return plans, refused
