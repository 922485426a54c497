#include "mappings/v2_fhir/segment_view.h"

#include <algorithm>
#include <array>

namespace ferry::mappings::v2fhir {
namespace {

// Splits `text` at `delimiter` front to back: next() gives part 1, 2, ... in turn.
class Splitter {
 public:
  Splitter(std::string_view text, char delimiter) : rest_(text), delimiter_(delimiter) {}
  bool done() const { return done_; }
  std::string_view next() {
    std::size_t end = delimiter_ == '\0' ? std::string_view::npos : rest_.find(delimiter_);
    std::string_view piece = rest_.substr(0, end);
    if (end == std::string_view::npos) {
      done_ = true;
      rest_ = {};
    } else {
      rest_.remove_prefix(end + 1);
    }
    return piece;
  }

 private:
  std::string_view rest_;
  char delimiter_;
  bool done_ = false;
};

std::size_t partCount(std::string_view text, char delimiter) {
  if (text.empty()) {
    return 0;
  }
  return delimiter == '\0'
             ? 1
             : 1 + static_cast<std::size_t>(std::count(text.begin(), text.end(), delimiter));
}

bool needsDecoding(std::string_view raw, char escape) {
  for (char c : raw) {
    if (c == escape || static_cast<unsigned char>(c) >= 0x80) {
      return true;
    }
  }
  return false;
}

// Membership tests for keys asked in increasing order: a cursor that only moves forward.
class SortedKeys {
 public:
  explicit SortedKeys(const std::vector<std::uint64_t>& keys) : keys_(keys) {}
  bool contains(std::uint64_t key) {
    while (at_ < keys_.size() && keys_[at_] < key) {
      ++at_;
    }
    return at_ < keys_.size() && keys_[at_] == key;
  }

 private:
  const std::vector<std::uint64_t>& keys_;
  std::size_t at_ = 0;
};

}  // namespace

namespace {

// A value of only spaces (senders pad fields) says nothing, and FHIR forbids such strings: it
// reads as absent.
std::string_view unlessBlank(std::string_view text) {
  bool blank = std::all_of(text.begin(), text.end(),
                           [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
  return blank ? std::string_view() : text;
}

}  // namespace

std::string_view Node::text() const {
  Node atom = firstAtom();
  if (atom.segment_ == nullptr || atom.raw_.empty()) {
    return {};
  }
  segment_->mark(atom.position_, true);
  return unlessBlank(segment_->decode(atom));
}

std::string_view Node::peek() const {
  Node atom = firstAtom();
  if (atom.segment_ == nullptr || atom.raw_.empty()) {
    return {};
  }
  return unlessBlank(segment_->decode(atom));
}

std::string_view Node::wholeText() const {
  if (segment_ == nullptr || raw_.empty()) {
    return {};
  }
  markUsed();
  return segment_->decode(*this);
}

void Node::markUsed() const {
  if (segment_ == nullptr || raw_.empty()) {
    return;
  }
  if (level_ == 3) {
    segment_->mark(position_, true);
    return;
  }
  std::size_t count = partCount(
      raw_, level_ == 1 ? segment_->delimiters().component : segment_->delimiters().subcomponent);
  for (std::size_t index = 1; index <= count; ++index) {
    child(index).markUsed();
  }
}

void Node::markUnconverted() const {
  if (segment_ == nullptr || raw_.empty()) {
    return;
  }
  if (level_ == 3) {
    segment_->mark(position_, false);
    return;
  }
  std::size_t count = partCount(
      raw_, level_ == 1 ? segment_->delimiters().component : segment_->delimiters().subcomponent);
  for (std::size_t index = 1; index <= count; ++index) {
    child(index).markUnconverted();
  }
}

SegmentView::SegmentView(const engine::hl7::Message& message, std::size_t index,
                         std::size_t occurrence, std::vector<std::string_view>& field_store)
    : message_(&message),
      delimiters_(message.delimiters()),
      index_(index),
      occurrence_(occurrence),
      field_store_(&field_store),
      first_field_(field_store.size()) {
  std::string_view raw = message.rawSegment(index);
  id_ = raw.substr(0, std::min<std::size_t>(3, raw.size()));
  plain_ = !needsDecoding(raw.substr(0, 4), delimiters_.escape);
  if (raw.size() <= 3) {
    return;
  }
  if (id_ == "MSH") {
    // MSH-1 is the field separator itself; MSH-2 onwards follow it.
    field_store.push_back(raw.substr(3, 1));
  }
  // One pass over the bytes splits the fields and looks for what needs decoding.
  const char* start = raw.data() + 4;
  const char* end = raw.data() + raw.size();
  for (const char* at = start; at != end; ++at) {
    char c = *at;
    if (c == delimiters_.field) {
      field_store.emplace_back(start, static_cast<std::size_t>(at - start));
      start = at + 1;
    } else if (c == delimiters_.escape || static_cast<unsigned char>(c) >= 0x80) {
      plain_ = false;
    }
  }
  field_store.emplace_back(start, static_cast<std::size_t>(end - start));
  while (field_store.size() > first_field_ && field_store.back().empty()) {
    field_store.pop_back();
  }
  field_count_ = field_store.size() - first_field_;
}

std::size_t SegmentView::atomCount(std::size_t first) const {
  if (first > field_count_) {
    return 0;
  }
  // Fields `first` to the last lie one after another in the segment, a field delimiter
  // between each two: an atom starts at each byte that is no delimiter and follows one. A
  // '\0' delimiter is one the message does not use (it never splits).
  std::array<bool, 256> splits{};
  for (char delimiter : {delimiters_.field, delimiters_.repetition, delimiters_.component,
                         delimiters_.subcomponent}) {
    splits[static_cast<unsigned char>(delimiter)] = delimiter != '\0';
  }
  std::string_view last = rawField(field_count_);
  const char* end = last.data() + last.size();
  std::size_t count = 0;
  bool after_split = true;
  for (const char* at = rawField(first).data(); at != end; ++at) {
    bool split = splits[static_cast<unsigned char>(*at)];
    count += !split && after_split ? 1 : 0;
    after_split = split;
  }
  return count;
}

std::size_t SegmentView::distinctMarks(std::size_t first) const {
  std::size_t count = 0;
  for (std::size_t index = 0; index < used_.size(); ++index) {
    bool repeated = index > 0 && used_[index] == used_[index - 1];
    if (!repeated && Node::fieldOf(used_[index]) >= first) {
      ++count;
    }
  }
  return count;
}

std::string_view SegmentView::rawField(std::size_t field) const {
  return field == 0 || field > field_count_ ? std::string_view()
                                            : (*field_store_)[first_field_ + field - 1];
}

std::size_t SegmentView::repetitionCount(std::size_t field) const {
  if (id_ == "MSH" && field <= 2) {
    return rawField(field).empty() ? 0 : 1;
  }
  return partCount(rawField(field), delimiters_.repetition);
}

Node SegmentView::field(std::size_t field, std::size_t repetition) const {
  std::string_view raw = rawField(field);
  if (!(id_ == "MSH" && field <= 2)) {
    raw = detail::part(raw, delimiters_.repetition, repetition);
  } else if (repetition != 1) {
    raw = {};
  }
  return Node(this, raw, 1, Node::packPosition(field, repetition, 1, 1));
}

std::string_view SegmentView::decode(const Node& node) const {
  if (plain_ || !needsDecoding(node.raw_, delimiters_.escape)) {
    return node.raw_;
  }
  std::string path(id_);
  if (id_ != "MSH") {
    path += "[" + std::to_string(occurrence_) + "]";
  }
  path += "-" + std::to_string(node.fieldNumber()) + "[" + std::to_string(node.repetitionNumber()) +
          "]";
  if (node.level_ >= 2) {
    path += "." + std::to_string(node.componentNumber());
  }
  if (node.level_ >= 3) {
    path += "." + std::to_string(node.subcomponentNumber());
  }
  auto value = message_->get(path);
  if (!value.isOk() || !value.value()) {
    return {};
  }
  return decoded_.emplace_front(std::move(*value.value()));
}

void SegmentView::mark(std::uint64_t key, bool converted) const {
  std::vector<std::uint64_t>& marks = converted ? used_ : unconverted_;
  if (marks.capacity() == 0) {
    // A mapped segment collects a few dozen marks; this saves the first regrowths.
    marks.reserve(32);
  }
  marks.push_back(key);
}

void SegmentView::collectUnread(bool whole_segment, std::vector<std::string>& unread,
                                std::vector<std::string>& unconverted) const {
  std::string prefix = std::string(id_) + "-";
  std::size_t first = id_ == "MSH" ? 3 : 1;
  if (whole_segment) {
    for (std::size_t field = first; field <= field_count_; ++field) {
      if (!rawField(field).empty()) {
        unread.push_back(prefix + std::to_string(field));
      }
    }
    return;
  }
  // Sorted in place (the marks are a set, their order means nothing), then walked once: the
  // loops below visit atoms in increasing key order.
  std::sort(used_.begin(), used_.end());
  std::sort(unconverted_.begin(), unconverted_.end());
  if (unconverted_.empty() && distinctMarks(first) == atomCount(first)) {
    // Marks are only ever made on atoms that hold something, so as many distinct marks as such
    // atoms means that every one was read: the usual case for a mapped segment, known without
    // walking it part by part.
    return;
  }
  SortedKeys used(used_);
  SortedKeys failed(unconverted_);

  // Unread parts of one repetition as (component, subcomponent), 0 for "the whole component";
  // kept until the repetition is done, since a repetition nobody read is reported as one path.
  std::vector<std::pair<std::size_t, std::size_t>> pending;
  for (std::size_t field = first; field <= field_count_; ++field) {
    Splitter repetitions(rawField(field), delimiters_.repetition);
    for (std::size_t repetition = 1; !repetitions.done(); ++repetition) {
      std::string_view rep = repetitions.next();
      if (rep.empty()) {
        continue;
      }
      bool has_components = delimiters_.component != '\0' &&
                            rep.find(delimiters_.component) != std::string_view::npos;
      auto rep_path = [&] {
        std::string path = prefix + std::to_string(field);
        if (repetition > 1) {
          path += "[" + std::to_string(repetition) + "]";
        }
        return path;
      };
      auto component_path = [&](std::size_t c, bool has_subs) {
        return has_components || has_subs ? rep_path() + "." + std::to_string(c) : rep_path();
      };
      pending.clear();
      bool any_seen = false;
      Splitter components(rep, delimiters_.component);
      for (std::size_t c = 1; !components.done(); ++c) {
        std::string_view component = components.next();
        if (component.empty()) {
          continue;
        }
        bool has_subs = delimiters_.subcomponent != '\0' &&
                        component.find(delimiters_.subcomponent) != std::string_view::npos;
        std::size_t pending_before = pending.size();
        bool component_seen = false;
        Splitter subs(component, has_subs ? delimiters_.subcomponent : '\0');
        for (std::size_t s = 1; !subs.done(); ++s) {
          if (subs.next().empty()) {
            continue;
          }
          std::uint64_t key = Node::packPosition(field, repetition, c, s);
          bool is_failed = failed.contains(key);
          if (is_failed) {
            unconverted.push_back(component_path(c, has_subs) +
                                  (has_subs ? "." + std::to_string(s) : ""));
          }
          if (is_failed || used.contains(key)) {
            component_seen = true;
          } else {
            pending.emplace_back(c, s);
          }
        }
        if (!component_seen) {
          pending.resize(pending_before);
          pending.emplace_back(c, 0);
        } else {
          any_seen = true;
        }
      }
      if (!any_seen) {
        unread.push_back(rep_path());
        continue;
      }
      for (const auto& [c, s] : pending) {
        // has_subs again, for the path's form; only reached for parts actually reported.
        std::string_view component = detail::part(rep, delimiters_.component, c);
        bool has_subs = delimiters_.subcomponent != '\0' &&
                        component.find(delimiters_.subcomponent) != std::string_view::npos;
        unread.push_back(s == 0 ? component_path(c, has_subs)
                                : component_path(c, has_subs) + "." + std::to_string(s));
      }
    }
  }
}

}  // namespace ferry::mappings::v2fhir
