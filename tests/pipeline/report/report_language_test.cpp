// Reports in each language of outputs.report_language: the translation table is complete (a
// text for every key in every language, the same placeholders), numbers and dates are written
// as each language writes them, and a simulated run reported in en, es, pt and fr gives PDFs
// whose text is in that language, with no key of the table left in it and no English words
// on the non-English pages. A language the table lacks is a job-file error naming the field.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "geosweep/pipeline/civil_date.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "report/report_text.hpp"
#include "tools/shell_command.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;

namespace {

using geosweep::test_tools::shell;
using gp::report_language;

constexpr report_language kLanguages[] = {report_language::en, report_language::es,
                                          report_language::pt, report_language::fr};

geosweep::test_tools::command_result geosweep(std::string const& args) {
  return geosweep::test_tools::geosweep_command(args);
}

std::size_t placeholders(std::string_view text) {
  std::size_t n = 0;
  for (auto at = text.find("{}"); at != std::string_view::npos; at = text.find("{}", at + 2)) ++n;
  return n;
}

std::string read_text(fs::path const& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// ---------------------------------------------------------------- the table

TEST(ReportText, EveryKeyHasATextInEveryLanguageWithTheSamePlaceholders) {
  auto const keys = gp::translation_keys();
  ASSERT_GT(keys.size(), 100u);
  for (auto key : keys) {
    auto const en = gp::tr(report_language::en, key);
    for (auto language : kLanguages) {
      auto const text = gp::tr(language, key);
      EXPECT_FALSE(text.empty()) << key << " in " << gp::to_string(language);
      EXPECT_EQ(placeholders(text), placeholders(en)) << key << " in " << gp::to_string(language);
      // Only plain {} placeholders: fmt::runtime would throw on a stray brace at draw time.
      std::string rest(text);
      for (auto at = rest.find("{}"); at != std::string::npos; at = rest.find("{}"))
        rest.erase(at, 2);
      EXPECT_EQ(rest.find_first_of("{}"), std::string::npos)
          << key << " in " << gp::to_string(language);
    }
  }
}

TEST(ReportText, KeysAreUniqueAndNamedPageDotPhrase) {
  auto const keys = gp::translation_keys();
  std::map<std::string_view, int> seen;
  for (auto key : keys) {
    EXPECT_EQ(++seen[key], 1) << key << " twice";
    auto const dot = key.find('.');
    ASSERT_NE(dot, std::string_view::npos) << key;
    EXPECT_GT(dot, 0u) << key;
    EXPECT_EQ(key.find_first_not_of("abcdefghijklmnopqrstuvwxyz_0123456789."),
              std::string_view::npos)
        << key;
  }
}

TEST(ReportText, AnUnknownKeyIsAProgrammingError) {
  EXPECT_THROW((void)gp::tr(report_language::es, "map.no_such_phrase"), geosweep::logic_error);
}

TEST(ReportText, NumbersAsEachLanguageWritesThem) {
  using enum report_language;
  EXPECT_EQ(gp::format_number(en, 12345.67, 1), "12,345.7");
  EXPECT_EQ(gp::format_number(es, 12345.67, 1), "12.345,7");
  EXPECT_EQ(gp::format_number(pt, 12345.67, 1), "12.345,7");
  EXPECT_EQ(gp::format_number(fr, 12345.67, 1), "12\u202F345,7");
  EXPECT_EQ(gp::format_number(en, 1234567.891, 2), "1,234,567.89");
  EXPECT_EQ(gp::format_number(fr, 1234567.891, 2), "1\u202F234\u202F567,89");
  EXPECT_EQ(gp::format_number(en, 999.5, 0), "1,000");  // rounding carries into a group
  EXPECT_EQ(gp::format_number(es, 123, 0), "123");
  EXPECT_EQ(gp::format_number(es, 0.5, 2), "0,50");
  // Negative numbers; a minus only where something non-zero is printed.
  EXPECT_EQ(gp::format_number(en, -1234.5, 1), "-1,234.5");
  EXPECT_EQ(gp::format_number(pt, -0.25, 2), "-0,25");
  EXPECT_EQ(gp::format_number(fr, -0.04, 1), "0,0");
  EXPECT_EQ(gp::format_number(en, -0.0, 2), "0.00");
  EXPECT_EQ(gp::format_number(en, 0, 0), "0");
  EXPECT_EQ(gp::format_number(fr, 0, 3), "0,000");
  // Rounding at the half: 0.05 and 0.15 are just above and below their halves in binary,
  // 0.25 and 0.375 exact halves round to even, as fmt (and printf) do.
  EXPECT_EQ(gp::format_number(en, 0.05, 1), "0.1");
  EXPECT_EQ(gp::format_number(es, 0.15, 1), "0,1");
  EXPECT_EQ(gp::format_number(en, 0.25, 1), "0.2");
  EXPECT_EQ(gp::format_number(fr, 0.375, 2), "0,38");
  EXPECT_EQ(gp::format_number(en, 2.5, 0), "2");
  // No value.
  for (auto language : kLanguages) EXPECT_EQ(gp::format_number(language, NAN, 2), "\u2013");
}

TEST(ReportText, DatesAsEachLanguageWritesThem) {
  using namespace std::chrono;
  gp::civil_date const d = 2023y / July / 5;
  EXPECT_EQ(gp::format_date(report_language::en, d), "2023-07-05");
  EXPECT_EQ(gp::format_date(report_language::es, d), "05/07/2023");
  EXPECT_EQ(gp::format_date(report_language::pt, d), "05/07/2023");
  EXPECT_EQ(gp::format_date(report_language::fr, d), "05/07/2023");
  EXPECT_EQ(gp::format_date(report_language::fr, 1999y / December / 31), "31/12/1999");
}

// ---------------------------------------------------------------- the job file

TEST(ReportLanguageSpec, AnUnknownLanguageIsRejectedNamingTheFieldAndTheChoices) {
  fs::path const dir =
      fs::temp_directory_path() / ("geosweep_report_lang_spec_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto const sim = geosweep("simulate --out " + dir.string() + " --seed 5 --size 200");
  ASSERT_EQ(sim.exit_code, 0) << sim.out;
  std::string const job = read_text(dir / "job.yaml");
  std::ofstream(dir / "job.yaml") << job << "  report_language: fr\n";
  auto const good = geosweep("validate " + (dir / "job.yaml").string());
  EXPECT_EQ(good.exit_code, 0) << good.out;
  std::ofstream(dir / "job.yaml") << job << "  report_language: de\n";
  auto const bad = geosweep("validate " + (dir / "job.yaml").string());
  EXPECT_EQ(bad.exit_code, 3) << bad.out;
  EXPECT_NE(bad.out.find("outputs.report_language"), std::string::npos) << bad.out;
  EXPECT_NE(bad.out.find("'de'"), std::string::npos) << bad.out;
  EXPECT_NE(bad.out.find("en, es, pt, fr"), std::string::npos) << bad.out;
  fs::remove_all(dir);
}

TEST(ReportLanguageSpec, EnglishUnlessTheJobSaysOtherwise) {
  fs::path const dir =
      fs::temp_directory_path() / ("geosweep_report_lang_default_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto const sim = geosweep("simulate --out " + dir.string() + " --seed 5 --size 200");
  ASSERT_EQ(sim.exit_code, 0) << sim.out;
  std::string const job = read_text(dir / "job.yaml");
  EXPECT_EQ(gp::parse_job_spec(job, dir / "job.yaml", false).outputs.language, report_language::en);
  EXPECT_EQ(
      gp::parse_job_spec(job + "  report_language: pt\n", dir / "job.yaml", false).outputs.language,
      report_language::pt);
  fs::remove_all(dir);
}

// ---------------------------------------------------------------- reports

/// One simulated run, reported in each language into its own folder.
class ReportLanguages : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!have_poppler()) return;
    dir_ = new fs::path(fs::temp_directory_path() /
                        ("geosweep_report_lang_" + std::to_string(::getpid())));
    fs::remove_all(*dir_);
    auto const sim = geosweep("simulate --out " + dir_->string() + " --seed 5 --size 200");
    ASSERT_EQ(sim.exit_code, 0) << sim.out;
    fs::path const job = *dir_ / "job.yaml";
    std::string const text = read_text(job);
    auto const run = geosweep("--backend cpu run " + job.string());
    ASSERT_EQ(run.exit_code, 0) << run.out;
    for (auto language : kLanguages) {
      std::string const code(gp::to_string(language));
      std::ofstream(job) << text << "  report_language: " << code << "\n";
      auto const report = geosweep("report " + job.string());
      ASSERT_EQ(report.exit_code, 0) << code << ": " << report.out;
      fs::rename(*dir_ / "out" / "report", *dir_ / ("report_" + code));
    }
  }
  static void TearDownTestSuite() {
    if (dir_ == nullptr) return;
    fs::remove_all(*dir_);
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (!have_poppler()) GTEST_SKIP() << "pdftotext (poppler-utils) not installed";
  }
  static bool have_poppler() { return shell("command -v pdftotext").exit_code == 0; }
  static fs::path report_dir(report_language language) {
    return *dir_ / ("report_" + std::string(gp::to_string(language)));
  }
  /// The whole text of AOI `aoi`'s PDF in `language`.
  static std::string pdf_text(report_language language, std::string const& aoi = "reserve-north") {
    auto const r = shell("pdftotext " + (report_dir(language) / (aoi + ".pdf")).string() + " -");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    return r.out;
  }

  static fs::path* dir_;
};

fs::path* ReportLanguages::dir_ = nullptr;

TEST_F(ReportLanguages, EachPdfIsInItsLanguage) {
  // Words of each language from the map, table, time-series and custody pages.
  std::map<report_language, std::vector<std::string>> const expected{
      {report_language::en,
       {"Legend", "true colour", "alerts", "page 1 of", "time series", "chain of custody",
        "Provenance", "Confidence"}},
      {report_language::es,
       {"Leyenda", "color verdadero", "falso color", "alertas", "página 1 de", "serie temporal",
        "cadena de custodia", "Procedencia", "Confianza", "Norte verdadero"}},
      {report_language::pt,
       {"Legenda", "cor verdadeira", "falsa cor", "alertas", "página 1 de", "série temporal",
        "cadeia de custódia", "Procedência", "Confiança", "Norte verdadeiro"}},
      {report_language::fr,
       {"Légende", "couleurs naturelles", "fausses couleurs", "alertes", "page 1 sur",
        "série temporelle", "chaîne de traçabilité", "Provenance", "Confiance",
        "Nord géographique"}},
  };
  for (auto const& [language, words] : expected) {
    auto const text = pdf_text(language);
    for (auto const& w : words)
      EXPECT_NE(text.find(w), std::string::npos)
          << gp::to_string(language) << " lacks '" << w << "'";
  }
}

TEST_F(ReportLanguages, NoKeyOfTheTableIsLeftInAPdf) {
  for (auto language : kLanguages) {
    for (std::string aoi : {"reserve-north", "concession-7"}) {
      auto const text = pdf_text(language, aoi);
      ASSERT_FALSE(text.empty());
      for (auto key : gp::translation_keys())
        EXPECT_EQ(text.find(key), std::string::npos)
            << gp::to_string(language) << " " << aoi << " shows the key " << key;
    }
  }
}

TEST_F(ReportLanguages, NoEnglishPageWordsInTheOtherLanguages) {
  // Words on every English report that are words of none of the other three ("Legend" ends
  // its line: Portuguese says "Legenda"; "alerts" is in the file name alerts.csv).
  for (auto language : {report_language::es, report_language::pt, report_language::fr}) {
    auto const text = pdf_text(language);
    for (char const* english :
         {"Legend\n", "Alert id", "Alert number", "before", "after", "true colour",
          "high confidence", "baseline period", "monitoring period", "of the", "Scene",
          "chain of custody", "time series", " page ", "True north", "clockwise",
          "Latest clear look"}) {
      if (language == report_language::fr && std::string_view(english) == " page ") continue;
      EXPECT_EQ(text.find(english), std::string::npos)
          << gp::to_string(language) << " has the English '" << english << "'";
    }
  }
}

TEST_F(ReportLanguages, DatesAndNumbersOnThePagesAreInTheLanguagesFormat) {
  auto const en = pdf_text(report_language::en);
  auto const es = pdf_text(report_language::es);
  // The simulated periods start in 2023; en prints ISO dates, the others dd/mm/yyyy.
  EXPECT_NE(en.find("2023-"), std::string::npos);
  for (auto language : {report_language::es, report_language::pt, report_language::fr}) {
    auto const text = pdf_text(language);
    EXPECT_EQ(text.find("2023-0"), std::string::npos) << gp::to_string(language);
    EXPECT_NE(text.find("/2023"), std::string::npos) << gp::to_string(language);
  }
  // The method's thresholds (simulate writes drop 0.25, forest_min 0.6), on lines joined
  // where the provenance wraps.
  auto const joined = [](std::string text) {
    std::replace(text.begin(), text.end(), '\n', ' ');
    return text;
  };
  EXPECT_NE(joined(en).find("drop 0.25"), std::string::npos);
  EXPECT_NE(joined(es).find("drop 0,25"), std::string::npos);
  EXPECT_NE(joined(pdf_text(report_language::fr)).find("forest_min 0,60"), std::string::npos);
}

TEST_F(ReportLanguages, IndexAndPdfMetadataAreInTheLanguage) {
  auto const html = read_text(report_dir(report_language::pt) / "index.html");
  EXPECT_NE(html.find("<html lang=\"pt\">"), std::string::npos);
  EXPECT_NE(html.find("Relatório (PDF)"), std::string::npos) << html;
  EXPECT_EQ(html.find("Report (PDF)"), std::string::npos) << html;
  EXPECT_NE(read_text(report_dir(report_language::en) / "index.html").find("<html lang=\"en\">"),
            std::string::npos);
  auto const info =
      shell("pdfinfo " + (report_dir(report_language::es) / "reserve-north.pdf").string());
  ASSERT_EQ(info.exit_code, 0) << info.out;
  EXPECT_NE(info.out.find("informe de geosweep: reserve-north"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("Cambio de cobertura del suelo en la AOI 'reserve-north'"),
            std::string::npos)
      << info.out;
}

}  // namespace
