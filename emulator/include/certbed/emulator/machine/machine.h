// The emulated machine: certificate stores by location and name, key providers with their
// containers, and the CA configuration (CertSvc registry) when the machine hosts a CA.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "certbed/emulator/keys/key_provider.h"
#include "certbed/emulator/machine/certificate_index.h"
#include "certbed/repair/model/cert_facts.h"
#include "certbed/repair/model/result.h"
#include "certbed/repair/store/store_identity.h"

namespace certbed::emulator {

// certutil's default, -user and -enterprise (CERT_SYSTEM_STORE_LOCAL_MACHINE_ENTERPRISE: the
// stores Active Directory replicates to every member, such as NTAuth and the enterprise Root).
enum class StoreLocation { kLocalMachine, kCurrentUser, kLocalMachineEnterprise };

// "LocalMachine", "CurrentUser", "LocalMachineEnterprise"
std::string_view location_name(StoreLocation location);
repair::StoreLocation to_repair_location(StoreLocation location);
// The inverse; an unknown location is certutil's default, LocalMachine.
StoreLocation from_repair_location(repair::StoreLocation location);
repair::Result<StoreLocation> parse_location(std::string_view name);

struct StoredCertificate {
  repair::Bytes der;
  // Decoded once when added; facts.properties is the certificate's property bag.
  repair::CertFacts facts;
  // The certificate element's encoding field in the serialized store it came from (1 unless a
  // file said otherwise); kept so the file is written back as it was.
  std::uint32_t encoding = repair::kPropertyEncoding;
};

// One system store (LocalMachine\My, ...): certificates in insertion order, indexed by
// thumbprint and serial for O(1) lookup.
class CertificateStore {
 public:
  CertificateStore(StoreLocation location, std::string name)
      : location_(location), name_(std::move(name)) {}

  StoreLocation location() const { return location_; }
  const std::string& name() const { return name_; }
  std::string description() const;  // "LocalMachine\My"

  // Adds a certificate with `properties` (kept in order). With `derive`, the properties
  // Windows computes from the encoding are appended when absent. A certificate already in the
  // store (same SHA-1) is a kConflict error.
  repair::Result<std::size_t> add(repair::Bytes der, repair::PropertyBag properties,
                                  bool derive = true);
  // The same for a certificate the caller has decoded (or issued) already: `cert` must be the
  // certificate `der` encodes. Saves decoding it again.
  repair::Result<std::size_t> add(X509* cert, repair::Bytes der, repair::PropertyBag properties,
                                  bool derive = true);

  std::size_t size() const { return certificates_.size(); }
  // Checked: an index past the end (from another store, or a stale lookup) is a bug in the
  // caller and stops the program with a message rather than reading past the table.
  const StoredCertificate& at(std::size_t index) const { return certificates_[checked(index)]; }
  std::optional<std::size_t> find_by_sha1(std::string_view sha1) const;
  std::vector<std::size_t> find_by_serial(std::string_view serial) const;

  void set_encoding(std::size_t index, std::uint32_t encoding) {
    certificates_[checked(index)].encoding = encoding;
  }

  // Direct property access for the emulator's own use (transactions go through EmulatedStore).
  repair::PropertyBag& properties(std::size_t index) {
    return certificates_[checked(index)].facts.properties;
  }

 private:
  std::size_t checked(std::size_t index) const;

  StoreLocation location_;
  std::string name_;
  std::vector<StoredCertificate> certificates_;
  ThumbprintIndex by_sha1_;
  HashedPositions by_serial_;
};

// HKLM\SYSTEM\CurrentControlSet\Services\CertSvc\Configuration\<CA>: what later CA emulation
// reads. Present only on machines that host a CA.
struct CaConfiguration {
  std::string ca_name;                      // "Contoso CA"
  std::string provider;                     // CSP\Provider
  std::uint32_t provider_type = 0;          // CSP\ProviderType
  std::string hash_algorithm = "SHA256";    // CSP\CNGHashAlgorithm
  bool machine_keyset = true;               // CSP\MachineKeyset
  std::vector<std::string> ca_cert_hashes;  // CACertHash, index order, lower-case hex
  // CAType (certsrv.h ENUM_CATYPES; see ca_service.h). 0, ENUM_ENTERPRISE_ROOTCA, is also what a
  // snapshot written before this field existed reads as: every CA it could hold was a root.
  std::uint32_t ca_type = 0;
  std::string server_name;  // CAServerName: the CA host's DNS name (names the request file)

  bool operator==(const CaConfiguration&) const = default;
};

// Where a machine imported from a customer's certutil dump departs from the machine the dump was
// printed on (see emulator/import): snapshots keep it beside the stores, so a fixture says what
// it cannot show.
struct DumpImportRecord {
  std::string source;  // the dump's file name, or "anonymized dump"
  // Who the import takes to have run certutil (caller_name: "administrator", "standard-user");
  // certbed dump prints the machine as that caller by default, so its key lines match the dump's.
  std::string caller = "administrator";
  // What the dump could not give: "certificate 3: signature: re-signed by ..." (in record order).
  std::vector<std::string> not_reproduced;
  // How each key line became a container: "certificate 0: Missing stored keyset: ...".
  std::vector<std::string> key_choices;
  // Original to imported SHA-1 thumbprint, in record order; empty when anonymized, since the
  // original is an identifying value.
  struct Thumbprint {
    std::string original, imported;
    bool operator==(const Thumbprint&) const = default;
  };
  std::vector<Thumbprint> thumbprints;

  bool operator==(const DumpImportRecord&) const = default;
};

struct StoreKey {
  StoreLocation location;
  std::string lower_name;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>.
  auto operator<=>(const StoreKey&) const = default;
};

class Machine {
 public:
  // A machine with the usual stores (My, Root, CA, Request in both locations) and no keys.
  explicit Machine(std::string machine_guid = "3f1e5b9a-6c2d-4e8f-9a7b-1c0d2e3f4a5b");

  const std::string& machine_guid() const { return machine_guid_; }

  // The store of that name, created empty when missing (names compare case-insensitively).
  CertificateStore& store(StoreLocation location, std::string_view name);
  const CertificateStore* find_store(StoreLocation location, std::string_view name) const;
  CertificateStore* find_store(StoreLocation location, std::string_view name);
  const std::map<StoreKey, CertificateStore>& stores() const { return stores_; }

  // A provider by name: a known Microsoft provider, or (for an unknown name) a third-party KSP,
  // created on first use. add_provider registers any provider explicitly (e.g. a CSP).
  KeyProvider& provider(std::string_view name);
  repair::Result<KeyProvider*> add_provider(ProviderInfo info);
  const KeyProvider* find_provider(std::string_view name) const;
  const std::map<std::string, KeyProvider>& providers() const { return providers_; }

  // Creates a container named `container` with `keys`, giving it a unique container name;
  // `read_access` empty is Windows' default ACL (effective_read_access).
  repair::Result<const KeyContainer*> create_container(std::string_view provider_name,
                                                       std::string container,
                                                       std::vector<ContainerKey> keys,
                                                       repair::KeyScope scope, bool exportable,
                                                       std::vector<std::string> read_access = {});

  std::vector<repair::KeyContainerFacts> key_container_facts() const;

  // The built-in scenario the machine came from ("" for others); snapshots keep it.
  std::string& origin() { return origin_; }
  const std::string& origin() const { return origin_; }

  std::optional<DumpImportRecord>& import_record() { return import_; }
  const std::optional<DumpImportRecord>& import_record() const { return import_; }

  std::optional<CaConfiguration>& ca_configuration() { return ca_; }
  const std::optional<CaConfiguration>& ca_configuration() const { return ca_; }

 private:
  std::string machine_guid_;
  std::map<StoreKey, CertificateStore> stores_;
  std::map<std::string, KeyProvider> providers_;  // by lower-case name
  std::optional<CaConfiguration> ca_;
  std::optional<DumpImportRecord> import_;
  std::string origin_;
};

}  // namespace certbed::emulator
