// Decodes a DER certificate into the facts the repair engine reads, and computes the
// properties Windows derives from the encoding.
#pragma once

#include <vector>

#include "certbed/emulator/crypto/ossl.h"
#include "certbed/repair/model/cert_facts.h"

namespace certbed::emulator {

// Every CertFacts field except `index` and `properties`.
repair::Result<repair::CertFacts> decode_certificate_facts(repair::ByteView der);
// The same from a certificate already decoded (or just issued) and its DER: decoding is the
// costly part with OpenSSL 3.0 (its public key goes through the provider decoders), so callers
// that hold the X509 pass it.
repair::Result<repair::CertFacts> certificate_facts(X509* cert, repair::ByteView der);

// CERT_SHA1_HASH_PROP_ID (3), CERT_KEY_IDENTIFIER_PROP_ID (20), CERT_SIGNATURE_HASH_PROP_ID
// (15) and CERT_MD5_HASH_PROP_ID (4), computed the way Windows computes them.
repair::Result<std::vector<repair::PropertyEntry>> derived_properties(repair::ByteView der);
repair::Result<std::vector<repair::PropertyEntry>> derived_properties(X509* cert,
                                                                      repair::ByteView der);

// Whether `entry` is a hash property (3, 4, 15 or 107) whose value is not what `facts` computed
// from the DER: a stale or altered stored hash. Other properties never disagree.
bool stored_hash_disagrees(const repair::PropertyEntry& entry, const repair::CertFacts& facts);

}  // namespace certbed::emulator
