#include "compute/change_detector.hpp"

#include "geosweep/kernels/error.hpp"

namespace geosweep::pipeline {

std::unique_ptr<change_detector> make_change_detector(change_spec const& change, std::size_t pixels,
                                                      kernels::stream const& s,
                                                      std::size_t history_looks) {
  switch (change.method) {
    case change_method::baseline:
      return make_baseline_detector(change, pixels, s);
    case change_method::bitemporal:
      return make_bitemporal_detector(change, pixels, s);
    case change_method::bfast:
      return make_bfast_detector(change, pixels, s, history_looks);
  }
  throw logic_error("no detector for this change method");
}

std::unique_ptr<detector_state> read_detector_state(state_reader const& in, std::size_t chunk,
                                                    pixel_window const& window,
                                                    change_method method) {
  switch (method) {
    case change_method::baseline:
      return read_baseline_state(in, chunk, window);
    case change_method::bitemporal:
      return read_bitemporal_state(in, chunk, window);
    case change_method::bfast:
      return read_bfast_state(in, chunk, window);
  }
  throw logic_error("no detector state for this change method");
}

}  // namespace geosweep::pipeline
