#include "connectors/fhir_http/fhir_http_destination.h"

#include <chrono>
#include <utility>

#include <Poco/Logger.h>
#include <Poco/Net/HTTPResponse.h>

#include "connectors/fhir_http/fhir_http_client.h"
#include "connectors/fhir_http/fhir_http_headers.h"
#include "connectors/fhir_http/fhir_http_payload.h"
#include "connectors/fhir_http/fhir_http_responses.h"
#include "connectors/mllp/mllp_io.h"
#include "connectors/mllp/mllp_tls.h"
#include "engine/log_safe.h"
#include "engine/pipeline/registry.h"

namespace ferry::connectors::fhir_http {
namespace {

using engine::ErrorCode;
using engine::Status;
using engine::pipeline::DeliveryContext;
using engine::pipeline::DeliveryResult;

Poco::Logger& logger() { return Poco::Logger::get("connectors.fhir_http"); }

std::string describeStatus(int status) {
  return "HTTP " + std::to_string(status) + " " +
         Poco::Net::HTTPResponse::getReasonForStatus(
             static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
}

}  // namespace

FhirHttpDestination::FhirHttpDestination(DestinationConfig config, Authenticator::Clock clock)
    : config_(std::move(config)),
      where_("fhir_http destination '" + config_.name + "' (" + config_.base.display + ")"),
      auth_(config_, std::move(clock)) {
  Poco::Net::Context::Ptr context;
  if (config_.base.https) {
    auto made = mllp::makeClientContext(config_.tls, config_.base.host);
    if (!made.isOk()) {
      client_problem_ = failure(ErrorCode::ConfigError, made.status().context());
      return;
    }
    context = made.value();
  }
  client_ = std::make_unique<HttpClient>(config_.base, context, config_.connect_timeout,
                                         config_.response_timeout, where_);
}

FhirHttpDestination::~FhirHttpDestination() = default;

DeliveryResult FhirHttpDestination::deliver(std::string_view payload,
                                            const DeliveryContext& context) {
  mllp::ScopedSigpipeBlock sigpipe;
  DeliveryResult result;
  if (stopped_.load()) {
    result.status = failure(ErrorCode::ShuttingDown, "destination stopped");
    return result;
  }
  if (!client_) {
    result.status = client_problem_;
    return result;
  }
  auto plan = planRequest(payload, config_.mode, context.message_id);
  if (!plan.isOk()) {
    result.status = failure(plan.status().code(), plan.status().context());
    return result;
  }
  if (!config_.base.https && !warned_insecure_) {
    // Said once per destination: the config marked it insecure on purpose.
    warned_insecure_ = true;
    logger().warning(where_ + " sends over plain HTTP (insecure: true)");
  }

  HttpRequestSpec request;
  request.method = plan.value().method;
  request.path = config_.base.path + plan.value().path;
  if (request.path.empty()) {
    request.path = "/";
  }
  request.content_type = kFhirJsonContentType;
  bool renewed_credential = false;
  while (true) {
    auto authorization = auth_.authorization();
    if (!authorization.isOk()) {
      result.status = authorization.status();
      return result;
    }
    request.headers = {{"Accept", "application/fhir+json"}};
    if (!context.message_id.empty()) {
      request.headers.emplace_back("X-Request-Id", context.message_id);
    }
    if (!authorization.value().empty()) {
      request.headers.emplace_back("Authorization", authorization.value());
    }

    auto reply = client_->exchange(request, plan.value().body);
    if (stopped_.load()) {
      result.status = failure(ErrorCode::ShuttingDown, "destination stopped during delivery");
      return result;
    }
    if (!reply.isOk()) {
      result.status = reply.status();
      return result;
    }
    // One renewal per delivery: a credential refused twice is refused.
    if (reply.value().status == 401 && !renewed_credential && auth_.invalidate()) {
      renewed_credential = true;
      logger().information(where_ + ": credential refused (HTTP 401); renewing it once");
      continue;
    }
    logger().debug(where_ + ": message " + engine::logSafe(context.message_id) + " " +
                   plan.value().target + " -> " + std::to_string(reply.value().status));
    return interpret(std::move(reply).value(), plan.value());
  }
}

void FhirHttpDestination::stop() {
  stopped_.store(true);
  if (client_) {
    client_->abort();
  }
  auth_.abort();
}

bool FhirHttpDestination::connected() const { return client_ && client_->connected(); }

DeliveryResult FhirHttpDestination::interpret(HttpReply reply, const PlannedRequest& plan) const {
  DeliveryResult result;
  int status = reply.status;
  std::string answered = plan.target + " answered " + describeStatus(status);
  result.response = std::move(reply.body);
  if (status >= 200 && status < 300) {
    result.status = Status::ok();
  } else if (status == 408 || status == 429 || status >= 500) {
    result.status = failure(ErrorCode::RemoteError, answered);
    result.retry_after = parseRetryAfter(reply.retry_after, std::chrono::system_clock::now());
  } else if (status >= 300 && status < 400) {
    result.status =
        failure(ErrorCode::RemoteError, answered + " (redirects are not followed: check base_url)");
  } else if (status >= 400 && status < 500) {
    result.status = failure(ErrorCode::RemoteRejected, answered);
  } else {
    result.status = failure(ErrorCode::RemoteError, answered + " (not a final status)");
  }
  return result;
}

Status FhirHttpDestination::failure(ErrorCode code, const std::string& condition) const {
  return Status(code, where_ + ": " + condition);
}

namespace {

std::unique_ptr<engine::pipeline::DestinationConnector> makeDestination(
    const engine::config::ConfigNode& node, engine::config::ConfigErrors& errors) {
  auto config = parseDestinationConfig(node, errors);
  if (!config) {
    return nullptr;
  }
  return std::make_unique<FhirHttpDestination>(std::move(*config));
}

}  // namespace

FERRY_REGISTER(engine::pipeline::registerDestinationType("fhir_http", &makeDestination))

}  // namespace ferry::connectors::fhir_http
