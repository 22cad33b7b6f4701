// Bounds-checked reading and exact writing of crypt32's serialized element format.
#include "certbed/repair/formats/serialized/serialized_store.h"

#include <array>
#include <cstdio>
#include <optional>

namespace certbed::repair {
namespace {

constexpr std::array<std::uint8_t, 8> kStoreHeader = {0, 0, 0, 0, 'C', 'E', 'R', 'T'};
constexpr std::size_t kElementHeaderBytes = 12;

bool is_context_id(std::uint32_t id) {
  return id == kSerializedCertificateId || id == kSerializedCrlId || id == kSerializedCtlId;
}

std::string hex_offset(std::size_t offset) {
  std::array<char, 24> text{};
  std::snprintf(text.data(), text.size(), "0x%zx", offset);
  return text.data();
}

struct ElementHeader {
  std::uint32_t id = 0;
  std::uint32_t encoding = 0;
  std::uint32_t length = 0;
};

// A cursor over the input that never reads past its end; each error names where it stopped.
class ElementReader {
 public:
  ElementReader(ByteView bytes, std::size_t start, const std::string& source)
      : bytes_(bytes), pos_(start), source_(source) {}

  bool at_end() const { return pos_ == bytes_.size(); }
  std::size_t position() const { return pos_; }
  std::size_t remaining() const { return bytes_.size() - pos_; }

  // The next element's header, and its value (which fits in what is left of the input).
  Result<std::pair<ElementHeader, ByteView>> next(const std::string& what) {
    const std::size_t start = pos_;
    if (remaining() < kElementHeaderBytes) {
      return error(start, what + ": the element header needs 12 bytes, " +
                              std::to_string(remaining()) + " are left (the file is cut short)");
    }
    ElementHeader header{u32(pos_), u32(pos_ + 4), u32(pos_ + 8)};
    pos_ += kElementHeaderBytes;
    if (header.length > remaining()) {
      pos_ = start;
      return error(start, what + " (id " + std::to_string(header.id) + "): its length " +
                              std::to_string(header.length) + " runs past the end of the input (" +
                              std::to_string(remaining() - kElementHeaderBytes) +
                              " bytes are left after its header)");
    }
    ByteView value = bytes_.subspan(pos_, header.length);
    pos_ += header.length;
    return std::pair{header, value};
  }

  Error error(std::size_t offset, const std::string& message) const {
    return make_error(ErrorCode::kParse, "offset " + hex_offset(offset) + ": " + message,
                      SourceLocation{source_, 0, 0});
  }

 private:
  std::uint32_t u32(std::size_t at) const {
    return static_cast<std::uint32_t>(bytes_[at]) |
           static_cast<std::uint32_t>(bytes_[at + 1]) << 8 |
           static_cast<std::uint32_t>(bytes_[at + 2]) << 16 |
           static_cast<std::uint32_t>(bytes_[at + 3]) << 24;
  }

  ByteView bytes_;
  std::size_t pos_;
  const std::string& source_;
};

// "context 3, element 2": what the reader was on (both counted from 0), for messages.
std::string element_name(std::size_t contexts_read, std::size_t properties_read) {
  return "context " + std::to_string(contexts_read) + ", element " +
         std::to_string(properties_read);
}

// Reads contexts until the input ends or (when `stop_at_end_element`) an all-zero element.
// Returns whether an end element was read.
Result<bool> read_contexts(ElementReader& reader, std::vector<SerializedContext>& out,
                           bool stop_at_end_element) {
  SerializedContext current;
  current.offset = reader.position();
  while (!reader.at_end()) {
    const std::size_t start = reader.position();
    auto element = reader.next(element_name(out.size(), current.properties.size()));
    if (!element) return element.error();
    const auto& [header, value] = *element;
    if (header.id == 0) {
      // crypt32 stops reading at id 0; the end element is 12 zero bytes.
      if (!stop_at_end_element) {
        return reader.error(start, "an end element (id 0) in a serialized certificate");
      }
      if (header.encoding != 0 || header.length != 0) {
        return reader.error(start,
                            "an element with id 0 that is not the 12-byte all-zero end "
                            "element (encoding " +
                                std::to_string(header.encoding) + ", length " +
                                std::to_string(header.length) + ")");
      }
      if (!current.properties.empty()) {
        return reader.error(current.offset,
                            std::to_string(current.properties.size()) +
                                " property element(s) with no certificate, CRL or CTL element "
                                "after them before the end element");
      }
      if (!reader.at_end()) {
        return reader.error(reader.position(),
                            std::to_string(reader.remaining()) +
                                " byte(s) after the end element, which nothing reads");
      }
      return true;
    }
    if (is_context_id(header.id)) {
      current.id = header.id;
      current.encoding = header.encoding;
      current.encoded.assign(value.begin(), value.end());
      out.push_back(std::move(current));
      current = SerializedContext{};
      current.offset = reader.position();
      continue;
    }
    current.properties.push_back(
        SerializedProperty{header.id, header.encoding, Bytes(value.begin(), value.end())});
  }
  if (!current.properties.empty()) {
    return reader.error(current.offset,
                        std::to_string(current.properties.size()) +
                            " property element(s) at the end with no certificate, CRL or CTL "
                            "element after them (the input is cut short)");
  }
  return false;
}

bool has_store_header(ByteView bytes) {
  if (bytes.size() < kStoreHeader.size()) return false;
  for (std::size_t i = 0; i < kStoreHeader.size(); ++i) {
    if (bytes[i] != kStoreHeader[i]) return false;
  }
  return true;
}

void put_u32(Bytes& out, std::uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) {
    out.push_back(static_cast<std::uint8_t>(value >> shift));
  }
}

void put_element(Bytes& out, std::uint32_t id, std::uint32_t encoding, const Bytes& value) {
  put_u32(out, id);
  put_u32(out, encoding);
  put_u32(out, static_cast<std::uint32_t>(value.size()));
  out.insert(out.end(), value.begin(), value.end());
}

Result<void> check_size(ByteView bytes, const std::string& source) {
  if (bytes.size() > kMaxSerializedStoreBytes) {
    return make_error(ErrorCode::kInvalidArgument,
                      std::to_string(bytes.size()) +
                          " bytes, more than the 1 GiB a serialized "
                          "store may have",
                      SourceLocation{source, 0, 0});
  }
  return {};
}

}  // namespace

Result<SerializedStore> parse_serialized_store(ByteView bytes, const std::string& source) {
  if (auto ok = check_size(bytes, source); !ok) return ok.error();
  if (bytes.empty()) {
    return make_error(ErrorCode::kParse,
                      "offset 0x0: empty, where a serialized store starts with 00 00 00 00 "
                      "\"CERT\"",
                      SourceLocation{source, 0, 0});
  }
  SerializedStore store;
  if (has_store_header(bytes)) {
    ElementReader reader(bytes, kStoreHeader.size(), source);
    auto ended = read_contexts(reader, store.contexts, /*stop_at_end_element=*/true);
    if (!ended) return ended.error();
    store.end_element = *ended;
    return store;
  }
  if (bytes.size() >= 4 && bytes[0] == 0 && bytes[1] == 0 && bytes[2] == 0 && bytes[3] == 0) {
    return make_error(ErrorCode::kParse,
                      "offset 0x0: not a serialized store: it starts with version 0 but not with "
                      "the file type \"CERT\"",
                      SourceLocation{source, 0, 0});
  }
  // No header: one serialized certificate (a registry Blob) if it reads as exactly one context.
  auto context = parse_serialized_element(bytes, source);
  if (!context) {
    return make_error(ErrorCode::kParse,
                      "neither a serialized store (no 00 00 00 00 \"CERT\" header) nor one "
                      "serialized certificate: " +
                          context.error().message,
                      SourceLocation{source, 0, 0});
  }
  store.form = SerializedForm::kElement;
  store.end_element = false;
  store.contexts.push_back(std::move(*context));
  return store;
}

Result<SerializedContext> parse_serialized_element(ByteView bytes, const std::string& source) {
  if (auto ok = check_size(bytes, source); !ok) return ok.error();
  if (has_store_header(bytes)) {
    return make_error(ErrorCode::kParse,
                      "offset 0x0: a serialized store (00 00 00 00 \"CERT\"), not one serialized "
                      "certificate",
                      SourceLocation{source, 0, 0});
  }
  ElementReader reader(bytes, 0, source);
  std::vector<SerializedContext> contexts;
  auto ended = read_contexts(reader, contexts, /*stop_at_end_element=*/false);
  if (!ended) return ended.error();
  if (contexts.empty()) {
    return make_error(ErrorCode::kParse, "offset 0x0: no certificate element (id 32)",
                      SourceLocation{source, 0, 0});
  }
  if (contexts.size() != 1) {
    // Named at the second context, where a single serialized certificate should have ended.
    return make_error(ErrorCode::kParse,
                      "offset " + hex_offset(contexts[1].offset) + ": " +
                          std::to_string(contexts.size()) +
                          " contexts where one serialized certificate has one",
                      SourceLocation{source, 0, 0});
  }
  return std::move(contexts.front());
}

Bytes write_serialized_element(const SerializedContext& context) {
  Bytes out;
  for (const auto& p : context.properties) put_element(out, p.id, p.encoding, p.value);
  put_element(out, context.id, context.encoding, context.encoded);
  return out;
}

Bytes write_serialized_store(const SerializedStore& store) {
  Bytes out;
  if (store.form == SerializedForm::kStore) {
    out.assign(kStoreHeader.begin(), kStoreHeader.end());
  }
  for (const auto& context : store.contexts) {
    Bytes element = write_serialized_element(context);
    out.insert(out.end(), element.begin(), element.end());
  }
  if (store.form == SerializedForm::kStore && store.end_element) {
    out.insert(out.end(), kElementHeaderBytes, 0);
  }
  return out;
}

std::string serialized_context_kind(std::uint32_t id) {
  switch (id) {
    case kSerializedCertificateId:
      return "certificate";
    case kSerializedCrlId:
      return "CRL";
    case kSerializedCtlId:
      return "CTL";
    default:
      return "context " + std::to_string(id);
  }
}

}  // namespace certbed::repair
