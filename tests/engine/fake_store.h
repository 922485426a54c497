#pragma once

// An in-memory StoreBackend for pipeline unit tests: keeps rows in maps, can be told to fail
// the next apply(), and counts transactions.

#include <algorithm>
#include <map>
#include <mutex>
#include <tuple>

#include "engine/store/store_backend.h"

namespace ferry::testing {

class FakeStore : public engine::store::StoreBackend {
 public:
  engine::Status apply(const engine::store::WriteBatch& batch) override {
    std::lock_guard lock(mutex_);
    ++transactions;
    if (fail_next_apply) {
      fail_next_apply = false;
      return engine::Status(engine::ErrorCode::StorageError, "injected failure");
    }
    for (const auto& row : batch.messages) {
      messages[row.id] = row;
    }
    for (const auto& row : batch.payloads) {
      payloads[{row.message_id, row.stage, row.destination}] = row;
    }
    for (auto row : batch.new_outbox) {
      row.sequence = ++outbox_sequence_;
      outbox[{row.message_id, row.destination}] = row;
    }
    for (const auto& update : batch.outbox_updates) {
      auto& row = outbox[{update.message_id, update.destination}];
      row.state = update.state;
      row.attempts = update.attempts;
      row.next_attempt_ms = update.next_attempt_ms;
      row.last_error = update.last_error;
    }
    for (const auto& row : batch.audit) {
      audit.push_back(row);
    }
    return engine::Status::ok();
  }

  engine::Result<std::vector<engine::store::OutboxRow>> loadPendingOutbox() override {
    std::lock_guard lock(mutex_);
    std::vector<engine::store::OutboxRow> rows;
    for (const auto& [key, row] : outbox) {
      if (row.state == engine::store::OutboxState::Pending) {
        rows.push_back(row);
      }
    }
    std::sort(rows.begin(), rows.end(),
              [](const auto& a, const auto& b) { return a.sequence < b.sequence; });
    return rows;
  }

  engine::Result<std::optional<engine::store::PayloadRow>> loadPayload(
      const std::string& message_id, const std::string& stage,
      const std::string& destination) override {
    std::lock_guard lock(mutex_);
    auto found = payloads.find({message_id, stage, destination});
    if (found == payloads.end()) {
      return std::optional<engine::store::PayloadRow>();
    }
    return std::optional<engine::store::PayloadRow>(found->second);
  }

  engine::Result<std::optional<engine::store::MessageRow>> loadMessage(
      const std::string& message_id) override {
    std::lock_guard lock(mutex_);
    auto found = messages.find(message_id);
    if (found == messages.end()) {
      return std::optional<engine::store::MessageRow>();
    }
    return std::optional<engine::store::MessageRow>(found->second);
  }

  engine::Result<std::vector<engine::store::OutboxRow>> listOutbox(const std::string& destination,
                                                                   engine::store::OutboxState state,
                                                                   std::size_t limit) override {
    std::lock_guard lock(mutex_);
    std::vector<engine::store::OutboxRow> rows;
    for (const auto& [key, row] : outbox) {
      if (row.destination == destination && row.state == state) {
        rows.push_back(row);
      }
    }
    std::sort(rows.begin(), rows.end(),
              [](const auto& a, const auto& b) { return a.sequence < b.sequence; });
    if (rows.size() > limit) {
      rows.resize(limit);
    }
    return rows;
  }

  engine::Result<std::optional<engine::store::AuditRow>> lastAudit() override {
    std::lock_guard lock(mutex_);
    if (audit.empty()) {
      return std::optional<engine::store::AuditRow>();
    }
    return std::optional<engine::store::AuditRow>(audit.back());
  }

  engine::Status scanAudit(
      const std::function<bool(const engine::store::AuditRow&)>& visit) override {
    std::vector<engine::store::AuditRow> copy;
    {
      std::lock_guard lock(mutex_);
      copy = audit;
    }
    for (const auto& row : copy) {
      if (!visit(row)) {
        break;
      }
    }
    return engine::Status::ok();
  }

  // Direct access for assertions; lock with mutex() when the engine may be running.
  std::mutex& mutex() { return mutex_; }

  bool fail_next_apply = false;
  int transactions = 0;
  std::map<std::string, engine::store::MessageRow> messages;
  std::map<std::tuple<std::string, std::string, std::string>, engine::store::PayloadRow> payloads;
  std::map<std::pair<std::string, std::string>, engine::store::OutboxRow> outbox;
  std::vector<engine::store::AuditRow> audit;

 private:
  std::mutex mutex_;
  std::int64_t outbox_sequence_ = 0;
};

}  // namespace ferry::testing
