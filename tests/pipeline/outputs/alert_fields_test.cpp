// The alert field table and its writers: the names and order of alerts.csv, how tables write
// each type, reading texts back, OGR field types and values, JSON objects. Expected texts are
// written out by hand.
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include "core/gdal_utils.hpp"
#include "geosweep/pipeline/alert.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "outputs/alert_json.hpp"
#include "outputs/ogr_fields.hpp"

namespace gp = geosweep::pipeline;

namespace {

gp::alert sample() {
  gp::alert a;
  a.id = "gs-0123456789ab";
  a.aoi = "reserve, north";  // a comma: CSV quotes it, nothing else changes it
  a.first_seen = gp::parse_iso_date("2024-06-19").value();
  a.confidence = gp::alert_confidence::low;
  a.area_ha = 6.58;
  a.centroid_lat = -9.5519411;
  a.centroid_lon = -62.0399598;
  a.bbox = {-62.041709, -9.552844, -62.038242, -9.550936};
  a.mean_magnitude = 0.66960;
  a.pixels = 658;
  return a;
}

}  // namespace

TEST(AlertFields, AreTheColumnsOfAlertsCsvInOrder) {
  std::vector<std::string> names;
  for (auto const& f : gp::alert_fields()) names.emplace_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"alert_id", "aoi", "first_seen", "confirmed_on",
                                             "confidence", "cause", "burn_severity", "area_ha",
                                             "centroid_lat", "centroid_lon", "bbox_west",
                                             "bbox_south", "bbox_east", "bbox_north",
                                             "mean_magnitude", "pixels", "estimated_value"}));
  EXPECT_EQ(gp::field_names(gp::alert_row(sample())), names);
}

TEST(AlertFields, TablesWriteEachTypeTheirWay) {
  auto a = sample();
  EXPECT_EQ(
      gp::field_texts(gp::alert_row(a)),
      (std::vector<std::string>{"gs-0123456789ab", "reserve, north", "2024-06-19", "", "low", "",
                                "", "6.5800", "-9.551941", "-62.039960", "-62.041709", "-9.552844",
                                "-62.038242", "-9.550936", "0.6696", "658", ""}));
  a.confirmed_on = gp::parse_iso_date("2024-07-04");
  a.confidence = gp::alert_confidence::high;
  a.estimated_value = 6.58 * 1250;
  a.cause = gp::alert_cause::burn;
  a.burn_severity = gp::burn_severity::moderate_high;
  auto const row =
      gp::alert_row(a, {"confirmed_on", "confidence", "estimated_value", "cause", "burn_severity"});
  EXPECT_EQ(gp::field_texts(row),
            (std::vector<std::string>{"2024-07-04", "high", "8225.00", "burn", "moderate-high"}));
}

TEST(AlertFields, TextsReadBackIntoTheSameAlert) {
  auto a = sample();
  a.confirmed_on = gp::parse_iso_date("2024-07-04");
  a.estimated_value = 12.5;
  a.cause = gp::alert_cause::mining;
  auto const row = gp::alert_row(a);
  gp::field_row parsed;
  for (auto const& cell : row)
    parsed.push_back({cell.name, cell.type, cell.decimals,
                      gp::parse_field(cell.name, cell.type, gp::field_text(cell))});
  gp::alert back;
  gp::set_alert_fields(back, parsed);
  EXPECT_EQ(back.id, a.id);
  EXPECT_EQ(back.aoi, a.aoi);
  EXPECT_EQ(back.first_seen, a.first_seen);
  EXPECT_EQ(back.confirmed_on, a.confirmed_on);
  EXPECT_EQ(back.confidence, a.confidence);
  EXPECT_DOUBLE_EQ(back.area_ha, 6.58);
  EXPECT_DOUBLE_EQ(back.centroid_lat, -9.551941);  // to the table's 6 decimals
  EXPECT_DOUBLE_EQ(back.bbox.east, -62.038242);
  EXPECT_EQ(back.pixels, 658);
  EXPECT_EQ(back.estimated_value, 12.5);
  EXPECT_EQ(back.cause, gp::alert_cause::mining);
  EXPECT_FALSE(back.burn_severity);
  // A cause or severity of no known name is an error naming the field and its values.
  gp::alert wrong;
  try {
    gp::set_alert_fields(wrong, {{"cause", gp::field_type::text, 0, std::string("logging")}});
    ADD_FAILURE() << "no error";
  } catch (geosweep::io_error const& e) {
    EXPECT_STREQ(e.what(),
                 "cause 'logging' is none of clearing, burn, mining, flooding, other, unknown");
  }
  EXPECT_THROW(gp::set_alert_fields(
                   wrong, {{"burn_severity", gp::field_type::text, 0, std::string("severe")}}),
               geosweep::io_error);
  // "" reads back as nothing; other texts must parse whole.
  EXPECT_TRUE(std::holds_alternative<std::monostate>(
      gp::parse_field("confirmed_on", gp::field_type::date, "")));
  EXPECT_THROW(gp::parse_field("area_ha", gp::field_type::real, "6.5x"), geosweep::io_error);
  EXPECT_THROW(gp::parse_field("pixels", gp::field_type::integer, "6.5"), geosweep::io_error);
  EXPECT_THROW(gp::parse_field("first_seen", gp::field_type::date, "2024-02-30"),
               geosweep::io_error);
  gp::field_row bad{{"confidence", gp::field_type::text, 0, std::string("medium")}};
  EXPECT_THROW(gp::set_alert_fields(back, bad), geosweep::io_error);
}

TEST(AlertFields, RowsTakeATablesOwnColumnsFromExtras) {
  gp::field_row const extra{{"run", gp::field_type::integer, 0, std::int64_t{3}}};
  auto const row = gp::alert_row(sample(), {"run", "alert_id"}, extra);
  EXPECT_EQ(gp::field_texts(row), (std::vector<std::string>{"3", "gs-0123456789ab"}));
  EXPECT_THROW(gp::alert_row(sample(), {"no_such_column"}), geosweep::logic_error);
}

TEST(AlertFields, OgrTypesAndValuesComeFromTheTable) {
  gp::ensure_gdal();
  EXPECT_EQ(gp::ogr_field_type(gp::field_type::text), OFTString);
  EXPECT_EQ(gp::ogr_field_type(gp::field_type::date), OFTDate);  // QGIS reads dates as dates
  EXPECT_EQ(gp::ogr_field_type(gp::field_type::real), OFTReal);
  EXPECT_EQ(gp::ogr_field_type(gp::field_type::integer), OFTInteger64);
  GDALDatasetUniquePtr ds(
      GetGDALDriverManager()->GetDriverByName("Memory")->Create("", 0, 0, 0, GDT_Unknown, nullptr));
  OGRLayer* layer = ds->CreateLayer("alerts", nullptr, wkbNone, nullptr);
  auto const row =
      gp::alert_row(sample(), {"alert_id", "confirmed_on", "area_ha", "centroid_lat", "pixels"});
  gp::create_fields(*layer, row, "memory");
  auto* defn = layer->GetLayerDefn();
  ASSERT_EQ(defn->GetFieldCount(), 5);
  EXPECT_STREQ(defn->GetFieldDefn(2)->GetNameRef(), "area_ha");
  EXPECT_EQ(defn->GetFieldDefn(4)->GetType(), OFTInteger64);
  OGRFeature exact(defn), rounded(defn);
  gp::set_fields(exact, row);
  gp::set_fields(rounded, row, true);
  EXPECT_FALSE(exact.IsFieldSetAndNotNull(1));  // not confirmed: null, not ""
  EXPECT_EQ(exact.GetFieldAsInteger64(4), 658);
  EXPECT_DOUBLE_EQ(exact.GetFieldAsDouble(3), -9.5519411);
  EXPECT_DOUBLE_EQ(rounded.GetFieldAsDouble(3), -9.551941);  // as the CSV has it
}

TEST(AlertJson, ObjectsTakeKeysFromTheTable) {
  auto const row = gp::alert_row(sample());
  auto const j = gp::json_object(
      row, {"alert_id", "confirmed_on", {"lat", {"centroid_lat"}}, gp::bbox_key(), "pixels"});
  EXPECT_EQ(j.dump(), R"({"alert_id":"gs-0123456789ab","confirmed_on":null,"lat":-9.5519411,)"
                      R"("bbox":[-62.041709,-9.552844,-62.038242,-9.550936],"pixels":658})");
  EXPECT_THROW(gp::json_object(row, {"status"}), geosweep::logic_error);
}

TEST(StableAlertIds, DependOnPlaceRoundedToTheFourthDecimalAndDate) {
  auto const id = gp::stable_alert_id("concession-7", -9.55194, -62.03996, 19893);
  EXPECT_EQ(id.size(), 15u);
  EXPECT_EQ(id.rfind("gs-", 0), 0u);
  EXPECT_EQ(gp::stable_alert_id("concession-7", -9.551941, -62.039961, 19893), id);  // same cell
  EXPECT_NE(gp::stable_alert_id("concession-7", -9.55184, -62.03996, 19893), id);
  EXPECT_NE(gp::stable_alert_id("concession-7", -9.55194, -62.03996, 19894), id);
  EXPECT_NE(gp::stable_alert_id("reserve-north", -9.55194, -62.03996, 19893), id);
}
