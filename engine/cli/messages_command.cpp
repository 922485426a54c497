// `ferry messages list` and `ferry messages reprocess`: what operators do with messages that a
// destination parked as dead (retries used up, rejected by the receiver, failed integrity or
// transform). Listing reads the store and may run beside the engine; reprocessing changes it and
// takes the data directory's lock, so it runs only while the engine is stopped. The next
// `ferry run` delivers what was requeued, oldest first.

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <iomanip>
#include <limits>
#include <map>
#include <set>

#include "engine/cli/arguments.h"
#include "engine/cli/offline_store.h"
#include "engine/cli/subcommands.h"
#include "engine/io/directory_lock.h"
#include "engine/pipeline/audit_events.h"
#include "engine/pipeline/journal.h"

namespace ferry::engine::cli {
namespace {

constexpr std::size_t kDefaultListLimit = 100;
// Rows requeued per transaction: keeps each commit small on a large backlog.
constexpr std::size_t kRequeueBatch = 500;

std::string utcTime(std::int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm parts{};
  ::gmtime_r(&seconds, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

// The destinations to look at: the one named, or every configured one.
std::vector<std::string> destinationNames(const config::EngineConfig& config,
                                          const std::optional<std::string>& only) {
  std::vector<std::string> names;
  for (const auto& destination : config.destinations) {
    if (!only || destination.name == *only) {
      names.push_back(destination.name);
    }
  }
  return names;
}

int listMessages(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const std::string command = "ferry messages list";
  Arguments arguments(args, {"--config", "--state", "--destination", "--limit"}, {});
  auto config_path = arguments.value("--config");
  if (!arguments.error().empty() || !config_path || !arguments.positional().empty()) {
    err << command << ": "
        << (!arguments.error().empty() ? arguments.error()
                                       : "usage: --config FILE [--state dead|pending|delivered] "
                                         "[--destination NAME] [--limit N]")
        << "\n";
    return 2;
  }
  auto state = store::outboxStateFromName(arguments.value("--state").value_or("dead"));
  if (!state) {
    err << command << ": --state must be dead, pending or delivered\n";
    return 2;
  }
  std::size_t limit = kDefaultListLimit;
  if (auto text = arguments.value("--limit")) {
    bool digits = !text->empty() && text->size() <= 9 &&
                  text->find_first_not_of("0123456789") == std::string::npos;
    if (!digits) {
      err << command << ": --limit needs a whole number (at most 9 digits)\n";
      return 2;
    }
    limit = std::stoul(*text);
  }

  auto opened = openOfflineStore(*config_path, command, err);
  if (!opened) {
    return 2;
  }
  auto names = destinationNames(*opened->config, arguments.value("--destination"));
  if (names.empty()) {
    err << command << ": no destination named '" << arguments.value("--destination").value_or("")
        << "' in " << *config_path << "\n";
    return 2;
  }

  out << std::left << std::setw(28) << "message" << std::setw(22) << "received (UTC)"
      << std::setw(16) << "source" << std::setw(10) << "type" << std::setw(22) << "control id"
      << std::setw(16) << "destination" << std::setw(9) << "attempts"
      << "last error\n";
  std::size_t shown = 0;
  for (const std::string& name : names) {
    auto rows = opened->store->listOutbox(name, *state, limit);
    if (!rows.isOk()) {
      err << command << ": " << rows.status().toString() << "\n";
      return 1;
    }
    for (const store::OutboxRow& row : rows.value()) {
      auto message = opened->store->loadMessage(row.message_id);
      store::MessageRow meta;
      if (message.isOk() && message.value()) {
        meta = *message.value();
      }
      std::string type =
          meta.message_type + (meta.trigger_event.empty() ? "" : "^") + meta.trigger_event;
      out << std::setw(28) << row.message_id << std::setw(22) << utcTime(meta.received_at_ms)
          << std::setw(16) << meta.source << std::setw(10) << type << std::setw(22)
          << meta.control_id << std::setw(16) << row.destination << std::setw(9) << row.attempts
          << row.last_error << "\n";
      ++shown;
    }
  }
  out << shown << " message(s) " << store::outboxStateName(*state) << "\n";
  return 0;
}

// Who requeued: the audit trail's actor for the hop.
std::string operatorName() {
  const char* user = ::getlogin();
  return "ferry messages reprocess (uid " + std::to_string(::getuid()) +
         (user != nullptr ? ", " + std::string(user) : "") + ")";
}

int reprocessMessages(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const std::string command = "ferry messages reprocess";
  Arguments arguments(args, {"--config", "--destination"}, {"--all-dead"});
  auto config_path = arguments.value("--config");
  auto destination = arguments.value("--destination");
  bool all = arguments.has("--all-dead");
  if (!arguments.error().empty() || !config_path || !destination ||
      all == !arguments.positional().empty()) {
    err << command << ": "
        << (!arguments.error().empty()
                ? arguments.error()
                : "usage: --config FILE --destination NAME (--all-dead | MESSAGE_ID...)")
        << "\n";
    return 2;
  }

  auto opened = openOfflineStore(*config_path, command, err);
  if (!opened) {
    return 2;
  }
  if (destinationNames(*opened->config, destination).empty()) {
    err << command << ": no destination named '" << *destination << "' in " << *config_path << "\n";
    return 2;
  }
  // The engine must not run meanwhile: it keeps its own view of the outbox and the audit chain.
  auto lock = io::DirectoryLock::acquire(opened->config->data_directory);
  if (!lock.isOk()) {
    err << command << ": " << lock.status().toString() << "; stop the engine first\n";
    return 2;
  }

  auto dead = opened->store->listOutbox(*destination, store::OutboxState::Dead,
                                        std::numeric_limits<std::int64_t>::max());
  if (!dead.isOk()) {
    err << command << ": " << dead.status().toString() << "\n";
    return 1;
  }
  std::set<std::string> wanted(arguments.positional().begin(), arguments.positional().end());
  std::vector<store::OutboxRow> chosen;
  for (const store::OutboxRow& row : dead.value()) {
    if (all || wanted.erase(row.message_id) > 0) {
      chosen.push_back(row);
    }
  }
  for (const std::string& missing : wanted) {
    auto known = opened->store->loadMessage(missing);
    bool exists = known.isOk() && known.value().has_value();
    err << command << ": message " << missing
        << (exists ? " is not dead for destination '" + *destination + "'" : " is not in the store")
        << "\n";
  }

  pipeline::Journal journal(*opened->store, opened->keys);
  if (Status started = journal.start(); !started.isOk()) {
    err << command << ": " << started.toString() << "\n";
    return 1;
  }
  std::string actor = operatorName();
  std::size_t requeued = 0;
  for (std::size_t first = 0; first < chosen.size(); first += kRequeueBatch) {
    store::WriteBatch batch;
    for (std::size_t index = first; index < std::min(chosen.size(), first + kRequeueBatch);
         ++index) {
      const store::OutboxRow& row = chosen[index];
      batch.outbox_updates.push_back(
          {row.message_id, row.destination, store::OutboxState::Pending, 0, 0, ""});
      batch.audit.push_back(pipeline::auditEvent(
          row.message_id, "", row.destination, "requeued", actor, "ok",
          "was dead after " + std::to_string(row.attempts) + " attempt(s)", ""));
    }
    std::size_t count = batch.outbox_updates.size();
    if (Status committed = journal.commit(std::move(batch)); !committed.isOk()) {
      err << command << ": " << committed.toString() << "\n";
      out << requeued << " message(s) requeued before the error\n";
      return 1;
    }
    requeued += count;
  }
  journal.stop();
  out << requeued << " message(s) requeued for destination '" << *destination << "'";
  if (requeued > 0) {
    out << "; the engine delivers them when it next starts, under the destination's retry "
           "policy again";
  }
  out << "\n";
  return wanted.empty() ? 0 : 1;
}

}  // namespace

int messagesCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (!args.empty() && args[0] == "list") {
    return listMessages(std::vector<std::string>(args.begin() + 1, args.end()), out, err);
  }
  if (!args.empty() && args[0] == "reprocess") {
    return reprocessMessages(std::vector<std::string>(args.begin() + 1, args.end()), out, err);
  }
  err << "ferry messages: use 'list' or 'reprocess'\n";
  return 2;
}

}  // namespace ferry::engine::cli
