// What the rules say about the store they ran on: whether key association rules apply there,
// and how a certificate is named in the commands they suggest.
#include "certbed/repair/model/bytes.h"
#include "rule_support.h"

namespace certbed::repair::rules {

std::string unknown_store_note(const Context& ctx) {
  const StoreIdentity& id = ctx.store_identity;
  if (id.role() == StoreRole::kPersonal) return "";
  const std::string which =
      id.name_known() ? "certbed does not know what the store \"" + id.name + "\" holds"
                      : "the input does not say which store it shows (no store header; give "
                        "--store)";
  return which +
         "; copies in Root, CA and AuthRoot never carry property 2, so this matters only if the "
         "certificate is in My or another personal store";
}

std::string inferred_store_note(const Context& ctx) {
  const StoreIdentity& id = ctx.store_identity;
  if (!id.name_known()) return "";
  // Sources that name the store outright; a live store (windows/) is "the store opened".
  for (const char* said : {"the dump header", "--store", "the snapshot", "the store opened"}) {
    if (id.name_source == said) return "";
  }
  return "the input names no store: " + id.name_source;
}

std::string cert_id(const CertFacts& cert) {
  if (is_hex_id(cert.sha1)) return cert.sha1;
  return cert.serial;
}

}  // namespace certbed::repair::rules
