#pragma once

// A file that appears under its final name only once it is complete. Where the file system
// allows, it is written unnamed (O_TMPFILE) and then linked into its directory: one change to
// the directory. Elsewhere it is written under a hidden temporary name (".<name>.tmp") and
// renamed: two changes. The unnamed way cut the file destination's CPU per message by about a
// third in bench/mllp_ingest_bench (creating and renaming in a large directory is what costs).
// Publishing over an existing file replaces it atomically (a message delivered again).
//
// The caller makes the data durable between write() and publish() (sync(), or one syncfs for a
// batch), and syncs the directory after publish().
//
// Thread-safety: none; one delivery worker owns its files.

#include <string>
#include <string_view>

#include "engine/io/file_descriptor.h"
#include "engine/status.h"

namespace ferry::connectors::file {

class PendingFile {
 public:
  // Starts a file to be published as `directory`/`name`. `try_unnamed` asks for the unnamed
  // way; it is cleared when the file system cannot, so that later files go straight to the
  // other. IoError naming the path when neither can be created.
  static engine::Result<PendingFile> create(const std::string& directory, const std::string& name,
                                            bool& try_unnamed);

  PendingFile(PendingFile&& other) noexcept;
  PendingFile& operator=(PendingFile&&) = delete;
  // An unpublished temporary file is removed (an unnamed one vanishes by itself).
  ~PendingFile();

  engine::Status write(std::string_view bytes);
  engine::Status sync();
  // Gives the file its final name. After an IoError nothing is published.
  engine::Status publish();

 private:
  PendingFile(engine::io::FileDescriptor file, std::string final_path, std::string temp_path);

  engine::io::FileDescriptor file_;
  std::string final_path_;
  std::string temp_path_;  // empty: the file is unnamed
  bool published_ = false;
};

}  // namespace ferry::connectors::file
