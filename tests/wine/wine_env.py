"""What the Wine tests share: the prefix the ctest fixture made, the environment that runs the
stand-ins instead of Wine's builtin certutil.exe and reg.exe, and a wine runner that never lets
Wine's background processes hold a pipe open (output goes to files, stdin is /dev/null)."""
import os
import pathlib
import subprocess
import tempfile

# Wine has builtin certutil.exe and reg.exe; "n" makes it load the native files in system32,
# which the fixture replaced with the logging stand-ins.
DLL_OVERRIDES = "certutil.exe=n;reg.exe=n"


def prefix_from_state(state_file):
    path = pathlib.Path(state_file)
    if not path.is_file():
        raise SystemExit(f"{state_file}: no Wine prefix; the wine.prefix fixture did not run")
    return pathlib.Path(path.read_text(encoding="utf-8").strip())


def wine_env(prefix, **extra):
    env = dict(os.environ)
    env.update(WINEPREFIX=str(prefix), WINEDEBUG="-all", WINEDLLOVERRIDES=DLL_OVERRIDES)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def windows_path(path):
    """Wine maps the Linux root to drive Z:."""
    return "Z:" + str(pathlib.Path(path).resolve()).replace("/", "\\")


def wine_program():
    for candidate in ("wine", "/usr/lib/wine/wine64"):
        found = candidate if os.path.isabs(candidate) else None
        for d in os.environ.get("PATH", "").split(os.pathsep):
            if not found and os.access(os.path.join(d, candidate), os.X_OK):
                found = os.path.join(d, candidate)
        if found and os.access(found, os.X_OK):
            return found
    raise SystemExit("wine not found")


def run_wine(args, prefix, cwd, timeout=60, **extra_env):
    """Runs `wine ARGS` in cwd; returns (exit code, stdout bytes, stderr bytes)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.run([wine_program()] + list(args), cwd=cwd, env=wine_env(prefix, **extra_env),
                              stdin=subprocess.DEVNULL, stdout=out, stderr=err, timeout=timeout)
        out.seek(0)
        err.seek(0)
        return proc.returncode, out.read(), err.read()
