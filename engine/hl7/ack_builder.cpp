#include "engine/hl7/ack_builder.h"

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

#include "engine/hl7/text_codec.h"

// An ACK answers the sender in the sender's own terms: its delimiters, version and processing
// id, and its own header values (applications, facilities, control id) copied back. Everything
// Ferry itself writes into the ACK (diagnostics, its control id) is reduced to printable ASCII
// and escaped, so that no input can break the ACK's structure.

namespace ferry::engine::hl7 {

namespace {

using detail::DelimiterSet;

constexpr std::string_view kDefaultVersion = "2.5.1";
constexpr std::string_view kDefaultProcessingId = "P";
// How far into unparsable bytes to look for an MSH segment, and how long a recovered value is.
constexpr std::size_t kMaxHeaderScan = 64 * 1024;
constexpr std::size_t kMaxRecoveredValue = 200;

// What goes into the ACK's MSH and MSA-2, already encoded for the ACK's delimiters.
struct AckHeader {
  DelimiterSet delimiters;
  std::string encoding_characters = "^~\\&";
  std::string sending_application;  // of the original message
  std::string sending_facility;
  std::string receiving_application;
  std::string receiving_facility;
  std::string trigger;
  std::string control_id;  // of the original message, for MSA-2
  std::string processing_id{kDefaultProcessingId};
  std::string version{kDefaultVersion};
  std::string charset;
  bool legacy_err = false;  // v2.4 and before: also fill ERR-1 (ELD)
};

std::string_view errorCodeText(std::string_view code) {
  struct Entry {
    std::string_view code;
    std::string_view text;
  };
  static constexpr std::array<Entry, 14> kTable0357 = {{
      {"0", "Message accepted"},
      {"100", "Segment sequence error"},
      {"101", "Required field missing"},
      {"102", "Data type error"},
      {"103", "Table value not found"},
      {"104", "Value too long"},
      {"200", "Unsupported message type"},
      {"201", "Unsupported event code"},
      {"202", "Unsupported processing id"},
      {"203", "Unsupported version id"},
      {"204", "Unknown key identifier"},
      {"205", "Duplicate key identifier"},
      {"206", "Application record locked"},
      {"207", "Application internal error"},
  }};
  for (const Entry& entry : kTable0357) {
    if (entry.code == code) {
      return entry.text;
    }
  }
  return {};
}

// Text Ferry writes: printable ASCII only (line breaks and control bytes become spaces, other
// bytes '?'), then escaped.
std::string ownText(std::string_view text, const DelimiterSet& delimiters,
                    std::size_t max_length = std::string_view::npos) {
  std::string plain;
  for (char c : text.substr(0, max_length)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {
      plain.push_back(' ');
    } else if (byte >= 0x80) {
      plain.push_back('?');
    } else {
      plain.push_back(c);
    }
  }
  std::string escaped;
  detail::appendEscaped(escaped, plain, delimiters);  // ACK delimiters always include escape
  return escaped;
}

// A raw field of the original, copied as it is except for line breaks inside it (wrapped
// values), which would end the ACK segment and are written as \X0D\ and \X0A\.
std::string copiedField(std::string_view raw, const DelimiterSet& delimiters) {
  std::string out;
  const char escape = static_cast<char>(delimiters.escape);
  // Every control byte is written as a hex escape: a raw CR would end the segment and a raw
  // 0x1C (MLLP end block) before a CR would end the ACK's frame early.
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : raw) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      out.push_back(escape);
      out.push_back('X');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0x0f]);
      out.push_back(escape);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool isLegacyVersion(std::string_view version) {
  // "2.1" to "2.4" (and their sub-versions) predate ERR-2..ERR-8.
  return version.size() >= 3 && version[0] == '2' && version[1] == '.' && version[2] >= '1' &&
         version[2] <= '4' && (version.size() == 3 || version[3] == '.');
}

AckHeader headerFrom(const Message& original) {
  AckHeader header;
  const Delimiters& d = original.delimiters();
  const bool complete =
      d.component != '\0' && d.repetition != '\0' && d.escape != '\0' && d.subcomponent != '\0';
  if (complete) {
    header.delimiters.field = d.field;
    header.delimiters.component = static_cast<unsigned char>(d.component);
    header.delimiters.repetition = static_cast<unsigned char>(d.repetition);
    header.delimiters.escape = static_cast<unsigned char>(d.escape);
    header.delimiters.subcomponent = static_cast<unsigned char>(d.subcomponent);
    header.encoding_characters = {d.component, d.repetition, d.escape, d.subcomponent};
    if (d.truncation != '\0') {
      header.delimiters.truncation = static_cast<unsigned char>(d.truncation);
      header.encoding_characters.push_back(d.truncation);
    }
    auto copy = [&](std::size_t field) {
      return copiedField(original.rawField(0, field), header.delimiters);
    };
    header.sending_application = copy(3);
    header.sending_facility = copy(4);
    header.receiving_application = copy(5);
    header.receiving_facility = copy(6);
    header.control_id = copy(10);
    header.charset = copy(18);
    if (!original.rawField(0, 11).empty()) {
      header.processing_id = copy(11);
    }
    if (!original.rawField(0, 12).empty()) {
      header.version = copy(12);
    }
  } else {
    // Without a full set of delimiters the original's raw fields cannot be copied faithfully:
    // write standard delimiters and the decoded first components.
    const DelimiterSet& delims = header.delimiters;
    header.sending_application = ownText(original.sendingApplication(), delims);
    header.sending_facility = ownText(original.sendingFacility(), delims);
    header.receiving_application = ownText(original.receivingApplication(), delims);
    header.receiving_facility = ownText(original.receivingFacility(), delims);
    header.control_id = ownText(original.controlId(), delims);
    if (!original.processingId().empty()) {
      header.processing_id = ownText(original.processingId(), delims);
    }
    if (!original.version().empty()) {
      header.version = ownText(original.version(), delims);
    }
  }
  header.trigger = ownText(original.triggerEvent(), header.delimiters);
  header.legacy_err = isLegacyVersion(original.version());
  return header;
}

std::string nowTimestamp() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::array<char, 32> buffer{};
  std::strftime(buffer.data(), buffer.size(), "%Y%m%d%H%M%S+0000", &utc);
  return buffer.data();
}

// ERR-2 (ERL): segment id ^ sequence ^ field ^ repetition ^ component, empty parts trimmed.
std::string errorLocationField(const ErrorLocation& location, std::size_t sequence,
                               const DelimiterSet& delimiters) {
  if (location.segment_id.empty()) {
    return {};
  }
  const char component = static_cast<char>(delimiters.component);
  std::array<std::size_t, 4> parts = {sequence, location.field, location.repetition,
                                      location.component};
  std::size_t used = parts.size();
  while (used > 0 && parts[used - 1] == 0) {
    --used;
  }
  std::string out = ownText(location.segment_id, delimiters, 3);
  for (std::size_t i = 0; i < used; ++i) {
    out.push_back(component);
    if (parts[i] > 0) {
      out += std::to_string(parts[i]);
    }
  }
  return out;
}

std::string render(const AckHeader& header, const AckRequest& request,
                   const std::vector<std::size_t>& sequences) {
  const DelimiterSet& delims = header.delimiters;
  const char fs = delims.field;
  const char component = static_cast<char>(delims.component);
  const char subcomponent = static_cast<char>(delims.subcomponent);
  const std::string timestamp =
      request.timestamp.empty() ? nowTimestamp() : ownText(request.timestamp, delims);

  std::string out = "MSH";
  out += fs;
  out += header.encoding_characters;
  for (const std::string* value :
       {&header.receiving_application, &header.receiving_facility, &header.sending_application,
        &header.sending_facility, &timestamp}) {
    out += fs;
    out += *value;
  }
  out += fs;  // MSH-8 security
  out += fs;
  out += "ACK";
  if (!header.trigger.empty()) {
    out += component;
    out += header.trigger;
    out += component;
    out += "ACK";
  }
  out += fs;
  out += ownText(request.ack_control_id, delims);
  out += fs;
  out += header.processing_id;
  out += fs;
  out += header.version;
  if (!header.charset.empty()) {
    out.append(6, fs);  // MSH-13 to MSH-17 empty, then MSH-18
    out += header.charset;
  }
  out += '\r';

  out += "MSA";
  out += fs;
  out += ownText(request.msa_code, delims);
  out += fs;
  out += header.control_id;
  if (!request.text.empty()) {
    out += fs;
    out += ownText(request.text, delims);
  }
  out += '\r';

  for (std::size_t i = 0; i < request.errors.size(); ++i) {
    const AckErrorDetail& error = request.errors[i];
    const std::string code = ownText(error.hl7_error_code, delims);
    const std::string code_text = std::string(errorCodeText(error.hl7_error_code));
    out += "ERR";
    out += fs;
    if (header.legacy_err && !error.location.segment_id.empty()) {
      // ERR-1 (ELD) for v2.4 and before: segment ^ sequence ^ field ^ code & text & table.
      out += ownText(error.location.segment_id, delims, 3);
      out += component;
      out += sequences[i] > 0 ? std::to_string(sequences[i]) : std::string();
      out += component;
      out += error.location.field > 0 ? std::to_string(error.location.field) : std::string();
      out += component;
      out += code;
      out += subcomponent;
      out += code_text;
      out += subcomponent;
      out += "HL70357";
    }
    out += fs;
    out += errorLocationField(error.location, sequences[i], delims);
    out += fs;
    out += code;
    out += component;
    out += code_text;
    out += component;
    out += "HL70357";
    out += fs;
    out += ownText(error.severity.empty() ? std::string("E") : error.severity, delims);
    out.append(4, fs);  // ERR-5 to ERR-7 empty, then ERR-8
    out += ownText(error.text, delims);
    out += '\r';
  }
  return out;
}

// ERL.2 counts occurrences of the segment id, while locations count segments in the message.
std::vector<std::size_t> sequencesIn(const Message& message, const AckRequest& request) {
  std::vector<std::size_t> sequences;
  for (const AckErrorDetail& error : request.errors) {
    const ErrorLocation& location = error.location;
    std::size_t sequence = 0;
    if (location.segment_index > 0 && location.segment_index <= message.segmentCount() &&
        message.segmentId(location.segment_index - 1) == location.segment_id) {
      for (std::size_t i = 0; i < location.segment_index; ++i) {
        sequence += message.segmentId(i) == location.segment_id ? 1 : 0;
      }
    }
    sequences.push_back(sequence);
  }
  return sequences;
}

// The same for bytes that did not parse: counts lines that start like a segment.
std::vector<std::size_t> sequencesInRaw(std::string_view raw, const AckRequest& request) {
  std::vector<std::size_t> sequences;
  for (const AckErrorDetail& error : request.errors) {
    const ErrorLocation& location = error.location;
    std::size_t sequence = 0;
    if (location.segment_id == "MSH") {
      sequence = 1;
    } else if (location.segment_index > 0 && location.segment_id.size() == 3) {
      std::size_t index = 0;
      std::size_t same = 0;
      std::size_t line = 0;
      while (line < raw.size() && index < location.segment_index) {
        std::string_view id = raw.substr(line, 3);
        if (id.size() == 3 && id[0] >= 'A' && id[0] <= 'Z') {
          ++index;
          same += id == location.segment_id ? 1 : 0;
        }
        std::size_t end = raw.find_first_of("\r\n", line);
        line = end == std::string_view::npos ? raw.size() : end + 1;
      }
      sequence = index == location.segment_index ? same : 0;
    }
    sequences.push_back(sequence);
  }
  return sequences;
}

// The MSH line in bytes that did not parse, or empty when there is none.
std::string_view findHeaderLine(std::string_view raw) {
  const std::string_view scanned = raw.substr(0, kMaxHeaderScan);
  std::size_t pos = 0;
  for (;;) {
    pos = scanned.find("MSH", pos);
    if (pos == std::string_view::npos || pos + 3 >= scanned.size()) {
      return {};
    }
    // Only an MSH at the start of a line (after stray control bytes or a BOM at most) is a
    // header: "MSH|" inside some other segment's text is data, and copying from it could echo
    // PHI back to the sender.
    bool line_start = true;
    for (std::size_t before = pos; before > 0; --before) {
      const auto byte = static_cast<unsigned char>(scanned[before - 1]);
      if (byte == '\r' || byte == '\n') {
        break;
      }
      if (byte >= 0x20 && byte != 0xEF && byte != 0xBB && byte != 0xBF) {
        line_start = false;
        break;
      }
    }
    if (line_start && detail::isDelimiterChar(scanned[pos + 3])) {
      break;
    }
    pos += 3;
  }
  const std::size_t end = scanned.find_first_of("\r\n", pos);
  return scanned.substr(pos, end == std::string_view::npos ? scanned.size() - pos : end - pos);
}

// Header values split out of an MSH line whose delimiters could not be read, written with the
// standard delimiters.
AckHeader recoverHeader(std::string_view line) {
  AckHeader header;
  if (line.size() < 4) {
    return header;
  }
  const char fs = line[3];
  // fields[n - 1] is MSH-n.
  std::vector<std::string_view> fields = {line.substr(3, 1)};
  std::size_t start = 4;
  while (start <= line.size() && fields.size() < 12) {
    const std::size_t end = line.find(fs, start);
    fields.push_back(
        line.substr(start, end == std::string_view::npos ? line.size() - start : end - start));
    if (end == std::string_view::npos) {
      break;
    }
    start = end + 1;
  }
  auto field = [&](std::size_t n) {
    return n <= fields.size() ? fields[n - 1] : std::string_view();
  };
  auto prefix = [](std::string_view value, bool (*keep)(char)) {
    std::size_t length = 0;
    while (length < value.size() && length < kMaxRecoveredValue && keep(value[length])) {
      ++length;
    }
    return value.substr(0, length);
  };
  const DelimiterSet& delims = header.delimiters;
  header.sending_application = ownText(field(3), delims, kMaxRecoveredValue);
  header.sending_facility = ownText(field(4), delims, kMaxRecoveredValue);
  header.receiving_application = ownText(field(5), delims, kMaxRecoveredValue);
  header.receiving_facility = ownText(field(6), delims, kMaxRecoveredValue);
  header.control_id = ownText(field(10), delims, kMaxRecoveredValue);
  std::string_view processing =
      prefix(field(11), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); });
  if (!processing.empty()) {
    header.processing_id = std::string(processing);
  }
  std::string_view version =
      prefix(field(12), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
  if (!version.empty()) {
    header.version = std::string(version);
  }
  header.legacy_err = isLegacyVersion(header.version);
  return header;
}

}  // namespace

std::string buildAck(const Message& original, const AckRequest& request) {
  return render(headerFrom(original), request, sequencesIn(original, request));
}

std::string buildAckForUnparsed(std::string_view raw, const AckRequest& request) {
  const std::vector<std::size_t> sequences = sequencesInRaw(raw, request);
  const std::string_view line = findHeaderLine(raw);
  if (line.empty()) {
    return render(AckHeader{}, request, sequences);
  }
  auto header = Message::parse(line);
  if (header.isOk()) {
    return render(headerFrom(header.value()), request, sequences);
  }
  return render(recoverHeader(line), request, sequences);
}

AckMode ackModeOf(const Message& message) {
  return message.acceptAckType().empty() && message.applicationAckType().empty()
             ? AckMode::Original
             : AckMode::Enhanced;
}

bool ackWanted(std::string_view condition, bool succeeded) {
  if (condition == "NE") {
    return false;
  }
  if (condition == "ER") {
    return !succeeded;
  }
  if (condition == "SU") {
    return succeeded;
  }
  return true;
}

std::string_view commitCodeFor(std::string_view msa_code) {
  if (msa_code == "AA") {
    return "CA";
  }
  if (msa_code == "AE") {
    return "CE";
  }
  if (msa_code == "AR") {
    return "CR";
  }
  return msa_code;
}

}  // namespace ferry::engine::hl7
