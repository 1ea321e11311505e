#include "renderer/device_choice.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace strata {

namespace {

constexpr int kMinimumVersion = 1002;  // Vulkan 1.2

std::string lower(std::string text) {
  for (char& c : text) c = char(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

bool all_digits(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

}  // namespace

int vulkan_version_major_minor(const std::string& api_version) {
  int major = 0, minor = 0;
  if (std::sscanf(api_version.c_str(), "%d.%d", &major, &minor) != 2) return 0;
  return major * 1000 + minor;
}

int vulkan_device_type_rank(const std::string& type) {
  if (type == "discrete") return 0;
  if (type == "integrated") return 1;
  if (type == "cpu") return 2;
  if (type == "virtual") return 3;
  return 4;
}

std::string describe_vulkan_devices(const std::vector<VulkanDeviceInfo>& devices) {
  std::string text;
  for (const VulkanDeviceInfo& d : devices)
    text += "  " + std::to_string(d.index) + ": " + d.name + " [" + d.type + ", Vulkan " +
            d.api_version + "]\n";
  return text;
}

int choose_vulkan_device(const std::vector<VulkanDeviceInfo>& devices, const std::string& request) {
  if (devices.empty()) throw VulkanUnavailable("no Vulkan device found");
  auto usable = [](const VulkanDeviceInfo& d) {
    return vulkan_version_major_minor(d.api_version) >= kMinimumVersion;
  };
  auto refuse = [&](const std::string& why) -> int {
    throw VulkanUnavailable(why + "; devices:\n" + describe_vulkan_devices(devices));
  };
  if (request.empty()) {
    int best = -1;
    for (size_t i = 0; i < devices.size(); ++i) {
      if (!usable(devices[i])) continue;
      if (best < 0 || vulkan_device_type_rank(devices[i].type) <
                          vulkan_device_type_rank(devices[size_t(best)].type))
        best = int(i);
    }
    if (best < 0) return refuse("no device supports Vulkan 1.2");
    return best;
  }
  if (all_digits(request)) {
    const int wanted = request.size() > 9 ? -1 : std::stoi(request);
    for (size_t i = 0; i < devices.size(); ++i) {
      if (devices[i].index != wanted) continue;
      if (!usable(devices[i]))
        return refuse("device " + request + " (" + devices[i].name + ") supports only Vulkan " +
                      devices[i].api_version + ", 1.2 is needed");
      return int(i);
    }
    return refuse("no Vulkan device has index " + request);
  }
  const std::string needle = lower(request);
  for (size_t i = 0; i < devices.size(); ++i)
    if (usable(devices[i]) && lower(devices[i].name).find(needle) != std::string::npos)
      return int(i);
  return refuse("no Vulkan 1.2 device name contains '" + request + "'");
}

}  // namespace strata
