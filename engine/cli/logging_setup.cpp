#include "engine/cli/logging_setup.h"

#include <Poco/AsyncChannel.h>
#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/FileChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/PatternFormatter.h>

namespace ferry::engine::cli {

namespace {

Poco::AutoPtr<Poco::AsyncChannel>& asyncChannel() {
  static Poco::AutoPtr<Poco::AsyncChannel> channel;
  return channel;
}

}  // namespace

// POCO's channels are reference counted: they are created with new and owned by AutoPtr, which
// is that library's ownership idiom.
void setUpLogging(const std::string& level, const std::string& file) {
  Poco::AutoPtr<Poco::PatternFormatter> formatter(
      new Poco::PatternFormatter("%Y-%m-%dT%H:%M:%S.%iZ %p %s: %t"));
  formatter->setProperty("times", "UTC");
  Poco::AutoPtr<Poco::Channel> sink;
  if (file.empty()) {
    sink = new Poco::ConsoleChannel;
  } else {
    Poco::AutoPtr<Poco::FileChannel> file_channel(new Poco::FileChannel(file));
    file_channel->setProperty("rotation", "100 M");
    file_channel->setProperty("archive", "timestamp");
    file_channel->setProperty("purgeCount", "10");
    sink = file_channel;
  }
  Poco::AutoPtr<Poco::FormattingChannel> formatting(new Poco::FormattingChannel(formatter, sink));
  Poco::AutoPtr<Poco::AsyncChannel> channel(new Poco::AsyncChannel(formatting));
  asyncChannel() = channel;
  // The static setters reach every logger that already exists; later ones copy the root's.
  Poco::Logger::root().setChannel(channel);
  Poco::Logger::setChannel("", channel);
  Poco::Logger::setLevel("", Poco::Logger::parseLevel(level));
}

void flushLogging() {
  if (!asyncChannel().isNull()) {
    asyncChannel()->close();  // drains the queue, then joins the writer thread
  }
}

}  // namespace ferry::engine::cli
