// Which store a dump shows: its header for the name, the properties certutil printed for the
// location (see DumpStoreEvidence in dump_store.h).
#include <cstdint>

#include "../rules/rule_support.h"
#include "certbed/repair/model/wincrypt_constants.h"
#include "certbed/repair/store/dump_store.h"

namespace certbed::repair {
namespace {

std::optional<std::uint32_t> dword_property(const CertFacts& cert, PropertyId id) {
  const Bytes* value = cert.properties.find(id);
  if (value == nullptr || value->size() != 4) return std::nullopt;
  return static_cast<std::uint32_t>((*value)[0]) | (static_cast<std::uint32_t>((*value)[1]) << 8) |
         (static_cast<std::uint32_t>((*value)[2]) << 16) |
         (static_cast<std::uint32_t>((*value)[3]) << 24);
}

std::string certificate_label(const CertFacts& cert) {
  return "certificate " + std::to_string(cert.index.value_or(0));
}

bool is_ca(const CertFacts& cert) {
  return cert.is_ca.value_or(false) || !rules::ca_evidence(cert).empty();
}

}  // namespace

void DumpStoreEvidence::add(const CertFacts& cert) {
  // AccessState is what crypt32 says of the store it read the certificate from. Whether the
  // enterprise stores set the LM flag is [unknown]: they live under HKLM too, so the flag is
  // taken as "LocalMachine" and only --location says "LocalMachineEnterprise".
  if (auto state = dword_property(cert, PropertyId::CERT_ACCESS_STATE_PROP_ID)) {
    if (*state & wincrypt::CERT_ACCESS_STATE_LM_SYSTEM_STORE_FLAG) {
      if (!machine_access_state_) machine_access_state_ = certificate_label(cert);
    } else if (*state & wincrypt::CERT_ACCESS_STATE_SYSTEM_STORE_FLAG) {
      if (!user_access_state_) user_access_state_ = certificate_label(cert);
    }
  }
  if (cert.key_prov_info_inferred) return;  // flags not printed: nothing to read from them
  auto info = cert.key_prov_info();
  if (!info.ok() || !info->has_value() || !(**info).machine_keyset()) return;
  if (!machine_keyset_) machine_keyset_ = certificate_label(cert);
  if (!ca_with_machine_key_ && is_ca(cert)) ca_with_machine_key_ = certificate_label(cert);
}

StoreIdentity DumpStoreEvidence::identity(const DumpSummary& summary, const StoreHint& hint) const {
  StoreIdentity id;
  if (hint.name) {
    id.name = canonical_store_name(*hint.name);
    id.name_source = "--store";
  } else if (!summary.store_name.empty()) {
    id.name = canonical_store_name(summary.store_name);
    id.name_source = "the dump header";
  } else if (ca_with_machine_key_) {
    id.name = "My";
    id.name_source = *ca_with_machine_key_ +
                     ", a CA certificate whose property 2 names a machine key (the dump is taken "
                     "as LocalMachine\\My, where AD CS keeps the CA certificate with its key; "
                     "copies in Root and CA carry no property 2)";
  }

  if (hint.location) {
    id.location = *hint.location;
    id.location_source = "--location";
  } else if (machine_access_state_ && user_access_state_) {
    id.location_source = "CERT_ACCESS_STATE_PROP_ID(14) disagrees between " +
                         *machine_access_state_ + " (a LocalMachine store) and " +
                         *user_access_state_ + " (a CurrentUser store)";
  } else if (machine_access_state_) {
    id.location = StoreLocation::kLocalMachine;
    id.location_source = "CERT_ACCESS_STATE_PROP_ID(14) of " + *machine_access_state_ +
                         ", which has CERT_ACCESS_STATE_LM_SYSTEM_STORE_FLAG";
  } else if (user_access_state_) {
    id.location = StoreLocation::kCurrentUser;
    id.location_source = "CERT_ACCESS_STATE_PROP_ID(14) of " + *user_access_state_ +
                         ", which has CERT_ACCESS_STATE_SYSTEM_STORE_FLAG without "
                         "CERT_ACCESS_STATE_LM_SYSTEM_STORE_FLAG";
  } else if (machine_keyset_) {
    id.location = StoreLocation::kLocalMachine;
    id.location_source = ca_with_machine_key_ && !hint.name && summary.store_name.empty()
                             ? id.name_source
                             : "property 2 of " + *machine_keyset_ +
                                   ", which has CRYPT_MACHINE_KEYSET (a machine key)";
  }
  return id;
}

}  // namespace certbed::repair
