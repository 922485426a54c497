#include "mappings/fhir_v2/v2_writer.h"

namespace ferry::mappings::fhirv2 {

namespace {

const std::string kEmpty;

void appendHex(std::string& out, unsigned char c) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  out += "\\X";
  out += kDigits[c >> 4];
  out += kDigits[c & 0x0F];
  out += '\\';
}

// Drops trailing empty strings / values from `parts`.
template <typename Parts, typename IsEmpty>
std::size_t usedLength(const Parts& parts, IsEmpty is_empty) {
  std::size_t length = parts.size();
  while (length > 0 && is_empty(parts[length - 1])) {
    --length;
  }
  return length;
}

}  // namespace

std::string escapeText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t index = 0; index < text.size(); ++index) {
    char c = text[index];
    switch (c) {
      case '|':
        out += "\\F\\";
        break;
      case '^':
        out += "\\S\\";
        break;
      case '~':
        out += "\\R\\";
        break;
      case '\\':
        out += "\\E\\";
        break;
      case '&':
        out += "\\T\\";
        break;
      case '\r':
        if (index + 1 < text.size() && text[index + 1] == '\n') {
          ++index;
        }
        out += "\\.br\\";
        break;
      case '\n':
        out += "\\.br\\";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t') {
          appendHex(out, static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  return out;
}

Composite::Composite(std::string text) { set(1, std::move(text)); }

void Composite::set(std::size_t component, std::string text) {
  setSubcomponent(component, 1, std::move(text));
}

void Composite::setSubcomponent(std::size_t component, std::size_t subcomponent, std::string text) {
  if (text.empty() || component == 0 || subcomponent == 0) {
    return;
  }
  if (components_.size() < component) {
    components_.resize(component);
  }
  std::vector<std::string>& parts = components_[component - 1];
  if (parts.size() < subcomponent) {
    parts.resize(subcomponent);
  }
  parts[subcomponent - 1] = std::move(text);
}

void Composite::setNested(std::size_t component, const Composite& inner) {
  for (std::size_t part = 1; part <= inner.componentCount(); ++part) {
    setSubcomponent(component, part, inner.get(part));
  }
}

const std::string& Composite::get(std::size_t component, std::size_t subcomponent) const {
  if (component == 0 || component > components_.size()) {
    return kEmpty;
  }
  const std::vector<std::string>& parts = components_[component - 1];
  return subcomponent == 0 || subcomponent > parts.size() ? kEmpty : parts[subcomponent - 1];
}

bool Composite::empty() const {
  for (const auto& parts : components_) {
    for (const std::string& part : parts) {
      if (!part.empty()) {
        return false;
      }
    }
  }
  return true;
}

std::string Composite::encode() const {
  auto empty_text = [](const std::string& text) { return text.empty(); };
  auto empty_component = [&](const std::vector<std::string>& parts) {
    return usedLength(parts, empty_text) == 0;
  };
  std::string out;
  std::size_t components = usedLength(components_, empty_component);
  for (std::size_t component = 0; component < components; ++component) {
    if (component > 0) {
      out += '^';
    }
    const std::vector<std::string>& parts = components_[component];
    std::size_t used = usedLength(parts, empty_text);
    for (std::size_t part = 0; part < used; ++part) {
      if (part > 0) {
        out += '&';
      }
      out += escapeText(parts[part]);
    }
  }
  return out;
}

SegmentWriter::SegmentWriter(std::string id) : id_(std::move(id)) {}

std::vector<Composite>& SegmentWriter::slot(std::size_t field) {
  if (fields_.size() < field) {
    fields_.resize(field);
  }
  return fields_[field - 1];
}

void SegmentWriter::set(std::size_t field, std::string text) { set(field, Composite(text)); }

void SegmentWriter::set(std::size_t field, Composite value) {
  if (field == 0 || (id_ == "MSH" && field <= 2)) {
    return;
  }
  std::vector<Composite>& repetitions = slot(field);
  repetitions.clear();
  if (!value.empty()) {
    repetitions.push_back(std::move(value));
  }
}

void SegmentWriter::add(std::size_t field, Composite value) {
  if (field == 0 || (id_ == "MSH" && field <= 2) || value.empty()) {
    return;
  }
  slot(field).push_back(std::move(value));
}

void SegmentWriter::setRepetitions(std::size_t field, std::vector<Composite> values) {
  if (field == 0 || (id_ == "MSH" && field <= 2)) {
    return;
  }
  slot(field) = std::move(values);
}

bool SegmentWriter::has(std::size_t field) const {
  return field != 0 && field <= fields_.size() && !fields_[field - 1].empty();
}

const std::vector<Composite>& SegmentWriter::field(std::size_t field) const {
  static const std::vector<Composite> kNone;
  return has(field) ? fields_[field - 1] : kNone;
}

std::string SegmentWriter::encode() const {
  std::string out = id_;
  std::size_t first = 1;
  if (id_ == "MSH") {
    out += "|^~\\&";
    first = 3;
  }
  std::size_t last = usedLength(fields_, [](const std::vector<Composite>& repetitions) {
    for (const Composite& value : repetitions) {
      if (!value.empty()) {
        return false;
      }
    }
    return true;
  });
  for (std::size_t field = first; field <= last; ++field) {
    out += '|';
    bool first_repetition = true;
    for (const Composite& value : fields_[field - 1]) {
      if (!first_repetition) {
        out += '~';
      }
      first_repetition = false;
      out += value.encode();
    }
  }
  return out;
}

std::string encodeMessage(const std::vector<SegmentWriter>& segments) {
  std::string out;
  for (const SegmentWriter& segment : segments) {
    out += segment.encode();
    out += '\r';
  }
  return out;
}

}  // namespace ferry::mappings::fhirv2
