#include "mappings/v2_fhir/segment_view.h"

#include <algorithm>

namespace ferry::mappings::v2fhir {
namespace {

// Part `index` (1-based) of `text` split at `delimiter`; empty when there is no such part. A
// '\0' delimiter (absent from MSH-2) never splits.
std::string_view part(std::string_view text, char delimiter, std::size_t index) {
  if (delimiter == '\0') {
    return index == 1 ? text : std::string_view();
  }
  std::size_t start = 0;
  for (std::size_t current = 1; current < index; ++current) {
    std::size_t next = text.find(delimiter, start);
    if (next == std::string_view::npos) {
      return {};
    }
    start = next + 1;
  }
  std::size_t end = text.find(delimiter, start);
  return text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

std::size_t partCount(std::string_view text, char delimiter) {
  if (text.empty()) {
    return 0;
  }
  return delimiter == '\0'
             ? 1
             : 1 + static_cast<std::size_t>(std::count(text.begin(), text.end(), delimiter));
}

std::uint64_t packKey(std::size_t field, std::size_t repetition, std::size_t component,
                      std::size_t subcomponent) {
  return (static_cast<std::uint64_t>(field & 0xFFFF) << 48) |
         (static_cast<std::uint64_t>(repetition & 0xFFFF) << 32) |
         (static_cast<std::uint64_t>(component & 0xFFFF) << 16) |
         static_cast<std::uint64_t>(subcomponent & 0xFFFF);
}

bool needsDecoding(std::string_view raw, char escape) {
  for (char c : raw) {
    if (c == escape || static_cast<unsigned char>(c) >= 0x80) {
      return true;
    }
  }
  return false;
}

bool contains(const std::vector<std::uint64_t>& sorted, std::uint64_t key) {
  return std::binary_search(sorted.begin(), sorted.end(), key);
}

std::vector<std::uint64_t> sortedUnique(std::vector<std::uint64_t> keys) {
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

}  // namespace

Node Node::child(std::size_t index) const {
  if (segment_ == nullptr || index == 0) {
    return {};
  }
  const auto& delimiters = segment_->delimiters();
  if (level_ == 1) {
    return Node(segment_, part(raw_, delimiters.component, index), 2, field_, repetition_,
                static_cast<std::uint16_t>(index), 1);
  }
  if (level_ == 2) {
    return Node(segment_, part(raw_, delimiters.subcomponent, index), 3, field_, repetition_,
                component_, static_cast<std::uint16_t>(index));
  }
  return index == 1 ? *this : Node();
}

Node Node::firstAtom() const {
  Node atom = *this;
  while (atom.segment_ != nullptr && atom.level_ < 3) {
    atom = atom.child(1);
  }
  return atom;
}

std::uint64_t Node::key() const { return packKey(field_, repetition_, component_, subcomponent_); }

std::string Node::text() const {
  Node atom = firstAtom();
  if (atom.segment_ == nullptr || atom.raw_.empty()) {
    return {};
  }
  segment_->mark(atom.key(), true);
  return segment_->decode(atom);
}

std::string Node::peek() const {
  Node atom = firstAtom();
  if (atom.segment_ == nullptr || atom.raw_.empty()) {
    return {};
  }
  return segment_->decode(atom);
}

std::string Node::wholeText() const {
  if (segment_ == nullptr || raw_.empty()) {
    return {};
  }
  markUsed();
  if (!needsDecoding(raw_, segment_->delimiters().escape)) {
    return std::string(raw_);
  }
  return segment_->decode(*this);
}

void Node::markUsed() const {
  if (segment_ == nullptr || raw_.empty()) {
    return;
  }
  if (level_ == 3) {
    segment_->mark(key(), true);
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
    segment_->mark(key(), false);
    return;
  }
  std::size_t count = partCount(
      raw_, level_ == 1 ? segment_->delimiters().component : segment_->delimiters().subcomponent);
  for (std::size_t index = 1; index <= count; ++index) {
    child(index).markUnconverted();
  }
}

SegmentView::SegmentView(const engine::hl7::Message& message, std::size_t index,
                         std::size_t occurrence)
    : message_(&message),
      delimiters_(message.delimiters()),
      index_(index),
      occurrence_(occurrence) {
  std::string_view raw = message.rawSegment(index);
  id_ = raw.substr(0, std::min<std::size_t>(3, raw.size()));
  if (raw.size() <= 3) {
    return;
  }
  std::string_view rest = raw.substr(4);
  if (id_ == "MSH") {
    // MSH-1 is the field separator itself; MSH-2 onwards follow it.
    fields_.push_back(raw.substr(3, 1));
  }
  std::size_t start = 0;
  while (true) {
    std::size_t next = rest.find(delimiters_.field, start);
    fields_.push_back(rest.substr(start, next == std::string_view::npos ? next : next - start));
    if (next == std::string_view::npos) {
      break;
    }
    start = next + 1;
  }
  while (!fields_.empty() && fields_.back().empty()) {
    fields_.pop_back();
  }
}

std::string_view SegmentView::rawField(std::size_t field) const {
  return field == 0 || field > fields_.size() ? std::string_view() : fields_[field - 1];
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
    raw = part(raw, delimiters_.repetition, repetition);
  } else if (repetition != 1) {
    raw = {};
  }
  return Node(this, raw, 1, static_cast<std::uint16_t>(field),
              static_cast<std::uint16_t>(repetition), 1, 1);
}

std::string SegmentView::decode(const Node& node) const {
  if (!needsDecoding(node.raw_, delimiters_.escape)) {
    return std::string(node.raw_);
  }
  std::string path(id_);
  if (id_ != "MSH") {
    path += "[" + std::to_string(occurrence_) + "]";
  }
  path += "-" + std::to_string(node.field_) + "[" + std::to_string(node.repetition_) + "]";
  if (node.level_ >= 2) {
    path += "." + std::to_string(node.component_);
  }
  if (node.level_ >= 3) {
    path += "." + std::to_string(node.subcomponent_);
  }
  auto value = message_->get(path);
  if (!value.isOk() || !value.value()) {
    return {};
  }
  return *value.value();
}

void SegmentView::mark(std::uint64_t key, bool converted) const {
  (converted ? used_ : unconverted_).push_back(key);
}

void SegmentView::collectUnread(bool whole_segment, std::vector<std::string>& unread,
                                std::vector<std::string>& unconverted) const {
  std::string prefix = std::string(id_) + "-";
  std::size_t first = id_ == "MSH" ? 3 : 1;
  if (whole_segment) {
    for (std::size_t field = first; field <= fields_.size(); ++field) {
      if (!fields_[field - 1].empty()) {
        unread.push_back(prefix + std::to_string(field));
      }
    }
    return;
  }
  std::vector<std::uint64_t> used = sortedUnique(used_);
  std::vector<std::uint64_t> failed = sortedUnique(unconverted_);
  auto seen = [&](std::uint64_t key) { return contains(used, key) || contains(failed, key); };

  for (std::size_t field = first; field <= fields_.size(); ++field) {
    std::size_t repetitions = repetitionCount(field);
    for (std::size_t repetition = 1; repetition <= repetitions; ++repetition) {
      Node rep = this->field(field, repetition);
      if (rep.empty()) {
        continue;
      }
      std::string rep_path = prefix + std::to_string(field);
      if (repetition > 1) {
        rep_path += "[" + std::to_string(repetition) + "]";
      }
      bool has_components = delimiters_.component != '\0' &&
                            rep.raw().find(delimiters_.component) != std::string_view::npos;
      // Paths are built only for what is reported: most atoms were read.
      auto component_path = [&](std::size_t c, bool has_subs) {
        return rep_path + (has_components || has_subs ? "." + std::to_string(c) : "");
      };
      std::vector<std::string> rep_unread;
      bool any_seen = false;
      std::size_t components = partCount(rep.raw(), delimiters_.component);
      for (std::size_t c = 1; c <= components; ++c) {
        Node component = rep.child(c);
        if (component.empty()) {
          continue;
        }
        bool has_subs = delimiters_.subcomponent != '\0' &&
                        component.raw().find(delimiters_.subcomponent) != std::string_view::npos;
        std::size_t subs = has_subs ? partCount(component.raw(), delimiters_.subcomponent) : 1;
        std::vector<std::size_t> component_unread;
        bool component_seen = false;
        for (std::size_t s = 1; s <= subs; ++s) {
          Node atom = has_subs ? component.child(s) : component;
          if (atom.empty()) {
            continue;
          }
          std::uint64_t key = packKey(field, repetition, c, s);
          if (contains(failed, key)) {
            unconverted.push_back(component_path(c, has_subs) +
                                  (has_subs ? "." + std::to_string(s) : ""));
          }
          if (seen(key)) {
            component_seen = true;
          } else {
            component_unread.push_back(s);
          }
        }
        if (!component_seen) {
          rep_unread.push_back(component_path(c, has_subs));
        } else {
          any_seen = true;
          for (std::size_t s : component_unread) {
            rep_unread.push_back(component_path(c, has_subs) + "." + std::to_string(s));
          }
        }
      }
      if (!any_seen) {
        unread.push_back(rep_path);
      } else {
        unread.insert(unread.end(), rep_unread.begin(), rep_unread.end());
      }
    }
  }
}

}  // namespace ferry::mappings::v2fhir
