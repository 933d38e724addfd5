#include "report/report_date_map.hpp"

#include <cairo.h>

#include <algorithm>
#include <map>

#include "geosweep/kernels/change.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "report/report_drawing.hpp"

namespace geosweep::pipeline {

date_inset make_date_inset(std::vector<std::int32_t> const& days,
                           std::vector<std::uint8_t> const& change, int width, int height,
                           std::vector<look_date_share> const& shares,
                           std::vector<std::string> const& labels, std::string const& other_label,
                           int max_side) {
  auto const n = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
  if (days.size() != n || change.size() != n || labels.size() != shares.size() || max_side < 1)
    throw logic_error("make_date_inset: rasters, shares and labels do not match");
  date_inset inset;
  std::map<std::int32_t, std::uint32_t> colour_of;  // by day
  std::size_t dated = 0;
  bool others = false;
  for (std::size_t s = 0; s < shares.size(); ++s) {
    if (!shares[s].date) {
      inset.legend.emplace_back(no_look_colour, labels[s]);
      continue;
    }
    std::int32_t const day = days_since_epoch(*shares[s].date);
    if (dated < std::size(date_colours)) {
      colour_of[day] = date_colours[dated++];
      inset.legend.emplace_back(colour_of[day], labels[s]);
    } else {
      colour_of[day] = other_dates_colour;
      others = true;
    }
  }
  if (others) {  // after the dated entries, before "no look"
    auto const at = std::find_if(inset.legend.begin(), inset.legend.end(),
                                 [](auto const& e) { return e.first == no_look_colour; });
    inset.legend.insert(at, {other_dates_colour, other_label});
  }
  int const step = std::max(1, (std::max(width, height) + max_side - 1) / max_side);
  inset.width = (width + step - 1) / step;
  inset.height = (height + step - 1) / step;
  inset.pixels.resize(static_cast<std::size_t>(inset.width) * inset.height);
  for (int r = 0; r < inset.height; ++r) {
    for (int c = 0; c < inset.width; ++c) {
      // The centre pixel of the block (clamped at the raster's edge).
      int const sr = std::min(r * step + step / 2, height - 1);
      int const sc = std::min(c * step + step / 2, width - 1);
      auto const i = static_cast<std::size_t>(sr) * width + sc;
      std::uint32_t colour = outside_colour;
      if (change[i] != kernels::change_outside_aoi) {
        auto const it = colour_of.find(days[i]);
        colour = days[i] == kernels::no_date ? no_look_colour
                 : it != colour_of.end()     ? it->second
                                             : other_dates_colour;
      }
      inset.pixels[static_cast<std::size_t>(r) * inset.width + c] = colour;
    }
  }
  return inset;
}

double draw_date_inset(cairo_t* cr, date_inset const& inset, double x, double y, double max_width,
                       double max_height) {
  namespace d = drawing;
  if (inset.width == 0 || inset.height == 0) return 0;
  double const scale = std::min(max_width / inset.width, max_height / inset.height);
  d::draw_pixels(cr, inset.pixels.data(), static_cast<std::size_t>(inset.width), inset.width,
                 inset.height, x, y, scale);
  double const map_width = inset.width * scale, map_height = inset.height * scale;
  cairo_rectangle(cr, x, y, map_width, map_height);
  cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
  cairo_set_line_width(cr, 0.5);
  cairo_stroke(cr);
  // The legend right of the map, from its top.
  double const lx = x + map_width + 8;
  double ly = y + 8;
  d::set_font(cr, 8);
  for (auto const& [colour, label] : inset.legend) {
    cairo_rectangle(cr, lx, ly - 7, 10, 8);
    d::set_colour(cr, colour);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
    cairo_set_line_width(cr, 0.5);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    d::draw_text(cr, lx + 15, ly, label);
    ly += 11;
  }
  return std::max(map_height, ly - 11 - y + 3);
}

}  // namespace geosweep::pipeline
