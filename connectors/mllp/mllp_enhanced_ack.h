#pragma once

// Enhanced-mode acknowledgment for MLLP listeners (HL7 v2.5 chapter 2, section 2.9.3).
//
// A sender asks for enhanced mode by valuing MSH-15 (accept acknowledgment type) and/or
// MSH-16 (application acknowledgment type), each one of AL (always), NE (never), ER (only on
// error or reject) and SU (only on success). What a listener in "enhanced" ack mode does:
//
// - The engine's sink answers in original mode (AA/AE/AR) once the message is committed.
// - The commit ACK is that answer with MSA-1 turned into CA/CE/CR. It is sent when MSH-15
//   asks for it.
// - The application ACK is the sink's answer unchanged (AA/AE/AR). Ferry's "application" is
//   its durable intake, so the application outcome is known at the same moment. It is sent
//   when MSH-16 asks for it, on the same connection, after the commit ACK.
// - An empty MSH-15 or MSH-16 (when the other one is valued) and unknown values count as AL.
// - A message without MSH-15 and MSH-16, or that cannot be parsed, gets the original answer.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::connectors::mllp {

struct AckPreference {
  std::string accept_ack_type;       // MSH-15
  std::string application_ack_type;  // MSH-16
};

// MSH-15/MSH-16 of `message` when it asks for enhanced mode; std::nullopt when both are empty
// or the message does not parse. `max_message_bytes` bounds the parse.
std::optional<AckPreference> requestedAckPreference(std::string_view message,
                                                    std::size_t max_message_bytes);

// The replies to send, in order, for the sink's original-mode `ack` under `preference`. May
// be empty (both suppressed). When `ack` cannot be parsed or carries no MSA-1, it is returned
// alone and unchanged.
std::vector<std::string> enhancedReplies(const std::string& ack, const AckPreference& preference);

}  // namespace ferry::connectors::mllp
