#include "renderer/context_vk.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "neural/core/error.h"
#include "renderer/device_choice.h"
#include "renderer/error_vk.h"

namespace strata {

namespace {

constexpr const char* kValidationLayer = "VK_LAYER_KHRONOS_validation";

bool has_extension(const std::vector<VkExtensionProperties>& list, const char* name) {
  for (const VkExtensionProperties& e : list)
    if (std::strcmp(e.extensionName, name) == 0) return true;
  return false;
}

std::vector<VkExtensionProperties> instance_extensions(const char* layer) {
  uint32_t count = 0;
  if (vkEnumerateInstanceExtensionProperties(layer, &count, nullptr) != VK_SUCCESS) return {};
  std::vector<VkExtensionProperties> list(count);
  if (vkEnumerateInstanceExtensionProperties(layer, &count, list.data()) < 0) return {};
  list.resize(count);
  return list;
}

bool has_layer(const char* name) {
  uint32_t count = 0;
  if (vkEnumerateInstanceLayerProperties(&count, nullptr) != VK_SUCCESS) return false;
  std::vector<VkLayerProperties> layers(count);
  if (vkEnumerateInstanceLayerProperties(&count, layers.data()) < 0) return false;
  for (uint32_t i = 0; i < count; ++i)
    if (std::strcmp(layers[i].layerName, name) == 0) return true;
  return false;
}

bool validation_from_environment() {
  const char* value = std::getenv("STRATA_VK_VALIDATION");
  return value && std::strcmp(value, "1") == 0;
}

VKAPI_ATTR VkBool32 VKAPI_CALL on_debug_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                VkDebugUtilsMessageTypeFlagsEXT types,
                                                const VkDebugUtilsMessengerCallbackDataEXT* data,
                                                void* user) {
  std::string text =
      severity >= VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT ? "[ERROR" : "[WARNING";
  text += (types & VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT)    ? " validation] "
          : (types & VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT) ? " performance] "
                                                                      : " general] ";
  text += data && data->pMessage ? data->pMessage : "(no message)";
  std::fprintf(stderr, "strata: vulkan: %s\n", text.c_str());
  if (user) static_cast<ValidationLog*>(user)->add(std::move(text));
  return VK_FALSE;  // never abort the call
}

VkDebugUtilsMessengerCreateInfoEXT messenger_info(ValidationLog* log) {
  VkDebugUtilsMessengerCreateInfoEXT info{VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
  info.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
                         VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
  info.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                     VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                     VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
  info.pfnUserCallback = on_debug_message;
  info.pUserData = log;
  return info;
}

std::string version_text(uint32_t v) {
  return std::to_string(VK_API_VERSION_MAJOR(v)) + "." + std::to_string(VK_API_VERSION_MINOR(v)) +
         "." + std::to_string(VK_API_VERSION_PATCH(v));
}

const char* type_name(VkPhysicalDeviceType type) {
  switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
      return "discrete";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
      return "integrated";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
      return "virtual";
    case VK_PHYSICAL_DEVICE_TYPE_CPU:
      return "cpu";
    default:
      return "other";
  }
}

}  // namespace

void ValidationLog::add(std::string message) {
  std::lock_guard<std::mutex> lock(mutex);
  messages.push_back(std::move(message));
}

std::vector<std::string> ValidationLog::snapshot() const {
  std::lock_guard<std::mutex> lock(mutex);
  return messages;
}

UniqueInstance create_vulkan_instance(bool validation, ValidationLog* log, bool* debug_utils,
                                      bool* validation_on,
                                      const std::vector<std::string>& required_extensions) {
  load_vulkan_library();
  uint32_t loader_version = VK_API_VERSION_1_0;
  if (vkEnumerateInstanceVersion) vkEnumerateInstanceVersion(&loader_version);
  if (loader_version < VK_API_VERSION_1_2)
    throw VulkanUnavailable("the Vulkan loader supports only Vulkan " +
                            version_text(loader_version) + "; strata needs 1.2");

  std::vector<const char*> layers, extensions;
  const std::vector<VkExtensionProperties> available = instance_extensions(nullptr);
  *debug_utils = has_extension(available, VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
  if (*debug_utils) extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
  const bool portability = has_extension(available, VK_KHR_PORTABILITY_ENUMERATION_EXTENSION_NAME);
  if (portability) extensions.push_back(VK_KHR_PORTABILITY_ENUMERATION_EXTENSION_NAME);
  for (const std::string& name : required_extensions) {
    if (!has_extension(available, name.c_str()))
      throw VulkanUnavailable("the Vulkan instance lacks extension " + name +
                              " (needed to show a window)");
    bool listed = false;
    for (const char* e : extensions) listed |= name == e;
    if (!listed) extensions.push_back(name.c_str());
  }

  bool sync_validation = false;
  *validation_on = false;
  if (validation) {
    if (has_layer(kValidationLayer)) {
      layers.push_back(kValidationLayer);
      *validation_on = true;
      // Synchronization validation catches missing barriers, which the core checks do not.
      if (has_extension(instance_extensions(kValidationLayer),
                        VK_EXT_VALIDATION_FEATURES_EXTENSION_NAME)) {
        extensions.push_back(VK_EXT_VALIDATION_FEATURES_EXTENSION_NAME);
        sync_validation = true;
      }
      if (!*debug_utils &&
          has_extension(instance_extensions(kValidationLayer), VK_EXT_DEBUG_UTILS_EXTENSION_NAME)) {
        extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
        *debug_utils = true;
      }
    } else {
      warn(std::string("Vulkan validation was asked for but ") + kValidationLayer +
           " is not installed (Debian: apt-get install vulkan-validationlayers); running without "
           "it");
    }
  }

  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.pApplicationName = "strata";
  app.applicationVersion = VK_MAKE_API_VERSION(0, 0, 1, 0);
  app.pEngineName = "strata";
  app.engineVersion = VK_MAKE_API_VERSION(0, 0, 1, 0);
  app.apiVersion = VK_API_VERSION_1_2;

  VkInstanceCreateInfo info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  info.pApplicationInfo = &app;
  info.enabledLayerCount = uint32_t(layers.size());
  info.ppEnabledLayerNames = layers.data();
  info.enabledExtensionCount = uint32_t(extensions.size());
  info.ppEnabledExtensionNames = extensions.data();
  if (portability) info.flags |= VK_INSTANCE_CREATE_ENUMERATE_PORTABILITY_BIT_KHR;

  // Chained so that vkCreateInstance / vkDestroyInstance report too.
  VkDebugUtilsMessengerCreateInfoEXT messenger = messenger_info(log);
  const VkValidationFeatureEnableEXT enables[] = {
      VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT};
  VkValidationFeaturesEXT features{VK_STRUCTURE_TYPE_VALIDATION_FEATURES_EXT};
  features.enabledValidationFeatureCount = 1;
  features.pEnabledValidationFeatures = enables;
  const void* chain = nullptr;
  if (*debug_utils) {
    messenger.pNext = chain;
    chain = &messenger;
  }
  if (sync_validation) {
    features.pNext = chain;
    chain = &features;
  }
  info.pNext = chain;

  VkInstance instance = VK_NULL_HANDLE;
  const VkResult result = vkCreateInstance(&info, nullptr, &instance);
  if (result == VK_ERROR_INCOMPATIBLE_DRIVER)
    throw VulkanUnavailable(
        "no Vulkan driver is installed (Debian: apt-get install mesa-vulkan-drivers)");
  if (result != VK_SUCCESS)
    throw VulkanUnavailable(std::string("vkCreateInstance failed: ") + vk_result_name(result));
  UniqueInstance owned(instance);
  load_vulkan_instance_functions(instance);
  return owned;
}

VulkanDeviceInfo describe_physical_device(VkPhysicalDevice device, int index) {
  VkPhysicalDeviceProperties properties{};
  vkGetPhysicalDeviceProperties(device, &properties);
  VulkanDeviceInfo info{};
  info.index = index;
  info.name = properties.deviceName;
  info.type = type_name(properties.deviceType);
  info.api_version = version_text(properties.apiVersion);
  info.driver = "driver " + std::to_string(properties.driverVersion);
  if (properties.apiVersion >= VK_API_VERSION_1_2) {
    VkPhysicalDeviceDriverProperties driver{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
    VkPhysicalDeviceProperties2 properties2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
    properties2.pNext = &driver;
    vkGetPhysicalDeviceProperties2(device, &properties2);
    info.driver = std::string(driver.driverName) + " " + driver.driverInfo;
  }
  VkPhysicalDeviceMemoryProperties memory{};
  vkGetPhysicalDeviceMemoryProperties(device, &memory);
  info.device_local_bytes = 0;
  for (uint32_t i = 0; i < memory.memoryHeapCount; ++i)
    if (memory.memoryHeaps[i].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT)
      info.device_local_bytes += memory.memoryHeaps[i].size;
  return info;
}

std::vector<VulkanDeviceInfo> list_vulkan_devices() {
  bool debug_utils = false, validation_on = false;
  UniqueInstance instance = create_vulkan_instance(false, nullptr, &debug_utils, &validation_on);
  uint32_t count = 0;
  STRATA_VK_CHECK(vkEnumeratePhysicalDevices(instance.get(), &count, nullptr), "listing devices");
  std::vector<VkPhysicalDevice> devices(count);
  STRATA_VK_CHECK(vkEnumeratePhysicalDevices(instance.get(), &count, devices.data()),
                  "listing devices");
  if (count == 0)
    throw VulkanUnavailable(
        "no Vulkan device found (Debian: apt-get install mesa-vulkan-drivers for llvmpipe)");
  std::vector<VulkanDeviceInfo> infos;
  for (uint32_t i = 0; i < count; ++i)
    infos.push_back(describe_physical_device(devices[i], int(i)));
  return infos;
}

ContextVk::ContextVk(const VulkanOptions& options) : log_(std::make_unique<ValidationLog>()) {
  const bool validation = options.validation || validation_from_environment();
  instance_ = create_vulkan_instance(validation, log_.get(), &debug_utils_, &validation_on_,
                                     options.instance_extensions);
  if (debug_utils_) {
    const VkDebugUtilsMessengerCreateInfoEXT info = messenger_info(log_.get());
    VkDebugUtilsMessengerEXT messenger = VK_NULL_HANDLE;
    STRATA_VK_CHECK(vkCreateDebugUtilsMessengerEXT(instance_.get(), &info, nullptr, &messenger),
                    "debug messenger");
    messenger_ = UniqueDebugMessenger(instance_.get(), messenger);
  }

  uint32_t count = 0;
  STRATA_VK_CHECK(vkEnumeratePhysicalDevices(instance_.get(), &count, nullptr), "listing devices");
  std::vector<VkPhysicalDevice> devices(count);
  STRATA_VK_CHECK(vkEnumeratePhysicalDevices(instance_.get(), &count, devices.data()),
                  "listing devices");
  devices.resize(count);
  std::vector<VulkanDeviceInfo> infos;
  for (uint32_t i = 0; i < count; ++i)
    infos.push_back(describe_physical_device(devices[i], int(i)));
  if (infos.empty())
    throw VulkanUnavailable(
        "no Vulkan device found (Debian: apt-get install mesa-vulkan-drivers for llvmpipe)");
  const int chosen = choose_vulkan_device(infos, options.device);
  physical_device_ = devices[size_t(chosen)];
  info_ = infos[size_t(chosen)];
  vkGetPhysicalDeviceProperties(physical_device_, &properties_);
  vkGetPhysicalDeviceMemoryProperties(physical_device_, &memory_);
  VkPhysicalDeviceMaintenance3Properties maintenance3{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES};
  VkPhysicalDeviceProperties2 properties2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
  properties2.pNext = &maintenance3;
  vkGetPhysicalDeviceProperties2(physical_device_, &properties2);
  max_allocation_bytes_ = maintenance3.maxMemoryAllocationSize;

  // One queue that can run compute; a graphics+compute family first, since the viewer's
  // swapchain will present from it.
  uint32_t families = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(physical_device_, &families, nullptr);
  std::vector<VkQueueFamilyProperties> family_properties(families);
  vkGetPhysicalDeviceQueueFamilyProperties(physical_device_, &families, family_properties.data());
  int best = -1;
  for (uint32_t i = 0; i < families; ++i) {
    const VkQueueFlags flags = family_properties[i].queueFlags;
    if (!(flags & VK_QUEUE_COMPUTE_BIT) || family_properties[i].queueCount == 0) continue;
    if (best < 0 || (flags & VK_QUEUE_GRAPHICS_BIT)) {
      best = int(i);
      if (flags & VK_QUEUE_GRAPHICS_BIT) break;
    }
  }
  if (best < 0) throw VulkanUnavailable("device '" + info_.name + "' has no compute queue");
  queue_family_ = uint32_t(best);
  if (family_properties[queue_family_].timestampValidBits > 0)
    timestamp_period_ns_ = double(properties_.limits.timestampPeriod);

  const float priority = 1.0f;
  VkDeviceQueueCreateInfo queue_info{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  queue_info.queueFamilyIndex = queue_family_;
  queue_info.queueCount = 1;
  queue_info.pQueuePriorities = &priority;
  VkDeviceCreateInfo device_info{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  device_info.queueCreateInfoCount = 1;
  device_info.pQueueCreateInfos = &queue_info;
  const char* swapchain_extension = VK_KHR_SWAPCHAIN_EXTENSION_NAME;
  if (options.swapchain) {
    uint32_t count = 0;
    vkEnumerateDeviceExtensionProperties(physical_device_, nullptr, &count, nullptr);
    std::vector<VkExtensionProperties> list(count);
    vkEnumerateDeviceExtensionProperties(physical_device_, nullptr, &count, list.data());
    list.resize(count);
    if (!has_extension(list, swapchain_extension))
      throw VulkanUnavailable("device '" + info_.name + "' cannot present to a window (no " +
                              swapchain_extension + ")");
    device_info.enabledExtensionCount = 1;
    device_info.ppEnabledExtensionNames = &swapchain_extension;
  }
  VkDevice device = VK_NULL_HANDLE;
  const VkResult result = vkCreateDevice(physical_device_, &device_info, nullptr, &device);
  if (result != VK_SUCCESS)
    throw VulkanUnavailable("could not start device '" + info_.name +
                            "': " + vk_result_name(result));
  device_ = UniqueDevice(device);
  vkGetDeviceQueue(device, queue_family_, 0, &queue_);
  name(device, "strata device");
  name(queue_, "strata queue");
}

ContextVk::~ContextVk() {
  if (device_.get()) vkDeviceWaitIdle(device_.get());
}

uint32_t ContextVk::memory_type(uint32_t type_bits, VkMemoryPropertyFlags required,
                                VkMemoryPropertyFlags preferred, const std::string& what) const {
  for (const VkMemoryPropertyFlags wanted : {required | preferred, required}) {
    for (uint32_t i = 0; i < memory_.memoryTypeCount; ++i)
      if ((type_bits & (1u << i)) && (memory_.memoryTypes[i].propertyFlags & wanted) == wanted)
        return i;
  }
  throw VulkanError("no memory type for " + what + " on device '" + info_.name + "'");
}

uint64_t ContextVk::heap_bytes(uint32_t type) const {
  return memory_.memoryHeaps[memory_.memoryTypes[type].heapIndex].size;
}

bool ContextVk::memory_type_has(uint32_t type, VkMemoryPropertyFlags flags) const {
  return (memory_.memoryTypes[type].propertyFlags & flags) == flags;
}

void ContextVk::set_object_name(VkObjectType type, uint64_t handle, const std::string& text) const {
  if (!debug_utils_ || !vkSetDebugUtilsObjectNameEXT || handle == 0) return;
  VkDebugUtilsObjectNameInfoEXT info{VK_STRUCTURE_TYPE_DEBUG_UTILS_OBJECT_NAME_INFO_EXT};
  info.objectType = type;
  info.objectHandle = handle;
  info.pObjectName = text.c_str();
  vkSetDebugUtilsObjectNameEXT(device_.get(), &info);
}

void ContextVk::begin_label(VkCommandBuffer cmd, const char* label) const {
  if (!debug_utils_ || !vkCmdBeginDebugUtilsLabelEXT) return;
  VkDebugUtilsLabelEXT info{VK_STRUCTURE_TYPE_DEBUG_UTILS_LABEL_EXT};
  info.pLabelName = label;
  vkCmdBeginDebugUtilsLabelEXT(cmd, &info);
}

void ContextVk::end_label(VkCommandBuffer cmd) const {
  if (!debug_utils_ || !vkCmdEndDebugUtilsLabelEXT) return;
  vkCmdEndDebugUtilsLabelEXT(cmd);
}

}  // namespace strata
