#pragma once

// A read-only view of one segment of a parsed HL7 v2 message, split into fields, repetitions,
// components and subcomponents without copying, that remembers which parts a mapping read. The
// coverage report is built from what was never read.
//
// Text is read from the raw segment bytes; only an atom that holds an escape sequence or a byte
// above 0x7F is decoded through Message::get(), which resolves escapes and the MSH-18 charset.
//
// Thread-safety: one view belongs to one mapping call.

#include <cstddef>
#include <cstdint>
#include <forward_list>
#include <string>
#include <string_view>
#include <vector>

#include "engine/hl7/message.h"

namespace ferry::mappings::v2fhir {

class SegmentView;

// A field repetition (level 1), a component (2) or a subcomponent (3). Positions are 1-based.
class Node {
 public:
  Node() = default;
  Node(const SegmentView* segment, std::string_view raw, std::uint8_t level, std::uint16_t field,
       std::uint16_t repetition, std::uint16_t component, std::uint16_t subcomponent)
      : segment_(segment),
        raw_(raw),
        level_(level),
        field_(field),
        repetition_(repetition),
        component_(component),
        subcomponent_(subcomponent) {}

  bool empty() const { return raw_.empty(); }
  // The HL7 null value "" (delete the value at the receiver).
  bool isNull() const { return raw_ == "\"\""; }
  std::string_view raw() const { return raw_; }
  const SegmentView& segment() const { return *segment_; }
  int level() const { return level_; }
  std::size_t fieldNumber() const { return field_; }
  std::size_t repetitionNumber() const { return repetition_; }

  // Component (of a repetition) or subcomponent (of a component) `index`. A subcomponent is its
  // own first part and has no others, so a datatype map reads a primitive the same way at any
  // depth.
  Node child(std::size_t index) const;
  // The first atom under this node (descending through the first parts).
  Node firstAtom() const;

  // Decoded text of the node's first atom, which is marked as used. Empty when absent. Text
  // views point into the message or, for the rare atom that needed decoding, into storage of
  // the SegmentView: they stay valid as long as both do.
  std::string_view text() const;
  // Decoded text of the node's first atom without marking it.
  std::string_view peek() const;
  // Decoded text of the whole node with its inner delimiters kept; marks every atom.
  std::string_view wholeText() const;
  // Marks every atom of this node as used (or as present but not convertible).
  void markUsed() const;
  void markUnconverted() const;

 private:
  friend class SegmentView;
  std::uint64_t key() const;

  const SegmentView* segment_ = nullptr;
  std::string_view raw_;
  std::uint8_t level_ = 0;
  std::uint16_t field_ = 0;
  std::uint16_t repetition_ = 0;
  std::uint16_t component_ = 0;
  std::uint16_t subcomponent_ = 0;
};

class SegmentView {
 public:
  // `index` is the 0-based segment index, `occurrence` the 1-based count of this segment id so
  // far (for the decoding fallback path "OBX[3]-5").
  SegmentView(const engine::hl7::Message& message, std::size_t index, std::size_t occurrence);

  std::string_view id() const { return id_; }
  std::size_t index() const { return index_; }
  // Highest field number present.
  std::size_t fieldCount() const { return fields_.size(); }
  // Raw bytes of field `field` (all repetitions); empty when absent.
  std::string_view rawField(std::size_t field) const;
  std::size_t repetitionCount(std::size_t field) const;
  // Repetition `repetition` of field `field`.
  Node field(std::size_t field, std::size_t repetition = 1) const;

  const engine::hl7::Delimiters& delimiters() const { return delimiters_; }

  // Coverage: paths ("PID-11[2].4") of non-empty parts nobody read, rolled up to the largest
  // wholly unread part; `whole_segment` lists fields only ("ZPI-1"). Unconverted parts go to
  // `unconverted`.
  void collectUnread(bool whole_segment, std::vector<std::string>& unread,
                     std::vector<std::string>& unconverted) const;
  // Number of marks recorded (for tests of the bookkeeping).
  std::size_t markCount() const { return used_.size(); }

 private:
  friend class Node;
  std::string_view decode(const Node& atom) const;
  void mark(std::uint64_t key, bool converted) const;

  const engine::hl7::Message* message_;
  engine::hl7::Delimiters delimiters_;
  std::string_view id_;
  std::size_t index_;
  std::size_t occurrence_;
  std::vector<std::string_view> fields_;  // fields_[n - 1] is field n
  bool plain_ = false;  // no escape sequence and no byte above 0x7F: nothing needs decoding
  mutable std::vector<std::uint64_t> used_;
  mutable std::vector<std::uint64_t> unconverted_;
  // Decoded copies of atoms that held escapes or non-ASCII bytes; a list, so that the views
  // handed out stay put.
  mutable std::forward_list<std::string> decoded_;
};

// The small accessors below run for every value a mapping reads, so they are inline.

namespace detail {

// Part `index` (1-based) of `text` split at `delimiter`; empty when there is no such part. A
// '\0' delimiter (absent from MSH-2) never splits. A plain loop: the parts are a few bytes
// long, shorter than what a call to memchr costs to set up.
inline std::string_view part(std::string_view text, char delimiter, std::size_t index) {
  if (delimiter == '\0') {
    return index == 1 ? text : std::string_view();
  }
  const char* at = text.data();
  const char* end = at + text.size();
  for (std::size_t current = 1; current < index; ++current) {
    while (at != end && *at != delimiter) {
      ++at;
    }
    if (at == end) {
      return {};
    }
    ++at;
  }
  const char* start = at;
  while (at != end && *at != delimiter) {
    ++at;
  }
  return std::string_view(start, static_cast<std::size_t>(at - start));
}

}  // namespace detail

inline Node Node::child(std::size_t index) const {
  if (segment_ == nullptr || index == 0) {
    return {};
  }
  const auto& delimiters = segment_->delimiters();
  if (level_ == 1) {
    return Node(segment_, detail::part(raw_, delimiters.component, index), 2, field_, repetition_,
                static_cast<std::uint16_t>(index), 1);
  }
  if (level_ == 2) {
    return Node(segment_, detail::part(raw_, delimiters.subcomponent, index), 3, field_,
                repetition_, component_, static_cast<std::uint16_t>(index));
  }
  return index == 1 ? *this : Node();
}

inline Node Node::firstAtom() const {
  Node atom = *this;
  while (atom.segment_ != nullptr && atom.level_ < 3) {
    atom = atom.child(1);
  }
  return atom;
}

}  // namespace ferry::mappings::v2fhir
