#pragma once

// A POSIX file descriptor owned by one object and closed when it goes out of scope.

#include <unistd.h>

#include <utility>

namespace ferry::engine::io {

class FileDescriptor {
 public:
  // Takes ownership of `fd` (negative: holds nothing).
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept {
    if (this != &other) {
      close();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }

  int get() const { return fd_; }
  // Closes now and reports whether close succeeded: it can report a late write error, which
  // matters before a file is renamed into place.
  bool close() {
    int fd = std::exchange(fd_, -1);
    return fd < 0 || ::close(fd) == 0;
  }

 private:
  int fd_;
};

}  // namespace ferry::engine::io
