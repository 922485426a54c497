#include "engine/store/records.h"

#include <iterator>
#include <utility>

namespace ferry::engine::store {
namespace {

template <typename T>
void moveAppend(std::vector<T>& to, std::vector<T>& from) {
  if (to.empty()) {
    to = std::move(from);
  } else {
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
  }
  from.clear();
}

}  // namespace

std::string_view messageStateName(MessageState state) {
  switch (state) {
    case MessageState::Accepted:
      return "accepted";
    case MessageState::Rejected:
      return "rejected";
  }
  return "unknown";
}

std::string_view outboxStateName(OutboxState state) {
  switch (state) {
    case OutboxState::Pending:
      return "pending";
    case OutboxState::Delivered:
      return "delivered";
    case OutboxState::Dead:
      return "dead";
  }
  return "unknown";
}

std::optional<MessageState> messageStateFromName(std::string_view name) {
  for (MessageState state : {MessageState::Accepted, MessageState::Rejected}) {
    if (messageStateName(state) == name) {
      return state;
    }
  }
  return std::nullopt;
}

std::optional<OutboxState> outboxStateFromName(std::string_view name) {
  for (OutboxState state : {OutboxState::Pending, OutboxState::Delivered, OutboxState::Dead}) {
    if (outboxStateName(state) == name) {
      return state;
    }
  }
  return std::nullopt;
}

void WriteBatch::append(WriteBatch&& other) {
  moveAppend(messages, other.messages);
  moveAppend(payloads, other.payloads);
  moveAppend(new_outbox, other.new_outbox);
  moveAppend(outbox_updates, other.outbox_updates);
  moveAppend(audit, other.audit);
}

}  // namespace ferry::engine::store
