#pragma once

// Small pieces of HTTP the FHIR destination needs: reading Retry-After, and the
// application/x-www-form-urlencoded and Basic credentials encodings of an OAuth2 token
// request. Pure functions; safe from any thread.

#include <chrono>
#include <string>
#include <string_view>

namespace ferry::connectors::fhir_http {

// Longest wait a Retry-After may ask for; a larger value is read as this. A server's typo must
// not park a destination for a year.
inline constexpr std::chrono::hours kMaxRetryAfter(24);

// The wait a Retry-After header value asks for (RFC 9110 10.2.3): delay-seconds, or an
// HTTP-date less `now`. Zero for a date in the past, an empty or unreadable value.
std::chrono::milliseconds parseRetryAfter(std::string_view value,
                                          std::chrono::system_clock::time_point now);

// application/x-www-form-urlencoded encoding of one name or value (WHATWG URL, as RFC 6749
// appendix B asks): unreserved characters kept, ' ' as '+', every other byte as %XX.
std::string formUrlEncode(std::string_view text);

// "Basic " + base64(formUrlEncode(id) ":" formUrlEncode(secret)), RFC 6749 2.3.1.
std::string basicCredentials(std::string_view client_id, std::string_view client_secret);

// Whether `text` may stand in a header value as a token: printable ASCII, no spaces.
bool isHeaderToken(std::string_view text);

}  // namespace ferry::connectors::fhir_http
