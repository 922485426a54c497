#pragma once

// The compact definitions file: what scripts/fhir_defgen writes at build time and
// Definitions::loadCompact() reads. Binary and little-endian, read without any JSON parsing
// so that loading stays in the milliseconds.
//
//   file       := magic "FERRYDEF" u32:format_version str:fhir_version str:source
//                 u32:count structure*  u32:count value_set*
//   structure  := str:name u8:kind u8:abstract str:base str:regex u32:max_length
//                 u8:has_min i64:min_value u8:has_max i64:max_value u32:count element*
//   element    := str:path str:name u8:flags(1 choice, 2 modifier, 4 system type)
//                 u32:min u32:max u32:count type* str:content_reference u8:binding
//                 str:value_set u32:count u32:child*
//   type       := str:code u32:count str:target* u32:count str:profile*
//   value_set  := str:url u8:complete u32:count (str:system u32:count str:code*)*
//   str        := u32:length bytes
//
// Enumerations are stored as the numeric values of StructureKind and BindingStrength.
// Everything is written sorted (structures, value sets, systems, codes) so that the same input
// always gives the same bytes.

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/fhir/definitions.h"
#include "engine/status.h"

namespace ferry::engine::fhir {

inline constexpr std::string_view kCompactMagic = "FERRYDEF";
// Raise when the layout above changes; a loader refuses any other version.
inline constexpr std::uint32_t kCompactFormatVersion = 1;

// The compact bytes for `definitions` (its maps and version strings; the index is not stored).
std::string encodeCompact(const Definitions& definitions);

// Fills the maps and version strings of `out` (expected empty) from compact bytes. Does not
// build the index. ParseError naming the record and field when the bytes are damaged,
// truncated or of another format version.
Status decodeCompact(std::string_view bytes, Definitions& out);

}  // namespace ferry::engine::fhir
