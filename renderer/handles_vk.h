// Move-only owners of Vulkan objects (DESIGN.md habit; Vulkan-Samples' VulkanResource): one
// type per kind of object, destroyed exactly once by its destructor or reset(). Objects that
// frames in flight may still use are handed to a DeletionQueue (deletion_queue_vk.h) instead of
// being destroyed on the spot.
#pragma once

#include <utility>

#include "renderer/loader_vk.h"

namespace strata {

// Owns one device-level object of type `Handle`, destroyed with *DestroyFn(device, handle, 0).
// DestroyFn points at the loader's function pointer (loader_vk.h), which is filled in at run
// time; the template argument is its address, fixed at compile time.
template <typename Handle, auto* DestroyFn>
class DeviceObject {
 public:
  DeviceObject() = default;
  // Takes ownership of `handle`, created on `device`.
  DeviceObject(VkDevice device, Handle handle) : device_(device), handle_(handle) {}
  ~DeviceObject() { reset(); }
  DeviceObject(const DeviceObject&) = delete;
  DeviceObject& operator=(const DeviceObject&) = delete;
  DeviceObject(DeviceObject&& other) noexcept
      : device_(other.device_), handle_(std::exchange(other.handle_, Handle(VK_NULL_HANDLE))) {}
  DeviceObject& operator=(DeviceObject&& other) noexcept {
    if (this != &other) {
      reset();
      device_ = other.device_;
      handle_ = std::exchange(other.handle_, Handle(VK_NULL_HANDLE));
    }
    return *this;
  }

  Handle get() const { return handle_; }
  VkDevice device() const { return device_; }
  explicit operator bool() const { return handle_ != VK_NULL_HANDLE; }
  // Destroys the object now (it must not be in use by the device).
  void reset() {
    if (handle_ != VK_NULL_HANDLE) (*DestroyFn)(device_, handle_, nullptr);
    handle_ = VK_NULL_HANDLE;
  }

 private:
  VkDevice device_ = VK_NULL_HANDLE;
  Handle handle_ = VK_NULL_HANDLE;
};

using UniqueBuffer = DeviceObject<VkBuffer, &vkDestroyBuffer>;
using UniqueBufferView = DeviceObject<VkBufferView, &vkDestroyBufferView>;
using UniqueImage = DeviceObject<VkImage, &vkDestroyImage>;
using UniqueImageView = DeviceObject<VkImageView, &vkDestroyImageView>;
using UniqueMemory = DeviceObject<VkDeviceMemory, &vkFreeMemory>;
using UniqueFence = DeviceObject<VkFence, &vkDestroyFence>;
using UniqueQueryPool = DeviceObject<VkQueryPool, &vkDestroyQueryPool>;
using UniqueCommandPool = DeviceObject<VkCommandPool, &vkDestroyCommandPool>;
using UniqueShaderModule = DeviceObject<VkShaderModule, &vkDestroyShaderModule>;
using UniquePipeline = DeviceObject<VkPipeline, &vkDestroyPipeline>;
using UniquePipelineLayout = DeviceObject<VkPipelineLayout, &vkDestroyPipelineLayout>;
using UniqueDescriptorSetLayout =
    DeviceObject<VkDescriptorSetLayout, &vkDestroyDescriptorSetLayout>;
using UniqueSemaphore = DeviceObject<VkSemaphore, &vkDestroySemaphore>;
using UniqueRenderPass = DeviceObject<VkRenderPass, &vkDestroyRenderPass>;
using UniqueFramebuffer = DeviceObject<VkFramebuffer, &vkDestroyFramebuffer>;
using UniqueSwapchain = DeviceObject<VkSwapchainKHR, &vkDestroySwapchainKHR>;
// Destroying the pool frees the descriptor sets allocated from it.
using UniqueDescriptorPool = DeviceObject<VkDescriptorPool, &vkDestroyDescriptorPool>;

// Owns a primary command buffer, freed back to its pool (the pool must outlive it).
class UniqueCommandBuffer {
 public:
  UniqueCommandBuffer() = default;
  UniqueCommandBuffer(VkDevice device, VkCommandPool pool, VkCommandBuffer buffer)
      : device_(device), pool_(pool), buffer_(buffer) {}
  ~UniqueCommandBuffer() { reset(); }
  UniqueCommandBuffer(const UniqueCommandBuffer&) = delete;
  UniqueCommandBuffer& operator=(const UniqueCommandBuffer&) = delete;
  UniqueCommandBuffer(UniqueCommandBuffer&& other) noexcept
      : device_(other.device_),
        pool_(other.pool_),
        buffer_(std::exchange(other.buffer_, nullptr)) {}
  UniqueCommandBuffer& operator=(UniqueCommandBuffer&& other) noexcept {
    if (this != &other) {
      reset();
      device_ = other.device_;
      pool_ = other.pool_;
      buffer_ = std::exchange(other.buffer_, nullptr);
    }
    return *this;
  }
  VkCommandBuffer get() const { return buffer_; }
  void reset() {
    if (buffer_) vkFreeCommandBuffers(device_, pool_, 1, &buffer_);
    buffer_ = nullptr;
  }

 private:
  VkDevice device_ = VK_NULL_HANDLE;
  VkCommandPool pool_ = VK_NULL_HANDLE;
  VkCommandBuffer buffer_ = nullptr;
};

// Owns a VkInstance.
class UniqueInstance {
 public:
  UniqueInstance() = default;
  explicit UniqueInstance(VkInstance instance) : instance_(instance) {}
  ~UniqueInstance() { reset(); }
  UniqueInstance(const UniqueInstance&) = delete;
  UniqueInstance& operator=(const UniqueInstance&) = delete;
  UniqueInstance(UniqueInstance&& other) noexcept
      : instance_(std::exchange(other.instance_, nullptr)) {}
  UniqueInstance& operator=(UniqueInstance&& other) noexcept {
    if (this != &other) {
      reset();
      instance_ = std::exchange(other.instance_, nullptr);
    }
    return *this;
  }
  VkInstance get() const { return instance_; }
  void reset() {
    if (instance_) vkDestroyInstance(instance_, nullptr);
    instance_ = nullptr;
  }

 private:
  VkInstance instance_ = nullptr;
};

// Owns a VkDevice (every object made on it must be gone first).
class UniqueDevice {
 public:
  UniqueDevice() = default;
  explicit UniqueDevice(VkDevice device) : device_(device) {}
  ~UniqueDevice() { reset(); }
  UniqueDevice(const UniqueDevice&) = delete;
  UniqueDevice& operator=(const UniqueDevice&) = delete;
  UniqueDevice(UniqueDevice&& other) noexcept : device_(std::exchange(other.device_, nullptr)) {}
  UniqueDevice& operator=(UniqueDevice&& other) noexcept {
    if (this != &other) {
      reset();
      device_ = std::exchange(other.device_, nullptr);
    }
    return *this;
  }
  VkDevice get() const { return device_; }
  void reset() {
    if (device_) vkDestroyDevice(device_, nullptr);
    device_ = nullptr;
  }

 private:
  VkDevice device_ = nullptr;
};

// Owns a VkDebugUtilsMessengerEXT (the instance must outlive it).
class UniqueDebugMessenger {
 public:
  UniqueDebugMessenger() = default;
  UniqueDebugMessenger(VkInstance instance, VkDebugUtilsMessengerEXT messenger)
      : instance_(instance), messenger_(messenger) {}
  ~UniqueDebugMessenger() { reset(); }
  UniqueDebugMessenger(const UniqueDebugMessenger&) = delete;
  UniqueDebugMessenger& operator=(const UniqueDebugMessenger&) = delete;
  UniqueDebugMessenger(UniqueDebugMessenger&& other) noexcept
      : instance_(other.instance_), messenger_(std::exchange(other.messenger_, VK_NULL_HANDLE)) {}
  UniqueDebugMessenger& operator=(UniqueDebugMessenger&& other) noexcept {
    if (this != &other) {
      reset();
      instance_ = other.instance_;
      messenger_ = std::exchange(other.messenger_, VK_NULL_HANDLE);
    }
    return *this;
  }
  void reset() {
    if (messenger_ != VK_NULL_HANDLE)
      vkDestroyDebugUtilsMessengerEXT(instance_, messenger_, nullptr);
    messenger_ = VK_NULL_HANDLE;
  }

 private:
  VkInstance instance_ = nullptr;
  VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
};

}  // namespace strata
