#include "mappings/v2_fhir/tzif_zone.h"

#include <algorithm>
#include <iterator>
#include <string>
#include <utility>

namespace ferry::mappings::v2fhir {
namespace {

using engine::ErrorCode;
using engine::Result;
using engine::Status;

constexpr std::size_t kHeaderSize = 44;

// The header fields after the magic and version (RFC 8536 section 3.1), in file order.
struct Header {
  char version = 0;
  std::uint32_t isutcnt = 0;
  std::uint32_t isstdcnt = 0;
  std::uint32_t leapcnt = 0;
  std::uint32_t timecnt = 0;
  std::uint32_t typecnt = 0;
  std::uint32_t charcnt = 0;
};

// The parts of a data block that offsets depend on.
struct Block {
  std::vector<ZoneTransition> transitions;
  std::int32_t initial_offset = 0;
};

Status invalid(const std::string& reason) { return Status(ErrorCode::ConfigError, reason); }

// Big-endian unsigned integer of 1 to 8 bytes.
std::uint64_t bigEndian(std::string_view bytes) {
  std::uint64_t value = 0;
  for (char c : bytes) {
    value = (value << 8) | static_cast<unsigned char>(c);
  }
  return value;
}

// Hands out consecutive slices of the file; a slice past the end is refused, which is what
// keeps every later allocation within the file size.
class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}

  std::optional<std::string_view> take(std::uint64_t count) {
    if (count > bytes_.size() - pos_) {
      return std::nullopt;
    }
    std::string_view slice = bytes_.substr(pos_, static_cast<std::size_t>(count));
    pos_ += static_cast<std::size_t>(count);
    return slice;
  }

  std::string_view rest() const { return bytes_.substr(pos_); }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

Result<Header> readHeader(ByteReader& in) {
  std::optional<std::string_view> bytes = in.take(kHeaderSize);
  if (!bytes || bytes->substr(0, 4) != "TZif") {
    return invalid(bytes ? "not a TZif file" : "not a TZif file (shorter than a header)");
  }
  Header header;
  header.version = (*bytes)[4];
  if (header.version != '\0' && (header.version < '2' || header.version > '4')) {
    return invalid("unsupported TZif version");
  }
  std::uint32_t* counts[] = {&header.isutcnt, &header.isstdcnt, &header.leapcnt,
                             &header.timecnt, &header.typecnt,  &header.charcnt};
  for (std::size_t i = 0; i < 6; ++i) {
    *counts[i] = static_cast<std::uint32_t>(bigEndian(bytes->substr(20 + 4 * i, 4)));
  }
  return header;
}

// Bytes of the data block that follows `header`; `time_size` is 4 (version 1) or 8.
std::uint64_t blockSize(const Header& header, std::uint64_t time_size) {
  return header.timecnt * (time_size + 1) + header.typecnt * std::uint64_t{6} + header.charcnt +
         header.leapcnt * (time_size + 4) + header.isstdcnt + header.isutcnt;
}

// The rules of RFC 8536 section 3.1 that the data block relies on.
Status checkCounts(const Header& header) {
  if (header.typecnt == 0 || header.charcnt == 0) {
    return invalid("TZif header has no local time types or no designations");
  }
  if (header.typecnt > 256) {
    return invalid("TZif header has more local time types than a transition can refer to");
  }
  if ((header.isstdcnt != 0 && header.isstdcnt != header.typecnt) ||
      (header.isutcnt != 0 && header.isutcnt != header.typecnt)) {
    return invalid("TZif header counts do not match");
  }
  if (header.leapcnt != 0) {
    return invalid("TZif file with leap seconds (a \"right/\" zone) is not supported");
  }
  return Status::ok();
}

// The UTC offsets of the local time types (6 bytes each: utoff, isdst, desigidx).
Result<std::vector<std::int32_t>> readTypes(std::string_view bytes, const Header& header) {
  std::vector<std::int32_t> offsets;
  offsets.reserve(header.typecnt);
  for (std::size_t at = 0; at < bytes.size(); at += 6) {
    auto offset =
        static_cast<std::int32_t>(static_cast<std::uint32_t>(bigEndian(bytes.substr(at, 4))));
    auto is_dst = static_cast<unsigned char>(bytes[at + 4]);
    auto designation = static_cast<unsigned char>(bytes[at + 5]);
    if (offset < TzifZone::kMinOffset || offset > TzifZone::kMaxOffset) {
      return invalid("TZif local time type " + std::to_string(at / 6) +
                     " has a UTC offset beyond 25 hours");
    }
    if (is_dst > 1 || designation >= header.charcnt) {
      return invalid("TZif local time type " + std::to_string(at / 6) + " is malformed");
    }
    offsets.push_back(offset);
  }
  return offsets;
}

// Signed transition time of 4 or 8 bytes.
std::int64_t transitionTime(std::string_view bytes) {
  std::uint64_t raw = bigEndian(bytes);
  if (bytes.size() == 4) {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(raw));
  }
  return static_cast<std::int64_t>(raw);
}

Result<Block> readBlock(ByteReader& in, const Header& header, std::size_t time_size) {
  std::optional<std::string_view> all = in.take(blockSize(header, time_size));
  if (!all) {
    return invalid("truncated TZif file (data block)");
  }
  if (Status counts = checkCounts(header); !counts.isOk()) {
    return counts;
  }
  std::string_view times = all->substr(0, header.timecnt * time_size);
  std::string_view indices = all->substr(times.size(), header.timecnt);
  Result<std::vector<std::int32_t>> types =
      readTypes(all->substr(times.size() + indices.size(), header.typecnt * 6), header);
  if (!types.isOk()) {
    return types.status();
  }

  Block block;
  block.initial_offset = types.value()[0];
  block.transitions.reserve(header.timecnt);
  for (std::size_t i = 0; i < header.timecnt; ++i) {
    std::int64_t at = transitionTime(times.substr(i * time_size, time_size));
    auto type = static_cast<unsigned char>(indices[i]);
    if (type >= header.typecnt || (i > 0 && at <= block.transitions.back().at)) {
      return invalid("TZif transition " + std::to_string(i) +
                     (type >= header.typecnt ? " has no such local time type"
                                             : " is not after the one before"));
    }
    block.transitions.push_back({at, types.value()[type]});
  }
  return block;
}

// The footer of version 2+ files: a TZ string between two newlines, possibly empty.
Result<std::optional<PosixTzRule>> readFooter(ByteReader& in) {
  std::string_view rest = in.rest();
  std::size_t end = rest.find('\n', 1);
  if (rest.empty() || rest[0] != '\n' || end == std::string_view::npos) {
    return invalid("truncated TZif file (footer)");
  }
  std::string_view text = rest.substr(1, end - 1);
  if (text.empty()) {
    return std::optional<PosixTzRule>();
  }
  Result<PosixTzRule> rule = PosixTzRule::parse(text);
  if (!rule.isOk()) {
    return rule.status();
  }
  return std::optional<PosixTzRule>(std::move(rule).value());
}

// The first transition strictly after `utc`, or end().
std::vector<ZoneTransition>::const_iterator firstAfter(
    const std::vector<ZoneTransition>& transitions, std::int64_t utc) {
  return std::upper_bound(
      transitions.begin(), transitions.end(), utc,
      [](std::int64_t value, const ZoneTransition& transition) { return value < transition.at; });
}

}  // namespace

Result<TzifZone> TzifZone::parse(std::string_view bytes) {
  if (bytes.size() > kMaxFileSize) {
    return invalid("TZif file larger than 1 MiB");
  }
  ByteReader in(bytes);
  Result<Header> header = readHeader(in);
  if (!header.isOk()) {
    return header.status();
  }

  // Version 2+ files repeat the data with 64-bit times after the version 1 block; readers
  // skip the version 1 block, whose counts need not be meaningful (slim files leave it empty).
  std::size_t time_size = 4;
  if (header.value().version != '\0') {
    if (!in.take(blockSize(header.value(), 4))) {
      return invalid("truncated TZif file (version 1 data block)");
    }
    header = readHeader(in);
    if (!header.isOk()) {
      return invalid("truncated or malformed TZif file (second header)");
    }
    time_size = 8;
  }
  Result<Block> block = readBlock(in, header.value(), time_size);
  if (!block.isOk()) {
    return block.status();
  }

  TzifZone zone;
  zone.transitions_ = std::move(block.value().transitions);
  zone.initial_offset_ = block.value().initial_offset;
  if (time_size == 8) {
    Result<std::optional<PosixTzRule>> footer = readFooter(in);
    if (!footer.isOk()) {
      return footer.status();
    }
    zone.footer_ = std::move(footer).value();
  }
  return zone;
}

std::int32_t TzifZone::offsetAt(std::int64_t utc) const {
  if (transitions_.empty()) {
    return footer_ ? footer_->offsetAt(utc) : initial_offset_;
  }
  if (utc < transitions_.front().at) {
    return initial_offset_;
  }
  if (utc > transitions_.back().at && footer_) {
    return footer_->offsetAt(utc);
  }
  return std::prev(firstAfter(transitions_, utc))->offset;
}

std::optional<ZoneTransition> TzifZone::nextTransitionAfter(std::int64_t utc) const {
  if (!transitions_.empty() && utc < transitions_.back().at) {
    return *firstAfter(transitions_, utc);
  }
  return footer_ ? footer_->nextTransitionAfter(utc) : std::nullopt;
}

}  // namespace ferry::mappings::v2fhir
