// The scripts that run a plan's steps on Windows: repair.cmd and repair.ps1, and the quoting that
// keeps input values inert in them.
#include "certbed/repair/model/bytes.h"
#include "certbed/repair/planner/repair_plan.h"
#include "certbed/repair/store/cert_id.h"

namespace certbed::repair {
namespace {

Status check_script_text(std::string_view value) {
  if (!is_valid_utf8(value)) return make_error(ErrorCode::kUnsafe, "value is not valid UTF-8");
  for (unsigned char c : value) {
    if (c == '\r' || c == '\n') {
      return make_error(ErrorCode::kUnsafe, "value contains a line break");
    }
    if (c < 0x20 || c == 0x7F) {
      return make_error(ErrorCode::kUnsafe, "value contains a control character");
    }
  }
  return {};
}

// By full path, so that a certutil.exe, .bat or .cmd in the plan folder or on PATH never runs.
constexpr std::string_view kCmdCertutil = "\"%SystemRoot%\\System32\\certutil.exe\"";
constexpr std::string_view kCmdReg = "\"%SystemRoot%\\System32\\reg.exe\"";
// On its own line: "if errorlevel 1" misses certutil's negative HRESULT exit codes, and
// "|| goto :fail" is unreliable (Wine's cmd runs the right side even after a success).
constexpr std::string_view kCmdCheck = "if %ERRORLEVEL% NEQ 0 goto :fail";

// Who runs the scripts: a machine store needs an elevated prompt; a user's store is opened as
// the user who runs certutil, so it must be that user.
std::string_view run_as_text(const RepairPlan& plan) {
  return plan.store.location == StoreLocation::kCurrentUser
             ? "Run as the user whose CurrentUser store this is, in this folder."
             : "Run from an elevated prompt in this folder.";
}

// The certutil options before the verb that select the store's location ("-user", ...).
std::string location_option(const RepairPlan& plan) {
  const std::string_view option = certutil_location_option(plan.store.location);
  return option.empty() ? "" : std::string(option) + " ";
}

// The file name the store's registry export is saved as: "my-store.reg" for My.
std::string registry_backup_name(const RepairPlan& plan) {
  std::string out;
  for (char c : plan.store.name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    out += plain ? static_cast<char>(c | 0x20) : '-';
  }
  return out + "-store.reg";
}

}  // namespace

Result<std::string> quote_cmd_argument(std::string_view value) {
  if (auto s = check_script_text(value); !s) return s.error();
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') {
      return make_error(ErrorCode::kUnsafe,
                        "value contains a double quote, which cmd.exe cannot quote safely");
    }
    // Inside quotes cmd.exe keeps & | < > ^ literal, but a batch file expands % everywhere.
    if (c == '%') out += '%';
    out += c;
  }
  return out + "\"";
}

Result<std::string> quote_powershell_argument(std::string_view value) {
  if (auto s = check_script_text(value); !s) return s.error();
  std::string out = "'";
  for (std::size_t i = 0; i < value.size(); ++i) {
    // PowerShell ends a single-quoted string at ', and also at U+2018..U+201B.
    if (value[i] == '\'') {
      out += "''";
      continue;
    }
    if (value.size() - i >= 3 && static_cast<unsigned char>(value[i]) == 0xE2 &&
        static_cast<unsigned char>(value[i + 1]) == 0x80 &&
        static_cast<unsigned char>(value[i + 2]) >= 0x98 &&
        static_cast<unsigned char>(value[i + 2]) <= 0x9B) {
      out.append(value.substr(i, 3));
      out.append(value.substr(i, 3));
      i += 2;
      continue;
    }
    out += value[i];
  }
  return out + "'";
}

Result<std::string> render_cmd_script(const RepairPlan& plan) {
  std::string out;
  auto line = [&out](std::string_view text) { out.append(text).append("\r\n"); };
  auto checked = [&line](const std::string& command) {
    line(command);
    line(kCmdCheck);
  };
  const std::string certutil(kCmdCertutil);
  const std::string reg(kCmdReg);
  line("@echo off");
  if (!plan.store.name_known()) {
    line("rem certbed repair plan. The input did not say which store it shows, so nothing is");
    line("rem scripted; see summary.txt, and plan again with --store NAME.");
    line("echo Nothing is scripted: the input did not name its store (see summary.txt). 1>&2");
    line("exit /b 1");
    return out;
  }
  line("rem certbed repair plan for " + plan.store.to_string() + ". " +
       std::string(run_as_text(plan)));
  line("rem Stops at the first failing command. Running it again is harmless: a repaired");
  line("rem certificate stays as it is.");
  line("setlocal EnableExtensions DisableDelayedExpansion");
  line(
      "rem chcp's exit code is not checked (Wine cannot switch to 65001); the set below clears "
      "it.");
  line("chcp 65001 >nul");
  line("set \"BACKUP=%~dp0backup\"");
  checked("cd /d \"%~dp0\"");
  checked("if not exist \"%BACKUP%\\\" mkdir \"%BACKUP%\"");
  auto store = quote_cmd_argument(plan.store.name);
  if (!store) return store.error();
  auto registry_key = quote_cmd_argument(store_registry_key(plan.store));
  if (!registry_key) return registry_key.error();
  // certutil with the store's location option, for the commands that take a store.
  std::string certutil_at = certutil;
  certutil_at.append(" ").append(location_option(plan));
  for (const auto& step : plan.steps) {
    line("");
    line("rem == " + std::string(step_kind_name(step.kind)));
    switch (step.kind) {
      case StepKind::kBackup:
        checked(certutil_at + "-v -store " + *store + " > \"%BACKUP%\\machine-before.txt\"");
        checked(reg + " export " + *registry_key + " \"%BACKUP%\\" + registry_backup_name(plan) +
                "\" /y");
        if (plan.ca_host && plan.ca_hsm_provider) {
          line("rem The CA key is in a hardware module and cannot be exported: back it up with");
          line("rem the vendor's procedure (see summary.txt). This backs up the CA database.");
          checked(certutil + " -backupDB \"%BACKUP%\\ca\"");
        } else if (plan.ca_host) {
          line("rem certutil asks for a password to protect the CA key backup.");
          checked(certutil + " -backup \"%BACKUP%\\ca\"");
        }
        break;
      case StepKind::kInspect:
        checked(certutil + " -getreg CA\\CACertHash > \"%BACKUP%\\ca-cert-hashes.txt\"");
        line("echo Check every CA certificate in backup\\ca-cert-hashes.txt as summary.txt says.");
        break;
      case StepKind::kRepairStore: {
        if (!is_hex_id(step.cert_id)) {
          return make_error(ErrorCode::kUnsafe, "certificate id \"" +
                                                    cert_id_excerpt(step.cert_id) +
                                                    "\" is not hex; refusing to script it");
        }
        auto id = quote_cmd_argument(step.cert_id);
        if (!id) return id.error();
        std::string command = certutil_at + "-repairstore " + *store + " " + *id;
        if (step.inf_file) {
          auto inf = quote_cmd_argument(*step.inf_file);
          if (!inf) return inf.error();
          command += " " + *inf;
        }
        checked(command);
        break;
      }
      case StepKind::kVerify:
        checked(certutil_at + "-v -store " + *store + " > \"%BACKUP%\\machine-after.txt\"");
        if (plan.ca_host) checked(certutil + " -verifykeys");
        line("echo Check backup\\machine-after.txt as described in summary.txt.");
        break;
      case StepKind::kRetry:
        line("echo Now renew the CA certificate with the existing key pair (see summary.txt).");
        break;
      case StepKind::kManual:
        line("echo A finding needs a manual step; see summary.txt.");
        break;
    }
  }
  line("");
  line("exit /b 0");
  line(":fail");
  line("echo The repair plan stopped because the last command failed. 1>&2");
  line("exit /b 1");
  return out;
}

Result<std::string> render_powershell_script(const RepairPlan& plan) {
  std::string out;
  auto line = [&out](std::string_view text) { out.append(text).append("\r\n"); };
  if (!plan.store.name_known()) {
    line("# certbed repair plan. The input did not say which store it shows, so nothing is");
    line("# scripted; see summary.txt, and plan again with --store NAME.");
    line("throw 'Nothing is scripted: the input did not name its store (see summary.txt).'");
    return out;
  }
  line("# certbed repair plan for " + plan.store.to_string() + ". " +
       std::string(run_as_text(plan)));
  line("# Stops at the first failing command. Running it again is harmless: a repaired");
  line("# certificate stays as it is.");
  line("$ErrorActionPreference = 'Stop'");
  line("Set-Location -LiteralPath $PSScriptRoot");
  line("$backup = Join-Path $PSScriptRoot 'backup'");
  line("New-Item -ItemType Directory -Force -Path $backup | Out-Null");
  line("# By full path, so that a certutil or reg in this folder or on PATH never runs.");
  line("$certutil = (Join-Path $env:SystemRoot 'System32\\certutil.exe')");
  line("$reg = (Join-Path $env:SystemRoot 'System32\\reg.exe')");
  line("function Invoke-Checked([string[]]$Arguments) {");
  line("  & $script:certutil @Arguments");
  line("  if ($LASTEXITCODE -ne 0) { throw \"certutil failed with exit code $LASTEXITCODE\" }");
  line("}");
  line("function Save-Store([string]$File) {");
  line(
      "  & $script:certutil @script:location -v -store $script:store | Out-File -Encoding utf8 "
      "-LiteralPath (Join-Path $backup $File)");
  line("  if ($LASTEXITCODE -ne 0) { throw \"certutil failed with exit code $LASTEXITCODE\" }");
  line("}");
  auto store = quote_powershell_argument(plan.store.name);
  if (!store) return store.error();
  auto registry_key = quote_powershell_argument(store_registry_key(plan.store));
  if (!registry_key) return registry_key.error();
  line("$store = " + *store);
  const std::string_view option = certutil_location_option(plan.store.location);
  line(option.empty() ? "$location = @()" : "$location = @('" + std::string(option) + "')");
  for (const auto& step : plan.steps) {
    line("");
    line("# == " + std::string(step_kind_name(step.kind)));
    switch (step.kind) {
      case StepKind::kBackup:
        line("Save-Store 'machine-before.txt'");
        line("& $reg export " + *registry_key + " (Join-Path $backup '" +
             registry_backup_name(plan) + "') /y");
        line("if ($LASTEXITCODE -ne 0) { throw 'reg export failed' }");
        if (plan.ca_host && plan.ca_hsm_provider) {
          line("# The CA key is in a hardware module and cannot be exported: back it up with the");
          line("# vendor's procedure (see summary.txt). This backs up the CA database.");
          line("Invoke-Checked @('-backupDB', (Join-Path $backup 'ca'))");
        } else if (plan.ca_host) {
          line("# certutil asks for a password to protect the CA key backup.");
          line("Invoke-Checked @('-backup', (Join-Path $backup 'ca'))");
        }
        break;
      case StepKind::kInspect:
        line(
            "& $certutil -getreg 'CA\\CACertHash' | Out-File -Encoding utf8 -LiteralPath "
            "(Join-Path $backup 'ca-cert-hashes.txt')");
        line("if ($LASTEXITCODE -ne 0) { throw \"certutil failed with exit code $LASTEXITCODE\" }");
        line(
            "Write-Host 'Check every CA certificate in backup\\ca-cert-hashes.txt as summary.txt "
            "says.'");
        break;
      case StepKind::kRepairStore: {
        if (!is_hex_id(step.cert_id)) {
          return make_error(ErrorCode::kUnsafe, "certificate id \"" +
                                                    cert_id_excerpt(step.cert_id) +
                                                    "\" is not hex; refusing to script it");
        }
        auto id = quote_powershell_argument(step.cert_id);
        if (!id) return id.error();
        std::string command = "Invoke-Checked @(" +
                              (option.empty() ? std::string() : "'" + std::string(option) + "', ") +
                              "'-repairstore', $store, " + *id;
        if (step.inf_file) {
          auto inf = quote_powershell_argument(*step.inf_file);
          if (!inf) return inf.error();
          command += ", " + *inf;
        }
        line(command + ")");
        break;
      }
      case StepKind::kVerify:
        line("Save-Store 'machine-after.txt'");
        if (plan.ca_host) line("Invoke-Checked @('-verifykeys')");
        line("Write-Host 'Check backup\\machine-after.txt as described in summary.txt.'");
        break;
      case StepKind::kRetry:
        line(
            "Write-Host 'Now renew the CA certificate with the existing key pair (see "
            "summary.txt).'");
        break;
      case StepKind::kManual:
        line("Write-Host 'A finding needs a manual step; see summary.txt.'");
        break;
    }
  }
  return out;
}

}  // namespace certbed::repair
