#pragma once

// The allocator of what JsonValue trees are made of: member lists, element lists and texts
// longer than a std::string holds inside itself.
//
// Trees come and go by the thousand per second on one thread (a mapped Bundle holds some 250
// lists and 150 such texts; mapping builds and drops more on the way), in a few sizes: lists
// grow by doubling, and ids, urn references and code system URIs are all 16 to 64 bytes long.
// glibc's per-thread cache keeps only 7 free blocks of a size: the rest of a dropped tree falls
// through to its shared bins, which merge and sort the blocks, and the next tree pays to split
// them again. This allocator keeps freed blocks on free lists of the thread that frees them, up
// to a bound in bytes per thread, and reuses them first.
//
// Under AddressSanitizer nothing is pooled (every block is the heap's), so that ASan sees each
// free.
//
// Thread-safety: any thread may free a block another thread allocated (the block joins the
// freeing thread's lists). Blocks over the bound, larger than the pooled sizes, or freed while
// the thread is ending, go back to the global heap.

#include <cstddef>

namespace ferry::engine::fhir {

namespace detail {

// A block of at least `bytes` bytes, aligned as operator new aligns; throws std::bad_alloc.
void* allocateBlock(std::size_t bytes);
// Frees a block from allocateBlock() of the same `bytes`.
void freeBlock(void* block, std::size_t bytes) noexcept;

}  // namespace detail

template <typename T>
class JsonAllocator {
 public:
  using value_type = T;

  JsonAllocator() noexcept = default;
  template <typename U>
  JsonAllocator(const JsonAllocator<U>& /*other*/) noexcept {}  // NOLINT: rebinding

  // std::vector keeps `count` within max_size(), so the product cannot overflow.
  T* allocate(std::size_t count) {
    return static_cast<T*>(detail::allocateBlock(count * sizeof(T)));
  }
  void deallocate(T* block, std::size_t count) noexcept {
    detail::freeBlock(block, count * sizeof(T));
  }

  // Stateless: any instance frees what another allocated.
  template <typename U>
  bool operator==(const JsonAllocator<U>& /*other*/) const noexcept {
    return true;
  }
};

}  // namespace ferry::engine::fhir
