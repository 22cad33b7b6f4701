// certutil's CertIdList: comma-separated tokens, each a store index, a SHA-1 thumbprint or a
// serial number (spaces inside hex ignored, any case, optional surrounding quotes).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "certbed/repair/store/store.h"

namespace certbed::repair {

// Indexes of the matched certificates, in store order, without duplicates. A token that matches
// nothing, or more than one certificate, is an error and nothing is returned.
Result<std::vector<std::size_t>> match_cert_ids(const ReadOnlyStore& store,
                                                std::string_view cert_id_list);

// A certificate id or CertIdList from input as a message quotes it: printable() and cut to
// kCertIdExcerptBytes with "...", so a mistaken or hostile argument keeps the message short and
// cannot drive the terminal.
inline constexpr std::size_t kCertIdExcerptBytes = 64;
std::string cert_id_excerpt(std::string_view id);

}  // namespace certbed::repair
