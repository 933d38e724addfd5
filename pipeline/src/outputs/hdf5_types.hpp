#pragma once
// Internal to pipeline/src/outputs: the HDF5 file and memory types of each element type of a
// change.nc variable, and the checked conversion of attribute values (fill values, flags) to it.

#include <hdf5.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "geosweep/kernels/error.hpp"

namespace geosweep::pipeline {

/// Shortest round-trip text of `value` (attributes, messages).
inline std::string format_double(double value) {
  std::array<char, 64> buffer{};
  auto const result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return std::string(buffer.data(), result.ptr);
}

/// HDF5 types and value conversion of one variable element type.
template <typename T>
struct element_type;

template <>
struct element_type<float> {
  static hid_t file_type() { return H5T_IEEE_F32LE; }
  static hid_t memory_type() { return H5T_NATIVE_FLOAT; }
  static float from_double(double value, std::string_view /*what*/) {
    return static_cast<float>(value);
  }
};

/// Integer element types: the value must be a whole number in the type's range.
template <typename T>
T integer_from_double(double value, std::string_view what, char const* type_name) {
  if (!(value >= static_cast<double>(std::numeric_limits<T>::min()) &&
        value <= static_cast<double>(std::numeric_limits<T>::max())) ||
      value != std::floor(value)) {
    throw logic_error(std::string(what) + " " + format_double(value) + " is not representable as " +
                      type_name);
  }
  return static_cast<T>(value);
}

template <>
struct element_type<std::uint16_t> {
  static hid_t file_type() { return H5T_STD_U16LE; }
  static hid_t memory_type() { return H5T_NATIVE_UINT16; }
  static std::uint16_t from_double(double value, std::string_view what) {
    return integer_from_double<std::uint16_t>(value, what, "uint16");
  }
};

template <>
struct element_type<std::int16_t> {
  static hid_t file_type() { return H5T_STD_I16LE; }
  static hid_t memory_type() { return H5T_NATIVE_INT16; }
  static std::int16_t from_double(double value, std::string_view what) {
    return integer_from_double<std::int16_t>(value, what, "int16");
  }
};

template <>
struct element_type<std::int32_t> {
  static hid_t file_type() { return H5T_STD_I32LE; }
  static hid_t memory_type() { return H5T_NATIVE_INT32; }
  static std::int32_t from_double(double value, std::string_view what) {
    return integer_from_double<std::int32_t>(value, what, "int32");
  }
};

template <>
struct element_type<std::uint8_t> {
  static hid_t file_type() { return H5T_STD_U8LE; }
  static hid_t memory_type() { return H5T_NATIVE_UINT8; }
  static std::uint8_t from_double(double value, std::string_view what) {
    if (!(value >= 0.0 && value <= 255.0) || value != std::floor(value)) {
      throw logic_error(std::string(what) + " " + format_double(value) +
                        " is not representable as uint8");
    }
    return static_cast<std::uint8_t>(value);
  }
};

}  // namespace geosweep::pipeline
