#include "engine/fhir/json_writer.h"

#include <cstddef>
#include <string_view>

namespace ferry::engine::fhir {
namespace {

// Bytes that RFC 8259 requires escaped in a string: the quote, the backslash and the C0
// controls. Everything else, multi-byte UTF-8 and '/' included, is copied as it stands.
bool needsEscape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

void appendEscaped(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t run_start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (!needsEscape(c)) {
      continue;
    }
    out.append(text.data() + run_start, i - run_start);
    run_start = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default: {
        char escape[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0x0F]};
        out.append(escape, sizeof(escape));
        break;
      }
    }
  }
  out.append(text.data() + run_start, text.size() - run_start);
  out += '"';
}

void appendIndent(std::string& out, std::size_t depth) {
  out += '\n';
  out.append(depth * 2, ' ');
}

void appendValue(const JsonValue& value, std::string& out, bool pretty, std::size_t depth) {
  switch (value.type()) {
    case JsonType::Null:
      out += "null";
      return;
    case JsonType::Bool:
      out += value.boolean() ? "true" : "false";
      return;
    case JsonType::Number:
      out += value.text();
      return;
    case JsonType::String:
      appendEscaped(value.text(), out);
      return;
    case JsonType::Array: {
      const auto& elements = value.elements();
      out += '[';
      for (std::size_t i = 0; i < elements.size(); ++i) {
        if (i != 0) {
          out += ',';
        }
        if (pretty) {
          appendIndent(out, depth + 1);
        }
        appendValue(elements[i], out, pretty, depth + 1);
      }
      if (pretty && !elements.empty()) {
        appendIndent(out, depth);
      }
      out += ']';
      return;
    }
    case JsonType::Object: {
      const auto& members = value.members();
      out += '{';
      for (std::size_t i = 0; i < members.size(); ++i) {
        if (i != 0) {
          out += ',';
        }
        if (pretty) {
          appendIndent(out, depth + 1);
        }
        appendEscaped(members[i].first, out);
        out += pretty ? ": " : ":";
        appendValue(members[i].second, out, pretty, depth + 1);
      }
      if (pretty && !members.empty()) {
        appendIndent(out, depth);
      }
      out += '}';
      return;
    }
  }
}

}  // namespace

std::string writeJson(const JsonValue& value, bool pretty) {
  std::string out;
  appendJson(value, out, pretty);
  return out;
}

void appendJson(const JsonValue& value, std::string& out, bool pretty) {
  appendValue(value, out, pretty, 0);
}

}  // namespace ferry::engine::fhir
