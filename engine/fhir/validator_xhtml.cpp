#include "engine/fhir/validator_xhtml.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <string_view>
#include <vector>

namespace ferry::engine::fhir {

namespace {

constexpr std::string_view kXhtmlNamespace = "http://www.w3.org/1999/xhtml";

// The elements the HL7 validator accepts in a narrative (the basic HTML of R4 section 2.4.0.1).
constexpr std::string_view kAllowedElements[] = {
    "a",          "abbr", "acronym", "address", "area",  "b",    "bdo",      "big",
    "blockquote", "br",   "caption", "cite",    "code",  "col",  "colgroup", "dd",
    "dfn",        "div",  "dl",      "dt",      "em",    "h1",   "h2",       "h3",
    "h4",         "h5",   "h6",      "hr",      "i",     "img",  "kbd",      "li",
    "map",        "ol",   "p",       "pre",     "q",     "samp", "small",    "span",
    "strong",     "sub",  "sup",     "table",   "tbody", "td",   "tfoot",    "th",
    "thead",      "tr",   "tt",      "ul",      "var",   "s",    "u"};

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool isNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == ':' || c == '.' || static_cast<unsigned char>(c) >= 0x80;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool startsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) {
    return false;
  }
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (lower(text[i]) != prefix[i]) {
      return false;
    }
  }
  return true;
}

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  const char* run() {
    skipSpace();
    if (!startsWith("<div")) {
      return "narrative must be a single <div> element";
    }
    while (pos_ < text_.size()) {
      if (const char* problem = step()) {
        return problem;
      }
      if (done_) {
        skipSpace();
        if (pos_ != text_.size()) {
          return "narrative has content after its root <div>";
        }
        break;
      }
    }
    if (!done_) {
      return "narrative XHTML is not well formed (unclosed element)";
    }
    if (!has_content_) {
      return "narrative must have some non-white-space content (txt-2)";
    }
    return nullptr;
  }

 private:
  bool startsWith(std::string_view prefix) const {
    return text_.substr(pos_, prefix.size()) == prefix;
  }

  void skipSpace() {
    while (pos_ < text_.size() && isSpace(text_[pos_])) {
      ++pos_;
    }
  }

  std::string_view readName() {
    std::size_t start = pos_;
    while (pos_ < text_.size() && isNameChar(text_[pos_])) {
      ++pos_;
    }
    return text_.substr(start, pos_ - start);
  }

  const char* step() {
    if (text_[pos_] == '<') {
      return markup();
    }
    if (text_[pos_] == '&') {
      has_content_ = true;
      return reference();
    }
    if (stack_.empty()) {
      return "narrative has text outside its root <div>";
    }
    if (text_[pos_] == '>') {
      return "narrative XHTML is not well formed (stray '>')";
    }
    if (!isSpace(text_[pos_])) {
      has_content_ = true;
    }
    ++pos_;
    return nullptr;
  }

  // &name; &#123; &#x1F;
  const char* reference() {
    ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '#') {
      ++pos_;
      bool hex = pos_ < text_.size() && (text_[pos_] == 'x' || text_[pos_] == 'X');
      if (hex) {
        ++pos_;
      }
      std::size_t start = pos_;
      while (pos_ < text_.size() && (std::isxdigit(static_cast<unsigned char>(text_[pos_])) &&
                                     (hex || (text_[pos_] >= '0' && text_[pos_] <= '9')))) {
        ++pos_;
      }
      if (pos_ == start) {
        return "narrative XHTML has a malformed character reference";
      }
    } else if (readName().empty()) {
      return "narrative XHTML has a bare '&' (write &amp;)";
    }
    if (pos_ >= text_.size() || text_[pos_] != ';') {
      return "narrative XHTML has a malformed character reference";
    }
    ++pos_;
    return nullptr;
  }

  const char* markup() {
    if (startsWith("<!--")) {
      std::size_t end = text_.find("-->", pos_ + 4);
      if (end == std::string_view::npos) {
        return "narrative XHTML has an unclosed comment";
      }
      pos_ = end + 3;
      return nullptr;
    }
    if (startsWith("<![CDATA[")) {
      std::size_t end = text_.find("]]>", pos_ + 9);
      if (end == std::string_view::npos || stack_.empty()) {
        return "narrative XHTML has a malformed CDATA section";
      }
      has_content_ = has_content_ || end > pos_ + 9;
      pos_ = end + 3;
      return nullptr;
    }
    if (startsWith("<!") || startsWith("<?")) {
      return "narrative XHTML may not hold DTDs or processing instructions";
    }
    if (startsWith("</")) {
      return closeTag();
    }
    return openTag();
  }

  const char* closeTag() {
    pos_ += 2;
    std::string_view name = readName();
    skipSpace();
    if (pos_ >= text_.size() || text_[pos_] != '>') {
      return "narrative XHTML is not well formed (bad end tag)";
    }
    ++pos_;
    if (stack_.empty() || stack_.back() != name) {
      return "narrative XHTML is not well formed (end tag does not match)";
    }
    stack_.pop_back();
    done_ = stack_.empty();
    return nullptr;
  }

  const char* openTag() {
    ++pos_;
    std::string_view name = readName();
    if (name.empty()) {
      return "narrative XHTML is not well formed (bad start tag)";
    }
    std::string_view local =
        name.substr(name.find(':') == std::string_view::npos ? 0 : name.find(':') + 1);
    if (std::find(std::begin(kAllowedElements), std::end(kAllowedElements), local) ==
        std::end(kAllowedElements)) {
      return "narrative XHTML uses an element not allowed in narrative (txt-1)";
    }
    if (local == "img") {
      has_content_ = true;
    }
    bool root = stack_.empty();
    bool has_namespace = false;
    for (;;) {
      bool spaced = pos_ < text_.size() && isSpace(text_[pos_]);
      skipSpace();
      if (pos_ >= text_.size()) {
        return "narrative XHTML is not well formed (unclosed start tag)";
      }
      if (text_[pos_] == '>' || startsWith("/>")) {
        break;
      }
      if (!spaced) {
        return "narrative XHTML is not well formed (attributes need white space between)";
      }
      std::string_view attribute = readName();
      std::string_view value;
      if (const char* problem = attributeValue(attribute, &value)) {
        return problem;
      }
      if (startsWithNoCase(attribute, "on")) {
        return "narrative XHTML may not have event attributes (txt-1)";
      }
      std::size_t first = value.find_first_not_of(" \t\r\n");
      if (first != std::string_view::npos && startsWithNoCase(value.substr(first), "javascript:")) {
        return "narrative XHTML may not have script links (txt-1)";
      }
      if (attribute == "xmlns") {
        if (value != kXhtmlNamespace) {
          return "narrative XHTML must be in the namespace http://www.w3.org/1999/xhtml";
        }
        has_namespace = true;
      }
    }
    if (root && (local != "div" || !has_namespace)) {
      return "narrative root must be <div xmlns=\"http://www.w3.org/1999/xhtml\">";
    }
    if (startsWith("/>")) {
      pos_ += 2;
      done_ = root;
      return nullptr;
    }
    ++pos_;
    stack_.push_back(name);
    return nullptr;
  }

  const char* attributeValue(std::string_view attribute, std::string_view* value) {
    if (attribute.empty()) {
      return "narrative XHTML is not well formed (bad attribute)";
    }
    skipSpace();
    if (pos_ >= text_.size() || text_[pos_] != '=') {
      return "narrative XHTML is not well formed (attribute without value)";
    }
    ++pos_;
    skipSpace();
    if (pos_ >= text_.size() || (text_[pos_] != '"' && text_[pos_] != '\'')) {
      return "narrative XHTML is not well formed (unquoted attribute)";
    }
    char quote = text_[pos_++];
    std::size_t end = text_.find(quote, pos_);
    if (end == std::string_view::npos) {
      return "narrative XHTML is not well formed (unterminated attribute)";
    }
    *value = text_.substr(pos_, end - pos_);
    if (value->find('<') != std::string_view::npos) {
      return "narrative XHTML is not well formed ('<' in an attribute)";
    }
    pos_ = end + 1;
    return nullptr;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::vector<std::string_view> stack_;
  bool done_ = false;
  bool has_content_ = false;
};

}  // namespace

const char* checkNarrativeXhtml(std::string_view xhtml) { return Scanner(xhtml).run(); }

}  // namespace ferry::engine::fhir
