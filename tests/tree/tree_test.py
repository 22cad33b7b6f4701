#!/usr/bin/env python3
"""The tree keeps the shape the README's layout section describes.

Checks, over repair/, platform/, emulator/, cli/ and windows/: every folder holding sources or public headers is
named in the README's layout block and every folder the block names exists; no source file is
longer than 600 lines; every source file opens with a comment line saying what it is for;
repair/ includes no OpenSSL, protobuf or Windows header, and its public headers include only the
standard library and each other. Prints each violation and exits 1 if there is any.
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
problems = []

readme = (root / "README.md").read_text(encoding="utf-8")
match = re.search(r"^## Layout\n.*?```\n(.*?)```", readme, re.S | re.M)
if not match:
    sys.exit("README.md has no '## Layout' section with a code block")
block = match.group(1)

# Folder names in the block: indentation gives the nesting ("repair/" then "  model/").
named = set()
stack = []
for line in block.splitlines():
    m = re.match(r"^( *)([A-Za-z0-9_.]+/)", line)
    if not m:
        continue
    depth = len(m.group(1)) // 2
    stack = stack[:depth] + [m.group(2).rstrip("/")]
    named.add("/".join(stack))

modules = ["repair", "platform", "emulator", "cli", "windows"]


def concern(folder):
    """repair/src/formats/dump and repair/include/certbed/repair/formats/dump -> repair/formats/dump."""
    parts = folder.parts
    if len(parts) >= 2 and parts[0] in modules and parts[1] == "src":
        return "/".join((parts[0],) + parts[2:])
    if len(parts) >= 4 and parts[0] in modules and parts[1:3] == ("include", "certbed"):
        return "/".join((parts[0],) + parts[4:])
    return "/".join(parts)


def exists(name):
    parts = name.split("/")
    if parts[0] in modules and len(parts) > 1:
        rest = parts[1:]
        candidates = [root / name, root / parts[0] / "src" / "/".join(rest),
                      root / parts[0] / "include" / "certbed" / parts[0] / "/".join(rest)]
        return any(c.is_dir() for c in candidates)
    return (root / name).is_dir()


for path in sorted(named):
    if not exists(path):
        problems.append(f"README layout names {path}/, which does not exist")

sources = [p for m in modules for p in (root / m).rglob("*") if p.suffix in (".cc", ".h")]
folders = {concern(p.parent.relative_to(root)) for p in sources}
for folder in sorted(folders):
    if folder not in named:
        problems.append(f"{folder}/ holds sources but the README layout does not name it")

for p in sorted(sources):
    rel = p.relative_to(root)
    lines = p.read_text(encoding="utf-8").splitlines()
    if len(lines) > 600:
        problems.append(f"{rel}: {len(lines)} lines, more than 600")
    if not lines or not lines[0].startswith("//"):
        problems.append(f"{rel}:1: does not open with a comment saying what it is for")
    if rel.parts[0] == "repair":
        for n, line in enumerate(lines, 1):
            inc = re.match(r'\s*#\s*include\s*[<"]([^>"]+)[>"]', line)
            if not inc:
                continue
            header = inc.group(1)
            if re.match(r"(openssl|google/protobuf|windows\.h|wincrypt\.h|ncrypt\.h)", header,
                        re.I):
                problems.append(f"{rel}:{n}: repair/ must not include <{header}>")
            public = rel.parts[1] == "include"
            if public and not (header.startswith("certbed/repair/") or "/" not in header
                               and "." not in header):
                problems.append(f"{rel}:{n}: a public repair/ header includes <{header}>; only "
                                "the standard library and certbed/repair/ headers are allowed")

for problem in problems:
    print(problem)
print(f"tree: {len(sources)} sources in {len(folders)} folders, {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
