#include "certbed/repair/planner/repair_plan.h"

#include <gtest/gtest.h>

#include "certbed/emulator/certutil/dump_renderer.h"
#include "certbed/emulator/keys/key_source.h"
#include "certbed/emulator/machine/emulated_store.h"
#include "certbed/emulator/scenarios/scenarios.h"
#include "certbed/repair/apply/apply_plan.h"
#include "certbed/repair/formats/inf/property_inf.h"
#include "certbed/repair/model/wincrypt_constants.h"
#include "certbed/repair/rules/rule_ids.h"
#include "certbed/repair/store/dump_store.h"
#include "support/files.h"

namespace certbed::repair {
namespace {

using emulator::EmulatedStore;
using emulator::Machine;
using emulator::StoreLocation;

RepairPlan plan_for(Machine& machine) {
  EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");
  PlanOptions options;
  options.ca_host = store.ca_configuration().has_value();
  options.store = store.identity();
  return make_repair_plan(diagnose(store), options).value();
}

TEST(RepairPlan, SeedPlanFollowsTheArticlesStepsNamingTheCertificateByThumbprint) {
  auto machine = emulator::build_scenario("ca-ksp-keyspec2").value();
  const auto plan = plan_for(machine);
  ASSERT_EQ(plan.steps.size(), 5u);
  EXPECT_EQ(plan.steps[0].kind, StepKind::kBackup);
  EXPECT_NE(plan.steps[0].detail.find("certutil -backup"), std::string::npos);
  // The article's step 5: every CA certificate's KeySpec, not only the one the input shows.
  EXPECT_EQ(plan.steps[1].kind, StepKind::kInspect);
  EXPECT_NE(plan.steps[1].detail.find("certutil -getreg CA\\CACertHash"), std::string::npos)
      << plan.steps[1].detail;
  EXPECT_EQ(plan.steps[2].kind, StepKind::kRepairStore);
  EXPECT_EQ(plan.steps[2].cert_id, "5fb91336bddb21d9610a7045f4521fd52f0645fd");
  EXPECT_EQ(plan.steps[3].kind, StepKind::kVerify);
  EXPECT_NE(plan.steps[3].detail.find("KeySpec = 0 -- XCN_AT_NONE"), std::string::npos);
  EXPECT_NE(plan.steps[3].detail.find("certutil -verifykeys"), std::string::npos);
  EXPECT_EQ(plan.steps[4].kind, StepKind::kRetry);
  ASSERT_EQ(plan.infs.size(), 1u);
  EXPECT_EQ(plan.infs[0].file_name, "keyprov-5fb91336bddb21d9610a7045f4521fd52f0645fd.inf");
  EXPECT_EQ(plan.steps[2].inf_file, plan.infs[0].file_name);
  // The INF says what the article's KeyProv.inf says.
  const auto inf = parse_property_inf(plan.infs[0].content, "plan.inf").value();
  ASSERT_EQ(inf.properties.size(), 1u);
  EXPECT_EQ(
      *inf.properties[0].key_provider,
      (KeyProvText{"Contoso CA", std::string(wincrypt::MS_KEY_STORAGE_PROVIDER), 0, 0x20, 0}));
}

TEST(RepairPlan, ProviderParametersAreNotDroppedByAnInfRewrite) {
  Finding f;
  f.rule = std::string(rule_id::kKspKeySpecNotZero);
  f.severity = Severity::kError;
  f.serial = "1f3a5c7e9b2d4f6081a3c5e7092b4d6f";
  f.fix =
      "rewrite property 2 with KeySpec = 0 (certutil -repairstore my " + f.serial + " KeyProv.inf)";
  f.fix_kind = FixKind::kPropertyInf;
  KeyProvInfo fixed{"Contoso CA", std::string(wincrypt::MS_KEY_STORAGE_PROVIDER), 0, 0x20, 0, {}};
  fixed.params.push_back(KeyProvParam{0x10, Bytes{1, 2, 3}, 0});
  f.key_provider = fixed;
  const auto plan = make_repair_plan({f}, PlanOptions{}).value();
  EXPECT_TRUE(plan.infs.empty());
  ASSERT_EQ(plan.refused.size(), 1u);
  EXPECT_NE(plan.refused[0].reason.find("provider parameter"), std::string::npos)
      << plan.refused[0].reason;
  const PlanStep* repair = nullptr;
  for (const auto& s : plan.steps) {
    if (s.kind == StepKind::kRepairStore) repair = &s;
  }
  ASSERT_NE(repair, nullptr);
  EXPECT_FALSE(repair->inf_file.has_value());
  // The step says what it does instead; it names no INF.
  EXPECT_EQ(repair->detail.find("KeyProv.inf"), std::string::npos) << repair->detail;
  EXPECT_NE(repair->detail.find("without an INF"), std::string::npos) << repair->detail;
  const std::string summary = render_plan_summary(plan);
  const auto steps = summary.find("\nSteps");
  ASSERT_NE(steps, std::string::npos);
  const auto refused = summary.find("\nRefused");
  EXPECT_EQ(summary.substr(steps, refused - steps).find("KeyProv.inf"), std::string::npos)
      << summary;
}

TEST(RepairPlan, CertificateReadInAGuessedCodePageIsReportedAndRefused) {
  // The seed dump as an OEM console writes it, with the CA named "Müller CA" (0x81 in cp850).
  std::string dump = testing::slurp(std::string(CERTBED_SOURCE_DIR) +
                                    "/fixtures/cases/seed-ca-ksp-keyspec2/input-dump.txt");
  const std::string from = "Key Container = Contoso CA";
  const auto at = dump.find(from);
  ASSERT_NE(at, std::string::npos);
  dump.replace(at, from.size(), "Key Container = M\x81ller CA");
  auto store = DumpStore::parse(dump, "oem.txt").value();
  const auto findings = diagnose(store);
  const Finding* unfaithful = nullptr;
  bool keyspec = false;
  for (const auto& f : findings) {
    if (f.rule == rule_id::kDumpTextNotFaithful) unfaithful = &f;
    if (f.rule == rule_id::kKspKeySpecNotZero) keyspec = true;
  }
  ASSERT_NE(unfaithful, nullptr);
  EXPECT_TRUE(keyspec);
  EXPECT_NE(unfaithful->evidence.find("line 105: not UTF-8: decoded as cp850 or cp437"),
            std::string::npos)
      << unfaithful->evidence;
  EXPECT_NE(unfaithful->fix.find("-Unicode -store My"), std::string::npos) << unfaithful->fix;

  const auto plan = make_repair_plan(findings, PlanOptions{}).value();
  EXPECT_TRUE(plan.infs.empty());
  for (const auto& s : plan.steps) EXPECT_NE(s.kind, StepKind::kRepairStore) << s.title;
  ASSERT_EQ(plan.refused.size(), 1u);
  EXPECT_EQ(plan.refused[0].rule, rule_id::kKspKeySpecNotZero);
  EXPECT_NE(plan.refused[0].reason.find("not read faithfully"), std::string::npos);
  const auto cmd = render_cmd_script(plan).value();
  EXPECT_EQ(cmd.find("-repairstore"), std::string::npos) << cmd;
  EXPECT_EQ(cmd.find("ller"), std::string::npos);
}

TEST(RepairPlan, KeySpecNotShownOnACaCertificateAddsNoStepAndNoCaBackup) {
  // A non-verbose dump of the CA: its KeySpec is not shown, so there is nothing to repair.
  auto machine = emulator::build_scenario("ca-ksp-keyspec2").value();
  const auto text = emulator::render_store_dump(
      machine, *machine.find_store(emulator::StoreLocation::kLocalMachine, "My"), {});
  const auto findings = diagnose(DumpStore::parse(text, "nonverbose.txt").value());
  ASSERT_EQ(findings.size(), 1u);
  ASSERT_EQ(findings[0].rule, rule_id::kKeySpecNotShown);
  ASSERT_TRUE(findings[0].is_ca);
  const auto plan = make_repair_plan(findings, PlanOptions{}).value();
  EXPECT_FALSE(plan.ca_host);
  for (const auto& s : plan.steps) {
    EXPECT_TRUE(s.kind == StepKind::kBackup || s.kind == StepKind::kVerify) << s.title;
  }
  EXPECT_EQ(render_cmd_script(plan).value().find("-backup "), std::string::npos);
}

TEST(RepairPlan, ScriptsRunTheSameStepsAndStopOnFailure) {
  auto machine = emulator::build_scenario("ca-ksp-keyspec2").value();
  const auto plan = plan_for(machine);
  const auto cmd = render_cmd_script(plan).value();
  EXPECT_NE(cmd.find("\"%SystemRoot%\\System32\\certutil.exe\" -repairstore \"My\" "
                     "\"5fb91336bddb21d9610a7045f4521fd52f0645fd\" "
                     "\"keyprov-5fb91336bddb21d9610a7045f4521fd52f0645fd.inf\"\r\n"
                     "if %ERRORLEVEL% NEQ 0 goto :fail\r\n"),
            std::string::npos)
      << cmd;
  EXPECT_NE(cmd.find("\"%SystemRoot%\\System32\\certutil.exe\" -backup"), std::string::npos);
  EXPECT_NE(cmd.find("DisableDelayedExpansion"), std::string::npos);
  const auto ps = render_powershell_script(plan).value();
  EXPECT_NE(
      ps.find(
          "Invoke-Checked @('-repairstore', $store, '5fb91336bddb21d9610a7045f4521fd52f0645fd', "
          "'keyprov-5fb91336bddb21d9610a7045f4521fd52f0645fd.inf')"),
      std::string::npos)
      << ps;
  EXPECT_NE(ps.find("$ErrorActionPreference = 'Stop'"), std::string::npos);
}

TEST(RepairPlan, CmdScriptCallsProgramsByFullPathAndChecksEveryExitCodeOnItsOwnLine) {
  auto machine = emulator::build_scenario("ca-ksp-keyspec2").value();
  const auto cmd = render_cmd_script(plan_for(machine)).value();
  // Neither form stops reliably: "if errorlevel 1" misses negative HRESULTs, and Wine's cmd
  // runs the right side of "||" even after a success.
  EXPECT_EQ(cmd.find("errorlevel 1"), std::string::npos) << cmd;
  EXPECT_EQ(cmd.find("||"), std::string::npos) << cmd;
  std::size_t calls = 0;
  std::size_t pos = 0;
  std::string previous;
  while (pos < cmd.size()) {
    const std::size_t end = cmd.find("\r\n", pos);
    ASSERT_NE(end, std::string::npos) << "every line ends with CRLF";
    const std::string line = cmd.substr(pos, end - pos);
    pos = end + 2;
    if (previous.find("certutil") != std::string::npos && previous.rfind("rem", 0) != 0 &&
        previous.rfind("echo", 0) != 0) {
      EXPECT_EQ(previous.rfind("\"%SystemRoot%\\System32\\certutil.exe\" ", 0), 0u) << previous;
      EXPECT_EQ(line, "if %ERRORLEVEL% NEQ 0 goto :fail") << previous;
      ++calls;
    }
    if (previous.rfind("\"%SystemRoot%\\System32\\reg.exe\" export ", 0) == 0) {
      EXPECT_EQ(line, "if %ERRORLEVEL% NEQ 0 goto :fail") << previous;
      ++calls;
    }
    previous = line;
  }
  // two store dumps, reg export, the CA backup, the CA certificate list, one repairstore,
  // certutil -verifykeys
  EXPECT_EQ(calls, 7u) << cmd;
}

TEST(RepairPlan, PowerShellScriptCallsProgramsByFullPath) {
  auto machine = emulator::build_scenario("ca-ksp-keyspec2").value();
  const auto ps = render_powershell_script(plan_for(machine)).value();
  EXPECT_NE(ps.find("$certutil = (Join-Path $env:SystemRoot 'System32\\certutil.exe')"),
            std::string::npos)
      << ps;
  EXPECT_NE(ps.find("$reg = (Join-Path $env:SystemRoot 'System32\\reg.exe')"), std::string::npos);
  EXPECT_EQ(ps.find("& certutil"), std::string::npos) << ps;
  EXPECT_EQ(ps.find("& reg"), std::string::npos) << ps;
  EXPECT_NE(ps.find("& $reg export"), std::string::npos) << ps;
}

TEST(RepairPlan, LostAssociationIsRepairedWithoutAnInfAndNeedsNoCaBackup) {
  auto machine = emulator::build_scenario("web-lost-key-association").value();
  auto store = EmulatedStore(machine, StoreLocation::kLocalMachine, "My");
  const auto plan = make_repair_plan(diagnose(store)).value();
  EXPECT_TRUE(plan.infs.empty());
  ASSERT_EQ(plan.steps.size(), 3u);
  EXPECT_EQ(plan.steps[1].cert_id, "14ee7a7b9b68ca97f2d798db175c6775dfda28de");
  EXPECT_FALSE(plan.steps[1].inf_file.has_value());
  EXPECT_EQ(render_cmd_script(plan).value().find("-backup"), std::string::npos);
}

TEST(RepairPlan, AKeyThatDoesNotMatchIsRepairedWithoutTheInfThatWouldKeepItsContainer) {
  // The TLS certificate's property 2 names the CA's container with KeySpec 2: ksp-keyspec-not-zero
  // asks for an INF keeping that container, key-does-not-match for the key search.
  auto machine = emulator::build_scenario("web-healthy").value();
  const KeyProvInfo wrong{"Contoso CA",
                          std::string(wincrypt::MS_KEY_STORAGE_PROVIDER),
                          0,
                          0x20,
                          wincrypt::AT_SIGNATURE,
                          {}};
  machine.store(StoreLocation::kLocalMachine, "My")
      .properties(1)
      .set(PropertyId::CERT_KEY_PROV_INFO_PROP_ID, encode_key_prov_info(wrong).value());
  EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");
  const auto findings = diagnose(store);
  ASSERT_EQ(findings.size(), 2u);
  const auto plan = make_repair_plan(findings).value();
  EXPECT_TRUE(plan.infs.empty());
  auto steps = apply_steps_of(plan.steps, [](const std::string& name) -> Result<PropertyInf> {
    return make_error(ErrorCode::kNotFound, "no INF expected, asked for " + name);
  });
  ASSERT_TRUE(steps.ok()) << steps.error().to_string();
  auto applied = apply_repair_steps(store, *steps, findings, {}, nullptr);
  ASSERT_TRUE(applied.ok());
  EXPECT_TRUE(applied->fixed);
  EXPECT_TRUE(applied->remaining.empty());
  const auto info = store.certificate(1).key_prov_info().value().value();
  EXPECT_EQ(info.container, "te-WebServer-5b2f0c1e-8d4a-4f3b-9e6a-2c7d1b0f3e59");
  EXPECT_EQ(info.key_spec, wincrypt::AT_NONE);
}

TEST(ScriptQuoting, CmdDoublesPercentAndRefusesWhatItCannotQuote) {
  EXPECT_EQ(quote_cmd_argument("a & b | c > d ^ e").value(), "\"a & b | c > d ^ e\"");
  EXPECT_EQ(quote_cmd_argument("100%PATH%").value(), "\"100%%PATH%%\"");
  EXPECT_FALSE(quote_cmd_argument("say \"hi\"").ok());
  EXPECT_FALSE(quote_cmd_argument("two\r\nlines").ok());
  EXPECT_FALSE(quote_cmd_argument("nul\x01").ok());
  EXPECT_FALSE(quote_cmd_argument("\xff").ok());
}

TEST(ScriptQuoting, PowerShellDoublesEveryKindOfSingleQuote) {
  EXPECT_EQ(quote_powershell_argument("O'Brien $(calc) `n").value(), "'O''Brien $(calc) `n'");
  // U+2019 RIGHT SINGLE QUOTATION MARK also ends a PowerShell string.
  EXPECT_EQ(quote_powershell_argument("it\xE2\x80\x99s").value(), "'it\xE2\x80\x99\xE2\x80\x99s'");
  EXPECT_FALSE(quote_powershell_argument("a\nb").ok());
}

TEST(RepairPlan, ScriptsRefuseANonHexCertificateIdQuotingOnlyAnExcerpt) {
  auto machine = emulator::build_scenario("ca-ksp-keyspec2").value();
  auto plan = plan_for(machine);
  ASSERT_EQ(plan.steps[2].kind, StepKind::kRepairStore);
  plan.steps[2].cert_id = "\x1b[2J" + std::string(100000, 'z');
  for (const auto& script : {render_cmd_script(plan), render_powershell_script(plan)}) {
    ASSERT_FALSE(script.ok());
    const std::string& message = script.error().message;
    EXPECT_EQ(script.error().code, ErrorCode::kUnsafe);
    EXPECT_LT(message.size(), 300u) << message;
    EXPECT_EQ(message.find('\x1b'), std::string::npos);
    EXPECT_NE(message.find("\\x1b[2Jzzz"), std::string::npos) << message;
    EXPECT_NE(message.find("...\" is not hex"), std::string::npos) << message;
  }
}

// A machine whose KSP CA container has a hostile name and KeySpec 2.
Machine hostile_machine(const std::string& container) {
  Machine machine = emulator::build_scenario("ca-ksp-keyspec2").value();
  auto& provider = machine.provider(wincrypt::MS_KEY_STORAGE_PROVIDER);
  auto key = provider.find_container("Contoso CA")->keys[0].key;
  EXPECT_TRUE(provider.remove_container("Contoso CA"));
  EXPECT_TRUE(machine
                  .create_container(wincrypt::MS_KEY_STORAGE_PROVIDER, container, {{0, key}},
                                    KeyScope::kMachine, false)
                  .ok());
  machine.store(StoreLocation::kLocalMachine, "My")
      .properties(0)
      .set(PropertyId::CERT_KEY_PROV_INFO_PROP_ID,
           encode_key_prov_info(
               KeyProvInfo{
                   container, std::string(wincrypt::MS_KEY_STORAGE_PROVIDER), 0, 0x20, 2, {}})
               .value());
  return machine;
}

TEST(RepairPlan, HostileContainerNamesNeverReachAScriptAndReachAnInfOnlyAsTheExactValue) {
  for (const std::string container :
       {"R&D CA", "CA \"quoted\"", "100% CA %PATH%", "CA ^& calc", "x=y CA",
        "\xE6\x9C\xAC CA \xF0\x9F\x94\x91", "O'Brien\xE2\x80\x99s CA & $(calc)"}) {
    SCOPED_TRACE(container);
    auto machine = hostile_machine(container);
    const auto plan = plan_for(machine);
    const auto cmd = render_cmd_script(plan).value();
    const auto ps = render_powershell_script(plan).value();
    EXPECT_EQ(cmd.find(container), std::string::npos);
    EXPECT_EQ(ps.find(container), std::string::npos);
    for (const auto& inf : plan.infs) {
      // What the INF holds must parse back to exactly the container, nothing more.
      const auto parsed = parse_property_inf(inf.content, inf.file_name).value();
      ASSERT_EQ(parsed.properties.size(), 1u);
      ASSERT_TRUE(parsed.properties[0].key_provider.has_value());
      EXPECT_EQ(parsed.properties[0].key_provider->container, container);
      EXPECT_TRUE(parsed.warnings.empty());
    }
    const bool writable = container.find_first_of("&\"%=") == std::string::npos;
    EXPECT_EQ(plan.infs.size(), writable ? 1u : 0u);
    EXPECT_EQ(plan.refused.size(), writable ? 0u : 1u);
    // Refused or not, applying the plan's steps fixes the store.
    EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");
    auto steps = apply_steps_of(plan.steps, [&](const std::string& name) -> Result<PropertyInf> {
      for (const auto& inf : plan.infs) {
        if (inf.file_name == name) return parse_property_inf(inf.content, name);
      }
      return make_error(ErrorCode::kNotFound, name);
    });
    ASSERT_TRUE(steps.ok()) << steps.error().to_string();
    auto applied = apply_repair_steps(store, *steps, plan.findings, {}, nullptr);
    ASSERT_TRUE(applied.ok()) << applied.error().to_string();
    EXPECT_TRUE(applied->fixed);
    EXPECT_EQ(store.certificate(0).key_prov_info().value()->container, container);
    EXPECT_EQ(store.certificate(0).key_prov_info().value()->key_spec, 0u);
  }
}

TEST(ApplyPlan, BacksUpFirstFixesTheSeedAndIsIdempotent) {
  auto machine = emulator::build_scenario("ca-ksp-keyspec2").value();
  EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");
  const auto findings = diagnose(store);
  const auto plan = make_repair_plan(findings).value();
  ASSERT_EQ(plan.infs.size(), 1u);
  auto planned_steps = apply_steps_of(plan.steps, [&](const std::string& name) {
    EXPECT_EQ(name, plan.infs[0].file_name);
    return parse_property_inf(plan.infs[0].content, name);
  });
  ASSERT_TRUE(planned_steps.ok()) << planned_steps.error().to_string();
  const std::vector<ApplyStep>& steps = *planned_steps;
  ASSERT_EQ(steps.size(), 1u);
  int backups = 0;
  auto first = apply_repair_steps(store, steps, findings, {}, [&]() -> Status {
    ++backups;
    return {};
  });
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->fixed);
  EXPECT_TRUE(first->remaining.empty());
  EXPECT_EQ(first->changes.size(), 1u);
  EXPECT_EQ(backups, 1);
  auto second = apply_repair_steps(store, steps, findings, {}, [&]() -> Status {
    ++backups;
    return {};
  });
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->changes.empty());
  EXPECT_TRUE(second->fixed);
  EXPECT_EQ(backups, 1) << "nothing to change, nothing to back up";
}

TEST(ApplyPlan, AFailedBackupChangesNothing) {
  auto machine = emulator::build_scenario("ca-ksp-keyspec2").value();
  EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");
  const auto findings = diagnose(store);
  auto r = apply_repair_steps(store, {{"0", std::nullopt}}, findings, {},
                              []() -> Status { return make_error(ErrorCode::kIo, "disk full"); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(store.certificate(0).key_prov_info().value()->key_spec, 2u);
}

TEST(ApplyPlan, ReportsFindingsThatAreStillThere) {
  auto machine = emulator::build_scenario("ca-ksp-keyspec2").value();
  EmulatedStore store(machine, StoreLocation::kLocalMachine, "My");
  const auto findings = diagnose(store);
  // A plan that touches another property does not fix the KeySpec.
  auto steps = std::vector<ApplyStep>{
      {"0", parse_property_inf("[Properties]\n11 = \"{text}x\"\n", "k.inf").value()}};
  auto r = apply_repair_steps(store, steps, findings, {}, nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->fixed);
  ASSERT_EQ(r->still_open.size(), 1u);
  EXPECT_EQ(r->still_open[0].rule, "ksp-keyspec-not-zero");
}

}  // namespace
}  // namespace certbed::repair
