#include "renderer/loader_vk.h"

#include <dlfcn.h>

#include <mutex>
#include <string>

#include "renderer/vulkan_renderer.h"

namespace strata {

#define STRATA_VK_DEFINE(name) PFN_##name name = nullptr;
STRATA_VK_DEFINE(vkGetInstanceProcAddr)
STRATA_VK_GLOBAL_FUNCTIONS(STRATA_VK_DEFINE)
STRATA_VK_INSTANCE_FUNCTIONS(STRATA_VK_DEFINE)
STRATA_VK_DEBUG_UTILS_FUNCTIONS(STRATA_VK_DEFINE)
STRATA_VK_PRESENT_FUNCTIONS(STRATA_VK_DEFINE)
#undef STRATA_VK_DEFINE

namespace {

std::mutex& loader_mutex() {
  static std::mutex mutex;
  return mutex;
}

}  // namespace

void load_vulkan_library() {
  std::lock_guard<std::mutex> lock(loader_mutex());
  if (vkGetInstanceProcAddr) return;
  // The library handle is never closed: function pointers stay valid for the process's life.
  void* library = dlopen("libvulkan.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!library) library = dlopen("libvulkan.so", RTLD_NOW | RTLD_LOCAL);
  if (!library)
    throw VulkanUnavailable(
        "no Vulkan loader (libvulkan.so.1 could not be opened; Debian: apt-get install libvulkan1 "
        "mesa-vulkan-drivers)");
  auto get = reinterpret_cast<PFN_vkGetInstanceProcAddr>(dlsym(library, "vkGetInstanceProcAddr"));
  if (!get) throw VulkanUnavailable("the Vulkan loader has no vkGetInstanceProcAddr");
#define STRATA_VK_LOAD_GLOBAL(name) name = reinterpret_cast<PFN_##name>(get(VK_NULL_HANDLE, #name));
  STRATA_VK_GLOBAL_FUNCTIONS(STRATA_VK_LOAD_GLOBAL)
#undef STRATA_VK_LOAD_GLOBAL
  if (!vkCreateInstance || !vkEnumerateInstanceExtensionProperties ||
      !vkEnumerateInstanceLayerProperties)
    throw VulkanUnavailable("the Vulkan loader lacks vkCreateInstance");
  vkGetInstanceProcAddr = get;
}

void load_vulkan_instance_functions(VkInstance instance) {
  std::lock_guard<std::mutex> lock(loader_mutex());
  std::string missing;
#define STRATA_VK_LOAD_CORE(name)                                                         \
  if (!name) name = reinterpret_cast<PFN_##name>(vkGetInstanceProcAddr(instance, #name)); \
  if (!name) missing += std::string(missing.empty() ? "" : ", ") + #name;
  STRATA_VK_INSTANCE_FUNCTIONS(STRATA_VK_LOAD_CORE)
#undef STRATA_VK_LOAD_CORE
#define STRATA_VK_LOAD_OPTIONAL(name) \
  if (!name) name = reinterpret_cast<PFN_##name>(vkGetInstanceProcAddr(instance, #name));
  STRATA_VK_DEBUG_UTILS_FUNCTIONS(STRATA_VK_LOAD_OPTIONAL)
  STRATA_VK_PRESENT_FUNCTIONS(STRATA_VK_LOAD_OPTIONAL)
#undef STRATA_VK_LOAD_OPTIONAL
  if (!missing.empty())
    throw VulkanUnavailable("the Vulkan loader lacks core functions: " + missing);
}

}  // namespace strata
