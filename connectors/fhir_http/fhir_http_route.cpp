#include "connectors/fhir_http/fhir_http_route.h"

#include <cstdint>
#include <string_view>
#include <utility>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/String.h>

#include "connectors/fhir_http/fhir_http_responses.h"

namespace ferry::connectors::fhir_http {
namespace {

using Poco::Net::HTTPRequest;
using Poco::Net::HTTPServerRequest;

Route notAllowed(const std::string& allow) {
  return refusal(405, "not-supported", "this endpoint takes " + allow + " only", allow);
}

// Checks the Content-Type of a POST: FHIR JSON in UTF-8 (FHIR R4 http.html#mime-type), or the
// plain JSON media type many clients send. An empty Route (status 0) means acceptable.
Route checkContentType(const HTTPServerRequest& request) {
  if (!request.has("Content-Type")) {
    return refusal(415, "not-supported",
                   "Content-Type is missing: send FHIR JSON as application/fhir+json");
  }
  std::string value = request.getContentType();
  std::string media = Poco::toLower(Poco::trim(value.substr(0, value.find(';'))));
  if (media.find("xml") != std::string::npos) {
    return refusal(415, "not-supported",
                   "FHIR XML is not supported by this listener: send FHIR JSON "
                   "(application/fhir+json)");
  }
  if (media != "application/fhir+json" && media != "application/json") {
    return refusal(415, "not-supported",
                   "unsupported Content-Type: send FHIR JSON (application/fhir+json)");
  }
  // Parameters: only the character set is checked; FHIR JSON is always UTF-8.
  std::size_t start = value.find(';');
  while (start != std::string::npos) {
    std::size_t end = value.find(';', start + 1);
    std::string parameter = Poco::toLower(Poco::trim(value.substr(start + 1, end - start - 1)));
    if (parameter.rfind("charset=", 0) == 0) {
      std::string charset = parameter.substr(8);
      if (charset.size() >= 2 && charset.front() == '"' && charset.back() == '"') {
        charset = charset.substr(1, charset.size() - 2);
      }
      if (charset != "utf-8" && charset != "utf8") {
        return refusal(415, "not-supported", "FHIR JSON must be UTF-8 (charset=utf-8)");
      }
    }
    start = end;
  }
  if (request.has("Content-Encoding") &&
      Poco::icompare(Poco::trim(request.get("Content-Encoding")), "identity") != 0) {
    return refusal(415, "not-supported", "content encodings (gzip, ...) are not supported");
  }
  return {};
}

// Decides what to do with a POST before its body is read.
Route checkPostBody(const HTTPServerRequest& request, std::size_t max_body_bytes) {
  Route refused = checkContentType(request);
  if (refused.status != 0) {
    return refused;
  }
  if (request.getChunkedTransferEncoding()) {
    return {};
  }
  if (!request.hasContentLength()) {
    return refusal(411, "structure", "a Content-Length or chunked Transfer-Encoding is required");
  }
  std::int64_t length = request.getContentLength64();
  if (length < 0) {
    return refusal(400, "structure", "Content-Length is not valid");
  }
  if (static_cast<std::uint64_t>(length) > max_body_bytes) {
    return refusal(413, "too-long",
                   "body exceeds max_body_bytes (" + std::to_string(max_body_bytes) + " bytes)");
  }
  return {};
}

}  // namespace

Route refusal(int status, std::string issue_code, std::string diagnostics, std::string allow) {
  Route route;
  route.status = status;
  route.issue_code = std::move(issue_code);
  route.diagnostics = std::move(diagnostics);
  route.allow = std::move(allow);
  return route;
}

// Refuses a request whose body length could be read two ways (RFC 9112 sections 5.1 and 6.3):
// a header name with white space, several Content-Length fields or one that is not digits,
// Content-Length beside Transfer-Encoding, a transfer coding other than chunked, or a body on
// a method other than POST. A proxy in front of Ferry may have framed it differently, so what
// follows on the connection cannot be trusted either: the connection is closed after the answer.
Route checkFraming(const HTTPServerRequest& request) {
  int lengths = 0;
  int encodings = 0;
  bool bad_name = false;
  bool bad_length = false;
  bool declares_body = false;
  for (const auto& [name, value] : request) {
    // "Content-Length : 5" is stored under a name with a space, which no lookup finds; a proxy
    // may have honoured it (RFC 9112 section 5.1 says to refuse it).
    bad_name |= name.find_first_of(" \t") != std::string::npos;
    if (Poco::icompare(name, "Content-Length") == 0) {
      ++lengths;
      std::string digits = Poco::trim(value);
      bad_length |= digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos;
      declares_body |= digits.find_first_not_of('0') != std::string::npos;
    }
    if (Poco::icompare(name, "Transfer-Encoding") == 0) {
      ++encodings;
      declares_body = true;
    }
  }
  Route refused;
  if (bad_name) {
    refused = refusal(400, "structure", "a header name contains white space");
  } else if (lengths > 1) {
    refused = refusal(400, "structure", "more than one Content-Length field");
  } else if (bad_length) {
    refused = refusal(400, "structure", "Content-Length is not a number of bytes");
  } else if (encodings > 0 && lengths > 0) {
    refused = refusal(400, "structure", "both Content-Length and Transfer-Encoding are present");
  } else if (encodings > 1 ||
             (encodings == 1 &&
              Poco::icompare(Poco::trim(request.get("Transfer-Encoding")), "chunked") != 0)) {
    refused = refusal(501, "not-supported", "only the chunked transfer coding is supported");
  } else if (declares_body && request.getMethod() != HTTPRequest::HTTP_POST) {
    // Only POST bodies are read: another method's body would be taken for the next request.
    refused = refusal(400, "structure", "only POST requests may carry a body");
  }
  refused.close_connection = refused.status != 0;
  return refused;
}

Route classifyRequest(const HTTPServerRequest& request, const ListenerConfig& config,
                      bool stopping) {
  if (Route refused = checkFraming(request); refused.status != 0) {
    return refused;
  }
  if (stopping) {
    return refusal(503, "transient", "the listener is stopping; send again later");
  }
  const std::string& uri = request.getURI();
  std::string path = uri.substr(0, uri.find_first_of("?#"));
  const std::string& base = config.base_path;
  if (path.compare(0, base.size(), base) != 0 ||
      (path.size() > base.size() && path[base.size()] != '/')) {
    return refusal(404, "not-found", "no FHIR endpoint at this path");
  }
  std::string rest = path.substr(base.size());
  const std::string& method = request.getMethod();
  bool post = method == HTTPRequest::HTTP_POST;

  Route route;
  if (rest.empty() || rest == "/") {
    if (!post) {
      return notAllowed("POST");
    }
    route.kind = Route::Kind::Base;
  } else if (rest == "/metadata") {
    if (method != HTTPRequest::HTTP_GET) {
      return notAllowed("GET");
    }
    route.kind = Route::Kind::Metadata;
    return route;
  } else if (isResourceTypeName(std::string_view(rest).substr(1))) {
    if (!post) {
      return notAllowed("POST");
    }
    route.kind = Route::Kind::Create;
    route.type = rest.substr(1);
  } else {
    return refusal(404, "not-found",
                   "no FHIR endpoint at this path: this listener takes POST [base]/[type] "
                   "(create) and POST [base] (transaction or batch)");
  }

  try {
    Route refused = checkPostBody(request, config.max_body_bytes);
    if (refused.status != 0) {
      return refused;
    }
  } catch (const Poco::Exception&) {
    return refusal(400, "structure", "Content-Length is not valid");
  }
  return route;
}

std::string describeTarget(const Route& route) {
  switch (route.kind) {
    case Route::Kind::Create:
      return route.type;
    case Route::Kind::Base:
      return "[base]";
    case Route::Kind::Metadata:
      return "metadata";
    case Route::Kind::Refuse:
      break;
  }
  return "-";
}

}  // namespace ferry::connectors::fhir_http
