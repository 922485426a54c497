#include "mappings/v2_fhir/time_zone.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <system_error>
#include <utility>

#include "mappings/v2_fhir/hl7_time.h"
#include "mappings/v2_fhir/posix_tz_rule.h"
#include "mappings/v2_fhir/tzif_zone.h"

namespace ferry::mappings::v2fhir {
namespace {

using engine::ErrorCode;
using engine::Result;
using engine::Status;

// Farther from a local time than this, no instant can show that local time: every offset
// is below 26 hours (TzifZone::kMaxOffset, and POSIX footers stay within 25).
constexpr std::int64_t kSearchWindow = 26 * 3600;

Status configError(std::string_view spec, const std::string& reason) {
  return Status(ErrorCode::ConfigError, "time zone '" + std::string(spec) + "': " + reason);
}

// "Z" or "+hh:mm" / "-hh:mm" (as normalizeZone() gives them) in seconds.
int offsetSeconds(const std::string& normalized) {
  if (normalized == "Z") {
    return 0;
  }
  int hours = (normalized[1] - '0') * 10 + (normalized[2] - '0');
  int minutes = (normalized[4] - '0') * 10 + (normalized[5] - '0');
  int magnitude = hours * 3600 + minutes * 60;
  return normalized[0] == '-' ? -magnitude : magnitude;
}

// A name may only reach a file inside the zoneinfo directory.
std::optional<std::string> refuseName(std::string_view name) {
  if (name.find("..") != std::string_view::npos || name.front() == '/') {
    return "a zone name may not contain '..' or start with '/'";
  }
  bool allowed = std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '+' || c == '-' || c == '/';
  });
  if (!allowed) {
    return "a zone name may only hold letters, digits, '_', '+', '-' and '/'";
  }
  return std::nullopt;
}

// The whole file, or an error when it is missing, unreadable or larger than TZif files get.
Result<std::string> readZoneFile(std::string_view spec, const std::string& dir) {
  std::filesystem::path path = std::filesystem::path(dir) / spec;
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    return Status(ErrorCode::ConfigError,
                  "no such time zone '" + std::string(spec) + "' under " + dir);
  }
  std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error || size > TzifZone::kMaxFileSize) {
    return configError(spec, path.string() + " is unreadable or larger than 1 MiB");
  }
  std::string bytes(static_cast<std::size_t>(size), '\0');
  std::ifstream in(path, std::ios::binary);
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!in) {
    return configError(spec, "cannot read " + path.string());
  }
  return bytes;
}

}  // namespace

TimeZone::TimeZone(std::string name, int fixed_offset, std::shared_ptr<const TzifZone> zone)
    : name_(std::move(name)), fixed_offset_(fixed_offset), zone_(std::move(zone)) {}

Result<TimeZone> TimeZone::parse(std::string_view spec, const std::string& zoneinfo_dir) {
  if (spec.empty()) {
    return configError(spec, "empty time zone");
  }
  if (std::optional<std::string> fixed = normalizeZone(spec)) {
    return TimeZone(*fixed, offsetSeconds(*fixed), nullptr);
  }
  if (spec.front() == '+' || spec.front() == '-') {
    return configError(spec, "not a UTC offset (\"+hh:mm\", \"-hh:mm\", at most 14:00)");
  }

  if (std::optional<std::string> refused = refuseName(spec)) {
    return configError(spec, *refused);
  }
  Result<std::string> bytes = readZoneFile(spec, zoneinfo_dir);
  if (!bytes.isOk()) {
    return bytes.status();
  }
  Result<TzifZone> zone = TzifZone::parse(bytes.value());
  if (!zone.isOk()) {
    return configError(spec,
                       zoneinfo_dir + "/" + std::string(spec) + ": " + zone.status().context());
  }
  return TimeZone(std::string(spec), 0, std::make_shared<const TzifZone>(std::move(zone).value()));
}

TimeZone TimeZone::utc() { return TimeZone("Z", 0, nullptr); }

std::string TimeZone::suffixForLocal(std::int64_t local_seconds) const {
  return zone_ ? formatOffset(offsetForLocal(local_seconds)) : name_;
}

int TimeZone::offsetForLocal(std::int64_t local_seconds) const {
  if (!zone_) {
    return fixed_offset_;
  }
  // Keeps every instant below within the range the calendar arithmetic is exact for.
  std::int64_t local = std::clamp(local_seconds, -PosixTzRule::kMaxSeconds + 2 * kSearchWindow,
                                  PosixTzRule::kMaxSeconds - 2 * kSearchWindow);

  // Walk the periods between changes, in time order, from one that surely ends before the
  // local time could occur. The first period whose local span holds the time gives its
  // first occurrence; a change that jumps over the time leaves it in a gap, and the offset
  // before that change applies.
  std::int64_t at = local - kSearchWindow;
  std::int32_t offset = zone_->offsetAt(at);
  while (true) {
    std::optional<ZoneTransition> next = zone_->nextTransitionAfter(at);
    bool before_next = !next || local - offset < next->at;
    if (before_next || local - next->offset < next->at) {
      return offset;  // inside the current period, or in the gap that `next` jumps over
    }
    offset = next->offset;
    at = next->at;
  }
}

std::string TimeZone::formatOffset(int seconds) {
  std::int64_t magnitude = seconds < 0 ? -std::int64_t{seconds} : std::int64_t{seconds};
  std::int64_t minutes = magnitude / 60;  // toward zero, so -4:56:02 is -04:56
  std::int64_t hours = minutes / 60;
  std::string out(1, seconds < 0 && minutes > 0 ? '-' : '+');
  if (hours < 10) {
    out += '0';
  }
  out += std::to_string(hours);
  out += ':';
  out += static_cast<char>('0' + minutes % 60 / 10);
  out += static_cast<char>('0' + minutes % 10);
  return out;
}

}  // namespace ferry::mappings::v2fhir
