#pragma once

// Building HL7 v2 segments from unescaped text. Every value is held as plain text and escaped
// once, when the segment is encoded, with the standard delimiters (MSH-1 "|", MSH-2 "^~\&"):
// | ^ ~ \ & become \F\ \S\ \R\ \E\ \T\ (HL7 v2.5.1 section 2.7.4), a line break (CR, LF or
// CRLF) becomes the formatting sequence \.br\ (2.7.6), and other control characters become
// \Xhh\. So no text taken from FHIR can add a field, repetition or segment.
//
// Thread-safety: plain values; no shared state.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::mappings::fhirv2 {

// `text` escaped for an HL7 v2 value under the standard delimiters.
std::string escapeText(std::string_view text);

// One field repetition: components of subcomponents, 1-based.
class Composite {
 public:
  Composite() = default;
  explicit Composite(std::string text);

  // Sets subcomponent 1 of `component`; empty text leaves the value as it was.
  void set(std::size_t component, std::string text);
  void setSubcomponent(std::size_t component, std::size_t subcomponent, std::string text);
  // Places the components of `inner` as the subcomponents of `component` (an HD inside CX.4,
  // the FN inside XPN.1). Subcomponents of `inner` cannot nest further and are not carried.
  void setNested(std::size_t component, const Composite& inner);

  // Unescaped text of a component's subcomponent; empty when absent.
  const std::string& get(std::size_t component, std::size_t subcomponent = 1) const;
  std::size_t componentCount() const { return components_.size(); }
  bool empty() const;
  // Escaped, trailing empty parts left out.
  std::string encode() const;

 private:
  std::vector<std::vector<std::string>> components_;
};

// One segment. Fields are numbered as in HL7: for MSH, field 1 is the field separator and
// field 2 the encoding characters, both written by encode() and not settable.
class SegmentWriter {
 public:
  explicit SegmentWriter(std::string id);

  const std::string& id() const { return id_; }
  // Replaces the field with one repetition.
  void set(std::size_t field, std::string text);
  void set(std::size_t field, Composite value);
  // Appends a repetition; an empty value is skipped.
  void add(std::size_t field, Composite value);
  // Replaces the field with these repetitions, empty ones included (the lines of a TX value).
  void setRepetitions(std::size_t field, std::vector<Composite> values);
  bool has(std::size_t field) const;
  // The field's repetitions (empty when absent).
  const std::vector<Composite>& field(std::size_t field) const;

  // The segment without its terminator, trailing empty fields left out.
  std::string encode() const;

 private:
  std::vector<Composite>& slot(std::size_t field);

  std::string id_;
  std::vector<std::vector<Composite>> fields_;  // fields_[n - 1] holds field n
};

// Segments joined with the segment terminator CR, which also ends the last one.
std::string encodeMessage(const std::vector<SegmentWriter>& segments);

}  // namespace ferry::mappings::fhirv2
