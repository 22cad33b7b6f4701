#!/usr/bin/env python3
"""certbed.exe under Wine, on the live store: --help; diagnose --live on the seed article's
state (a CA certificate whose KSP key has KeySpec 2) gives ksp-keyspec-not-zero and exit 1;
repairstore --live with the article's KeyProv.inf backs the store up to an .sst that crypt32
wrote, sets KeySpec 0 for good, and a second run changes nothing. A repairstore killed
mid-commit (after one of two writes) leaves its journal, and the next start undoes the write.

  certbed_exe_test.py STATE_FILE CERTBED_EXE SEED_STORE_EXE FIXTURES_CONTRACT_DIR
"""
import json
import pathlib
import sys
import tempfile

import wine_env

KEYPROV_INF = ("[Properties]\r\n"
               "2 = \"{text}\"\r\n"
               "_continue_=\"Container = Contoso CA&\"\r\n"
               "_continue_=\"Provider = Microsoft Software Key Storage Provider&\"\r\n"
               "_continue_=\"ProviderType = 0&\"\r\n"
               "_continue_=\"Flags = 0x20&\"\r\n"
               "_continue_=\"KeySpec = 0\"\r\n")
SERIAL = "1f3a5c7e9b2d4f6081a3c5e7092b4d6f"  # fixtures/contract/contoso-ca-ksp.der
RENEWED_SERIAL = "0f76a6f12d84dfbcc5c2875b3ecaa186"  # contoso-ca-renewed-reused-key.der
STORE = "certbed-seed"

failures = []


def check(condition, what):
    print(("ok: " if condition else "FAIL: ") + what)
    if not condition:
        failures.append(what)


def main():
    state, certbed, seed_store, fixtures = sys.argv[1:5]
    der = pathlib.Path(fixtures) / "contoso-ca-ksp.der"
    renewed = pathlib.Path(fixtures) / "contoso-ca-renewed-reused-key.der"
    prefix = wine_env.prefix_from_state(state)
    with tempfile.TemporaryDirectory() as work:
        work = pathlib.Path(work)

        def certbed_exe(*args, **env):
            code, out, err = wine_env.run_wine([certbed, *args], prefix, work, timeout=60, **env)
            return code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")

        code, out, _ = certbed_exe("--help")
        check(code == 0 and "diagnose" in out and "repairstore" in out,
              "certbed.exe --help lists diagnose and repairstore")
        # Arguments arrive as UTF-16 (wmain) and reach the engine as UTF-8.
        code, _, err = certbed_exe("diagnose", "--live", "--store", "Müller-東京")
        check(code == 2 and "LocalMachine\\Müller-東京" in err,
              f"a store that does not exist is an input error naming it intact ({err.strip()})")
        code, _, err = wine_env.run_wine([seed_store, STORE, wine_env.windows_path(der)], prefix,
                                         work)
        check(code == 0, "seed_store.exe put the seed CA certificate in LocalMachine\\" + STORE +
              f" ({err.decode(errors='replace').strip()})")

        code, out, err = certbed_exe("diagnose", "--live", "--store", STORE, "--json")
        doc = json.loads(out) if out.strip().startswith("{") else {"findings": []}
        rules = [f["rule"] for f in doc["findings"]]
        check(code == 1 and "ksp-keyspec-not-zero" in rules,
              f"diagnose --live: ksp-keyspec-not-zero, exit 1 (exit {code}, {rules}, {err.strip()})")
        # The document certbed diagnose --json prints: the same printer (cli/common).
        check(list(doc) == ["findings", "store", "checked"] and doc["store"].get("location") ==
              "LocalMachine", f"diagnose --live --json prints findings, store and checked ({doc})")
        check(all("the input names no store" not in f["evidence"] for f in doc["findings"]),
              "a live store names itself: no finding says the input names no store")
        code, out, _ = certbed_exe("diagnose", "--live", "--store", STORE)
        out = out.replace("\r\n", "\n")  # stdout is in text mode
        check(code == 1 and "[error] ksp-keyspec-not-zero certificate " + SERIAL in out and
              "\nchecked:\n- " in out,
              f"diagnose --live prints certbed diagnose's text, with what was checked ({out})")

        (work / "KeyProv.inf").write_text(KEYPROV_INF, encoding="ascii", newline="")
        code, out, err = certbed_exe("repairstore", "--live", STORE, SERIAL, "KeyProv.inf")
        check(code == 0 and "applied 1 change(s)" in out,
              f"repairstore --live applies one change (exit {code}: {out.strip()} {err.strip()})")
        backups = sorted(work.glob(f"{STORE}-*.sst"))
        check(len(backups) == 1, f"one .sst backup in the working folder ({backups})")
        if backups:
            data = backups[0].read_bytes()
            check(data[:8] == b"\x00\x00\x00\x00CERT",
                  "the backup starts with the serialized store header 00 00 00 00 'CERT'")

        code, out, _ = certbed_exe("diagnose", "--live", "--store", STORE, "--json")
        rules = [f["rule"] for f in json.loads(out)["findings"]]
        check("ksp-keyspec-not-zero" not in rules,
              f"diagnose --live after the repair: no ksp-keyspec-not-zero ({rules})")
        # Platform limit: Wine does not persist NCrypt keys, so the key "Contoso CA" does not
        # exist here and missing-keyset is expected; on Windows the CA's key is there.
        if "missing-keyset" in rules:
            print("platform limit: missing-keyset after the repair: Wine does not persist NCrypt "
                  "keys, so the CA's KSP key the store names does not exist in the prefix")

        code, out, _ = certbed_exe("repairstore", "--live", STORE, SERIAL, "KeyProv.inf")
        check(code == 0 and "nothing to change" in out,
              f"a second repairstore --live changes nothing ({out.strip()})")
        check(len(sorted(work.glob(f"{STORE}-*.sst"))) == 1,
              "and writes no second backup, since nothing changes")

        kill_mid_commit(certbed_exe, seed_store, prefix, work, der, renewed)
        plan_and_apply(certbed_exe, seed_store, prefix, work, der)
    sys.exit(1 if failures else 0)


def keyspec2_count(certbed_exe, store, backups):
    code, out, err = certbed_exe("diagnose", "--live", "--store", store, "--json", "--backup-dir",
                                 backups)
    doc = json.loads(out) if out.strip().startswith("{") else {"findings": []}
    return sum(f["rule"] == "ksp-keyspec-not-zero" for f in doc["findings"]), err


def kill_mid_commit(certbed_exe, seed_store, prefix, work, der, renewed):
    store = "certbed-crash"
    code, _, err = wine_env.run_wine([seed_store, store, wine_env.windows_path(der),
                                      wine_env.windows_path(renewed)], prefix, work)
    check(code == 0, f"seed_store.exe put two CA certificates with KeySpec 2 in {store} "
          f"({err.decode(errors='replace').strip()})")
    backups = work / "crash-backups"
    backups.mkdir()
    code, out, err = certbed_exe("repairstore", "--live", store, f"{SERIAL},{RENEWED_SERIAL}",
                                 "KeyProv.inf", "--backup-dir", "crash-backups",
                                 CERTBED_TEST_TERMINATE_AFTER_WRITES=1)
    check(code == 99, f"repairstore --live was killed after its first write (exit {code})")
    journals = list(backups.glob("*.journal"))
    check(len(journals) == 1, f"the killed commit left its journal beside the backup ({journals})")
    # Read without recovery (another backup folder): the store is half repaired.
    count, _ = keyspec2_count(certbed_exe, store, "crash-backups-elsewhere")
    check(count == 1, f"before recovery one of the two certificates still has KeySpec 2 ({count})")
    count, err = keyspec2_count(certbed_exe, store, "crash-backups")
    check("cut short" in err and count == 2,
          f"the next start undoes the write: both certificates have KeySpec 2 again ({count}; "
          f"{err.strip()})")
    check(not list(backups.glob("*.journal")), "and removes the journal")


def plan_and_apply(certbed_exe, seed_store, prefix, work, der):
    store = "certbed-plan"
    code, _, err = wine_env.run_wine([seed_store, store, wine_env.windows_path(der)], prefix, work)
    check(code == 0, f"seed_store.exe put the seed CA certificate in {store}")
    code, out, err = certbed_exe("plan", "--live", "--store", store, "-o", "plan1")
    plan = work / "plan1"
    check(code == 0 and (plan / "plan.json").is_file(),
          f"plan --live wrote a plan folder (exit {code}: {err.strip()})")
    infs = sorted(plan.glob("*.inf"))
    check(len(infs) == 1, f"with one INF for the CA certificate ({infs})")
    cmd = (plan / "repair.cmd").read_text(encoding="utf-8", errors="replace") \
        if (plan / "repair.cmd").is_file() else ""
    check(f'-repairstore "{store}"' in cmd, "whose repair.cmd targets the live store by name")
    code, out, err = certbed_exe("plan", "--live", "--store", store, "-o", "plan1")
    check(code == 2 and "not empty" in err, "plan --live refuses a folder that is not empty")
    code, out, err = certbed_exe("apply", "--live", "plan1", "--backup-dir", ".")
    check("applied 1 change(s)" in out and not list(work.glob("*.journal")),
          f"apply --live applies the plan's one change and leaves no journal (exit {code}: "
          f"{out.strip()[-300:]} {err.strip()})")
    count, _ = keyspec2_count(certbed_exe, store, ".")
    check(count == 0, f"after apply --live no certificate has KeySpec 2 ({count})")


if __name__ == "__main__":
    main()
