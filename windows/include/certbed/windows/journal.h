// The journal of a live commit. crypt32 writes each property at once, so a commit that dies
// part-way (a crash, a kill, a power cut) leaves the store partly changed. Before its first
// write, a commit writes this file beside the backup: the store, and each touched property's
// old bytes or its absence. It is removed once the commit or its rollback is complete; finding
// one on the next start means a commit was cut short, and recover_journal puts every property
// back.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "certbed/repair/model/bytes.h"
#include "certbed/repair/model/property_id.h"
#include "certbed/repair/model/result.h"
#include "certbed/repair/store/store_identity.h"

namespace certbed::windows {

struct JournalEntry {
  std::string sha1;  // the certificate, by thumbprint
  repair::PropertyId id{};
  std::optional<repair::Bytes> value;  // the old bytes; nullopt: the property was absent
};

// Writes the journal whole and flushed to disk (a temporary file moved in place with
// MOVEFILE_WRITE_THROUGH), so it is either all there or not there.
repair::Status write_journal(const std::string& path, const repair::StoreIdentity& store,
                             const std::vector<JournalEntry>& entries);
repair::Status remove_journal(const std::string& path);

// Restores what the journal at `path` recorded, in reverse order, then removes it. Returns a
// line per restored property; nullopt when there is no journal. A journal that does not parse
// or names a certificate the store no longer holds is an error and stays where it is.
repair::Result<std::optional<std::vector<std::string>>> recover_journal(const std::string& path);

}  // namespace certbed::windows
