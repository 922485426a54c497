#include "engine/fhir/definitions_format.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace ferry::engine::fhir {

namespace {

enum ElementFlag : std::uint8_t {
  kFlagChoice = 1,
  kFlagModifier = 2,
  kFlagSystemType = 4,
};

class Writer {
 public:
  void u8(std::uint8_t value) { out_.push_back(static_cast<char>(value)); }

  void u32(std::uint32_t value) {
    for (int shift = 0; shift < 32; shift += 8) {
      u8(static_cast<std::uint8_t>(value >> shift));
    }
  }

  void i64(std::int64_t value) {
    auto bits = static_cast<std::uint64_t>(value);
    for (int shift = 0; shift < 64; shift += 8) {
      u8(static_cast<std::uint8_t>(bits >> shift));
    }
  }

  void str(std::string_view text) {
    u32(static_cast<std::uint32_t>(text.size()));
    out_.append(text);
  }

  void strings(const std::vector<std::string>& list) {
    u32(static_cast<std::uint32_t>(list.size()));
    for (const auto& text : list) {
      str(text);
    }
  }

  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

void writeElement(Writer& writer, const ElementDefinition& element) {
  writer.str(element.path);
  writer.str(element.name);
  std::uint8_t flags = 0;
  flags |= element.choice ? kFlagChoice : 0;
  flags |= element.is_modifier ? kFlagModifier : 0;
  flags |= element.system_type ? kFlagSystemType : 0;
  writer.u8(flags);
  writer.u32(element.min);
  writer.u32(element.max);

  writer.u32(static_cast<std::uint32_t>(element.types.size()));
  for (const auto& type : element.types) {
    writer.str(type.code);
    writer.strings(type.target_types);
    writer.strings(type.profiles);
  }
  writer.str(element.content_reference);
  writer.u8(static_cast<std::uint8_t>(element.binding));
  writer.str(element.value_set);

  writer.u32(static_cast<std::uint32_t>(element.children.size()));
  for (auto child : element.children) {
    writer.u32(child);
  }
}

void writeStructure(Writer& writer, const StructureDefinition& structure) {
  writer.str(structure.name);
  writer.u8(static_cast<std::uint8_t>(structure.kind));
  writer.u8(structure.is_abstract ? 1 : 0);
  writer.str(structure.base);
  writer.str(structure.regex);
  writer.u32(structure.max_length);
  writer.u8(structure.min_value ? 1 : 0);
  writer.i64(structure.min_value.value_or(0));
  writer.u8(structure.max_value ? 1 : 0);
  writer.i64(structure.max_value.value_or(0));

  writer.u32(static_cast<std::uint32_t>(structure.elements.size()));
  for (const auto& element : structure.elements) {
    writeElement(writer, element);
  }
}

void writeValueSet(Writer& writer, const ValueSetCodes& value_set) {
  writer.str(value_set.url);
  writer.u8(value_set.complete ? 1 : 0);

  std::vector<std::pair<std::string, std::vector<std::string>>> systems;
  for (const auto& [system, codes] : value_set.codes_by_system) {
    std::vector<std::string> sorted(codes.begin(), codes.end());
    std::sort(sorted.begin(), sorted.end());
    systems.emplace_back(system, std::move(sorted));
  }
  std::sort(systems.begin(), systems.end());
  writer.u32(static_cast<std::uint32_t>(systems.size()));
  for (const auto& [system, codes] : systems) {
    writer.str(system);
    writer.strings(codes);
  }
}

// Reads the layout back. Every read checks the remaining length first; counts are checked
// against the bytes left so that a damaged count cannot ask for a huge allocation.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  bool atEnd() const { return pos_ == bytes_.size(); }

  void fail(std::string what) {
    if (error_.empty()) {
      error_ = std::move(what) + " (at byte " + std::to_string(pos_) + ")";
    }
  }

  std::uint8_t u8(const char* field) {
    if (!need(1, field)) {
      return 0;
    }
    return static_cast<std::uint8_t>(bytes_[pos_++]);
  }

  std::uint32_t u32(const char* field) {
    if (!need(4, field)) {
      return 0;
    }
    std::uint32_t value = 0;
    for (int shift = 0; shift < 32; shift += 8) {
      value |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes_[pos_++])) << shift;
    }
    return value;
  }

  std::int64_t i64(const char* field) {
    if (!need(8, field)) {
      return 0;
    }
    std::uint64_t bits = 0;
    for (int shift = 0; shift < 64; shift += 8) {
      bits |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(bytes_[pos_++])) << shift;
    }
    return static_cast<std::int64_t>(bits);
  }

  std::string_view view(const char* field) {
    std::uint32_t length = u32(field);
    if (!need(length, field)) {
      return {};
    }
    std::string_view text = bytes_.substr(pos_, length);
    pos_ += length;
    return text;
  }

  std::string str(const char* field) { return std::string(view(field)); }

  // A count of items that take at least `min_item_bytes` each.
  std::uint32_t count(const char* field, std::size_t min_item_bytes) {
    std::uint32_t n = u32(field);
    if (!failed() && n > (bytes_.size() - pos_) / min_item_bytes) {
      fail(std::string("count too large for ") + field);
      return 0;
    }
    return n;
  }

  std::vector<std::string> strings(const char* field) {
    std::vector<std::string> list(count(field, 4));
    for (auto& text : list) {
      text = str(field);
    }
    return list;
  }

 private:
  bool need(std::size_t n, const char* field) {
    if (failed()) {
      return false;
    }
    if (bytes_.size() - pos_ < n) {
      fail(std::string("truncated in ") + field);
      return false;
    }
    return true;
  }

  std::string_view bytes_;
  std::size_t pos_ = 0;
  std::string error_;
};

void readElement(Reader& reader, ElementDefinition& element) {
  element.path = reader.str("element path");
  element.name = reader.str("element name");
  std::uint8_t flags = reader.u8("element flags");
  element.choice = (flags & kFlagChoice) != 0;
  element.is_modifier = (flags & kFlagModifier) != 0;
  element.system_type = (flags & kFlagSystemType) != 0;
  element.min = reader.u32("element min");
  element.max = reader.u32("element max");

  element.types.resize(reader.count("element types", 12));
  for (auto& type : element.types) {
    type.code = reader.str("type code");
    type.target_types = reader.strings("type targets");
    type.profiles = reader.strings("type profiles");
  }
  element.content_reference = reader.str("content reference");
  std::uint8_t binding = reader.u8("binding strength");
  if (binding > static_cast<std::uint8_t>(BindingStrength::Required)) {
    reader.fail("unknown binding strength");
  }
  element.binding = static_cast<BindingStrength>(binding);
  element.value_set = reader.str("binding value set");

  element.children.resize(reader.count("element children", 4));
  for (auto& child : element.children) {
    child = reader.u32("child index");
  }
}

void readStructure(Reader& reader, StructureDefinition& structure) {
  structure.name = reader.str("structure name");
  std::uint8_t kind = reader.u8("structure kind");
  if (kind > static_cast<std::uint8_t>(StructureKind::Logical)) {
    reader.fail("unknown structure kind");
  }
  structure.kind = static_cast<StructureKind>(kind);
  structure.is_abstract = reader.u8("structure abstract") != 0;
  structure.base = reader.str("structure base");
  structure.regex = reader.str("structure regex");
  structure.max_length = reader.u32("structure max length");
  bool has_min = reader.u8("structure has min") != 0;
  std::int64_t min_value = reader.i64("structure min value");
  bool has_max = reader.u8("structure has max") != 0;
  std::int64_t max_value = reader.i64("structure max value");
  if (has_min) {
    structure.min_value = min_value;
  }
  if (has_max) {
    structure.max_value = max_value;
  }

  // The smallest element: two empty strings, flags, min, max, three counts, binding, one
  // more empty string.
  structure.elements.resize(reader.count("structure elements", 34));
  for (auto& element : structure.elements) {
    readElement(reader, element);
  }
}

void readValueSet(Reader& reader, ValueSetCodes& value_set) {
  value_set.complete = reader.u8("value set complete") != 0;
  std::uint32_t systems = reader.count("value set systems", 8);
  for (std::uint32_t i = 0; i < systems && !reader.failed(); ++i) {
    std::string system = reader.str("value set system");
    auto& codes = value_set.codes_by_system[system];
    std::uint32_t n = reader.count("value set codes", 4);
    codes.reserve(n);
    for (std::uint32_t j = 0; j < n && !reader.failed(); ++j) {
      codes.emplace(reader.view("value set code"));
    }
  }
}

}  // namespace

std::string encodeCompact(const Definitions& definitions) {
  Writer writer;
  for (char c : kCompactMagic) {
    writer.u8(static_cast<std::uint8_t>(c));
  }
  writer.u32(kCompactFormatVersion);
  writer.str(definitions.fhir_version_);
  writer.str(definitions.source_);

  std::vector<const StructureDefinition*> structures;
  for (const auto& [name, structure] : definitions.structures_) {
    structures.push_back(&structure);
  }
  std::sort(structures.begin(), structures.end(),
            [](auto* a, auto* b) { return a->name < b->name; });
  writer.u32(static_cast<std::uint32_t>(structures.size()));
  for (const auto* structure : structures) {
    writeStructure(writer, *structure);
  }

  std::vector<const ValueSetCodes*> value_sets;
  for (const auto& [url, value_set] : definitions.value_sets_) {
    value_sets.push_back(&value_set);
  }
  std::sort(value_sets.begin(), value_sets.end(), [](auto* a, auto* b) { return a->url < b->url; });
  writer.u32(static_cast<std::uint32_t>(value_sets.size()));
  for (const auto* value_set : value_sets) {
    writeValueSet(writer, *value_set);
  }
  return writer.take();
}

Status decodeCompact(std::string_view bytes, Definitions& out) {
  if (bytes.substr(0, kCompactMagic.size()) != kCompactMagic) {
    return Status(ErrorCode::ParseError, "FHIR definitions: not a compact definitions file");
  }
  Reader reader(bytes.substr(kCompactMagic.size()));
  std::uint32_t version = reader.u32("format version");
  if (!reader.failed() && version != kCompactFormatVersion) {
    return Status(ErrorCode::ParseError, "FHIR definitions: format version " +
                                             std::to_string(version) + ", this build reads " +
                                             std::to_string(kCompactFormatVersion));
  }
  out.fhir_version_ = reader.str("FHIR version");
  out.source_ = reader.str("source");

  std::uint32_t structures = reader.count("structures", 4);
  out.structures_.reserve(structures);
  for (std::uint32_t i = 0; i < structures && !reader.failed(); ++i) {
    StructureDefinition structure;
    readStructure(reader, structure);
    std::string name = structure.name;
    if (!out.structures_.emplace(std::move(name), std::move(structure)).second) {
      reader.fail("duplicate structure");
    }
  }

  std::uint32_t value_sets = reader.count("value sets", 4);
  out.value_sets_.reserve(value_sets);
  for (std::uint32_t i = 0; i < value_sets && !reader.failed(); ++i) {
    std::string url = reader.str("value set url");
    auto [slot, inserted] = out.value_sets_.try_emplace(url);
    if (!inserted) {
      reader.fail("duplicate value set");
      break;
    }
    slot->second.url = std::move(url);
    readValueSet(reader, slot->second);
  }

  if (!reader.failed() && !reader.atEnd()) {
    reader.fail("bytes after the last value set");
  }
  if (reader.failed()) {
    return Status(ErrorCode::ParseError, "FHIR definitions: " + reader.error());
  }
  return Status::ok();
}

}  // namespace ferry::engine::fhir
