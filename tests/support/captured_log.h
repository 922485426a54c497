#pragma once

// Keeps what one Poco logger logs while alive, at every level, and puts the logger's channel
// and level back afterwards. For tests that check what is (and is not) written to the log.

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>

namespace ferry::testing {

class CapturedLog {
 public:
  using Entry = std::pair<Poco::Message::Priority, std::string>;

  explicit CapturedLog(const std::string& logger_name)
      : logger_(Poco::Logger::get(logger_name)),
        previous_channel_(logger_.getChannel()),
        previous_level_(logger_.getLevel()),
        channel_(Poco::makeAuto<Channel>()) {
    logger_.setChannel(channel_);
    logger_.setLevel(Poco::Message::PRIO_TRACE);
  }
  ~CapturedLog() {
    logger_.setChannel(previous_channel_);
    logger_.setLevel(previous_level_);
  }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

  std::vector<Entry> entries() { return channel_->snapshot(); }

 private:
  class Channel : public Poco::Channel {
   public:
    void log(const Poco::Message& message) override {
      std::lock_guard lock(mutex_);
      entries_.emplace_back(message.getPriority(), message.getText());
    }
    std::vector<Entry> snapshot() {
      std::lock_guard lock(mutex_);
      return entries_;
    }

   private:
    std::mutex mutex_;
    std::vector<Entry> entries_;
  };

  Poco::Logger& logger_;
  Poco::Channel::Ptr previous_channel_;
  int previous_level_;
  Poco::AutoPtr<Channel> channel_;
};

}  // namespace ferry::testing
