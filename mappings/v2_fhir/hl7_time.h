#pragma once

// HL7 v2 time stamps (DTM, TS.1, DT, TM) to FHIR date, dateTime, instant and time.
//
// Zone rule (README "Time zones"): a stamp that carries an offset keeps it. A stamp with a time
// but no offset gets the configured zone of the mapping (per destination, "timezone" in the
// transform config: a fixed offset or an IANA name, whose offset at that local time is used;
// "Z" when not configured). A date without a time stays a date (FHIR
// dateTime allows YYYY, YYYY-MM and YYYY-MM-DD without a zone), so nothing is invented. FHIR
// wants seconds whenever there is a time, so "201501021030" becomes "2015-01-02T10:30:00".
// An instant needs a time: a date-only stamp cannot be an instant and is not converted.
// Anything that is not a valid calendar stamp is not converted (the caller reports it).

#include <optional>
#include <string>
#include <string_view>

#include "mappings/v2_fhir/time_zone.h"

namespace ferry::mappings::v2fhir {

enum class TimeTarget { Date, DateTime, Instant, Time };

// `zone` gives stamps without an offset theirs: a fixed one, or a named zone's offset at that
// local time (time_zone.h).
std::optional<std::string> convertTimestamp(std::string_view hl7, TimeTarget target,
                                            const TimeZone& zone);
// The same with the zone given as text ("Z", "+05:00", "America/New_York"); nullopt also when
// the zone is not one TimeZone::parse() accepts. Reads a named zone's file on every call: for
// tests and one-off conversions.
std::optional<std::string> convertTimestamp(std::string_view hl7, TimeTarget target,
                                            std::string_view zone);

// "Z", "UTC", "+05:00", "+0500", "-03:30" to "Z" or "+hh:mm"; std::nullopt when not a fixed
// offset (IANA names such as "Europe/Paris" are TimeZone's, time_zone.h).
std::optional<std::string> normalizeZone(std::string_view zone);

}  // namespace ferry::mappings::v2fhir
