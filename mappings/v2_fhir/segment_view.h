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
  // `position` is packPosition() of the node's field, repetition, component and subcomponent.
  Node(const SegmentView* segment, std::string_view raw, int level, std::uint64_t position)
      : segment_(segment), raw_(raw), position_(position), level_(level) {}

  // Field, repetition, component and subcomponent (1-based, 16 bits each) as one number, in the
  // order of the segment: a node's number is its key among the marks of used parts. One word,
  // rather than four small fields, so that making a child writes no part of a word the next
  // read takes whole (which stalls the processor on every Node copy).
  static std::uint64_t packPosition(std::size_t field, std::size_t repetition,
                                    std::size_t component, std::size_t subcomponent) {
    return (static_cast<std::uint64_t>(field & 0xFFFF) << 48) |
           (static_cast<std::uint64_t>(repetition & 0xFFFF) << 32) |
           (static_cast<std::uint64_t>(component & 0xFFFF) << 16) |
           static_cast<std::uint64_t>(subcomponent & 0xFFFF);
  }

  bool empty() const { return raw_.empty(); }
  // The HL7 null value "" (delete the value at the receiver).
  bool isNull() const { return raw_ == "\"\""; }
  std::string_view raw() const { return raw_; }
  const SegmentView& segment() const { return *segment_; }
  int level() const { return level_; }
  std::size_t fieldNumber() const { return fieldOf(position_); }
  static std::size_t fieldOf(std::uint64_t position) { return (position >> 48) & 0xFFFF; }
  std::size_t repetitionNumber() const { return (position_ >> 32) & 0xFFFF; }
  std::size_t componentNumber() const { return (position_ >> 16) & 0xFFFF; }
  std::size_t subcomponentNumber() const { return position_ & 0xFFFF; }

  // Component (of a repetition) or subcomponent (of a component) `index`. A subcomponent is its
  // own first part and has no others, so a datatype map reads a primitive the same way at any
  // depth.
  Node child(std::size_t index) const;
  // The first atom under this node (descending through the first parts).
  Node firstAtom() const;

  // Decoded text of the node's first atom, which is marked as used. Empty when absent or only
  // white space. Text views point into the message or, for the rare atom that needed decoding,
  // into storage of the SegmentView: they stay valid as long as both do.
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

  const SegmentView* segment_ = nullptr;
  std::string_view raw_;
  std::uint64_t position_ = 0;
  int level_ = 0;
};

class SegmentView {
 public:
  // `index` is the 0-based segment index, `occurrence` the 1-based count of this segment id so
  // far (for the decoding fallback path "OBX[3]-5"). The segment's fields are appended to
  // `field_store`, which the views of one message share (one list instead of one each): it must
  // outlive the view, and nothing but later views may change it, by appending.
  SegmentView(const engine::hl7::Message& message, std::size_t index, std::size_t occurrence,
              std::vector<std::string_view>& field_store);

  std::string_view id() const { return id_; }
  std::size_t index() const { return index_; }
  // Highest field number present.
  std::size_t fieldCount() const { return field_count_; }
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
  // Atoms holding something in fields `first` on (split at every delimiter below the field),
  // and distinct marks of used parts there (used_ sorted): equal when every atom was read.
  std::size_t atomCount(std::size_t first) const;
  std::size_t distinctMarks(std::size_t first) const;
  void mark(std::uint64_t key, bool converted) const;

  const engine::hl7::Message* message_;
  engine::hl7::Delimiters delimiters_;
  std::string_view id_;
  std::size_t index_;
  std::size_t occurrence_;
  // Field n is (*field_store_)[first_field_ + n - 1], for n up to field_count_.
  const std::vector<std::string_view>* field_store_;
  std::size_t first_field_;
  std::size_t field_count_ = 0;
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
  // A repetition's position has component and subcomponent 1 (its first atom); a component's
  // has subcomponent 1.
  if (level_ == 1) {
    return Node(
        segment_, detail::part(raw_, delimiters.component, index), 2,
        (position_ & ~std::uint64_t{0xFFFFFFFF}) | (std::uint64_t{index & 0xFFFF} << 16) | 1);
  }
  if (level_ == 2) {
    return Node(segment_, detail::part(raw_, delimiters.subcomponent, index), 3,
                (position_ & ~std::uint64_t{0xFFFF}) | std::uint64_t{index & 0xFFFF});
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
