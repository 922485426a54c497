#pragma once

// Resource ids that stay the same for the same thing across messages: a name-based UUID
// (RFC 4122 version 5, SHA-1) over "ResourceType|part|part..." in Ferry's own namespace. The
// same patient identifier (PID-3.1 with its assigning authority PID-3.4) gives the same Patient
// id in every message, so a transaction PUT updates instead of duplicating.

#include <array>
#include <string>
#include <string_view>

namespace ferry::mappings::v2fhir {

// The 36 characters of a UUID in text form, held without an allocation.
using UuidText = std::array<char, 36>;

// Lower-case "xxxxxxxx-xxxx-5xxx-yxxx-xxxxxxxxxxxx" for `name`; empty when SHA-1 is unavailable.
std::string nameBasedUuid(std::string_view name);

// The same into `out`; false (and `out` unchanged) when SHA-1 is unavailable.
bool writeNameBasedUuid(std::string_view name, UuidText& out);

}  // namespace ferry::mappings::v2fhir
