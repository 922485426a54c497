#pragma once

// Character-level helpers for HL7 v2 text: the delimiter set a message defines, escape sequences
// (HL7 v2.x chapter 2, "Use of escape sequences in text fields"), UTF-8 checks and transcoding
// between the character set named in MSH-18 and UTF-8.
//
// Used by the message model, the ACK builder and the splitter; not meant for route or mapping
// code, which reads decoded values through Message::get().

#include <cstddef>
#include <string>
#include <string_view>

#include "engine/status.h"

namespace ferry::engine::hl7::detail {

// The delimiters of one message as the scanner uses them. A delimiter the message does not
// define (MSH-2 shorter than four characters, or no v2.7 truncation character) is -1, so that no
// data byte, not even NUL, can match it.
struct DelimiterSet {
  char field = '|';
  int component = '^';
  int repetition = '~';
  int escape = '\\';
  int subcomponent = '&';
  int truncation = -1;

  static bool matches(int delimiter, char c) {
    return delimiter >= 0 && static_cast<unsigned char>(c) == delimiter;
  }
  // True when component, repetition, escape and subcomponent separators are all defined.
  bool complete() const {
    return component >= 0 && repetition >= 0 && escape >= 0 && subcomponent >= 0;
  }
};

// A byte that may serve as a delimiter: printable ASCII other than space, letters and digits.
bool isDelimiterChar(char c);

inline bool isLineBreak(char c) { return c == '\r' || c == '\n'; }

// How the bytes of a message are to be read, from MSH-18 (HL7 table 0211).
enum class CharsetKind {
  // MSH-18 empty, "ASCII" or "UNICODE": read as UTF-8 when every 8-bit byte forms valid UTF-8,
  // otherwise as ISO-8859-1. Real feeds send 8-bit text without declaring it.
  Lenient,
  // "UNICODE UTF-8": UTF-8, and invalid UTF-8 is an error.
  Utf8,
  // "8859/1": ISO-8859-1.
  Latin1,
  // "8859/2" to "8859/9" and "8859/15": other single-byte ISO 8859 parts, read through iconv.
  SingleByte,
  // Anything else (multi-byte Asian sets, UTF-16/32, unknown names): the message is kept and
  // routed byte for byte, ASCII text reads normally, non-ASCII text cannot be decoded.
  Unsupported,
};

struct CharsetInfo {
  CharsetKind kind = CharsetKind::Lenient;
  const char* iconv_name = nullptr;  // for SingleByte, the iconv name ("ISO-8859-2")
};

// Classifies the first repetition of MSH-18 (leading and trailing spaces ignored, case ignored).
CharsetInfo classifyCharset(std::string_view msh18);

// Length of the well-formed UTF-8 sequence that starts at text[pos], or 0 when the bytes there
// are not one (overlong forms, surrogates and code points above U+10FFFF are not well-formed).
std::size_t utf8SequenceLength(std::string_view text, std::size_t pos);
bool isValidUtf8(std::string_view text);

// Appends `raw` (one subcomponent, or a value that is not split further) with its escape
// sequences resolved: \F\ \S\ \T\ \R\ \E\ (and \P\ where a truncation character is defined)
// become the delimiter they stand for, \Xhh..\ becomes the bytes it spells. Formatting and
// character-set sequences (\H\ \N\ \.br\ \.sp\ \.in\ \.ti\ \.sk\ \.ce\ \.fi\ \.nf\ and
// \Z..\ \C..\ \M..\), unknown and unterminated sequences are kept verbatim. Output is in the
// message charset.
void appendUnescaped(std::string& out, std::string_view raw, const DelimiterSet& delimiters);

// Appends `text` with every delimiter character escaped and line breaks written as \X0D\ and
// \X0A\. Returns false (and appends nothing) when something needs escaping but the message
// defines no escape character.
bool appendEscaped(std::string& out, std::string_view text, const DelimiterSet& delimiters);

// Effective reading of a message's bytes once the scan is done.
enum class TextEncoding { Utf8, Latin1, SingleByte, Unsupported };

// Converts `bytes` from the message encoding to UTF-8 and appends them to `out`. UTF-8 input
// with invalid sequences (only possible through \X..\ escapes) gets U+FFFD for each bad byte.
// Fails with Unsupported when the encoding cannot be decoded; the context names no content.
Status appendUtf8(std::string& out, std::string_view bytes, TextEncoding encoding,
                  const char* iconv_name);

// Converts UTF-8 `text` to the message encoding. Fails with InvalidMessage when `text` is not
// UTF-8 or holds characters the encoding cannot represent.
Status appendFromUtf8(std::string& out, std::string_view text, TextEncoding encoding,
                      const char* iconv_name);

}  // namespace ferry::engine::hl7::detail
