#include "engine/fhir/json_allocator.h"

#include <array>
#include <new>

namespace ferry::engine::fhir::detail {
namespace {

// Block sizes are rounded up to a multiple of kGrain; sizes up to kClasses * kGrain are pooled.
// A JsonMember is 120 bytes and a JsonValue 88: lists of up to 17 members or 23 elements, and
// texts of up to 2 KB.
constexpr std::size_t kGrain = 64;
constexpr std::size_t kClasses = 32;
// Enough for the lists of a few large Bundles; a thread keeps no more than this.
constexpr std::size_t kMaxKeptBytes = 512 * 1024;

#if defined(__SANITIZE_ADDRESS__)
// Under AddressSanitizer every block comes from and goes back to the heap, so that a use of a
// tree after it was freed is reported as such rather than hidden inside a pooled block.
constexpr bool kPooled = false;
#else
constexpr bool kPooled = true;
#endif

struct FreeBlock {
  FreeBlock* next;
};

class ThreadLists;

// This thread's lists while they exist, and whether they have been destroyed (at thread exit:
// trees destroyed after that, by other thread_local or static destructors, free straight to the
// heap). Plain values without destructors, so they stay readable to the very end.
thread_local ThreadLists* current_lists = nullptr;
thread_local bool lists_ended = false;

class ThreadLists {
 public:
  ThreadLists() { current_lists = this; }
  ThreadLists(const ThreadLists&) = delete;
  ThreadLists& operator=(const ThreadLists&) = delete;
  ~ThreadLists() {
    current_lists = nullptr;
    lists_ended = true;
    for (std::size_t size_class = 0; size_class < kClasses; ++size_class) {
      while (void* block = take(size_class)) {
        ::operator delete(block, blockSize(size_class));
      }
    }
  }

  void* take(std::size_t size_class) {
    FreeBlock* block = heads_[size_class];
    if (block == nullptr) {
      return nullptr;
    }
    heads_[size_class] = block->next;
    kept_bytes_ -= blockSize(size_class);
    return block;
  }

  // False when the thread keeps enough already; the caller frees the block then.
  bool keep(void* block, std::size_t size_class) {
    std::size_t size = blockSize(size_class);
    if (kept_bytes_ + size > kMaxKeptBytes) {
      return false;
    }
    heads_[size_class] = ::new (block) FreeBlock{heads_[size_class]};
    kept_bytes_ += size;
    return true;
  }

  static std::size_t blockSize(std::size_t size_class) { return (size_class + 1) * kGrain; }

 private:
  std::array<FreeBlock*, kClasses> heads_{};
  std::size_t kept_bytes_ = 0;
};

// Allocation makes the lists on a thread's first use; freeing never does (a thread that only
// frees, or frees while it ends, uses the heap).
ThreadLists* listsForAllocation() {
  if (current_lists == nullptr && !lists_ended) {
    thread_local ThreadLists lists;
  }
  return current_lists;
}

// The pooled size class of a request, or kClasses when it is too large to pool.
std::size_t sizeClassOf(std::size_t bytes) {
  std::size_t size_class = bytes == 0 ? 0 : (bytes - 1) / kGrain;
  return size_class < kClasses ? size_class : kClasses;
}

}  // namespace

void* allocateBlock(std::size_t bytes) {
  std::size_t size_class = sizeClassOf(bytes);
  if (!kPooled || size_class == kClasses) {
    return ::operator new(bytes);
  }
  if (ThreadLists* lists = listsForAllocation()) {
    if (void* block = lists->take(size_class)) {
      return block;
    }
  }
  return ::operator new(ThreadLists::blockSize(size_class));
}

void freeBlock(void* block, std::size_t bytes) noexcept {
  std::size_t size_class = sizeClassOf(bytes);
  if (!kPooled || size_class == kClasses) {
    ::operator delete(block, bytes);
    return;
  }
  if (current_lists == nullptr || !current_lists->keep(block, size_class)) {
    ::operator delete(block, ThreadLists::blockSize(size_class));
  }
}

}  // namespace ferry::engine::fhir::detail
