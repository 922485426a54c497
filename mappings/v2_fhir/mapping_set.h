#pragma once

// The compiled form of the mapping files under mappings/data (format: mappings/README.md).
// Files are read once at start-up into these structures; mapping a message then only walks
// them, never parses a file.
//
// Thread-safety: immutable after load(); share as std::shared_ptr<const MappingSet>.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/fhir/json_value.h"
#include "engine/status.h"

namespace ferry::mappings::v2fhir {

// One mapping data file: its path relative to mappings/data ("segments/PID-Patient.json").
struct DataFile {
  std::string path;
  std::string text;
};

// The files built into the binary (generated from mappings/data at build time).
std::vector<DataFile> embeddedDataFiles();

// Hashes std::string keys so that maps can be searched with a std::string_view (a code read
// from the message) without building a std::string first.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const {
    return std::hash<std::string_view>{}(text);
  }
};

template <typename T>
using StringMap = std::unordered_map<std::string, T, StringHash, std::equal_to<>>;

struct Concept {
  std::string code;
  std::string display;
  std::string system;      // target system of this code
  std::string v2_display;  // the HL7 table's text for the source code
};

struct Vocabulary {
  std::string name;
  std::string source_system;  // the v2 table's code system URI
  StringMap<Concept> codes;
};

// A FHIR element path inside a resource or datatype: "name[0].given[]", "value[x]".
struct PathStep {
  enum class Kind : std::uint8_t { Member, Append, Index };
  std::string name;
  Kind kind = Kind::Member;
  std::size_t index = 0;
  bool choice = false;  // "value[x]": the value builder names the type
};

struct TargetPath {
  std::vector<PathStep> steps;
  std::string text;
  bool appends() const;
  bool empty() const { return steps.empty(); }
};

// How one v2 value becomes FHIR. Names match the "type" of a rule (README).
enum class ValueKind : std::uint8_t {
  Ignore,   // read on purpose, produces nothing ("ignore": "why")
  String,   // ST, TX, FT, and the first atom of anything
  Code,     // code of ID/IS/CWE (CWE.1), translated when a vocabulary is given
  Id,       // FHIR id
  Decimal,  // NM
  Integer,
  PositiveInt,
  UnsignedInt,
  Boolean,                // Y/N
  Date,                   // DTM/DT to date
  DateTime,               // DTM/TS/DT to dateTime
  Instant,                // DTM/TS to instant
  Time,                   // TM to time
  Uri,                    // text; an OID becomes urn:oid:
  HdUri,                  // HD to a system URI (ISO OID, UUID, URI)
  CodeableConcept,        // CWE/CE/CNE/ID/IS
  Coding,                 // CWE/CE/CNE/ID/IS, the translated coding when the vocabulary has one
  Quantity,               // NM with units (CWE) from "units_field"
  CqQuantity,             // CQ: quantity ^ units
  StructuredNumeric,      // SN to Quantity, Range or Ratio (value[x])
  Attachment,             // ED
  ObservationValue,       // OBX-5 typed by "type_field" (OBX-2), units from "units_field" (OBX-6)
  ObservationAttachment,  // OBX-5 as an Attachment (ED as is, ST/TX/FT as text/plain)
  ObservationEd,          // OBX-5 as an Attachment when OBX-2 is ED (R4 value[x] has no Attachment)
  PhoneNumber,            // XTN to ContactPoint.value (XTN.1, else e-mail XTN.4, else XTN.5-8)
  EiUri,                  // EI.3/EI.4 (universal id and type) to a system URI
  SystemName,             // a coding system name (CWE.3, "LN") to its URI
  DateTimeIfTime,         // like DateTime, but only when the stamp has a time of day
  Constant,               // the rule's "value", placed when the field is present
  Datatype,               // a datatype map building an element
  Resource,               // a datatype map building a resource; the element gets its Reference
};

struct DatatypeMap;

struct Rule {
  // Field number (segment maps) or component number (datatype maps; 0 = the whole value).
  std::size_t position = 0;
  TargetPath to;
  ValueKind kind = ValueKind::String;
  const DatatypeMap* datatype = nullptr;
  const Vocabulary* vocabulary = nullptr;
  std::string table_system;      // system for codes without a coding system ("table": "0203")
  engine::fhir::JsonValue with;  // members set on the element made by the last "[]" step
  std::size_t component = 0;     // segment rules: read this component of the field only
  TargetPath unless;             // skip (the value is implied) when this element is already set
  engine::fhir::JsonValue constant;
  std::size_t units_field = 0;
  std::size_t type_field = 0;
  bool every_repetition = false;  // the target appends, so each repetition maps
};

// A fixed value: set `to` unless it (or `unless`) is already there, and only when `when` is
// (if given).
struct FixedValue {
  TargetPath to;
  TargetPath unless;
  TargetPath when;
  engine::fhir::JsonValue value;
};

// A part of the stable id: field (segment maps only), component and subcomponent; 0 = whole.
struct IdPart {
  std::size_t field = 0;
  std::size_t component = 0;
  std::size_t subcomponent = 0;
};

struct DatatypeMap {
  std::string name;      // "CX-Identifier"
  std::string resource;  // non-empty when the datatype becomes a resource ("Practitioner")
  std::vector<Rule> rules;
  std::vector<IdPart> id;
  std::vector<FixedValue> fixed;
};

struct SegmentMap {
  std::string name;  // "PID-Patient"
  std::string segment;
  std::string resource;  // empty for maps that only fill another resource (into/bundle)
  std::vector<Rule> rules;
  std::vector<IdPart> id;
  std::vector<FixedValue> fixed;
  std::vector<TargetPath> required;  // without these the resource is left out (and noted)
};

struct ReferenceRule {
  TargetPath to;
  std::string name;  // a resource named with "as" in the message (earlier, else the last)
  engine::fhir::JsonValue with;  // members beside the reference ({"status": "accepted"})
};

struct Entry {
  std::string segment;
  const SegmentMap* map = nullptr;
  std::string as;       // names the resource made (or filled) for later entries
  std::string into;     // fill the latest resource with this name instead of making one
  std::string merge;    // fill it when the segment just before made it, else make a new one
  bool bundle = false;  // fill the Bundle itself (MSH-7 -> Bundle.timestamp)
  std::vector<std::string> after;   // only when the last other segment id is one of these
  std::vector<std::string> events;  // only for these MSH-9.1^MSH-9.2 events
  std::vector<ReferenceRule> references;
  std::vector<ReferenceRule> add_to;  // append a reference to this resource there
  std::vector<FixedValue> fixed;
};

struct MessageMap {
  std::string name;
  std::vector<std::string> events;      // "ADT^A01"
  std::vector<std::string> structures;  // "ADT_A01" (MSH-9.3), used when no event matches
  std::vector<Entry> entries;
  StringMap<std::vector<const Entry*>> by_segment;
};

class MappingSet {
 public:
  // Reads the embedded files, with files under `override_dir` (same relative paths) replacing
  // or adding to them when it is not empty. Every problem is reported as one ConfigError
  // listing "file:line: /json/path: rule" lines.
  static engine::Result<std::shared_ptr<const MappingSet>> load(
      const std::string& override_dir = "");
  // Loads exactly these files (tests).
  static engine::Result<std::shared_ptr<const MappingSet>> loadFiles(
      const std::vector<DataFile>& files);

  const MessageMap* findMessage(std::string_view event, std::string_view structure) const;
  const Vocabulary* findVocabulary(std::string_view name) const;
  const std::vector<MessageMap>& messages() const { return messages_; }
  std::size_t fileCount() const { return file_count_; }

 private:
  friend class MappingLoader;
  std::map<std::string, Vocabulary, std::less<>> vocabularies_;
  std::map<std::string, DatatypeMap, std::less<>> datatypes_;
  std::map<std::string, SegmentMap, std::less<>> segments_;
  std::vector<MessageMap> messages_;
  StringMap<const MessageMap*> by_event_;
  StringMap<const MessageMap*> by_structure_;
  std::size_t file_count_ = 0;
};

}  // namespace ferry::mappings::v2fhir
