#include "catalog/product_metadata.hpp"

#include <cpl_conv.h>
#include <cpl_minixml.h>
#include <cpl_vsi.h>
#include <cplkeywordparser.h>
#include <gdal_priv.h>

#include <fmt/format.h>
#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string_view>

#include "core/gdal_utils.hpp"
#include "core/text.hpp"
#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {
namespace {

namespace fs = std::filesystem;

std::string_view trim(std::string_view s) {
  auto const blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

/// A whole-string number in C locale, or nullopt.
std::optional<double> to_number(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double value = 0.0;
  auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

/// The whole of a file GDAL can read (local or /vsi...), or io_error naming it.
std::string ingest(fs::path const& file) {
  ensure_gdal();
  GByte* bytes = nullptr;
  vsi_l_offset size = 0;
  CPLErrorReset();
  if (VSIIngestFile(nullptr, file.c_str(), &bytes, &size, 64 * 1024 * 1024) == FALSE) {
    throw io_error(file.string() + ": cannot read metadata file: " + last_gdal_message());
  }
  std::string text(reinterpret_cast<char const*>(bytes), static_cast<std::size_t>(size));
  VSIFree(bytes);
  return text;
}

/// One key = value of an MTL, with the group that holds it, in document order.
struct mtl_entry {
  std::string group;
  std::string key;
  std::string value;
};

/// The MTL as a flat list: the three encodings share groups and keys, so one reader serves all.
class mtl_values {
 public:
  mtl_values(std::vector<mtl_entry> entries, std::string root, std::string name)
      : entries_(std::move(entries)), root_(std::move(root)), name_(std::move(name)) {
    if (root_ != "LANDSAT_METADATA_FILE" && root_ != "L1_METADATA_FILE") {
      throw io_error(name_ +
                     ": not a Landsat MTL file (expected a LANDSAT_METADATA_FILE or "
                     "L1_METADATA_FILE group, found '" +
                     root_ + "')");
    }
  }

  /// The first value of `key` in document order, in any group.
  [[nodiscard]] mtl_entry const* find(std::string_view key) const {
    for (auto const& e : entries_)
      if (e.key == key) return &e;
    return nullptr;
  }

  [[nodiscard]] std::string text(std::string_view key) const {
    auto const* e = find(key);
    return e != nullptr ? e->value : std::string{};
  }

  [[nodiscard]] std::optional<double> number(std::string_view key) const {
    auto const* e = find(key);
    if (e == nullptr) return std::nullopt;
    return number_of(*e);
  }

  /// A whole number from `low` to `high` at `key`, or nullopt when absent.
  [[nodiscard]] std::optional<int> integer(std::string_view key, int low, int high) const {
    auto const* e = find(key);
    if (e == nullptr) return std::nullopt;
    double const v = number_of(*e);
    if (!(v >= low && v <= high) || v != std::floor(v)) {
      throw io_error(fmt::format("{}: {}.{}: '{}' is not a whole number from {} to {}", name_,
                                 e->group, e->key, e->value, low, high));
    }
    return static_cast<int>(v);
  }

  [[nodiscard]] double number_of(mtl_entry const& e) const {
    auto v = to_number(e.value);
    if (!v)
      throw io_error(name_ + ": " + e.group + "." + e.key + ": '" + e.value + "' is not a number");
    return *v;
  }

  /// REFLECTANCE_MULT_BAND_n / REFLECTANCE_ADD_BAND_n of `group`, by band number.
  [[nodiscard]] std::map<int, linear_rescale> reflectance_in(std::string_view group) const {
    static constexpr std::string_view mult_prefix = "REFLECTANCE_MULT_BAND_";
    static constexpr std::string_view add_prefix = "REFLECTANCE_ADD_BAND_";
    std::map<int, linear_rescale> out;
    for (auto const& e : entries_) {
      if (e.group != group) continue;
      bool const is_mult = e.key.starts_with(mult_prefix);
      bool const is_add = e.key.starts_with(add_prefix);
      if (!is_mult && !is_add) continue;
      std::string_view const digits =
          std::string_view(e.key).substr((is_mult ? mult_prefix : add_prefix).size());
      int band = 0;
      auto const [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), band);
      if (ec != std::errc{} || end != digits.data() + digits.size()) continue;  // e.g. ST_B10
      auto& rescale = out[band];
      (is_mult ? rescale.mult : rescale.add) = number_of(e);
    }
    return out;
  }

  [[nodiscard]] std::string const& name() const { return name_; }

 private:
  std::vector<mtl_entry> entries_;
  std::string root_;
  std::string name_;
};

std::string unquote(std::string_view v) {
  v = trim(v);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  return std::string(v);
}

mtl_values read_odl(std::string text, std::string const& name) {
  // Some MTLs are padded with NUL bytes after END; GDAL's ODL keyword parser reads C strings.
  text.erase(std::remove(text.begin(), text.end(), '\0'), text.end());
  static std::atomic<unsigned> counter{0};
  std::string const mem_path = "/vsimem/geosweep_mtl_" + std::to_string(counter++) + ".txt";
  VSILFILE* fp = VSIFileFromMemBuffer(mem_path.c_str(), reinterpret_cast<GByte*>(text.data()),
                                      text.size(), FALSE);
  if (fp == nullptr) throw io_error(name + ": cannot buffer the MTL text");
  CPLKeywordParser parser;
  int const ok = parser.Ingest(fp);
  VSIFCloseL(fp);
  VSIUnlink(mem_path.c_str());
  std::vector<mtl_entry> entries;
  std::string root;
  for (char** item = parser.GetAllKeywords(); item != nullptr && *item != nullptr; ++item) {
    std::string_view const line(*item);
    auto const eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view const path = line.substr(0, eq);
    auto const last_dot = path.rfind('.');
    mtl_entry e;
    e.key = std::string(path.substr(last_dot == std::string_view::npos ? 0 : last_dot + 1));
    if (last_dot != std::string_view::npos) {
      auto const group_path = path.substr(0, last_dot);
      auto const dot = group_path.rfind('.');
      e.group = std::string(group_path.substr(dot == std::string_view::npos ? 0 : dot + 1));
    }
    if (root.empty()) root = std::string(path.substr(0, path.find('.')));
    e.value = unquote(line.substr(eq + 1));
    entries.push_back(std::move(e));
  }
  if (!ok && entries.empty()) throw io_error(name + ": not a Landsat MTL file (no ODL groups)");
  return mtl_values(std::move(entries), root, name);
}

CPLXMLTreeCloser parse_xml(std::string const& text, std::string const& name) {
  ensure_gdal();
  CPLErrorReset();
  CPLXMLTreeCloser root(CPLParseXMLString(text.c_str()));
  if (!root) throw io_error(name + ": not valid XML: " + last_gdal_message());
  return root;
}

/// The first element at the top level (skipping <?xml ...?>).
CPLXMLNode* document_element(CPLXMLNode* root) {
  for (CPLXMLNode* n = root; n != nullptr; n = n->psNext)
    if (n->eType == CXT_Element && n->pszValue[0] != '?') return n;
  return nullptr;
}

bool has_element_children(CPLXMLNode const* node) {
  for (CPLXMLNode const* c = node->psChild; c != nullptr; c = c->psNext)
    if (c->eType == CXT_Element) return true;
  return false;
}

void flatten_xml(CPLXMLNode const* group, std::vector<mtl_entry>& out) {
  for (CPLXMLNode const* c = group->psChild; c != nullptr; c = c->psNext) {
    if (c->eType != CXT_Element) continue;
    if (has_element_children(c)) {
      flatten_xml(c, out);
    } else {
      out.push_back(
          {group->pszValue, c->pszValue, std::string(trim(CPLGetXMLValue(c, nullptr, "")))});
    }
  }
}

mtl_values read_mtl_xml(std::string const& text, std::string const& name) {
  auto const root = parse_xml(text, name);
  CPLXMLNode const* top = document_element(root.get());
  if (top == nullptr) throw io_error(name + ": not a Landsat MTL file (no XML element)");
  std::vector<mtl_entry> entries;
  flatten_xml(top, entries);
  return mtl_values(std::move(entries), top->pszValue, name);
}

void flatten_json(std::string const& group, nlohmann::ordered_json const& object,
                  std::vector<mtl_entry>& out) {
  for (auto const& [key, value] : object.items()) {
    if (value.is_object()) {
      flatten_json(key, value, out);
    } else if (value.is_string()) {
      out.push_back({group, key, value.get<std::string>()});
    } else if (!value.is_array()) {
      out.push_back({group, key, value.dump()});
    }
  }
}

mtl_values read_mtl_json(std::string const& text, std::string const& name) {
  nlohmann::ordered_json doc;
  try {
    doc = nlohmann::ordered_json::parse(text);
  } catch (nlohmann::json::exception const& e) {
    throw io_error(name + ": not valid JSON: " + e.what());
  }
  if (!doc.is_object() || doc.size() != 1 || !doc.begin().value().is_object())
    throw io_error(name + ": not a Landsat MTL file (expected one top-level object)");
  std::vector<mtl_entry> entries;
  flatten_json(doc.begin().key(), doc.begin().value(), entries);
  return mtl_values(std::move(entries), doc.begin().key(), name);
}

landsat_metadata interpret(mtl_values const& mtl) {
  landsat_metadata m;
  m.product_id = mtl.text("LANDSAT_PRODUCT_ID");
  if (m.product_id.empty()) m.product_id = mtl.text("LANDSAT_SCENE_ID");
  m.spacecraft = mtl.text("SPACECRAFT_ID");
  m.sensor = mtl.text("SENSOR_ID");
  m.processing_level = mtl.text("PROCESSING_LEVEL");
  if (m.processing_level.empty()) m.processing_level = mtl.text("DATA_TYPE");

  auto const* date = mtl.find("DATE_ACQUIRED");
  if (date == nullptr) date = mtl.find("ACQUISITION_DATE");  // MTLs before 2012
  if (date == nullptr) throw io_error(mtl.name() + ": DATE_ACQUIRED: missing");
  auto const when = parse_iso_date(trim(date->value));
  if (!when) {
    throw io_error(mtl.name() + ": " + date->group + "." + date->key + ": '" + date->value +
                   "' is not a date (expected YYYY-MM-DD)");
  }
  m.acquired = *when;
  // WRS-1 and WRS-2 paths and rows are below 1000.
  if (auto v = mtl.integer("WRS_PATH", 0, 999)) m.wrs_path = *v;
  if (auto v = mtl.integer("WRS_ROW", 0, 999)) m.wrs_row = *v;
  m.cloud_cover = mtl.number("CLOUD_COVER");
  m.cloud_cover_land = mtl.number("CLOUD_COVER_LAND");
  // Negative cloud cover (-1) means "not computed".
  if (m.cloud_cover && *m.cloud_cover < 0) m.cloud_cover.reset();
  if (m.cloud_cover_land && *m.cloud_cover_land < 0) m.cloud_cover_land.reset();

  std::array<std::array<double, 2>, 4> corners{};
  bool all = true;
  char const* const names[] = {"UL", "UR", "LR", "LL"};
  for (int k = 0; k < 4; ++k) {
    auto const lat = mtl.number(std::string("CORNER_") + names[k] + "_LAT_PRODUCT");
    auto const lon = mtl.number(std::string("CORNER_") + names[k] + "_LON_PRODUCT");
    all = all && lat && lon;
    if (lat && lon) corners[static_cast<std::size_t>(k)] = {*lon, *lat};
  }
  if (all) {
    m.corners = corners;
    m.footprint = bbox_of_points({corners.begin(), corners.end()});
  }

  m.reflectance = mtl.reflectance_in("LEVEL2_SURFACE_REFLECTANCE_PARAMETERS");
  m.surface_reflectance = !m.reflectance.empty();
  if (m.reflectance.empty()) m.reflectance = mtl.reflectance_in("LEVEL1_RADIOMETRIC_RESCALING");
  if (m.reflectance.empty()) m.reflectance = mtl.reflectance_in("RADIOMETRIC_RESCALING");
  return m;
}

using xml_node = CPLXMLNode;

/// The text of the first element called `name` under `node` (any depth), or "".
std::string element_text(xml_node* node, char const* name) {
  xml_node* found = CPLSearchXMLNode(node, name);
  if (found == nullptr) return {};
  return std::string(trim(CPLGetXMLValue(found, nullptr, "")));
}

/// A Sentinel-2 band id (bandId, band_id): a whole number from 0 to 99, or nullopt.
std::optional<int> band_id_of(std::string_view text) {
  auto const v = to_number(text);
  if (!v || !(*v >= 0 && *v <= 99) || *v != std::floor(*v)) return std::nullopt;
  return static_cast<int>(*v);
}

/// Band codes of Sentinel-2 band ids 0..12 in MTD files.
constexpr char const* kSentinel2BandIds[] = {"B01", "B02", "B03", "B04", "B05", "B06", "B07",
                                             "B08", "B8A", "B09", "B10", "B11", "B12"};

}  // namespace

landsat_metadata parse_landsat_mtl(std::string const& text, mtl_format format,
                                   std::string const& name) {
  switch (format) {
    case mtl_format::odl:
      return interpret(read_odl(text, name));
    case mtl_format::xml:
      return interpret(read_mtl_xml(text, name));
    case mtl_format::json:
      return interpret(read_mtl_json(text, name));
  }
  throw logic_error("unknown MTL format");
}

landsat_metadata read_landsat_mtl(fs::path const& file) {
  std::string const text = ingest(file);
  std::string const ext = lower(file.extension().string());
  mtl_format format = mtl_format::odl;
  if (ext == ".xml") {
    format = mtl_format::xml;
  } else if (ext == ".json") {
    format = mtl_format::json;
  } else if (ext != ".txt") {
    auto const first = trim(text).substr(0, 1);
    format = first == "<" ? mtl_format::xml : first == "{" ? mtl_format::json : mtl_format::odl;
  }
  return parse_landsat_mtl(text, format, file.string());
}

std::string sentinel2_band_code(std::string const& name) {
  if (name.size() == 2 && (name[0] == 'B' || name[0] == 'b') &&
      std::isdigit(static_cast<unsigned char>(name[1]))) {
    return std::string("B0") + name[1];
  }
  return upper(name);
}

bool sentinel2_baseline_has_offset(std::string const& baseline) {
  auto const v = to_number(baseline);
  return v && *v >= 4.0 - 1e-9;
}

double sentinel2_metadata::add_offset(std::string const& code) const {
  auto const it = boa_add_offset.find(sentinel2_band_code(code));
  return it != boa_add_offset.end() ? it->second : 0.0;
}

sentinel2_metadata parse_sentinel2_mtd(std::string const& xml, std::string const& name) {
  auto const root = parse_xml(xml, name);
  CPLStripXMLNamespace(root.get(), nullptr, TRUE);
  xml_node* product = CPLSearchXMLNode(root.get(), "=Level-2A_User_Product");
  if (product == nullptr) {
    throw io_error(name +
                   ": not Sentinel-2 L2A product metadata (no Level-2A_User_Product element)");
  }
  sentinel2_metadata m;
  m.product_uri = element_text(product, "PRODUCT_URI");
  m.spacecraft = element_text(product, "SPACECRAFT_NAME");
  m.processing_baseline = element_text(product, "PROCESSING_BASELINE");
  std::string start = element_text(product, "PRODUCT_START_TIME");
  char const* start_key = "PRODUCT_START_TIME";
  if (start.empty()) {
    start = element_text(product, "DATATAKE_SENSING_START");
    start_key = "DATATAKE_SENSING_START";
  }
  if (start.empty()) throw io_error(name + ": PRODUCT_START_TIME: missing");
  auto const when = parse_iso_date(std::string_view(start).substr(0, 10));
  if (!when) throw io_error(name + ": " + start_key + ": '" + start + "' is not a date and time");
  m.sensing_date = *when;

  if (auto const cloud = element_text(product, "Cloud_Coverage_Assessment"); !cloud.empty()) {
    auto v = to_number(cloud);
    if (!v) throw io_error(name + ": Cloud_Coverage_Assessment: '" + cloud + "' is not a number");
    m.cloud_cover = *v;
  }
  std::string quantification = element_text(product, "BOA_QUANTIFICATION_VALUE");
  if (quantification.empty())
    quantification = element_text(product, "L2A_BOA_QUANTIFICATION_VALUE");  // early L2A
  if (!quantification.empty()) {
    auto v = to_number(quantification);
    if (!v || *v <= 0) {
      throw io_error(name + ": BOA_QUANTIFICATION_VALUE: '" + quantification +
                     "' is not a positive number");
    }
    m.quantification = *v;
  }

  // Band ids of the product (Spectral_Information bandId -> physicalBand), ESA's order when
  // the file does not list them.
  std::map<int, std::string> band_of_id;
  for (int id = 0; id < 13; ++id) band_of_id[id] = kSentinel2BandIds[id];
  if (xml_node* list = CPLSearchXMLNode(product, "Spectral_Information_List")) {
    for (xml_node* n = list->psChild; n != nullptr; n = n->psNext) {
      if (n->eType != CXT_Element || std::string_view(n->pszValue) != "Spectral_Information")
        continue;
      auto const id = band_id_of(CPLGetXMLValue(n, "bandId", ""));
      char const* physical = CPLGetXMLValue(n, "physicalBand", nullptr);
      if (id && physical != nullptr) band_of_id[*id] = sentinel2_band_code(physical);
    }
  }
  double const default_offset =
      sentinel2_baseline_has_offset(m.processing_baseline) ? -1000.0 : 0.0;
  for (auto const& [id, code] : band_of_id) m.boa_add_offset[code] = default_offset;
  if (xml_node* list = CPLSearchXMLNode(product, "BOA_ADD_OFFSET_VALUES_LIST")) {
    for (xml_node* n = list->psChild; n != nullptr; n = n->psNext) {
      if (n->eType != CXT_Element || std::string_view(n->pszValue) != "BOA_ADD_OFFSET") continue;
      std::string const id_text = CPLGetXMLValue(n, "band_id", "");
      std::string const value_text = CPLGetXMLValue(n, nullptr, "");
      auto const id = band_id_of(id_text);
      auto const value = to_number(value_text);
      if (!id || !value || !band_of_id.count(*id)) {
        throw io_error(name + ": BOA_ADD_OFFSET band_id '" + id_text + "': '" + value_text +
                       "' is not a band offset");
      }
      m.boa_add_offset[band_of_id.at(*id)] = *value;
    }
  }

  if (auto const ring = element_text(product, "EXT_POS_LIST"); !ring.empty()) {
    std::istringstream in(ring);
    std::vector<std::array<double, 2>> points;
    std::string lat_text, lon_text;
    while (in >> lat_text >> lon_text) {
      auto const lat = to_number(lat_text);
      auto const lon = to_number(lon_text);
      if (!lat || !lon)
        throw io_error(name + ": EXT_POS_LIST: '" + lat_text + " " + lon_text +
                       "' is not a latitude and longitude");
      points.push_back({*lon, *lat});
    }
    if (!points.empty()) m.footprint = bbox_of_points(points);
  }
  return m;
}

sentinel2_metadata read_sentinel2_mtd(fs::path const& file) {
  return parse_sentinel2_mtd(ingest(file), file.string());
}

std::optional<geo_bbox> raster_footprint(fs::path const& file) {
  ensure_gdal();
  CPLPushErrorHandler(CPLQuietErrorHandler);
  GDALDatasetUniquePtr ds(GDALDataset::Open(file.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  CPLPopErrorHandler();
  if (!ds) return std::nullopt;
  double gt[6];
  OGRSpatialReference const* srs = ds->GetSpatialRef();
  if (ds->GetGeoTransform(gt) != CE_None || srs == nullptr) return std::nullopt;
  double xs[4], ys[4];
  int const w = ds->GetRasterXSize(), h = ds->GetRasterYSize();
  int const cols[4] = {0, w, w, 0}, rows[4] = {0, 0, h, h};
  for (int k = 0; k < 4; ++k) {
    xs[k] = gt[0] + cols[k] * gt[1] + rows[k] * gt[2];
    ys[k] = gt[3] + cols[k] * gt[4] + rows[k] * gt[5];
  }
  OGRSpatialReference source(*srs);
  source.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  auto const target = wgs84();
  std::unique_ptr<OGRCoordinateTransformation> t(
      OGRCreateCoordinateTransformation(&source, &target));
  if (!t) return std::nullopt;
  geo_bbox box;
  if (!t->TransformBounds(*std::min_element(xs, xs + 4), *std::min_element(ys, ys + 4),
                          *std::max_element(xs, xs + 4), *std::max_element(ys, ys + 4), &box.west,
                          &box.south, &box.east, &box.north, 21)) {
    return std::nullopt;
  }
  return box;
}

}  // namespace geosweep::pipeline
