#include "connectors/mllp/mllp_frame_decoder.h"

#include <algorithm>
#include <utility>

namespace ferry::connectors::mllp {

std::string encodeFrame(std::string_view payload) {
  std::string frame;
  frame.reserve(payload.size() + 3);
  frame.push_back(kStartBlock);
  frame.append(payload);
  frame.push_back(kEndBlock);
  frame.push_back(kCarriageReturn);
  return frame;
}

bool containsEndSequence(std::string_view payload) {
  static constexpr char kEndSequence[] = {kEndBlock, kCarriageReturn};
  return payload.find(std::string_view(kEndSequence, 2)) != std::string_view::npos;
}

FrameDecoder::FrameDecoder(std::size_t max_message_bytes) : max_message_bytes_(max_message_bytes) {}

void FrameDecoder::feed(std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    switch (state_) {
      case State::Idle: {
        // Skip everything up to the next start block in one step.
        auto start = bytes.find(kStartBlock, i);
        std::size_t end = start == std::string_view::npos ? bytes.size() : start;
        skipped_bytes_ += end - i;
        i = end;
        if (start != std::string_view::npos) {
          startFrame();
          ++i;
        }
        break;
      }

      case State::InFrame: {
        // Copy the run of ordinary payload bytes at once; only 0x0B and 0x1C need a decision.
        auto special = std::find_if(bytes.begin() + static_cast<std::ptrdiff_t>(i), bytes.end(),
                                    [](char c) { return c == kStartBlock || c == kEndBlock; });
        auto stop = static_cast<std::size_t>(special - bytes.begin());
        std::size_t room = max_message_bytes_ - current_.size();
        if (stop - i > room) {
          current_.append(bytes.substr(i, room));
          i += room;
          appendPayload(bytes[i]);  // one byte over the limit: reports and switches state
          ++i;
          break;
        }
        current_.append(bytes.substr(i, stop - i));
        i = stop;
        if (i == bytes.size()) {
          break;
        }
        if (bytes[i] == kStartBlock) {
          skipped_bytes_ += current_.size();
          startFrame();
        } else {
          state_ = State::SawEnd;
        }
        ++i;
        break;
      }

      case State::SawEnd: {
        char byte = bytes[i];
        if (byte == kCarriageReturn) {
          finishFrame();
          ++i;
          break;
        }
        // A lone 0x1C is payload; the current byte is then examined again as an InFrame byte.
        state_ = State::InFrame;
        appendPayload(kEndBlock);
        break;
      }

      case State::Oversized:
      case State::OversizedSawEnd: {
        char byte = bytes[i];
        ++i;
        if (state_ == State::OversizedSawEnd && byte == kCarriageReturn) {
          state_ = State::Idle;
        } else if (byte == kStartBlock) {
          startFrame();
        } else {
          state_ = byte == kEndBlock ? State::OversizedSawEnd : State::Oversized;
        }
        break;
      }
    }
  }
}

std::optional<DecodedFrame> FrameDecoder::next() {
  if (ready_.empty()) {
    return std::nullopt;
  }
  DecodedFrame frame = std::move(ready_.front());
  ready_.pop_front();
  return frame;
}

void FrameDecoder::startFrame() {
  current_.clear();
  state_ = State::InFrame;
}

void FrameDecoder::appendPayload(char byte) {
  if (current_.size() < max_message_bytes_) {
    current_.push_back(byte);
    return;
  }

  // Report once, keeping what was received so far, and stop buffering this frame.
  ready_.push_back(DecodedFrame{DecodedFrame::Kind::Oversized, std::move(current_)});
  current_ = std::string();
  state_ = byte == kEndBlock ? State::OversizedSawEnd : State::Oversized;
}

void FrameDecoder::finishFrame() {
  ready_.push_back(DecodedFrame{DecodedFrame::Kind::Message, std::move(current_)});
  current_ = std::string();
  state_ = State::Idle;
}

}  // namespace ferry::connectors::mllp
