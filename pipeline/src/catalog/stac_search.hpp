#pragma once
/// \file
/// A STAC API search (job spec scenes.stac_api): POST (or GET) /search for the job's
/// collections over the AOIs' bounding box and the job's periods, following `next` links (POST
/// bodies, merged or not, and GET tokens alike), dropping items that come again on a later page,
/// up to max_items. Requests go through libcurl within scenes.http's limits; HTTP 429, 502, 503
/// and 504 and transport failures are retried, waiting the answer's Retry-After (at most 60 s)
/// or the backoff, doubled at each try.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/stac_catalog.hpp"
#include "geosweep/pipeline/geo_bbox.hpp"
#include "geosweep/pipeline/job_spec.hpp"

namespace geosweep::pipeline {

/// The bounding box searched: the smallest box around the AOIs' WGS84 boxes on the globe. It
/// crosses the antimeridian (west > east) when that is shorter: for one AOI across it, or AOIs
/// on both sides of it (Fiji's, split at 180°, give [179.8, ..., -179.8, ...], not every
/// longitude).
geo_bbox search_bbox(std::vector<geo_bbox> const& aois);

/// The body of the first POST /search of `spec`: collections, bbox, datetime (the first
/// baseline day to the last monitoring day, UTC), limit, and query and filter when given.
nlohmann::ordered_json search_body(job_spec const& spec);

/// The first GET /search URL of `spec`: the same search as query parameters.
std::string search_url(job_spec const& spec);

/// What a search found.
struct stac_search_result {
  std::vector<stac_item> items;       ///< in the order the API gave them, each id once
  std::vector<std::string> features;  ///< each item's JSON as the API gave it, beside `items`
  int pages = 0;                      ///< answers read
  int duplicates = 0;                 ///< items dropped because an earlier page had them
};

/// Runs the search of `spec.scenes.stac_api` (which must be set). Throws geosweep::io_error
/// naming the URL and the reason when a request fails after its tries or an answer is not a
/// FeatureCollection, and geosweep::config_error naming the item when an item is invalid.
stac_search_result search_stac_api(job_spec const& spec);

}  // namespace geosweep::pipeline
