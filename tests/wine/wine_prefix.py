#!/usr/bin/env python3
"""The ctest fixture of the Wine tests.

  wine_prefix.py setup STATE_FILE TOOLS_DIR   a fresh temporary WINEPREFIX, booted, with the
                                              certutil.exe and reg.exe stand-ins in system32;
                                              its path is written to STATE_FILE
  wine_prefix.py cleanup STATE_FILE           wineserver -k and the prefix removed

Every Wine process gets stdin from /dev/null and its output in /dev/null: wineserver and the
services wineboot starts outlive the command and would otherwise hold ctest's pipe open.
"""
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

import wine_env


def quiet(args, env, timeout):
    subprocess.run(args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=timeout, start_new_session=True)


def setup(state_file, tools_dir):
    start = time.monotonic()
    prefix = pathlib.Path(tempfile.mkdtemp(prefix="certbed-wine-"))
    pathlib.Path(state_file).write_text(str(prefix) + "\n", encoding="utf-8")
    env = wine_env.wine_env(prefix)
    quiet(["wineserver", "-p"], env, 30)
    quiet(["wineboot", "-i"], env, 120)
    system32 = prefix / "drive_c" / "windows" / "system32"
    if not system32.is_dir():
        sys.exit(f"wineboot did not create {system32}")
    for name in ("certutil.exe", "reg.exe"):
        shutil.copyfile(pathlib.Path(tools_dir) / name, system32 / name)
    # Proves the overrides load the stand-ins: one call must land in the log.
    log = prefix / "drive_c" / "setup-check.log"
    code, _, _ = wine_env.run_wine(["reg.exe", "query", "HKLM"], prefix, tempfile.gettempdir(),
                                   CERTBED_STUB_LOG=wine_env.windows_path(log))
    if code != 0 or not log.is_file() or b'"query"' not in log.read_bytes():
        sys.exit(f"the reg.exe stand-in did not run (exit {code}); Wine's builtin ran instead")
    log.unlink()
    print(f"wine prefix {prefix} ready in {time.monotonic() - start:.1f} s")


def cleanup(state_file):
    path = pathlib.Path(state_file)
    if not path.is_file():
        return
    prefix = pathlib.Path(path.read_text(encoding="utf-8").strip())
    if prefix.name.startswith("certbed-wine-") and prefix.is_dir():
        quiet(["wineserver", "-k"], wine_env.wine_env(prefix), 30)
        shutil.rmtree(prefix, ignore_errors=True)
    path.unlink()
    print(f"wine prefix {prefix} removed")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "setup":
        setup(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "cleanup":
        cleanup(sys.argv[2])
    else:
        sys.exit(__doc__)
