#pragma once

// HIPAA Safe Harbor de-identification of HL7 v2 messages: every segment is rewritten by the
// field rules of safe_harbor_hl7.h in one pass over the bytes (see mappings/strip/hl7_raw.h).
// Segments the table does not know are removed whole. The message header keeps what routing
// needs (MSH-1 to MSH-6, MSH-9, MSH-11 to MSH-21) and gets a new control id (MSH-10), so the
// output parses, routes and can be acknowledged.
//
// With pseudonyms, PID-3 becomes one identifier "<pseudonym>^^^FERRY^ANON" (HL7 table 0203
// "ANON": anonymous identifier); the pseudonym is computed from the first PID-3 repetition
// whose type (CX-5) is "MR", else the first with a value. With a date shift, the same
// identifier seeds the offset; a message without one gets year-only dates instead.
//
// Thread-safety: immutable; apply() may run on several threads at once.

#include <string>

#include "engine/hl7/message.h"
#include "engine/status.h"
#include "mappings/deid/deid_options.h"
#include "mappings/deid/pseudonymizer.h"
#include "mappings/strip/action_list.h"

namespace ferry::mappings::deid {

class Hl7Deidentifier {
 public:
  // `pseudonymizer` may be nullptr only when neither pseudonyms nor a date shift are on (then
  // control ids are replaced by a hash of the message); it must outlive this object.
  Hl7Deidentifier(DeidOptions options, const Pseudonymizer* pseudonymizer);

  // The de-identified message bytes. `current_year` decides which birth years reveal an age
  // over 89. Removed and generalised paths go to `actions`.
  std::string apply(const engine::hl7::Message& message, int current_year,
                    strip::ActionList& actions) const;

  const DeidOptions& options() const { return options_; }

 private:
  bool allowsFreeText(std::string_view segment, std::size_t field) const;

  DeidOptions options_;
  const Pseudonymizer* pseudonymizer_;
};

// True when `segment`-`field` is a field the profile treats as free text (which is what
// allow_free_text may name).
bool isHl7FreeTextField(std::string_view segment, std::size_t field);

}  // namespace ferry::mappings::deid
