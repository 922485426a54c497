#include "connectors/fhir_http/fhir_http_headers.h"

#include <algorithm>
#include <sstream>
#include <string>

#include <Poco/Base64Encoder.h>
#include <Poco/DateTime.h>
#include <Poco/DateTimeParser.h>

namespace ferry::connectors::fhir_http {

std::chrono::milliseconds parseRetryAfter(std::string_view value,
                                          std::chrono::system_clock::time_point now) {
  std::size_t first = value.find_first_not_of(" \t");
  std::size_t last = value.find_last_not_of(" \t");
  if (first == std::string_view::npos) {
    return std::chrono::milliseconds(0);
  }
  value = value.substr(first, last - first + 1);

  bool digits = true;
  for (char c : value) {
    digits = digits && c >= '0' && c <= '9';
  }
  if (digits) {
    // More digits than a day of seconds needs cannot be in range; stop before overflow.
    if (value.size() > 6) {
      return kMaxRetryAfter;
    }
    auto seconds = std::chrono::seconds(std::stoll(std::string(value)));
    return std::min<std::chrono::milliseconds>(seconds, kMaxRetryAfter);
  }

  Poco::DateTime date;
  int zone = 0;
  if (!Poco::DateTimeParser::tryParse(std::string(value), date, zone)) {
    return std::chrono::milliseconds(0);
  }
  date.makeUTC(zone);
  auto at = std::chrono::system_clock::time_point(
      std::chrono::microseconds(date.timestamp().epochMicroseconds()));
  if (at <= now) {
    return std::chrono::milliseconds(0);
  }
  auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(at - now);
  return std::min<std::chrono::milliseconds>(wait, kMaxRetryAfter);
}

std::string formUrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '*';
    if (unreserved) {
      encoded.push_back(c);
    } else if (c == ' ') {
      encoded.push_back('+');
    } else {
      encoded.push_back('%');
      encoded.push_back(kHex[byte >> 4]);
      encoded.push_back(kHex[byte & 0x0f]);
    }
  }
  return encoded;
}

std::string basicCredentials(std::string_view client_id, std::string_view client_secret) {
  std::ostringstream encoded;
  Poco::Base64Encoder encoder(encoded);
  encoder.rdbuf()->setLineLength(0);  // one line: a header value must not break
  encoder << formUrlEncode(client_id) << ':' << formUrlEncode(client_secret);
  encoder.close();
  return "Basic " + encoded.str();
}

bool isHeaderToken(std::string_view text) {
  if (text.empty()) {
    return false;
  }
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f) {
      return false;
    }
  }
  return true;
}

}  // namespace ferry::connectors::fhir_http
