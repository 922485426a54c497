#include "connectors/mllp/mllp_enhanced_ack.h"

#include "engine/hl7/message.h"

namespace ferry::connectors::mllp {
namespace {

using engine::hl7::Message;

// HL7 table 0155.
bool wanted(const std::string& type, bool success) {
  if (type == "NE") {
    return false;
  }
  if (type == "ER") {
    return !success;
  }
  if (type == "SU") {
    return success;
  }
  return true;  // AL, empty, or a value outside the table
}

std::optional<std::string> commitCodeFor(const std::string& code) {
  if (code == "AA") {
    return "CA";
  }
  if (code == "AE") {
    return "CE";
  }
  if (code == "AR") {
    return "CR";
  }
  return std::nullopt;
}

}  // namespace

std::optional<AckPreference> requestedAckPreference(std::string_view message,
                                                    std::size_t max_message_bytes) {
  engine::hl7::ParseLimits limits;
  limits.max_message_bytes = max_message_bytes;
  auto parsed = Message::parse(message, limits);
  if (!parsed.isOk()) {
    return std::nullopt;
  }
  AckPreference preference{parsed.value().acceptAckType(), parsed.value().applicationAckType()};
  if (preference.accept_ack_type.empty() && preference.application_ack_type.empty()) {
    return std::nullopt;
  }
  return preference;
}

std::vector<std::string> enhancedReplies(const std::string& ack, const AckPreference& preference) {
  auto parsed = Message::parse(ack);
  if (!parsed.isOk()) {
    return {ack};
  }
  Message commit = std::move(parsed).value();
  auto code = commit.get("MSA-1");
  if (!code.isOk() || !code.value().has_value()) {
    return {ack};
  }
  auto commit_code = commitCodeFor(*code.value());
  if (!commit_code || !commit.set("MSA-1", *commit_code).isOk()) {
    return {ack};
  }

  bool success = *code.value() == "AA";
  std::vector<std::string> replies;
  if (wanted(preference.accept_ack_type, success)) {
    replies.push_back(commit.serialize());
  }
  if (wanted(preference.application_ack_type, success)) {
    replies.push_back(ack);
  }
  return replies;
}

}  // namespace ferry::connectors::mllp
