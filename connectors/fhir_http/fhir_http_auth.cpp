#include "connectors/fhir_http/fhir_http_auth.h"

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>

#include <Poco/Logger.h>
#include <Poco/String.h>
#include <rapidjson/document.h>

#include "connectors/fhir_http/fhir_http_client.h"
#include "connectors/fhir_http/fhir_http_headers.h"
#include "connectors/mllp/mllp_tls.h"

namespace ferry::connectors::fhir_http {
namespace {

using engine::ErrorCode;
using engine::Result;
using engine::Status;

// RFC 6749 5.1 leaves expires_in optional; without it the token is kept this long.
constexpr std::chrono::seconds kDefaultTokenLifetime(300);
// A token is replaced this long before it runs out (at most half its lifetime), so that a
// request never leaves with a token that expires on the way.
constexpr std::chrono::seconds kRenewBefore(60);

// The file's content without surrounding white space; std::nullopt when it cannot be read.
std::optional<std::string> readTrimmed(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return std::nullopt;
  }
  std::ostringstream content;
  content << file.rdbuf();
  if (file.bad()) {
    return std::nullopt;
  }
  std::string text = content.str();
  std::size_t first = text.find_first_not_of(" \t\r\n");
  std::size_t last = text.find_last_not_of(" \t\r\n");
  return first == std::string::npos ? std::string() : text.substr(first, last - first + 1);
}

// expires_in as a number of seconds; servers send a number, some a string of digits.
std::optional<std::int64_t> readExpiresIn(const rapidjson::Value& answer) {
  auto found = answer.FindMember("expires_in");
  if (found == answer.MemberEnd()) {
    return std::nullopt;
  }
  const rapidjson::Value& value = found->value;
  if (value.IsInt64()) {
    return value.GetInt64();
  }
  if (value.IsNumber()) {
    return static_cast<std::int64_t>(value.GetDouble());
  }
  if (value.IsString()) {
    std::string text(value.GetString(), value.GetStringLength());
    if (!text.empty() && text.size() < 10 &&
        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::stoll(text);
    }
  }
  return std::nullopt;
}

}  // namespace

Authenticator::Authenticator(const DestinationConfig& destination, Clock clock)
    : config_(destination.auth),
      clock_(std::move(clock)),
      what_("fhir_http destination '" + destination.name + "'") {
  if (config_.kind != AuthConfig::Kind::OAuth2) {
    return;
  }
  std::string problem;
  auto endpoint = parseHttpUrl(config_.oauth2.token_url, problem);
  if (!endpoint) {
    token_client_problem_ = failure(ErrorCode::ConfigError, "token_url " + problem);
    return;
  }
  Poco::Net::Context::Ptr context;
  if (endpoint->https) {
    auto made = mllp::makeClientContext(destination.tls, endpoint->host);
    if (!made.isOk()) {
      token_client_problem_ = failure(ErrorCode::ConfigError, made.status().context());
      return;
    }
    context = made.value();
  }
  token_client_ = std::make_unique<HttpClient>(*endpoint, context, destination.connect_timeout,
                                               destination.response_timeout,
                                               what_ + ": token endpoint " + endpoint->display);
}

Authenticator::~Authenticator() = default;

Result<std::string> Authenticator::authorization() {
  switch (config_.kind) {
    case AuthConfig::Kind::None:
      return std::string();
    case AuthConfig::Kind::BearerToken:
      return "Bearer " + config_.bearer_token;
    case AuthConfig::Kind::BearerTokenFile: {
      auto token = readTokenFile();
      if (!token.isOk()) {
        return token.status();
      }
      return "Bearer " + token.value();
    }
    case AuthConfig::Kind::OAuth2:
      if (token_.empty() || clock_() >= token_expires_) {
        auto fetched = fetchToken();
        if (!fetched.isOk()) {
          return fetched.status();
        }
      }
      return "Bearer " + token_;
  }
  return failure(ErrorCode::Internal, "unknown auth kind");
}

bool Authenticator::invalidate() {
  switch (config_.kind) {
    case AuthConfig::Kind::None:
    case AuthConfig::Kind::BearerToken:
      return false;
    case AuthConfig::Kind::BearerTokenFile: {
      // Worth another attempt only when the file now holds a different token.
      std::string refused = token_;
      token_.clear();
      auto token = readTokenFile();
      return token.isOk() && token.value() != refused;
    }
    case AuthConfig::Kind::OAuth2:
      token_.clear();
      return true;
  }
  return false;
}

void Authenticator::abort() {
  if (token_client_) {
    token_client_->abort();
  }
}

Result<std::string> Authenticator::readTokenFile() {
  const std::string& path = config_.bearer_token_file;
  std::error_code error;
  auto modified = std::filesystem::last_write_time(path, error);
  if (!token_.empty() && !error && modified == token_file_time_) {
    return token_;
  }
  auto content = readTrimmed(path);
  if (!content) {
    return failure(ErrorCode::IoError, "cannot read bearer_token_file '" + path + "'");
  }
  if (!isHeaderToken(*content)) {
    return failure(ErrorCode::IoError, "bearer_token_file '" + path +
                                           "' holds no usable token (empty, or white space or "
                                           "control characters inside)");
  }
  token_ = std::move(*content);
  token_file_time_ = error ? std::filesystem::file_time_type() : modified;
  return token_;
}

Result<std::string> Authenticator::fetchToken() {
  if (!token_client_) {
    return token_client_problem_;
  }
  const OAuth2Config& oauth2 = config_.oauth2;
  std::string secret = oauth2.client_secret;
  if (!oauth2.client_secret_file.empty()) {
    auto content = readTrimmed(oauth2.client_secret_file);
    if (!content || content->empty()) {
      return failure(ErrorCode::IoError,
                     "cannot read client_secret_file '" + oauth2.client_secret_file + "'");
    }
    secret = std::move(*content);
  }

  HttpRequestSpec request;
  request.method = "POST";
  request.path = token_client_->endpoint().path.empty() ? "/" : token_client_->endpoint().path;
  request.content_type = "application/x-www-form-urlencoded";
  request.headers.emplace_back("Accept", "application/json");
  std::string body = "grant_type=client_credentials";
  if (!oauth2.scope.empty()) {
    body += "&scope=" + formUrlEncode(oauth2.scope);
  }
  if (oauth2.client_authentication == ClientAuthentication::Basic) {
    request.headers.emplace_back("Authorization", basicCredentials(oauth2.client_id, secret));
  } else {
    body +=
        "&client_id=" + formUrlEncode(oauth2.client_id) + "&client_secret=" + formUrlEncode(secret);
  }

  ++token_requests_;
  auto reply = token_client_->exchange(request, body);
  if (!reply.isOk()) {
    return reply.status();
  }
  // The error body (RFC 6749 5.2) is not quoted: servers may echo what they were sent.
  if (reply.value().status != 200) {
    return failure(ErrorCode::RemoteError,
                   "token endpoint answered HTTP " + std::to_string(reply.value().status) +
                       (reply.value().status == 400 || reply.value().status == 401
                            ? " (check client_id and client secret)"
                            : ""));
  }

  rapidjson::Document answer;
  answer.Parse(reply.value().body.data(), reply.value().body.size());
  if (answer.HasParseError() || !answer.IsObject()) {
    return failure(ErrorCode::RemoteError, "token endpoint answer is not a JSON object");
  }
  auto access_token = answer.FindMember("access_token");
  if (access_token == answer.MemberEnd() || !access_token->value.IsString() ||
      !isHeaderToken(std::string_view(access_token->value.GetString(),
                                      access_token->value.GetStringLength()))) {
    return failure(ErrorCode::RemoteError, "token endpoint answer has no usable access_token");
  }
  auto token_type = answer.FindMember("token_type");
  if (token_type != answer.MemberEnd() &&
      (!token_type->value.IsString() ||
       Poco::icompare(std::string(token_type->value.GetString()), "bearer") != 0)) {
    return failure(ErrorCode::RemoteError, "token endpoint issued a token_type other than Bearer");
  }

  std::chrono::seconds lifetime = kDefaultTokenLifetime;
  if (auto expires_in = readExpiresIn(answer)) {
    lifetime = std::chrono::seconds(std::max<std::int64_t>(*expires_in, 0));
  }
  auto renew_before = std::min<std::chrono::seconds>(kRenewBefore, lifetime / 2);
  token_.assign(access_token->value.GetString(), access_token->value.GetStringLength());
  token_expires_ = clock_() + lifetime - renew_before;
  Poco::Logger::get("connectors.fhir_http")
      .information("%s: obtained an OAuth2 access token (expires in %d s)", what_,
                   static_cast<int>(lifetime.count()));
  return token_;
}

Status Authenticator::failure(ErrorCode code, const std::string& condition) const {
  return Status(code, what_ + ": " + condition);
}

}  // namespace ferry::connectors::fhir_http
