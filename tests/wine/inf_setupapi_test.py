#!/usr/bin/env python3
"""Differential test of certbed's INF reader against SetupAPI (Wine's setupapi.dll, through
inf_probe.exe): every INF certbed writes (plans over the scenarios, the fixture cases, random
stores and hostile names) and every *.inf under fixtures/ must read as the same [Properties]
lines, key and value text. Where certbed is deliberately stricter (it refuses or warns where
SetupAPI accepts) the probes below say so and the test asserts the refusal or warning. No INF
certbed writes may have a field over 511 characters (Wine's MAX_FIELD_LEN truncates it).

usage: inf_setupapi_test.py CERTBED INF_PROBE_EXE SOURCE_DIR PREFIX_STATE_FILE
"""
import json
import pathlib
import subprocess
import sys
import tempfile
import time

import plan_corpus
import wine_env

MAX_FIELD_LEN = 511
CERTBED = None  # the certbed binary, set by main()

# Hand-written INFs: (name, bytes, expectation). "agree": the same reading; "both-refuse": neither
# opens it; "refuses": certbed rejects a file SetupAPI reads; "warns": certbed warns on a line
# SetupAPI reads differently; "truncates": SetupAPI cuts a field at 511 characters and certbed
# refuses the file; "ansi": UTF-8 without a BOM, which SetupAPI reads in the ANSI code page and
# certbed's property reader (`inf check`) refuses; "agree-then-refused": the same lexical
# reading, but certbed's property reader refuses the file; ("differs", certbed's value,
# SetupAPI's value): a reading that differs without a warning, pinned so that a change shows.
P = b"[Properties]\r\n"
PROBES = [
    ("text-after-quote", P + b'11 = "{text}Name" // note\r\n', "warns"),
    ("concatenated-pieces", P + b'11 = {text}a"b c"d\r\n', "warns"),
    ("quoted-key-pieces", P + b'"1"1 = "{text}x"\r\n', "warns"),
    ("unterminated-quote", P + b'11 = "{text}Name\r\n', "refuses"),
    ("entry-before-section", b"11 = x\r\n" + P + b"19 = Empty\r\n", "both-refuse"),
    ("unclosed-section", b"[Properties\r\n19 = Empty\r\n", "both-refuse"),
    ("field-over-511", P + b"11 = {text}" + b"x" * 600 + b"\r\n", "truncates"),
    ("utf8-no-bom", P + "11 = {text}Müller 東京\r\n".encode(), "ansi"),
    ("nul-in-value", P + b"11 = {text}Con\x00toso\r\n", "refuses"),
    ("tab-inside-value", P + b"11 = {text}a\tb\r\n", ("differs", "{text}a b", "{text}a\tb")),
    ("continuation-spaces", P + b"11 = {text}first \\\r\n  second\r\n",
     ("differs", "{text}first   second", "{text}firstsecond")),
    ("strings-value-with-comma", P + b"11 = %name%\r\n[Strings]\r\nname = a,b\r\n",
     ("differs", "a,b", "a")),
    # Wine reads a UTF-8 BOM as UTF-8; Microsoft documents only UTF-16LE for non-ASCII INF text,
    # so certbed's property reader refuses it, though the lexical layer agrees.
    ("utf8-bom", b"\xef\xbb\xbf" + P + "11 = {text}Müller 東京 🔑\r\n".encode(),
     "agree-then-refused"),
    ("utf16le-bom", "\ufeff[Properties]\r\n11 = {text}Müller 東京 🔑\r\n".encode("utf-16-le"),
     "agree"),
    ("comments-and-quotes", P + b'; c\r\n11 = "{text}a;b" ; c\r\n19 = "say ""hi"""\r\n', "agree"),
    ("fields", P + b"9 = {text}1.3.6.1.5.5.7.3.2, 1.3.6.1.5.5.7.3.1 ,\r\n12 = ,\r\n", "agree"),
    ("edge-spaces", P + b"11 =   {text}a  b   \r\n13 = \"\" \r\n", "agree"),
    ("continuation", P + b"11 = {text}first\\\r\nsecond\r\n", "agree"),
    ("strings", P + b"11 = %name%, %%, %unknown%\r\n[Strings]\r\nname = \"Contoso\"\r\n",
     "agree"),
    ("lone-word", P + b"loneword\r\n19 = Empty\r\n", "agree"),
    ("leading-zero-key", P + b"019 = Empty\r\n", "agree"),
    ("ctrl-z", P + b"11 = {text}a\r\n\x1a19 = Empty\r\n", "agree"),
    ("lf-only", b"[Properties]\n2 = {text}\n_continue_ = KeySpec = 0\n", "agree"),
    ("duplicate-section", P + b"11 = {text}a\r\n[Other]\r\nx = 1\r\n" + P + b"19 = Empty\r\n",
     "agree"),
    ("text-after-section", b"[Properties] trailing\r\n11 = {text}a\r\n", "agree"),
]


def certbed_lines(certbed, path):
    proc = subprocess.run([certbed, "inf", "check", str(path), "--lines"], capture_output=True,
                          stdin=subprocess.DEVNULL, timeout=60)
    if proc.returncode != 0:
        return None, proc.stderr.decode(errors="replace").strip()
    return json.loads(proc.stdout), None


def wine_readings(probe_exe, prefix, paths):
    out = {}
    for start in range(0, len(paths), 40):  # Windows command lines stop at 32k characters
        chunk = paths[start:start + 40]
        _, stdout, stderr = wine_env.run_wine([probe_exe] + [wine_env.windows_path(p) for p in chunk],
                                              prefix, tempfile.gettempdir(), timeout=120)
        lines = stdout.decode("ascii").splitlines()
        if len(lines) != len(chunk):
            sys.exit(f"inf_probe.exe printed {len(lines)} results for {len(chunk)} files: "
                     f"{stderr.decode(errors='replace')[-500:]}")
        for path, line in zip(chunk, lines):
            out[path] = json.loads(line)
    return out


def setupapi_properties(reading):
    return [line for s in reading["sections"] if s["name"].lower() == "properties"
            for line in s["lines"]]


def utf16_len(text):
    return len(text.encode("utf-16-le")) // 2


def differences(mine, theirs):
    """The [Properties] lines on which the two readings differ, as messages."""
    ours = [e for e in mine["lines"] if e["section"] == "properties"]
    problems = []
    if len(ours) != len(theirs):
        problems.append(f"certbed reads {len(ours)} [Properties] lines, SetupAPI {len(theirs)}")
    for n, (a, b) in enumerate(zip(ours, theirs)):
        key_b = b["key"]
        # SetupAPI makes the only field of a line without '=' its key; certbed has no key.
        if a["key"] is None and b["field_count"] <= 1 and key_b == a["value"]:
            continue
        if a["key"] != key_b or a["value"] != b["text"]:
            problems.append(f"line {a['line']}: certbed {a['key']!r} = {a['value'][:80]!r}, "
                            f"SetupAPI {key_b!r} = {(b['text'] or '')[:80]!r}")
        if ",".join(f or "" for f in b["fields"]) != (b["text"] or ""):
            problems.append(f"line {a['line']}: SetupAPI's fields do not join to its line text")
    return problems


def certbed_check_exit(path):
    """The exit code of certbed's property reader (`inf check`), which the repair paths use."""
    return subprocess.run([CERTBED, "inf", "check", str(path)], capture_output=True,
                          stdin=subprocess.DEVNULL, timeout=60).returncode


def check_probe(name, path, expectation, mine, error, reading):
    opened = "error" not in reading
    if expectation == "both-refuse":
        if error is None or opened:
            return [f"probe {name}: expected both to refuse it (certbed error: {error}, "
                    f"SetupAPI opened: {opened})"]
        return []
    if expectation in ("refuses", "truncates"):
        if error is None or not opened:
            return [f"probe {name}: expected certbed to refuse a file SetupAPI reads "
                    f"(certbed error: {error}, SetupAPI opened: {opened})"]
        if expectation == "truncates":
            field = setupapi_properties(reading)[0]["fields"][0]
            if utf16_len(field) != MAX_FIELD_LEN:
                return [f"probe {name}: expected SetupAPI to cut the field at {MAX_FIELD_LEN} "
                        f"characters, it read {utf16_len(field)}"]
        return []
    if error is not None or not opened:
        return [f"probe {name}: certbed error {error!r}, SetupAPI {reading}"]
    theirs = setupapi_properties(reading)
    diff = differences(mine, theirs)
    if expectation == "agree":
        return [f"probe {name}: {d}" for d in diff]
    if expectation == "agree-then-refused":
        problems = [f"probe {name}: {d}" for d in diff]
        if certbed_check_exit(path) != 2:
            problems.append(f"probe {name}: expected certbed inf check to refuse it")
        return problems
    if expectation == "warns":
        if not mine["warnings"] or not diff:
            return [f"probe {name}: expected a certbed warning on a line SetupAPI reads "
                    f"differently (warnings {mine['warnings']}, differences {diff})"]
        return []
    ours = mine["lines"][0]["value"]
    if expectation == "ansi":
        problems = [] if diff else [f"probe {name}: expected SetupAPI to read UTF-8 without BOM "
                                    "as ANSI"]
        if certbed_check_exit(path) != 2:
            problems.append(f"probe {name}: expected certbed inf check to refuse non-ASCII text "
                            "outside UTF-16")
        return problems
    _, want_ours, want_theirs = expectation
    if (ours, theirs[0]["text"]) != (want_ours, want_theirs):
        return [f"probe {name}: the pinned readings changed: certbed {ours!r} (was "
                f"{want_ours!r}), SetupAPI {theirs[0]['text']!r} (was {want_theirs!r}); if the "
                "lexer now agrees with SetupAPI, make this probe \"agree\""]
    return []


def main():
    global CERTBED
    certbed, probe_exe, source_dir, state = sys.argv[1:5]
    CERTBED = certbed
    start = time.monotonic()
    prefix = wine_env.prefix_from_state(state)
    source = pathlib.Path(source_dir)
    with tempfile.TemporaryDirectory(prefix="certbed-inf-") as tmp:
        work = pathlib.Path(tmp)
        plans, refused = plan_corpus.build_plans(certbed, source, work)
        label_of = {p: f"{label}: {p.name}" for label, plan in plans for p in plan.glob("*.inf")}
        written = sorted(label_of)
        fixtures = sorted(source.glob("fixtures/**/*.inf"))
        probes = {}
        for name, data, expectation in PROBES:
            path = work / f"probe-{name}.inf"
            path.write_bytes(data)
            probes[path] = (name, expectation)
        every = written + fixtures + list(probes)
        readings = wine_readings(probe_exe, prefix, every)

        fails, departures = [], []
        for label, code, err in refused:
            fails.append(f"certbed plan refused {label} (exit {code}): {err}")
        for path in every:
            mine, error = certbed_lines(certbed, path)
            reading = readings[path]
            if path in probes:
                name, expectation = probes[path]
                fails += check_probe(name, path, expectation, mine, error, reading)
                continue
            rel = label_of.get(path) or path.relative_to(source)
            if error is not None or "error" in reading:
                fails.append(f"{rel}: certbed error {error!r}, SetupAPI {reading.get('error')}")
                continue
            theirs = setupapi_properties(reading)
            too_long = False
            if path in written or "expected" in path.parts:  # certbed wrote it
                if mine["warnings"]:
                    fails.append(f"{rel}: certbed warns on its own INF: {mine['warnings']}")
                too_long = any(f is not None and utf16_len(f) >= MAX_FIELD_LEN
                               for line in theirs for f in line["fields"])
            diff = differences(mine, theirs)
            if too_long:
                fails.append(f"{rel}: a field of {MAX_FIELD_LEN} or more characters, which "
                             "SetupAPI (Wine's MAX_FIELD_LEN) cuts; the INF writer must refuse it")
            elif diff and mine["warnings"] and path not in written:
                departures.append(f"{rel}: certbed warns, SetupAPI reads {len(diff)} line(s) "
                                  "differently (a departure: certbed is stricter)")
            else:
                fails += [f"{rel}: {d}" for d in diff]

        for d in departures:
            print(d)
        for message in fails:
            print("FAIL:", message)
        print(f"inf-setupapi: {len(written)} INFs from {len(plans)} plans, {len(fixtures)} fixture "
              f"INFs, {len(probes)} probes; {len(fails)} failure(s) in "
              f"{time.monotonic() - start:.1f} s")
        return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
