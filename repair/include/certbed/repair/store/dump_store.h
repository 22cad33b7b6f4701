// A read-only Store over a parsed certutil dump, so the rules run on a customer's dump as they
// run on a snapshot. Key containers are inferred from what certutil printed about each key;
// transactions are refused (kUnsupported, "read-only"): a dump is evidence, not a store.
#pragma once

#include <string>
#include <unordered_map>

#include "certbed/repair/formats/dump/dump_parser.h"
#include "certbed/repair/store/store.h"

namespace certbed::repair {

// What one dump record tells the engine: the certificate (index set to `index`) and one
// container per key certutil showed working (property 2 without "Missing stored keyset", or the
// key it found by searching); a container certutil could not open is left out. When certutil
// printed that the key does not match the certificate's public key, the container is kept with
// a key that is not the certificate's.
struct DumpRecordFacts {
  CertFacts certificate;
  std::vector<KeyContainerFacts> containers;
};
DumpRecordFacts dump_record_facts(const DumpCertificate& record, std::uint32_t index);

// certutil could not open the key property 2 names ("Missing stored keyset", NTE_BAD_KEYSET).
bool says_keyset_missing(const DumpCertificate& record);
// certutil opened the container property 2 names, but its key is not the certificate's:
// "ERROR: Could not verify certificate public key against private key" (in AWS CloudHSM's
// published -store output) or "ERROR: Certificate public key does NOT match stored keyset".
// Matched without the "ERROR: " prefix.
bool says_key_does_not_match(const DumpCertificate& record);

// The error for output of a certutil verb whose records are not a store's certificates:
// -scinfo lists a smart card's keys and certificates, each key slot once, so its KeySpecs are
// the card's and the store rules would misread them. nullopt for -store, -repairstore and
// anything without a verb.
std::optional<Error> not_a_store_dump(const DumpSummary& summary, const std::string& source);

// Works out which store a dump shows, from evidence collected one record at a time (so a
// streaming diagnosis can do it in its first pass):
// - the name: the hint, else the header line (`my "Personal"`, a localized description, or a
//   bare name), else, when a CA certificate's property 2 names a machine key, LocalMachine\My
//   (where AD CS keeps the CA's certificate with its key; copies elsewhere carry no property 2);
// - the location, which the header never shows (-user and -enterprise leave it unchanged): the
//   hint, else CERT_ACCESS_STATE_PROP_ID(14) (CERT_ACCESS_STATE_LM_SYSTEM_STORE_FLAG 0x4 set:
//   LocalMachine; only CERT_ACCESS_STATE_SYSTEM_STORE_FLAG 0x2: CurrentUser), else
//   CRYPT_MACHINE_KEYSET in a fully printed property 2 (a machine key: LocalMachine).
// Each comes with what it was taken from; conflicting evidence leaves it unknown, and says so.
class DumpStoreEvidence {
 public:
  void add(const CertFacts& certificate);
  StoreIdentity identity(const DumpSummary& summary, const StoreHint& hint) const;

 private:
  std::optional<std::string> machine_access_state_, user_access_state_;  // "certificate N"
  std::optional<std::string> machine_keyset_;
  std::optional<std::string> ca_with_machine_key_;
};

class DumpStore final : public Store {
 public:
  // Parses the whole dump (any encoding the parser reads). Parser warnings are kept.
  static Result<DumpStore> parse(std::string_view bytes, const std::string& source,
                                 const StoreHint& hint = {});
  // Over the records and summary of a parse that has already run (a streaming one). Output of a
  // certutil verb that does not print a store (see not_a_store_dump) is refused.
  static Result<DumpStore> from_records(std::vector<DumpCertificate> records, DumpSummary summary,
                                        const std::string& source, const StoreHint& hint = {});

  std::string description() const override { return "dump " + source_; }
  StoreIdentity identity() const override { return identity_; }
  std::size_t size() const override { return certificates_.size(); }
  // Checked like every backend's: an index past the end stops the program with a message.
  CertFacts certificate(std::size_t index) const override;
  std::optional<std::size_t> find_by_sha1(std::string_view sha1) const override;
  std::vector<std::size_t> find_by_serial(std::string_view serial) const override;
  // The containers of every record (dump_record_facts).
  std::vector<KeyContainerFacts> key_containers() const override { return containers_; }
  bool key_containers_inferred() const override { return true; }
  // Always kUnsupported: there is nothing behind a dump to write to.
  Result<std::unique_ptr<Transaction>> begin_transaction() override;

  const DumpSummary& summary() const { return summary_; }
  const std::vector<DumpCertificate>& records() const { return records_; }

 private:
  std::string source_;
  std::vector<DumpCertificate> records_;
  std::vector<CertFacts> certificates_;
  std::vector<KeyContainerFacts> containers_;
  std::unordered_map<std::string, std::size_t> by_sha1_;
  DumpSummary summary_;
  StoreIdentity identity_;
};

}  // namespace certbed::repair
