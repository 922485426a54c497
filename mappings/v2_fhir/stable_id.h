#pragma once

// Resource ids that stay the same for the same thing across messages: a name-based UUID
// (RFC 4122 version 5, SHA-1) over "ResourceType|part|part..." in Ferry's own namespace. The
// same patient identifier (PID-3.1 with its assigning authority PID-3.4) gives the same Patient
// id in every message, so a transaction PUT updates instead of duplicating.

#include <string>
#include <string_view>

namespace ferry::mappings::v2fhir {

// Lower-case "xxxxxxxx-xxxx-5xxx-yxxx-xxxxxxxxxxxx" for `name`.
std::string nameBasedUuid(std::string_view name);

}  // namespace ferry::mappings::v2fhir
