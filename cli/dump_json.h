// JSON for parsed certutil dumps, with the field names other tools build on.
#pragma once

#include <nlohmann/json.hpp>

#include "certbed/repair/formats/dump/dump_parser.h"

namespace certbed::cli {

// {"index":..,"serial":..,"subject":..,"issuer":..,"not_before":..,"not_after":..,"sha1":..,
//  "archived":..,"template":..,"ca_version":"V0.0","root":..,
//  "key_provider":{"container":..,"unique_container":..,"simple_container":..,"provider":..,
//  "provider_type":..,"flags":..,"keyspec":..}|null,"found_key":{..}|null,
//  "properties":[{"id":..,"name":..,"label":..}],"key_status":[..],"complete":..};
// fields the dump does not print are null.
nlohmann::ordered_json certificate_json(const repair::DumpCertificate& certificate);
nlohmann::ordered_json warning_json(const repair::DumpWarning& warning);

// The members printed after "certificates", in order: "warnings", "store" ({"name",
// "description"} or null), "command_line", "verb", "completion_line", "failure".
nlohmann::ordered_json summary_json(const repair::DumpSummary& summary);

}  // namespace certbed::cli
