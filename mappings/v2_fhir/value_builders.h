#pragma once

// The built-in value conversions named by a rule's "type" (mapping_set.h ValueKind): one v2
// value (a Node) to one FHIR JSON value. Each conversion marks the parts it read as used, or
// as unconverted when the value is there but cannot become valid FHIR (a date that is not a
// date, a code the vocabulary does not know); nothing invalid is ever emitted.

#include <optional>
#include <string>
#include <string_view>

#include "engine/fhir/json_value.h"
#include "mappings/v2_fhir/mapping_set.h"
#include "mappings/v2_fhir/segment_view.h"
#include "mappings/v2_fhir/time_zone.h"

namespace ferry::mappings::v2fhir {

struct LeafContext {
  const TimeZone* zone = nullptr;              // for stamps without an offset; null: UTC
  const Vocabulary* coding_systems = nullptr;  // v2 coding system names (HL70396) to URIs
};

struct BuiltValue {
  std::string_view suffix;  // the type for a value[x] target ("Quantity"), else empty
  engine::fhir::JsonValue value;
};

// Converts `node` by `rule.kind` (not Datatype, Resource or Ignore). std::nullopt when there
// is nothing to emit.
std::optional<BuiltValue> buildLeaf(const Rule& rule, const Node& node, const LeafContext& context);

// A code system name from CWE.3 ("LN", "HL70203", "SCT") as a URI; empty when unknown.
std::string codingSystemUri(std::string_view name, const LeafContext& context);
// The same without a copy: the view points into the vocabulary, into `name`, or, for a URI
// made from the name, into `storage`.
std::string_view codingSystemUri(std::string_view name, const LeafContext& context,
                                 std::string& storage);

// A v2 NM as a JSON number literal ("+007.50" -> "7.50"); std::nullopt when not a number.
std::optional<std::string> decimalLiteral(std::string_view text);

}  // namespace ferry::mappings::v2fhir
