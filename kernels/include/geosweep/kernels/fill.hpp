#pragma once
/// \file
/// fill_op: the constant functor behind kernels::fill (stream.hpp).

#include "geosweep/kernels/hd.hpp"

namespace geosweep::kernels {

/// out[i] = value.
template <class T>
struct fill_op {
  T value;
  GEOSWEEP_HD T operator()() const { return value; }
};

}  // namespace geosweep::kernels
