// JSON for parsed certutil dumps, with the field names other tools build on.
#pragma once

#include <nlohmann/json.hpp>

#include "certbed/repair/formats/dump/dump_parser.h"

namespace certbed::cli {

// {"index":..,"serial":..,"subject":..,"issuer":..,"not_before":..,"not_after":..,"sha1":..,
//  "key_provider":{..}|null,"found_key":{..}|null,"properties":[{"id":..,"name":..}],
//  "key_status":[..],"complete":..}; fields the dump does not print are null.
nlohmann::ordered_json certificate_json(const repair::DumpCertificate& certificate);
nlohmann::ordered_json warning_json(const repair::DumpWarning& warning);

}  // namespace certbed::cli
