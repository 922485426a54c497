#pragma once

// The configured time zone of a mapping: a fixed UTC offset or an IANA zone name such as
// "America/New_York", whose offset depends on the date (daylight saving time). HL7 v2 stamps
// without an offset are local wall-clock times in that zone (issue #4).
//
// Local times that the clock skips or repeats have no single offset; the rules here:
// - A local time that occurs twice (clocks set back, e.g. 01:30 on the first Sunday of
//   November in New York) takes its FIRST occurrence: the offset in force before the change
//   (daylight time, -04:00).
// - A local time that does not occur (clocks set forward, e.g. 02:30 on the second Sunday of
//   March in New York) takes the offset in force BEFORE the change (standard time, -05:00),
//   as if the sender's clock had not been set forward yet.
//
// IANA names are read from TZif files (tzif_zone.h); after a file's last listed transition
// its footer TZ string applies (posix_tz_rule.h lists the forms understood: "Mm.w.d", "Jn"
// and "n" dates, angle-bracket names, transition times from -167 to 167 hours).
//
// A TimeZone is immutable and cheap to copy (the zone data is shared); its const methods may
// be called from any thread.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "engine/status.h"

namespace ferry::mappings::v2fhir {

class TzifZone;

class TimeZone {
 public:
  // `spec` is a fixed offset in one of the forms normalizeZone() (hl7_time.h) accepts ("Z",
  // "UTC", "+05:00", "+0500", "-03:30"), or an IANA name ("Europe/Paris", "Etc/GMT+5") read
  // from the file of that name under `zoneinfo_dir`. A name must consist of A-Z, a-z, 0-9,
  // '_', '+', '-' and '/', and may not start with '/' or contain ".." (it can only name a
  // file inside `zoneinfo_dir`). The file is read once, here.
  // Errors (ConfigError) name the spec and the reason: a malformed offset, a refused name,
  // "no such time zone 'X' under DIR", or what is wrong with the file ("not a TZif file",
  // "truncated TZif file (...)", an unsupported footer rule, ...).
  static engine::Result<TimeZone> parse(std::string_view spec,
                                        const std::string& zoneinfo_dir = "/usr/share/zoneinfo");

  // UTC ("Z"): the default of a mapping without a configured zone.
  static TimeZone utc();

  // The spec as given, except fixed offsets, which are normalized ("Z", "+05:00").
  std::string name() const { return name_; }

  // What follows a local time in a FHIR dateTime: a fixed zone's own text ("Z", "+05:00"), or
  // the named zone's offset at that time ("-04:00"); `local_seconds` as for offsetForLocal().
  std::string suffixForLocal(std::int64_t local_seconds) const;

  // The UTC offset (seconds east of UTC) that applies to a local wall-clock time, given as
  // seconds since 1970-01-01T00:00:00 of the local calendar (the local date and time fields
  // counted as if they were UTC). Skipped and repeated local times follow the rules above.
  // Times beyond about 30,000 years from 1970 get the offset at that limit.
  int offsetForLocal(std::int64_t local_seconds) const;

  // "+hh:mm" or "-hh:mm" for an offset in seconds, never "Z" (the caller decides). Offsets
  // with seconds (local mean time before 1900) are rounded toward zero to whole minutes, and
  // an offset that rounds to zero is "+00:00".
  static std::string formatOffset(int seconds);

 private:
  TimeZone(std::string name, int fixed_offset, std::shared_ptr<const TzifZone> zone);

  std::string name_;
  int fixed_offset_ = 0;
  // Null for a fixed offset.
  std::shared_ptr<const TzifZone> zone_;
};

}  // namespace ferry::mappings::v2fhir
