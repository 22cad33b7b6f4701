// Certificates between a snapshot store and the registry layout of a .reg file.
#include "certbed/emulator/serialized/registry_certificates.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>

#include "certbed/repair/formats/serialized/serialized_store.h"
#include "certbed/repair/model/printable.h"

namespace certbed::emulator {

using repair::ErrorCode;
using repair::make_error;

namespace {

std::string upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  while (true) {
    const std::size_t slash = path.find('\\');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) return parts;
    path.remove_prefix(slash + 1);
  }
}

// Where a key sits in the certificate stores' layout.
struct KeyPlace {
  StoreLocation location = StoreLocation::kLocalMachine;
  std::string store;         // empty above the store keys
  std::string container;     // "CERTIFICATES", "CRLS", "CTLS", other, or empty
  std::string element;       // the subkey of the container: a thumbprint
  bool extra_depth = false;  // deeper than an element
};

// Case-insensitive, as the registry compares names. HKLM and HKCU are accepted as reg.exe
// accepts them on its command line.
std::optional<KeyPlace> place_of(std::string_view path) {
  const auto parts = split_path(path);
  if (parts.size() < 4) return std::nullopt;
  const std::string root = upper(parts[0]);
  KeyPlace place;
  const bool machine = root == "HKEY_LOCAL_MACHINE" || root == "HKLM";
  const bool user = root == "HKEY_CURRENT_USER" || root == "HKCU";
  if (!machine && !user) return std::nullopt;
  if (upper(parts[1]) != "SOFTWARE" || upper(parts[2]) != "MICROSOFT") return std::nullopt;
  const std::string stores = upper(parts[3]);
  if (stores == "SYSTEMCERTIFICATES") {
    place.location = machine ? StoreLocation::kLocalMachine : StoreLocation::kCurrentUser;
  } else if (stores == "ENTERPRISECERTIFICATES" && machine) {
    place.location = StoreLocation::kLocalMachineEnterprise;
  } else {
    return std::nullopt;
  }
  if (parts.size() > 4) place.store = std::string(parts[4]);
  if (parts.size() > 5) place.container = upper(parts[5]);
  if (parts.size() > 6) place.element = std::string(parts[6]);
  place.extra_depth = parts.size() > 7;
  return place;
}

repair::Error at(const std::string& source, std::size_t line, const std::string& message) {
  return make_error(ErrorCode::kParse, message, repair::SourceLocation{source, line, 0});
}

}  // namespace

std::string certificates_key(StoreLocation location, std::string_view store_name) {
  switch (location) {
    case StoreLocation::kCurrentUser:
      return fmt::format(
          "HKEY_CURRENT_USER\\SOFTWARE\\Microsoft\\SystemCertificates\\{}\\"
          "Certificates",
          store_name);
    case StoreLocation::kLocalMachineEnterprise:
      return fmt::format(
          "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\EnterpriseCertificates\\{}\\"
          "Certificates",
          store_name);
    case StoreLocation::kLocalMachine:
      break;
  }
  return fmt::format(
      "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\SystemCertificates\\{}\\"
      "Certificates",
      store_name);
}

repair::RegFile registry_export(const CertificateStore& store, StoreLocation location) {
  const std::string parent = certificates_key(location, store.name());
  repair::RegFile file;
  file.keys.push_back(repair::RegKey{parent, {}, 0});
  const auto serialized = serialize_certificate_store(store);
  std::vector<repair::RegKey> certificates;
  for (std::size_t i = 0; i < serialized.contexts.size(); ++i) {
    // The key name is the thumbprint in upper case, as crypt32 writes it (CRYPT_HashToStr).
    repair::RegValue blob{"Blob", repair::kRegBinary,
                          repair::write_serialized_element(serialized.contexts[i]), 0};
    certificates.push_back(
        repair::RegKey{parent + "\\" + upper(store.at(i).facts.sha1), {std::move(blob)}, 0});
  }
  // reg.exe lists subkeys in the registry's order, which sorts names case-insensitively.
  std::sort(certificates.begin(), certificates.end(),
            [](const auto& a, const auto& b) { return a.path < b.path; });
  for (auto& key : certificates) file.keys.push_back(std::move(key));
  return file;
}

repair::Result<std::vector<RegistryStore>> decode_registry_certificates(const repair::RegFile& file,
                                                                        const std::string& source) {
  std::vector<RegistryStore> stores;
  for (const auto& key : file.keys) {
    if (key.values.empty()) continue;  // a store, Certificates, CRLs or CTLs key, or a parent
    const auto place = place_of(key.path);
    const std::string shown = repair::printable(key.path);
    if (!place || place->store.empty() || place->container.empty()) {
      return at(source, key.line,
                fmt::format("[{}] holds values but is not a certificate of a store under "
                            "...\\Microsoft\\SystemCertificates\\<store>\\Certificates; export "
                            "a store's Certificates key",
                            shown));
    }
    if (place->container == "CRLS" || place->container == "CTLS") {
      return at(source, key.line,
                fmt::format("[{}]: certbed keeps certificates only; a store with a {} cannot "
                            "be imported",
                            shown, place->container == "CRLS" ? "CRL" : "CTL"));
    }
    if (place->container != "CERTIFICATES" || place->element.empty() || place->extra_depth) {
      return at(source, key.line,
                fmt::format("[{}] holds values but is not <store>\\Certificates\\<SHA-1>", shown));
    }
    const repair::RegValue* blob = nullptr;
    for (const auto& value : key.values) {
      if (upper(value.name) != "BLOB") {
        return at(source, value.line,
                  fmt::format("[{}]: value \"{}\" is not part of a stored certificate (only "
                              "Blob is)",
                              shown, repair::printable(value.name)));
      }
      if (blob != nullptr) return at(source, value.line, "Blob appears twice in [" + shown + "]");
      blob = &value;
    }
    const std::string where = fmt::format("{}:{}", source, blob->line);
    if (blob->type != repair::kRegBinary) {
      return at(source, blob->line, fmt::format("[{}]: Blob is not REG_BINARY (hex:)", shown));
    }
    auto context = repair::parse_serialized_element(blob->data, where + " Blob");
    if (!context) return context.error();
    repair::SerializedStore one;
    one.form = repair::SerializedForm::kElement;
    one.contexts.push_back(std::move(*context));
    auto decoded = decode_serialized_certificates(one, where + " Blob");
    if (!decoded) return decoded.error();
    const auto& sha1 = decoded->certificates.front().facts.sha1;
    if (upper(place->element) != upper(sha1)) {
      return at(source, key.line,
                fmt::format("[{}]: the key names thumbprint {}, but its Blob's certificate has "
                            "SHA-1 {}; crypt32 ignores such a key, so certbed does not import it",
                            shown, repair::printable(place->element), upper(sha1)));
    }
    auto found = std::find_if(stores.begin(), stores.end(), [&](const RegistryStore& s) {
      return s.location == place->location && upper(s.name) == upper(place->store);
    });
    if (found == stores.end()) {
      stores.push_back(RegistryStore{place->location, place->store, {}});
      found = stores.end() - 1;
    }
    auto& certificate = decoded->certificates.front();
    certificate.index = found->certificates.certificates.size();
    certificate.facts.index = static_cast<std::uint32_t>(certificate.index);
    found->certificates.certificates.push_back(std::move(certificate));
    for (auto& w : decoded->warnings) found->certificates.warnings.push_back(std::move(w));
  }
  return stores;
}

}  // namespace certbed::emulator
