#include "catalog/stac_search.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "catalog/scene_catalog.hpp"
#include "core/environment.hpp"
#include "core/http_client.hpp"
#include "core/text.hpp"
#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {
namespace {

using json = nlohmann::ordered_json;

std::string datetime_range(job_spec const& spec) {
  civil_date const first = std::min(spec.baseline.first, spec.monitor.first);
  civil_date const last = std::max(spec.baseline.last, spec.monitor.last);
  return to_iso(first) + "T00:00:00Z/" + to_iso(last) + "T23:59:59Z";
}

std::string number(double v) {
  return fmt::format("{}", v);  // shortest text that reads back as v
}

/// The next request a page's links ask for, if any: a "next" link with its method, and for
/// POST its body (merged into the previous body when it says "merge": true).
std::optional<http_request> next_request(json const& page, http_request const& previous,
                                         std::string const& where) {
  if (!page.contains("links") || !page["links"].is_array()) return std::nullopt;
  for (auto const& link : page["links"]) {
    if (!link.is_object() || link.value("rel", "") != "next") continue;
    if (!link.contains("href") || !link["href"].is_string())
      throw io_error(where + ": a 'next' link without an href");
    http_request r;
    r.headers = previous.headers;  // the job's headers, on every page
    r.url = link["href"].get<std::string>();
    r.method =
        link.value("method", previous.method == "POST" && link.contains("body") ? "POST" : "GET");
    if (r.method == "POST") {
      json body = link.contains("body") && link["body"].is_object() ? link["body"] : json::object();
      if (link.value("merge", false)) {
        json merged = previous.body.empty() ? json::object() : json::parse(previous.body);
        for (auto const& [k, v] : body.items()) merged[k] = v;
        body = std::move(merged);
      }
      r.body = body.dump();
    }
    return r;
  }
  return std::nullopt;
}

}  // namespace

geo_bbox search_bbox(std::vector<geo_bbox> const& aois) {
  GEOSWEEP_EXPECTS(!aois.empty(), "a job has at least one AOI");
  geo_bbox out{0, 90, 0, -90};
  // The AOIs' longitude intervals, those across 180° split in two, merged in order.
  std::vector<std::pair<double, double>> spans;
  for (auto const& b : aois) {
    out.south = std::min(out.south, b.south);
    out.north = std::max(out.north, b.north);
    if (b.crosses_antimeridian()) {
      spans.emplace_back(b.west, 180.0);
      spans.emplace_back(-180.0, b.east);
    } else {
      spans.emplace_back(b.west, b.east);
    }
  }
  std::sort(spans.begin(), spans.end());
  std::vector<std::pair<double, double>> merged;
  for (auto const& s : spans) {
    if (!merged.empty() && s.first <= merged.back().second) {
      merged.back().second = std::max(merged.back().second, s.second);
    } else {
      merged.push_back(s);
    }
  }
  // The smallest interval of the circle holding them all leaves out its widest gap: the one
  // across 180° gives an ordinary box, one between two AOIs a box across the antimeridian.
  double widest = 360.0 - (merged.back().second - merged.front().first);  // across 180°
  out.west = merged.front().first;
  out.east = merged.back().second;
  for (std::size_t i = 1; i < merged.size(); ++i) {
    double const gap = merged[i].first - merged[i - 1].second;
    if (gap > widest) {
      widest = gap;
      out.west = merged[i].first;
      out.east = merged[i - 1].second;
    }
  }
  return out;
}

json search_body(job_spec const& spec) {
  GEOSWEEP_EXPECTS(spec.scenes.stac_api.has_value(), "a job with scenes.stac_api");
  auto const& api = *spec.scenes.stac_api;
  json body = json::object();
  if (!api.collections.empty()) body["collections"] = api.collections;
  auto const b = search_bbox(aoi_bboxes(spec));
  body["bbox"] = {b.west, b.south, b.east, b.north};
  body["datetime"] = datetime_range(spec);
  body["limit"] = api.limit;
  if (!api.query.empty()) body["query"] = json::parse(api.query);
  if (!api.filter.empty()) {
    body["filter"] = json::parse(api.filter);
    body["filter-lang"] = "cql2-json";
  }
  return body;
}

std::string search_url(job_spec const& spec) {
  GEOSWEEP_EXPECTS(spec.scenes.stac_api.has_value(), "a job with scenes.stac_api");
  auto const& api = *spec.scenes.stac_api;
  auto const b = search_bbox(aoi_bboxes(spec));
  std::string url = api.url + "/search?bbox=" +
                    url_component(fmt::format("{},{},{},{}", number(b.west), number(b.south),
                                              number(b.east), number(b.north))) +
                    "&datetime=" + url_component(datetime_range(spec)) +
                    "&limit=" + std::to_string(api.limit);
  if (!api.collections.empty())
    url += "&collections=" + url_component(fmt::format("{}", fmt::join(api.collections, ",")));
  if (!api.query.empty()) url += "&query=" + url_component(api.query);
  if (!api.filter.empty()) url += "&filter=" + url_component(api.filter) + "&filter-lang=cql2-json";
  return url;
}

stac_search_result search_stac_api(job_spec const& spec) {
  GEOSWEEP_EXPECTS(spec.scenes.stac_api.has_value(), "a job with scenes.stac_api");
  auto const& api = *spec.scenes.stac_api;
  http_request request;
  request.headers = header_lines(spec.scenes.http, spec.file);
  if (api.post) {
    request.method = "POST";
    request.url = api.url + "/search";
    request.body = search_body(spec).dump();
  } else {
    request.url = search_url(spec);
  }
  stac_search_result result;
  std::set<std::string> ids;
  std::set<std::string> asked;  // requests made, so that a looping `next` stops
  for (;;) {
    asked.insert(request.method + " " + request.url + " " + request.body);
    auto const answer = http_send(request, spec.scenes.http);
    std::string const where = fmt::format("{} {}", request.method, request.url);
    if (answer.status != 200) {
      std::string text = answer.body.substr(0, 300);
      std::replace(text.begin(), text.end(), '\n', ' ');
      throw io_error(masked(
          fmt::format("{}: HTTP {}{}{}", where, answer.status, text.empty() ? "" : ": ", text)));
    }
    json page;
    try {
      page = json::parse(answer.body);
    } catch (json::exception const& e) {
      throw io_error(where + ": the answer is not JSON (" + e.what() + ")");
    }
    if (!page.is_object() || page.value("type", "") != "FeatureCollection" ||
        !page.contains("features") || !page["features"].is_array())
      throw io_error(where + ": the answer is not a GeoJSON FeatureCollection of STAC items");
    ++result.pages;
    std::size_t fresh = 0;
    for (auto const& feature : page["features"]) {
      std::string const id = feature.is_object() ? feature.value("id", "") : "";
      if (!id.empty() && ids.count(id) != 0) {
        ++result.duplicates;
        continue;
      }
      // Errors name the search and the page. APIs give absolute hrefs (a relative one would
      // be taken as a local path).
      auto text = feature.dump();
      auto item = parse_stac_item(
          text, std::filesystem::path(fmt::format("{} (page {})", where, result.pages)));
      result.features.push_back(std::move(text));
      ids.insert(item.id);
      result.items.push_back(std::move(item));
      ++fresh;
      if (api.max_items && static_cast<int>(result.items.size()) >= *api.max_items) return result;
    }
    auto next = next_request(page, request, where);
    if (!next || fresh == 0 || asked.count(next->method + " " + next->url + " " + next->body) != 0)
      break;
    request = std::move(*next);
  }
  spdlog::debug("{}/search: {} item(s) on {} page(s), {} repeated", api.url, result.items.size(),
                result.pages, result.duplicates);
  return result;
}

}  // namespace geosweep::pipeline
