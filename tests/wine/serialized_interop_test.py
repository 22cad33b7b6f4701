#!/usr/bin/env python3
"""Serialized stores and registry exports between certbed and Wine's own code:

- an .sst that Wine's CertSaveStore wrote, with property 2 set by CertSetCertificateContext-
  Property, imports into certbed with its container, provider, type, flags and KeySpec, and
  certbed writes it back byte for byte;
- a .reg file certbed writes is imported by Wine's reg.exe; Wine's reg.exe exports the same key
  to the same bytes; and Wine's crypt32 then opens LocalMachine\\My with property 2 and every
  other property Wine keeps intact.

Each Wine limit met is printed as "platform limit: ..." and is not counted as passed.

  serialized_interop_test.py STATE_FILE CERTBED SEED_STORE_EXE STORE_TOOL_EXE FIXTURES_CONTRACT_DIR
"""
import json
import pathlib
import struct
import subprocess
import sys
import tempfile

import wine_env

# Wine's builtin reg.exe, not the fixture's logging stand-in.
REAL_REG = {"WINEDLLOVERRIDES": "certutil.exe=n;reg.exe=b"}
MY_CERTIFICATES = "HKLM\\SOFTWARE\\Microsoft\\SystemCertificates\\My\\Certificates"
SEED_KEY_PROVIDER = {"container": "Contoso CA",
                     "provider": "Microsoft Software Key Storage Provider",
                     "provider_type": 0, "flags": 0x20, "keyspec": 2}
# The property ids Wine's loader reads (CRYPT_ReadContextProp, property-model.md 3.6).
WINE_READS = {2, 3, 4, 5, 9, 10, 11, 12, 13, 15, 20, 21, 22, 23, 24, 25, 26, 27, 64}
HASH_IDS = {3, 4, 15}

failures = []


def check(condition, what):
    print(("ok: " if condition else "FAIL: ") + what)
    if not condition:
        failures.append(what)


def limit(what):
    print("platform limit: " + what)


def sst_properties(data):
    """{sha1-less index: {id: hex}} of an .sst, read independently of certbed."""
    assert data[:8] == b"\x00\x00\x00\x00CERT"
    certificates, current, pos = [], {}, 8
    while pos + 12 <= len(data):
        pid, _, length = struct.unpack_from("<III", data, pos)
        value = data[pos + 12:pos + 12 + length]
        pos += 12 + length
        if pid == 0:
            break
        if pid == 32:
            certificates.append(current)
            current = {}
        else:
            current[pid] = value.hex()
    return certificates


def main():
    state, certbed, seed_store, store_tool, fixtures = sys.argv[1:6]
    prefix = wine_env.prefix_from_state(state)
    der = pathlib.Path(fixtures) / "contoso-ca-ksp.der"
    with tempfile.TemporaryDirectory() as work:
        work = pathlib.Path(work)

        def host(*args):
            proc = subprocess.run([certbed, *args], cwd=work, capture_output=True, timeout=60)
            return (proc.returncode, proc.stdout.decode("utf-8", "replace"),
                    proc.stderr.decode("utf-8", "replace"))

        def wine(*args, **env):
            code, out, err = wine_env.run_wine(list(args), prefix, work, timeout=120, **env)
            return code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")

        wine_sst_imports(host, wine, seed_store, store_tool, der, work)
        certbed_reg_opens_in_wine(host, wine, store_tool, work)
        unknown_property_in_wine(host, wine, store_tool, der, work)
    sys.exit(1 if failures else 0)


def wine_sst_imports(host, wine, seed_store, store_tool, der, work):
    store = "certbed-sst"
    code, _, err = wine(seed_store, store, wine_env.windows_path(der))
    check(code == 0, f"seed_store.exe set property 2 on the CA certificate in {store} ({err.strip()})")
    code, _, err = wine(store_tool, "save", store, "wine.sst")
    data = (work / "wine.sst").read_bytes() if (work / "wine.sst").is_file() else b""
    check(code == 0 and data[:8] == b"\x00\x00\x00\x00CERT",
          f"Wine's CertSaveStore wrote wine.sst ({len(data)} bytes; {err.strip()})")

    code, out, err = host("sst", "list", "wine.sst", "--json")
    ids = [p["id"] for p in json.loads(out)["certificates"][0]["properties"]] if code == 0 else []
    check(code == 0 and 2 in ids, f"certbed sst list reads Wine's file: property ids {ids} "
          f"({err.strip()})")
    if not HASH_IDS & set(ids):
        limit(f"Wine's CertSaveStore omits hash properties 3, 4 and 15 (it wrote {ids})")

    code, out, err = host("sst", "import", "wine.sst", "-o", "wine.pb")
    check(code == 0, f"certbed sst import wine.sst ({out.strip()} {err.strip()})")
    code, out, _ = host("store", "wine.pb", "--json")
    certificates = json.loads(out)["certificates"] if code == 0 else []
    check(len(certificates) == 1 and certificates[0]["key_provider"] == SEED_KEY_PROVIDER,
          "the imported certificate has property 2 as Wine stored it: container, provider, type, "
          f"flags and KeySpec ({certificates[0]['key_provider'] if certificates else None})")
    code, _, err = host("sst", "export", "wine.pb", "-o", "back.sst")
    check(code == 0 and (work / "back.sst").read_bytes() == data,
          f"certbed sst export gives Wine's file back byte for byte ({err.strip()})")
    # A certificate with no properties (Wine's test serializedStoreWithCert, checked on Windows)
    # reads, which shows the tool works where the next file comes back empty.
    (work / "bare.sst").write_bytes(b"\x00\x00\x00\x00CERT" + element(32, der.read_bytes()) +
                                    bytes(12))
    code, out, err = wine(store_tool, "load", "bare.sst")
    check(code == 0 and out.strip() == "1",
          f"Wine's crypt32 reads an .sst of one certificate without properties ({out.strip()} "
          f"{err.strip()})")
    code, out, err = wine(store_tool, "load", "back.sst")
    if code == 0 and out.strip() == "0":
        limit("Wine's crypt32 reads an .sst whose certificate carries properties (here the file "
              "its own CertSaveStore wrote) as an empty store")
    else:
        check(code == 0 and out.strip() == "1",
              f"Wine's crypt32 reads certbed's .sst back as one certificate ({out.strip()} "
              f"{err.strip()})")


def certbed_reg_opens_in_wine(host, wine, store_tool, work):
    code, _, err = host("init", "ca-ksp-keyspec2", "-o", "seed.pb")
    check(code == 0, f"certbed init ca-ksp-keyspec2 ({err.strip()})")
    code, _, err = host("sst", "export", "seed.pb", "-o", "seed.sst")
    check(code == 0, f"certbed sst export seed.pb ({err.strip()})")
    expected = sst_properties((work / "seed.sst").read_bytes())
    check(len(expected) == 1 and 2 in expected[0],
          f"the seed store's CA certificate carries property 2 (ids {[sorted(e) for e in expected]})")
    code, _, err = host("reg", "export", "seed.pb", "-o", "seed.reg")
    check(code == 0, f"certbed reg export seed.pb ({err.strip()})")
    unread = sorted(set(expected[0]) - WINE_READS) if expected else []
    if unread:
        limit(f"Wine's loader drops a Blob with property ids outside its list: {unread}")

    code, out, err = wine("reg", "import", "seed.reg", **REAL_REG)
    check(code == 0, f"Wine's reg.exe imports certbed's .reg file (exit {code}: {out.strip()} "
          f"{err.strip()})")
    code, out, err = wine("reg", "export", MY_CERTIFICATES, "wine.reg", "/y", **REAL_REG)
    mine = (work / "seed.reg").read_bytes()
    theirs = (work / "wine.reg").read_bytes() if (work / "wine.reg").is_file() else b""
    check(code == 0 and theirs == mine,
          "Wine's reg.exe exports the key back to the bytes certbed wrote "
          f"({len(theirs)} and {len(mine)} bytes; {err.strip()})")

    code, out, err = wine(store_tool, "show", "My")
    shown = json.loads(out)["certificates"] if code == 0 else []
    check(len(shown) == 1, f"Wine's crypt32 opens LocalMachine\\My with the certificate ({err.strip()})")
    if shown and expected:
        got = {int(k): v.lower() for k, v in shown[0]["properties"].items()}
        check(got.get(2) == expected[0][2],
              "property 2 reads back through CertGetCertificateContextProperty byte for byte")
        for pid in sorted(set(expected[0]) & WINE_READS):
            check(got.get(pid) == expected[0][pid],
                  f"property {pid} reads back through crypt32 as certbed wrote it")
    code, _, err = host("reg", "import", "wine.reg", "-o", "from-wine.pb")
    check(code == 0, f"certbed reg import reads what Wine's reg.exe exported ({err.strip()})")
    code, _, _ = host("sst", "export", "from-wine.pb", "-o", "from-wine.sst")
    check(code == 0 and (work / "from-wine.sst").read_bytes() == (work / "seed.sst").read_bytes(),
          "and holds the same certificate with the same properties in the same order")


def element(pid, value):
    return struct.pack("<III", pid, 1, len(value)) + value


def unknown_property_in_wine(host, wine, store_tool, der, work):
    """A Blob with property 92 (CERT_SUBJECT_PUB_KEY_BIT_LENGTH_PROP_ID, which Windows writes):
    certbed keeps it; Wine's loader may drop the whole certificate."""
    store = "certbed-unknown-id"
    (work / "unknown.sst").write_bytes(b"\x00\x00\x00\x00CERT" +
                                       element(92, struct.pack("<I", 2048)) +
                                       element(32, der.read_bytes()) + bytes(12))
    code, _, err = host("sst", "import", "unknown.sst", "-o", "unknown.pb", "--store", store)
    check(code == 0, f"certbed imports a certificate carrying property 92 ({err.strip()})")
    code, _, err = host("reg", "export", "unknown.pb", "--store", store, "-o", "unknown.reg")
    check(code == 0, f"and exports it as a .reg file ({err.strip()})")
    code, _, err = wine("reg", "import", "unknown.reg", **REAL_REG)
    check(code == 0, f"Wine's reg.exe imports it ({err.strip()})")
    code, out, err = wine(store_tool, "show", store)
    shown = json.loads(out)["certificates"] if code == 0 else None
    if shown == [] or code != 0:
        limit("Wine's crypt32 drops a registry certificate whose Blob holds a property id "
              f"outside its list (92 here): LocalMachine\\{store} opens without it ({err.strip()})")
    else:
        check(len(shown) == 1 and "92" in shown[0]["properties"],
              "Wine's crypt32 keeps the certificate with property 92")


if __name__ == "__main__":
    main()
