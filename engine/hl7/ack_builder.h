#pragma once

// Builds HL7 acknowledgments (original and enhanced mode) for a received message.

#include <string>
#include <string_view>
#include <vector>

#include "engine/hl7/message.h"

namespace ferry::engine::hl7 {

struct AckErrorDetail {
  ErrorLocation location;
  std::string hl7_error_code = "207";  // HL7 table 0357
  std::string severity = "E";          // HL7 table 0516: E error, W warning, I information
  std::string text;                    // diagnostic, never containing field values
};

struct AckRequest {
  std::string msa_code = "AA";         // AA/AE/AR, or CA/CE/CR for enhanced-mode commit ACKs
  std::string ack_control_id;          // MSH-10 of the ACK itself
  std::string timestamp;               // MSH-7 of the ACK, HL7 DTM (YYYYMMDDHHMMSS+ZZZZ)
  std::string text;                    // MSA-3, optional, never containing field values
  std::vector<AckErrorDetail> errors;  // one ERR segment each
};

// ACK for a parsed message: MSH built from the original (sending and receiving application and
// facility swapped, MSH-9 ACK^<trigger>^ACK, same MSH-11 and MSH-12, original delimiters),
// MSA-2 = the original MSH-10, then ERR segments. Segments end with CR.
std::string buildAck(const Message& original, const AckRequest& request);

// ACK (normally AR) for bytes that could not be parsed: takes delimiters and whatever MSH fields
// can be recovered from the bytes (control id, applications, version), defaults for the rest.
std::string buildAckForUnparsed(std::string_view raw, const AckRequest& request);

// Enhanced acknowledgment mode (HL7 v2 chapter 2): a sender asks for a commit ACK through MSH-15
// and an application ACK through MSH-16; when both are empty the original mode applies.
enum class AckMode { Original, Enhanced };
AckMode ackModeOf(const Message& message);

// Whether an acknowledgment is wanted under condition `condition` (HL7 table 0155: AL always,
// NE never, ER only when the message failed, SU only when it succeeded; empty or unknown values
// mean always) for an outcome that `succeeded` or not.
bool ackWanted(std::string_view condition, bool succeeded);

// The enhanced-mode commit code for an original-mode code: AA -> CA, AE -> CE, AR -> CR. Other
// input comes back unchanged.
std::string_view commitCodeFor(std::string_view msa_code);

}  // namespace ferry::engine::hl7
