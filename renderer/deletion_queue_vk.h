// A deletion queue (vkguide's habit): Vulkan objects that a frame in flight may still use are
// moved in and destroyed together once that frame's fence has signalled (FrameLoop does the
// flushing). Holds any move-only owner from handles_vk.h or resources_vk.h.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace strata {

class DeletionQueue {
 public:
  DeletionQueue() = default;
  DeletionQueue(DeletionQueue&&) noexcept = default;
  DeletionQueue& operator=(DeletionQueue&&) noexcept = default;
  ~DeletionQueue() { flush(); }

  // Takes ownership of `object` (moved from); it is destroyed by the next flush().
  template <typename T>
  void retire(T&& object) {
    static_assert(!std::is_lvalue_reference_v<T>, "retire() takes objects by move");
    items_.push_back(std::make_unique<Holder<std::decay_t<T>>>(std::move(object)));
  }
  // Moves every object of `other` into this queue.
  void take(DeletionQueue& other) {
    for (auto& item : other.items_) items_.push_back(std::move(item));
    other.items_.clear();
  }
  // Destroys the objects, newest first (so views go before the images they view).
  void flush() {
    while (!items_.empty()) items_.pop_back();
  }
  size_t size() const { return items_.size(); }

 private:
  struct Item {
    virtual ~Item() = default;
  };
  template <typename T>
  struct Holder final : Item {
    explicit Holder(T&& v) : value(std::move(v)) {}
    T value;
  };
  std::vector<std::unique_ptr<Item>> items_;
};

}  // namespace strata
