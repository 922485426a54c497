#pragma once

// MLLP framing (HL7 v2 Minimal Lower Layer Protocol, Release 2): every message travels as
// <VT> payload <FS><CR>, that is 0x0B, the message bytes, 0x1C 0x0D.
//
// FrameDecoder is a pure, incremental decoder: it is fed whatever a socket read returned and
// hands back complete frames in stream order. It owns no socket and never blocks.
//
// Thread-safety: none; one decoder belongs to one connection.

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace ferry::connectors::mllp {

inline constexpr char kStartBlock = '\x0B';
inline constexpr char kEndBlock = '\x1C';
inline constexpr char kCarriageReturn = '\x0D';

// Default bound on one message, matching hl7::ParseLimits.
inline constexpr std::size_t kDefaultMaxMessageBytes = 16 * 1024 * 1024;

// Wraps `payload` in start and end blocks. The payload must not contain the end sequence
// 0x1C 0x0D (see containsEndSequence); HL7 v2 text never does.
std::string encodeFrame(std::string_view payload);

// True when `payload` contains 0x1C 0x0D, which would end its frame early.
bool containsEndSequence(std::string_view payload);

struct DecodedFrame {
  enum class Kind {
    // A complete frame; `bytes` is the payload without framing.
    Message,
    // The payload grew past the size limit. `bytes` holds the first max_message_bytes of it
    // (enough to recover the MSH segment for a reject ACK); the rest of that frame is
    // discarded without being buffered.
    Oversized,
  };
  Kind kind = Kind::Message;
  std::string bytes;
};

class FrameDecoder {
 public:
  // `max_message_bytes` bounds one payload; a payload of exactly that size is accepted.
  explicit FrameDecoder(std::size_t max_message_bytes = kDefaultMaxMessageBytes);

  // Consumes all of `bytes`. Complete frames (and oversize reports) become available through
  // next(). Memory held is bounded by max_message_bytes plus the frames completed by this call.
  //
  // Rules, in the decoder's states:
  // - Outside a frame, every byte other than 0x0B is skipped and counted (stray CR/LF after
  //   a frame, or line noise).
  // - Inside a frame, 0x1C followed by 0x0D ends it; 0x1C followed by anything else is data.
  // - Inside a frame, 0x0B starts a new frame: the sender abandoned the previous one, whose
  //   bytes are dropped and counted as skipped. (0x0B cannot occur in HL7 v2 text.)
  void feed(std::string_view bytes);

  // The next decoded frame in stream order, or std::nullopt when none is complete.
  std::optional<DecodedFrame> next();

  // True while a frame has started but not ended (including an oversized one being skipped).
  bool inFrame() const { return state_ != State::Idle; }
  // Bytes skipped outside frames or dropped with abandoned frames, since construction.
  std::size_t skippedBytes() const { return skipped_bytes_; }
  // Payload bytes of the frame in progress (capped at max_message_bytes).
  std::size_t bufferedBytes() const { return current_.size(); }
  std::size_t maxMessageBytes() const { return max_message_bytes_; }

 private:
  enum class State {
    Idle,       // between frames
    InFrame,    // collecting payload
    SawEnd,     // collecting payload; the last byte was 0x1C
    Oversized,  // past the limit; discarding until the end of the frame
    OversizedSawEnd,
  };

  void startFrame();
  void appendPayload(char byte);
  void finishFrame();

  std::size_t max_message_bytes_;
  State state_ = State::Idle;
  std::string current_;
  std::deque<DecodedFrame> ready_;
  std::size_t skipped_bytes_ = 0;
};

}  // namespace ferry::connectors::mllp
