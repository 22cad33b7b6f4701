// From one dump record to the certificate spec and key container the importer will create.
#include "record_plan.h"

#include <algorithm>
#include <cstdio>

#include "certbed/repair/formats/dump/dump_format.h"
#include "certbed/repair/model/bytes.h"
#include "certbed/repair/model/printable.h"
#include "certbed/repair/model/wincrypt_constants.h"
#include "certbed/repair/store/dump_store.h"

namespace certbed::emulator::import {

namespace df = repair::dump_format;
namespace wc = repair::wincrypt;

namespace {

// A fixed date for validity certutil printed in a format this importer does not read.
const std::int64_t kUnreadNotBefore = utc_seconds(2024, 1, 1);
const std::int64_t kUnreadNotAfter = utc_seconds(2034, 1, 1);

bool has_status(const repair::DumpCertificate& r, std::string_view line) {
  return std::find(r.key_status.begin(), r.key_status.end(), line) != r.key_status.end();
}

bool any_status_ends_with(const repair::DumpCertificate& r, std::string_view suffix) {
  return std::any_of(r.key_status.begin(), r.key_status.end(),
                     [&](const std::string& s) { return s.ends_with(suffix); });
}

ProviderInfo provider_info(const std::string& name, std::optional<std::uint32_t> printed_type) {
  if (auto known = find_known_provider(name)) return *known;
  // A third party's provider: its type when printed; else a KSP when its name says so (HSM
  // vendors name their KSPs "... Key Storage Provider"), else a CSP of type PROV_RSA_FULL, as
  // the dump parser infers for property 2.
  std::uint32_t type = printed_type.value_or(name.find("Key Storage Provider") != std::string::npos
                                                 ? wc::PROV_CNG_KSP
                                                 : wc::PROV_RSA_FULL);
  return ProviderInfo{name, type,
                      type == wc::PROV_CNG_KSP ? ProviderKind::kKsp : ProviderKind::kCsp};
}

void set_validity(PlannedCertificate& p) {
  const auto& r = *p.record;
  const auto before = parse_certutil_date(r.not_before);
  const auto after = parse_certutil_date(r.not_after);
  p.spec.not_before = before.value_or(kUnreadNotBefore);
  p.spec.not_after = after.value_or(kUnreadNotAfter);
  if (r.not_before.empty() || r.not_after.empty()) {
    p.not_reproduced.push_back(p.label + ": validity \"" + repair::printable(r.not_before) +
                               "\" to \"" + repair::printable(r.not_after) +
                               "\" is not printed in full (a placeholder or a cut record): "
                               "2024-2034 used");
  } else if (!before || !after) {
    p.not_reproduced.push_back(p.label + ": validity \"" + repair::printable(r.not_before) +
                               "\" to \"" + repair::printable(r.not_after) +
                               "\" is not in a date format the importer reads: 2024-2034 used");
  } else {
    p.not_reproduced.push_back(p.label +
                               ": validity is printed in local time of an unknown zone: taken "
                               "as UTC");
  }
}

void set_serial(PlannedCertificate& p, std::size_t position) {
  const auto& serial = p.record->serial;
  const auto bytes = repair::parse_hex(serial);
  if (bytes && !bytes->empty() && bytes->size() <= 20 && (*bytes)[0] < 0x80 &&
      (bytes->size() == 1 || (*bytes)[0] != 0 || (*bytes)[1] >= 0x80)) {
    p.spec.serial_hex = serial;
    return;
  }
  // DER keeps an INTEGER's minimal positive form; what certutil printed otherwise (a negative
  // or padded serial, masked or absent) cannot be encoded as printed.
  char buf[16];
  std::snprintf(buf, sizeof(buf), "7e%06zx", position);
  p.spec.serial_hex = buf;
  p.not_reproduced.push_back(p.label + ": serial \"" + repair::printable(serial) +
                             "\" cannot be encoded as printed: " + p.spec.serial_hex + " used");
}

// What shows a certificate whose Basic Constraints the dump does not print to be a CA's, as a
// support engineer reads it: the CA Version extension (only CA certificates carry it), the
// CA or SubCA template, or a key container named after the subject, as AD CS names a CA's key.
std::string ca_evidence(const repair::DumpCertificate& r, const DistinguishedName& subject) {
  if (r.ca_version) return "it has the CA Version extension";
  if (r.template_name == "CA" || r.template_name == "SubCA") {
    return "it was issued from the " + r.template_name + " template";
  }
  const std::string cn = common_name(subject);
  if (!cn.empty() && r.key_provider && r.key_provider->container &&
      to_lower_ascii(*r.key_provider->container) == to_lower_ascii(cn)) {
    return "its key container is named after its subject, as AD CS names a CA's key";
  }
  return {};
}

}  // namespace

Result<PlannedCertificate> plan_certificate(const repair::DumpCertificate& record,
                                            std::size_t position) {
  PlannedCertificate p;
  p.record = &record;
  p.label = "certificate " + std::to_string(record.index.value_or(position));
  auto subject = parse_display_name(record.subject);
  if (!subject)
    return repair::make_error(subject.error().code,
                              p.label + ": subject " + subject.error().message);
  p.spec.subject = std::move(*subject);
  set_serial(p, position);
  set_validity(p);
  const bool self_issued = record.subject == record.issuer;
  p.is_ca = record.is_ca.value_or(false);
  if (!record.is_ca) {
    if (auto why = ca_evidence(record, p.spec.subject); !why.empty()) {
      p.is_ca = true;
      p.not_reproduced.push_back(
          p.label + ": Basic Constraints not printed: re-created as a CA because " + why);
    }
  }
  if (p.is_ca) {
    p.spec.profile = self_issued ? CertificateProfile::kRootCa : CertificateProfile::kSubordinateCa;
  } else {
    p.spec.profile = CertificateProfile::kEndEntity;
  }
  p.spec.without_ca_version = !record.ca_version;
  if (record.ca_version) {
    p.spec.ca_version = CaVersion{static_cast<std::uint16_t>(*record.ca_version & 0xFFFF),
                                  static_cast<std::uint16_t>(*record.ca_version >> 16)};
  }
  p.spec.ekus = record.ekus;
  p.spec.template_name = record.template_name;
  p.key = key_algorithm_for_length(record.public_key_bits);
  if (!p.key.exact) {
    p.not_reproduced.push_back(
        p.label + ": key " +
        (record.public_key_bits ? std::to_string(*record.public_key_bits) + " bits, not emulated"
                                : std::string("algorithm and length not printed")) +
        ": RSA 2048 used");
  }
  if (record.verbose) {
    p.not_reproduced.push_back(p.label +
                               ": extensions other than Basic Constraints, Enhanced Key Usage, "
                               "the template and CA Version are not re-created");
  } else {
    p.not_reproduced.push_back(p.label + ": a non-verbose dump prints no extensions");
  }
  return p;
}

void plan_container(PlannedCertificate& p, repair::StoreLocation location) {
  const auto& r = *p.record;
  const bool machine_store = location != repair::StoreLocation::kCurrentUser;
  const auto scope_of = [&](std::optional<std::uint32_t> flags) {
    if (flags) {
      return (*flags & wc::CRYPT_MACHINE_KEYSET) != 0 ? repair::KeyScope::kMachine
                                                      : repair::KeyScope::kUser;
    }
    return machine_store ? repair::KeyScope::kMachine : repair::KeyScope::kUser;
  };
  PlannedContainer c;
  c.exportable = !has_status(r, df::kPrivateKeyNotExportable);
  if (r.key_provider && r.key_provider->container && r.key_provider->provider) {
    const auto& kp = *r.key_provider;
    c.provider = provider_info(*kp.provider, kp.provider_type);
    // "Simple container name:" means property 2 names the container by its unique name.
    c.name = kp.simple_container.value_or(*kp.container);
    c.unique_name = kp.simple_container ? *kp.container : kp.unique_container.value_or("");
    c.scope = scope_of(kp.flags);
    if (c.provider.kind == ProviderKind::kKsp) {
      c.key_spec = wc::AT_NONE;
    } else if (kp.key_spec && *kp.key_spec != wc::AT_NONE) {
      c.key_spec = *kp.key_spec;
    } else {
      c.key_spec = has_status(r, df::kSignatureTestPassed) ? wc::AT_SIGNATURE : wc::AT_KEYEXCHANGE;
    }
    if (repair::says_key_does_not_match(r)) {
      c.holds_certificate_key = false;
      p.key_choices.push_back(p.label + ": the key does not match: container \"" + c.name +
                              "\" holds another key");
    } else if (repair::says_keyset_missing(r)) {
      c.denies_caller = true;  // tentatively: the importer settles it across the dump
    } else if (any_status_ends_with(r, " test passed") || kp.unique_container ||
               kp.simple_container || has_status(r, df::kPrivateKeyNotExportable)) {
      p.key_choices.push_back(p.label + ": certutil opened the key: container \"" + c.name +
                              "\" holds the certificate's key");
      if (!any_status_ends_with(r, " test passed")) {
        p.not_reproduced.push_back(p.label + ": key status: the dump shows no key test (" +
                                   (r.complete ? "none printed" : "the record is cut") +
                                   "); the emulated key passes certutil's");
      }
    } else {
      p.key_choices.push_back(p.label +
                              ": property 2 with no key line: no container (nothing shows "
                              "the key exists)");
      return;
    }
    p.container = std::move(c);
    return;
  }
  if (r.found_key && r.found_key->provider &&
      (r.found_key->simple_container || r.found_key->container)) {
    const auto& kp = *r.found_key;
    c.provider = provider_info(*kp.provider, kp.provider_type);
    c.name = kp.simple_container.value_or(kp.container.value_or(""));
    c.unique_name = kp.unique_container.value_or("");
    c.scope = scope_of(std::nullopt);
    c.key_spec = c.provider.kind == ProviderKind::kKsp ? wc::AT_NONE : wc::AT_KEYEXCHANGE;
    p.key_choices.push_back(p.label +
                            ": no property 2; certutil found the key by searching: "
                            "container \"" +
                            c.name + "\" holds the certificate's key");
    p.container = std::move(c);
    return;
  }
  if (r.found_key) {
    p.key_choices.push_back(p.label +
                            ": no property 2; certutil found a key, but the dump does "
                            "not print its provider: no container");
    p.not_reproduced.push_back(p.label +
                               ": key status: the key certutil found by searching "
                               "has no printed provider, so the search finds nothing");
  } else if (r.no_key_provider_info) {
    p.key_choices.push_back(p.label + ": no property 2 and no key found: no container");
  }
}

}  // namespace certbed::emulator::import
