// Emulates `certutil [-v] -store`: the header line, one block per certificate with its key
// status, and the closing line (the sections and the key search live beside this file).
#include "certbed/emulator/certutil/dump_renderer.h"

#include <sstream>

#include "certbed/emulator/certificates/certificate_factory.h"
#include "certbed/repair/model/key_prov_info.h"
#include "certificate_fields.h"
#include "dump_text.h"
#include "key_search.h"
#include "property_blocks.h"

namespace certbed::emulator {

using repair::PropertyId;

namespace {

using certutil::key_status_lines;
using certutil::KeyLookup;
using certutil::KeySearch;
using certutil::LineWriter;
using certutil::prints_unique_container_name;
using certutil::property_block;
using certutil::x509_section;

std::string friendly_store_name(const std::string& name) {
  const std::string lower = to_lower_ascii(name);
  if (lower == "my") return "Personal";
  if (lower == "root") return "Trusted Root Certification Authorities";
  if (lower == "ca") return "Intermediate Certification Authorities";
  if (lower == "request") return "Certificate Enrollment Requests";
  if (lower == "trustedpeople") return "Trusted People";
  if (lower == "disallowed") return "Untrusted Certificates";
  return "";
}

bool same_container_name(std::string_view a, std::string_view b) {
  return to_lower_ascii(a) == to_lower_ascii(b);
}

// "DomainController, Domain Controller": the template's name, then the display name of the
// AD CS default template (Microsoft's list of default certificate templates); the name alone
// when the display name is the same ("User", dumps/08) or not a default template's.
std::string template_line(const std::string& name) {
  static const std::pair<std::string_view, std::string_view> kDisplayNames[] = {
      {"CA", "Root Certification Authority"},
      {"SubCA", "Subordinate Certification Authority"},
      {"DomainController", "Domain Controller"},
      {"WebServer", "Web Server"},
      {"Machine", "Computer"},
      {"User", "User"},
  };
  for (const auto& [template_name, display] : kDisplayNames) {
    if (name == template_name && display != template_name)
      return name + ", " + std::string(display);
  }
  return name;
}

// The key certutil opens for a certificate with property 2. [inferred] certutil shows CNG and
// CryptoAPI keys alike, so it lets CryptAcquireCertificatePrivateKey use either
// (CRYPT_ACQUIRE_ALLOW_NCRYPT_KEY_FLAG) and compares the public key itself, printing its own
// message rather than failing the open.
KeyLookup opened_key(const KeyAccess& access, const repair::CertFacts& facts) {
  const auto opened = access.acquire_certificate_private_key(
      facts, CRYPT_ACQUIRE_ALLOW_NCRYPT_KEY_FLAG | CRYPT_ACQUIRE_SILENT_FLAG);
  if (!opened.key) return {};
  return KeyLookup{opened.key->provider, opened.key->container, opened.key->key};
}

void certificate_block(LineWriter& w, const Machine& machine, const KeyAccess& access,
                       KeySearch& search, const StoredCertificate& stored, std::size_t index,
                       bool verbose) {
  const auto& facts = stored.facts;
  w.line("================ Certificate " + std::to_string(index) + " ================");
  auto info = facts.key_prov_info();
  KeyLookup found;
  bool has_info = info.ok() && info->has_value();
  if (has_info) found = opened_key(access, facts);

  if (verbose) {
    auto cert = certificate_from_der(stored.der);
    if (cert) x509_section(w, cert->get(), facts);
    for (const auto& entry : facts.properties.entries()) property_block(w, entry, machine);
  } else {
    if (facts.properties.contains(PropertyId::CERT_ARCHIVED_PROP_ID)) w.line("Archived!");
    w.line("Serial Number: " + facts.serial);
    w.line("Issuer: " + facts.issuer);
    w.line(" NotBefore: " + certutil_date(facts.not_before));
    w.line(" NotAfter: " + certutil_date(facts.not_after));
    w.line("Subject: " + facts.subject);
    if (!facts.template_name.empty()) {
      w.line("Certificate Template Name (Certificate Type): " + facts.template_name);
    }
    if (facts.ca_version) {
      w.line("CA Version: V" + std::to_string(*facts.ca_version & 0xFFFF) + "." +
             std::to_string(*facts.ca_version >> 16));
    }
    if (facts.subject == facts.issuer) {
      w.line("Signature matches Public Key");
      w.line("Root Certificate: Subject matches Issuer");
    } else {
      w.line("Non-root Certificate");
    }
    if (!facts.template_name.empty()) w.line("Template: " + template_line(facts.template_name));
    w.line("Cert Hash(sha1): " + facts.sha1);
    if (has_info) {
      w.line("  Key Container = " + (*info)->container);
      if (found.container && !same_container_name(found.container->name, (*info)->container)) {
        // Property 2 named it by its unique name (dumps/08 certificate 0).
        w.line("  Simple container name: " + found.container->name);
      } else if (found.container && prints_unique_container_name(*found.provider)) {
        w.line("  Unique container name: " + found.container->unique_name);
      }
      w.line("  Provider = " + (*info)->provider);
    }
  }

  if (has_info) {
    for (const auto& status : key_status_lines(found, facts)) w.line(status);
    return;
  }
  w.line("No key provider information");
  const KeyLookup searched = search.find(facts.public_key_id);
  // The search opens each container it looks in, so one the caller cannot read is not found.
  if (!searched.key || !may_read_key(*searched.container, access.caller())) {
    w.line("Cannot find the certificate and private key for decryption.");
    return;
  }
  w.line("  Provider = " + searched.provider->info().name);
  w.line("  Simple container name: " + searched.container->name);
  if (prints_unique_container_name(*searched.provider)) {
    w.line("  Unique container name: " + searched.container->unique_name);
  }
  w.line("  ERROR: missing key association property: CERT_KEY_IDENTIFIER_PROP_ID");
  for (const auto& status : key_status_lines(searched, facts)) w.line(status);
}

}  // namespace

std::string certutil_date(const std::string& iso_utc) {
  // "2024-01-15T10:00:00Z" -> "1/15/2024 10:00 AM"
  if (iso_utc.size() < 16) return iso_utc;
  const int year = std::atoi(iso_utc.substr(0, 4).c_str());
  const int month = std::atoi(iso_utc.substr(5, 2).c_str());
  const int day = std::atoi(iso_utc.substr(8, 2).c_str());
  const int hour = std::atoi(iso_utc.substr(11, 2).c_str());
  const std::string minute = iso_utc.substr(14, 2);
  const int hour12 = hour % 12 == 0 ? 12 : hour % 12;
  return std::to_string(month) + "/" + std::to_string(day) + "/" + std::to_string(year) + " " +
         std::to_string(hour12) + ":" + minute + (hour < 12 ? " AM" : " PM");
}

void render_store_dump(const Machine& machine, const CertificateStore& store,
                       const DumpOptions& options, std::ostream& out) {
  LineWriter w(out, options.crlf);
  const std::string typed =
      options.typed_store_name.empty() ? store.name() : options.typed_store_name;
  const std::string friendly = friendly_store_name(store.name());
  w.line(friendly.empty() ? typed : typed + " \"" + friendly + "\"");
  KeySearch search(machine);
  const KeyAccess access(machine, options.caller);
  for (std::size_t i = 0; i < store.size(); ++i) {
    if (i != 0) w.blank();
    certificate_block(w, machine, access, search, store.at(i), i, options.verbose);
  }
  w.line("CertUtil: -store command completed successfully.");
}

std::string render_store_dump(const Machine& machine, const CertificateStore& store,
                              const DumpOptions& options) {
  std::ostringstream out;
  render_store_dump(machine, store, options, out);
  return out.str();
}

}  // namespace certbed::emulator
