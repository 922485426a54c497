#include "engine/pipeline/engine.h"

#include <sys/stat.h>

#include <filesystem>
#include <set>

#include <Poco/Logger.h>

#include "engine/error_table.h"
#include "engine/hl7/ack_builder.h"
#include "engine/io/directory_lock.h"
#include "engine/pipeline/registry.h"

namespace ferry::engine::pipeline {

namespace {

Poco::Logger& logger() { return Poco::Logger::get("engine.pipeline"); }

// The listener types feeding a route ("mllp", "fhir_http", "file"), from its "source" (one
// name or a list); empty when the route or a listener is not found (other checks report it).
std::set<std::string> sourceTypes(const config::EngineConfig& settings, const std::string& route) {
  std::set<std::string> types;
  if (!settings.routes || !settings.routes->isArray()) {
    return types;
  }
  for (const config::ConfigNode& node : settings.routes->elements()) {
    auto name = node.isObject() ? node.member("name") : std::nullopt;
    auto source = node.isObject() ? node.member("source") : std::nullopt;
    if (!name || !name->isString() || name->asString() != route || !source) {
      continue;
    }
    std::vector<config::ConfigNode> names =
        source->isArray() ? source->elements() : std::vector<config::ConfigNode>{*source};
    for (const config::ConfigNode& listener_name : names) {
      for (const auto& listener : settings.listeners) {
        if (listener_name.isString() && listener.name == listener_name.asString()) {
          types.insert(listener.type);
        }
      }
    }
  }
  return types;
}

// A destination that can only take one format, fed only by listeners of the other, needs a
// mapping: without one every message would be accepted and then parked dead at delivery.
void checkFormats(const config::EngineConfig& settings,
                  const config::DestinationSettings& destination, const TransformChain& chain,
                  config::ConfigErrors& errors) {
  std::set<std::string> sources = sourceTypes(settings, destination.route);
  std::string transforms = chain.describe();
  auto only = [&sources](const std::string& type) {
    return !sources.empty() && sources.size() == 1 && *sources.begin() == type;
  };
  if (destination.type == "fhir_http" && only("mllp") &&
      transforms.find("mapping:v2-to-fhir") == std::string::npos) {
    errors.add(destination.node, "route '" + destination.route +
                                     "' feeds only HL7v2 (MLLP) into FHIR destination '" +
                                     destination.name +
                                     "': add {\"type\": \"mapping\", \"mapping\": "
                                     "\"v2-to-fhir\"} to its transforms");
  }
  if (destination.type == "mllp" && only("fhir_http") &&
      transforms.find("mapping:fhir-to-v2") == std::string::npos) {
    errors.add(destination.node, "route '" + destination.route +
                                     "' feeds only FHIR into MLLP destination '" +
                                     destination.name +
                                     "': add {\"type\": \"mapping\", \"mapping\": "
                                     "\"fhir-to-v2\"} to its transforms");
  }
}

}  // namespace

std::string SinkSlot::onHl7Message(std::string_view bytes, const InboundContext& context) {
  MessageSink* sink = sink_.load();
  if (sink != nullptr) {
    return sink->onHl7Message(bytes, context);
  }
  hl7::AckRequest request;
  request.msa_code = "AE";
  request.text = "engine not running, resend later";
  request.ack_control_id = "FERRYNOTREADY";
  request.timestamp = hl7Timestamp();
  auto parsed = hl7::Message::parse(bytes);
  return parsed.isOk() ? hl7::buildAck(parsed.value(), request)
                       : hl7::buildAckForUnparsed(bytes, request);
}

SubmitResult SinkSlot::submitHl7(std::string_view bytes, const InboundContext& context) {
  MessageSink* sink = sink_.load();
  if (sink != nullptr) {
    return sink->submitHl7(bytes, context);
  }
  SubmitResult result;
  result.response = onHl7Message(bytes, context);
  return result;
}

SubmitResult SinkSlot::submitFhir(std::string_view json, const InboundContext& context,
                                  const FhirSubmitOptions& options) {
  MessageSink* sink = sink_.load();
  if (sink != nullptr) {
    return sink->submitFhir(json, context, options);
  }
  return MessageSink::submitFhir(json, context, options);  // 503: resend later
}

void SinkSlot::attach(MessageSink* sink) { sink_.store(sink); }

Engine::Engine(BuildTag, std::shared_ptr<const config::EngineConfig> config)
    : config_(std::move(config)) {}

Engine::~Engine() { stop(); }

std::unique_ptr<Engine> Engine::build(std::shared_ptr<const config::EngineConfig> config,
                                      config::ConfigErrors& errors) {
  auto engine = std::make_unique<Engine>(BuildTag{}, std::move(config));
  const config::EngineConfig& settings = *engine->config_;

  const RouterFactory* router_factory = findRouterFactory();
  if (router_factory == nullptr) {
    errors.add(config::ConfigError{settings.config_file, 0, "/routes", "no router linked in"});
  } else if (settings.routes) {
    engine->router_ = (*router_factory)(*settings.routes, errors);
  }

  std::string scheme = settings.storage_url.substr(0, settings.storage_url.find(':'));
  if (findStoreScheme(scheme) == nullptr) {
    errors.add(config::ConfigError{settings.config_file, 0, "/storage/url",
                                   "no storage backend for '" + scheme + "' (available: sqlite)"});
  }

  for (const auto& listener : settings.listeners) {
    const SourceFactory* factory = findSourceType(listener.type);
    if (factory == nullptr) {
      errors.add(*listener.node.member("type"), "unknown listener type '" + listener.type + "'");
      continue;
    }
    auto source = (*factory)(listener.node, errors, engine->sink_);
    if (source) {
      engine->sources_[listener.name] = std::move(source);
    }
  }

  for (const auto& destination : settings.destinations) {
    const DestinationFactory* factory = findDestinationType(destination.type);
    if (factory == nullptr) {
      errors.add(*destination.node.member("type"),
                 "unknown destination type '" + destination.type + "'");
      continue;
    }
    auto connector = (*factory)(destination.node, errors);
    if (connector) {
      engine->pending_destinations_[destination.name] = std::move(connector);
    }
    // Built here to check config (no keys yet); built again with keys by start().
    TransformChain chain = TransformChain::build(
        destination, TransformEnvironment{nullptr, settings.root ? &*settings.root : nullptr},
        errors);
    checkBusinessAssociateGate(destination, chain, errors);
    checkFormats(settings, destination, chain, errors);
  }
  if (!errors.empty()) {
    return nullptr;
  }
  return engine;
}

Status Engine::start() {
  const config::EngineConfig& settings = *config_;
  std::error_code error;
  std::filesystem::create_directories(settings.data_directory, error);
  if (error) {
    return Status(ErrorCode::IoError, "cannot create data directory '" + settings.data_directory +
                                          "': " + error.message());
  }
  ::chmod(settings.data_directory.c_str(), 0700);

  // One engine per data directory: a second one would fight over the audit chain and deliver
  // the same backlog twice.
  auto lock = io::DirectoryLock::acquire(settings.data_directory);
  if (!lock.isOk()) {
    return lock.status();
  }
  data_lock_ = std::move(lock).value();

  if (settings.create_keys) {
    auto key_dir = std::filesystem::path(settings.key_file).parent_path();
    if (!key_dir.empty() && !std::filesystem::exists(key_dir)) {
      std::filesystem::create_directories(key_dir, error);
      ::chmod(key_dir.c_str(), 0700);
    }
  }
  auto keys = crypto::KeyRing::loadOrCreate(settings.key_file, settings.create_keys);
  if (!keys.isOk()) {
    return keys.status();
  }
  keys_ = keys.value();
  cipher_ = std::make_shared<crypto::PayloadCipher>(keys_);

  auto store = openStore(settings.storage_url);
  if (!store.isOk()) {
    return store.status();
  }
  store_ = std::move(store).value();
  journal_ = std::make_unique<Journal>(*store_, keys_);
  if (Status started = journal_->start(); !started.isOk()) {
    return started;
  }

  std::map<std::string, DeliveryWorker*> worker_index;
  for (const auto& destination : settings.destinations) {
    auto connector = std::move(pending_destinations_[destination.name]);
    config::ConfigErrors transform_errors;
    TransformChain transforms = TransformChain::build(
        destination, TransformEnvironment{keys_, settings.root ? &*settings.root : nullptr},
        transform_errors);
    if (!transform_errors.empty()) {
      return Status(ErrorCode::ConfigError,
                    "destination '" + destination.name + "': " + transform_errors.format());
    }
    auto worker = std::make_unique<DeliveryWorker>(destination, std::move(connector), *journal_,
                                                   *store_, cipher_, std::move(transforms));
    worker_index[destination.name] = worker.get();
    workers_[destination.name] = std::move(worker);
  }
  pending_destinations_.clear();

  if (Status resumed = resumePending(); !resumed.isOk()) {
    return resumed;
  }
  for (auto& [name, worker] : workers_) {
    worker->start();
  }

  auto definitions = fhir::Definitions::builtIn();
  if (!definitions.isOk()) {
    return definitions.status();
  }
  ingest_ =
      std::make_unique<Ingest>(*journal_, keys_, cipher_, *router_, worker_index,
                               hl7::ParseLimits{.max_message_bytes = settings.max_message_bytes},
                               std::make_shared<const fhir::Validator>(definitions.value()));
  sink_.attach(ingest_.get());
  for (auto& [name, source] : sources_) {
    if (Status opened = source->start(); !opened.isOk()) {
      return Status(opened.code(), "listener '" + name + "': " + opened.context());
    }
  }
  started_ = true;
  logger().information("engine '%s' started: %z listener(s), %z destination(s)", settings.name,
                       sources_.size(), workers_.size());
  return Status::ok();
}

Status Engine::resumePending() {
  // Each worker reads its own backlog from the outbox, in order and a bounded window at a time.
  // Messages pending for a destination no longer configured stay in the store untouched.
  for (auto& [name, worker] : workers_) {
    worker->resumeFromStore();
  }
  return Status::ok();
}

void Engine::stop() {
  for (auto& [name, source] : sources_) {
    source->stop();
  }
  sink_.attach(nullptr);
  if (ingest_) {
    ingest_->logIntakeSummary();
  }
  for (auto& [name, worker] : workers_) {
    worker->stop();
  }
  if (journal_) {
    journal_->stop();
  }
  if (started_) {
    logger().information("engine '%s' stopped", config_->name);
    started_ = false;
  }
}

int Engine::boundPort(const std::string& listener) const {
  auto found = sources_.find(listener);
  return found == sources_.end() ? 0 : found->second->boundPort();
}

std::vector<const DeliveryWorker*> Engine::workers() const {
  std::vector<const DeliveryWorker*> result;
  for (const auto& [name, worker] : workers_) {
    result.push_back(worker.get());
  }
  return result;
}

}  // namespace ferry::engine::pipeline
