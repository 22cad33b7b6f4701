// Snapshots: a whole emulated machine to and from protobuf (text or binary), and their files.
#include "certbed/emulator/snapshot/snapshot.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/text_format.h>

#include <filesystem>
#include <optional>
#include <set>

#include "certbed/emulator/certificates/certificate_factory.h"
#include "certbed/emulator/certificates/certificate_facts.h"
#include "certbed/emulator/crypto/crypto.h"
#include "certbed/emulator/keys/key_access.h"
#include "certbed/platform/input_file.h"
#include "certbed/platform/output_file.h"
#include "certbed/repair/model/key_prov_info.h"
#include "certbed/repair/model/printable.h"
#include "snapshot.pb.h"

namespace certbed::emulator {

using repair::Error;
using repair::ErrorCode;
using repair::make_error;
using repair::PropertyId;
using repair::Result;
using repair::Status;

namespace {

constexpr std::uint32_t kFormatVersion = 1;

snapshot::Location to_proto(StoreLocation location) {
  switch (location) {
    case StoreLocation::kLocalMachine:
      return snapshot::LOCAL_MACHINE;
    case StoreLocation::kCurrentUser:
      return snapshot::CURRENT_USER;
    case StoreLocation::kLocalMachineEnterprise:
      return snapshot::LOCAL_MACHINE_ENTERPRISE;
  }
  return snapshot::LOCATION_UNSPECIFIED;
}

std::optional<StoreLocation> store_location_of(snapshot::Location location) {
  switch (location) {
    case snapshot::LOCAL_MACHINE:
      return StoreLocation::kLocalMachine;
    case snapshot::CURRENT_USER:
      return StoreLocation::kCurrentUser;
    case snapshot::LOCAL_MACHINE_ENTERPRISE:
      return StoreLocation::kLocalMachineEnterprise;
    default:
      return std::nullopt;
  }
}

snapshot::Location to_proto(repair::KeyScope scope) {
  return scope == repair::KeyScope::kMachine ? snapshot::LOCAL_MACHINE : snapshot::CURRENT_USER;
}

class CollectFirstError : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int at_line, google::protobuf::io::ColumnNumber at_column,
                const std::string& text) override {
    if (!has_error) {
      has_error = true;
      line = at_line;
      column = at_column;
      message = text;
    }
  }
  bool has_error = false;
  int line = 0;
  int column = 0;
  std::string message;
};

Error located(const std::string& source, std::string message) {
  return make_error(ErrorCode::kParse, std::move(message), repair::SourceLocation{source, 0, 0});
}

}  // namespace

SnapshotFormat snapshot_format_for(const std::string& path) {
  const std::string ext = to_lower_ascii(std::filesystem::path(path).extension().string());
  if (ext == ".textproto" || ext == ".txtpb" || ext == ".pbtxt") {
    return SnapshotFormat::kText;
  }
  return SnapshotFormat::kBinary;
}

Result<std::string> serialize_snapshot(const Machine& machine, SnapshotFormat format,
                                       const std::string& scenario) {
  snapshot::Snapshot out;
  out.set_format_version(kFormatVersion);
  out.set_machine_guid(machine.machine_guid());
  out.set_scenario(scenario.empty() ? machine.origin() : scenario);
  for (const auto& [key, store] : machine.stores()) {
    auto* s = out.add_stores();
    s->set_location(to_proto(store.location()));
    s->set_name(store.name());
    for (std::size_t i = 0; i < store.size(); ++i) {
      const auto& stored = store.at(i);
      auto* c = s->add_certificates();
      c->set_der(stored.der.data(), stored.der.size());
      if (stored.encoding != repair::kPropertyEncoding) c->set_encoding(stored.encoding);
      for (const auto& entry : stored.facts.properties.entries()) {
        auto* p = c->add_properties();
        p->set_id(repair::to_number(entry.id));
        p->set_value(entry.value.data(), entry.value.size());
        if (entry.encoding != repair::kPropertyEncoding) p->set_encoding(entry.encoding);
        if (stored_hash_disagrees(entry, stored.facts)) p->set_stale_hash(true);
      }
    }
  }
  for (const auto& [lower, provider] : machine.providers()) {
    auto* p = out.add_providers();
    p->set_name(provider.info().name);
    p->set_type(provider.info().type);
    p->set_kind(provider.info().kind == ProviderKind::kKsp ? snapshot::KSP : snapshot::CSP);
    for (const auto& container : provider.containers()) {
      auto* c = p->add_containers();
      c->set_name(container.name);
      c->set_unique_name(container.unique_name);
      c->set_scope(to_proto(container.scope));
      c->set_exportable(container.exportable);
      for (const auto& account : container.read_access) c->add_read_access(account);
      for (const auto& key : container.keys) {
        auto pem = private_key_to_pem(key.key.get());
        if (!pem) return pem.error();
        auto* k = c->add_keys();
        k->set_key_spec(key.key_spec);
        k->set_private_key_pem(*pem);
      }
    }
  }
  if (const auto& ca = machine.ca_configuration()) {
    auto* c = out.mutable_ca();
    c->set_ca_name(ca->ca_name);
    c->set_provider(ca->provider);
    c->set_provider_type(ca->provider_type);
    c->set_hash_algorithm(ca->hash_algorithm);
    c->set_machine_keyset(ca->machine_keyset);
    for (const auto& h : ca->ca_cert_hashes) c->add_ca_cert_hashes(h);
    c->set_ca_type(ca->ca_type);
    c->set_server_name(ca->server_name);
  }
  if (const auto& record = machine.import_record()) {
    auto* d = out.mutable_imported_from();
    d->set_source(record->source);
    d->set_caller(record->caller);
    for (const auto& line : record->not_reproduced) d->add_not_reproduced(line);
    for (const auto& line : record->key_choices) d->add_key_choices(line);
    for (const auto& t : record->thumbprints) {
      auto* m = d->add_thumbprints();
      m->set_original(t.original);
      m->set_imported(t.imported);
    }
  }

  std::string data;
  if (format == SnapshotFormat::kText) {
    google::protobuf::TextFormat::Printer printer;
    printer.SetUseUtf8StringEscaping(true);
    if (!printer.PrintToString(out, &data)) {
      return make_error(ErrorCode::kInternal, "cannot print the snapshot as text");
    }
  } else if (!out.SerializeToString(&data)) {
    return make_error(ErrorCode::kInternal, "cannot serialize the snapshot");
  }
  return data;
}

namespace {

// Protobuf reads a platform::InputFile through this, so a snapshot is parsed as it is read (never
// held as bytes beside the message) and a read error or the cap keeps its own message.
class InputFileStream final : public google::protobuf::io::CopyingInputStream {
 public:
  explicit InputFileStream(platform::InputFile& in) : in_(in) {}
  // The text parser reads on after its first error; that error is the one reported, so the rest
  // of a large wrong file need not be read.
  void stop_after(const bool* flag) { stop_ = flag; }
  int Read(void* buffer, int size) override {
    if (stop_ != nullptr && *stop_) return 0;
    auto n = in_.read(static_cast<char*>(buffer), static_cast<std::size_t>(size));
    if (!n) {
      error_ = n.error();
      return -1;
    }
    return static_cast<int>(*n);
  }
  const std::optional<Error>& error() const { return error_; }

 private:
  platform::InputFile& in_;
  std::optional<Error> error_;
  const bool* stop_ = nullptr;
};

Result<snapshot::Snapshot> decode(google::protobuf::io::ZeroCopyInputStream& stream,
                                  SnapshotFormat format, const std::string& source,
                                  InputFileStream* file) {
  snapshot::Snapshot in;
  if (format == SnapshotFormat::kText) {
    CollectFirstError errors;
    if (file != nullptr) file->stop_after(&errors.has_error);
    google::protobuf::TextFormat::Parser parser;
    parser.RecordErrorsTo(&errors);
    const bool ok = parser.Parse(&stream, &in);
    if (file != nullptr && file->error()) return *file->error();
    if (!ok || errors.has_error) {
      return make_error(ErrorCode::kParse,
                        "malformed text snapshot: " +
                            (errors.has_error ? errors.message : std::string("parse failed")),
                        repair::SourceLocation{source, static_cast<std::size_t>(errors.line) + 1,
                                               static_cast<std::size_t>(errors.column) + 1});
    }
  } else {
    const bool ok = in.ParseFromZeroCopyStream(&stream);
    if (file != nullptr && file->error()) return *file->error();
    if (!ok) {
      return located(source,
                     "not a binary certbed snapshot (protobuf decoding failed); text "
                     "snapshots need a .textproto extension");
    }
  }
  return in;
}

Result<Machine> machine_of(const snapshot::Snapshot& in, const std::string& source);

}  // namespace

Result<Machine> parse_snapshot(std::string_view data, SnapshotFormat format,
                               const std::string& source) {
  if (data.size() > static_cast<std::size_t>(INT32_MAX)) {
    return located(source, "larger than a snapshot can be (2 GiB)");
  }
  google::protobuf::io::ArrayInputStream stream(data.data(), static_cast<int>(data.size()));
  auto in = decode(stream, format, source, nullptr);
  if (!in) return in.error();
  return machine_of(*in, source);
}

Result<Machine> load_snapshot(const std::string& path) {
  auto file = platform::InputFile::open(path, kSnapshotLimits);
  if (!file) return file.error();
  InputFileStream reader(*file);
  google::protobuf::io::CopyingInputStreamAdaptor stream(&reader);
  auto in = decode(stream, snapshot_format_for(path), path, &reader);
  if (!in) return in.error();
  return machine_of(*in, path);
}

namespace {

Result<Machine> machine_of(const snapshot::Snapshot& in, const std::string& source) {
  if (in.format_version() != kFormatVersion) {
    return located(source, "snapshot format_version " + std::to_string(in.format_version()) +
                               " is not supported (expected 1)");
  }

  Machine machine(in.machine_guid().empty() ? Machine().machine_guid() : in.machine_guid());

  for (int pi = 0; pi < in.providers_size(); ++pi) {
    const auto& p = in.providers(pi);
    const std::string where = "provider \"" + p.name() + "\"";
    if (p.kind() != snapshot::KSP && p.kind() != snapshot::CSP) {
      return located(source, where + ": kind must be KSP or CSP");
    }
    auto provider = machine.add_provider(ProviderInfo{
        p.name(), p.type(), p.kind() == snapshot::KSP ? ProviderKind::kKsp : ProviderKind::kCsp});
    if (!provider) return located(source, provider.error().message);
    for (const auto& c : p.containers()) {
      KeyContainer container;
      container.name = c.name();
      container.unique_name = c.unique_name().empty()
                                  ? unique_container_name(c.name(), machine.machine_guid())
                                  : c.unique_name();
      if (c.scope() != snapshot::LOCAL_MACHINE && c.scope() != snapshot::CURRENT_USER) {
        return located(source, where + ", container \"" + c.name() +
                                   "\": scope must be LOCAL_MACHINE or CURRENT_USER");
      }
      container.scope = c.scope() == snapshot::LOCAL_MACHINE ? repair::KeyScope::kMachine
                                                             : repair::KeyScope::kUser;
      container.exportable = c.exportable();
      container.read_access.assign(c.read_access().begin(), c.read_access().end());
      for (const auto& k : c.keys()) {
        auto key = private_key_from_pem(k.private_key_pem());
        if (!key) {
          return located(source,
                         where + ", container \"" + c.name() + "\": " + key.error().message);
        }
        container.keys.push_back(ContainerKey{k.key_spec(), ossl::share(std::move(*key))});
      }
      auto added = (*provider)->add_container(std::move(container));
      if (!added) return located(source, added.error().message);
    }
  }

  std::set<StoreKey> seen_stores;
  for (const auto& s : in.stores()) {
    const auto location = store_location_of(s.location());
    if (!location) {
      return located(source, "store \"" + s.name() +
                                 "\": location must be LOCAL_MACHINE, CURRENT_USER or "
                                 "LOCAL_MACHINE_ENTERPRISE");
    }
    if (s.name().empty()) return located(source, "a store has no name");
    if (!seen_stores.insert(StoreKey{*location, to_lower_ascii(s.name())}).second) {
      return located(source, "store " + std::string(location_name(*location)) + "\\" + s.name() +
                                 " appears twice");
    }
    auto& store = machine.store(*location, s.name());
    for (int ci = 0; ci < s.certificates_size(); ++ci) {
      const auto& c = s.certificates(ci);
      const std::string where = store.description() + " certificate " + std::to_string(ci);
      const repair::Bytes der(c.der().begin(), c.der().end());
      auto parsed = certificate_from_der(der);
      if (!parsed) return located(source, where + ": " + parsed.error().message);
      auto derived = derived_properties(parsed->get(), der);
      if (!derived) return located(source, where + ": " + derived.error().message);
      repair::PropertyBag bag;
      for (const auto& p : c.properties()) {
        if (!repair::is_settable_property_id(p.id())) {
          return located(source, where + ": property id " + std::to_string(p.id()) +
                                     " is not a valid property id");
        }
        const auto id = static_cast<PropertyId>(p.id());
        if (bag.contains(id)) {
          return located(source,
                         where + ": property " + repair::property_label(id) + " appears twice");
        }
        repair::Bytes value(p.value().begin(), p.value().end());
        if (id == PropertyId::CERT_KEY_PROV_INFO_PROP_ID) {
          if (auto kpi = repair::decode_key_prov_info(value); !kpi) {
            return located(source, where + ": " + kpi.error().message);
          }
        }
        // A hash marked stale was stored so (an .sst that disagrees with its DER); any other
        // must be the DER's.
        if (repair::is_derived_property(id) && !p.stale_hash()) {
          for (const auto& d : *derived) {
            if (d.id == id && d.value != value) {
              return located(source, where + ": property " + repair::property_label(id) +
                                         " does not match the certificate's encoding (and "
                                         "is not marked stale_hash)");
            }
          }
        }
        bag.set(id, std::move(value), p.has_encoding() ? p.encoding() : repair::kPropertyEncoding);
      }
      auto added = store.add(parsed->get(), der, std::move(bag), /*derive=*/false);
      if (!added) return located(source, where + ": " + added.error().message);
      if (c.has_encoding()) store.set_encoding(*added, c.encoding());
    }
  }

  machine.origin() = in.scenario();
  if (in.has_imported_from()) {
    const auto& d = in.imported_from();
    DumpImportRecord record;
    record.source = d.source();
    record.caller = d.caller().empty() ? "administrator" : d.caller();
    if (!parse_caller(record.caller)) {
      return located(source, "imported_from: caller \"" + repair::printable(record.caller) +
                                 "\" is not administrator, standard-user, system or service:NAME");
    }
    record.not_reproduced.assign(d.not_reproduced().begin(), d.not_reproduced().end());
    record.key_choices.assign(d.key_choices().begin(), d.key_choices().end());
    for (const auto& t : d.thumbprints())
      record.thumbprints.push_back({t.original(), t.imported()});
    machine.import_record() = std::move(record);
  }
  if (in.has_ca()) {
    CaConfiguration ca;
    ca.ca_name = in.ca().ca_name();
    ca.provider = in.ca().provider();
    ca.provider_type = in.ca().provider_type();
    ca.hash_algorithm = in.ca().hash_algorithm();
    ca.machine_keyset = in.ca().machine_keyset();
    ca.ca_type = in.ca().ca_type();
    ca.server_name = in.ca().server_name();
    for (const auto& h : in.ca().ca_cert_hashes()) {
      auto normalized = repair::normalize_hex(h);
      if (!normalized || normalized->size() != 40) {
        return located(
            source, "CA configuration: CACertHash entry \"" + h + "\" is not a SHA-1 thumbprint");
      }
      ca.ca_cert_hashes.push_back(*normalized);
    }
    machine.ca_configuration() = std::move(ca);
  }
  return machine;
}

}  // namespace

Status save_snapshot(const Machine& machine, const std::string& path, const std::string& scenario) {
  auto data = serialize_snapshot(machine, snapshot_format_for(path), scenario);
  if (!data) return data.error();
  return platform::replace_file(path, *data, platform::NewFileMode::kPrivate);
}

}  // namespace certbed::emulator
