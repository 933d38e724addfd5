#include "report/report_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {
namespace {

/// One phrase in every language, in the order of report_language.
struct phrase {
  std::string_view key;
  std::array<std::string_view, 4> text;  ///< en, es, pt, fr
};

// The translation table. Keys are grouped by page; keep each group sorted by key.
constexpr phrase table[] = {
    // ---- shared by every page
    {"common.page_of", {"page {} of {}", "página {} de {}", "página {} de {}", "page {} sur {}"}},
    // ---- cover page (report_cover_page.cpp)
    {"cover.alerts",
     {"Alerts: {}, {} ha", "Alertas: {}, {} ha", "Alertas: {}, {} ha", "Alertes : {}, {} ha"}},
    {"cover.baseline",
     {"Baseline: {} to {}", "Línea de base: {} a {}", "Linha de base: {} a {}",
      "Référence : du {} au {}"}},
    {"cover.heading_imagery", {"Imagery", "Imágenes", "Imagens", "Images"}},
    {"cover.heading_method",
     {"Change method", "Método de detección", "Método de detecção", "Méthode de détection"}},
    {"cover.heading_periods", {"Periods", "Períodos", "Períodos", "Périodes"}},
    {"cover.heading_provenance", {"Provenance", "Procedencia", "Proveniência", "Provenance"}},
    {"cover.heading_summary", {"Summary", "Resumen", "Resumo", "Résumé"}},
    {"cover.high_ha",
     {"High confidence: {} ha ({} alert(s))", "Confianza alta: {} ha ({} alerta(s))",
      "Confiança alta: {} ha ({} alerta(s))", "Confiance élevée : {} ha ({} alerte(s))"}},
    {"cover.legend_aoi",
     {"AOI {} (this report)", "AOI {} (este informe)", "AOI {} (este relatório)",
      "AOI {} (ce rapport)"}},
    {"cover.legend_other",
     {"The job's other AOIs", "Las demás AOI del trabajo", "As demais AOIs do trabalho",
      "Les autres AOI de la tâche"}},
    {"cover.legend_scenes",
     {"Footprints of the {} scene(s) read", "Huellas de las {} escena(s) leídas",
      "Contornos das {} cena(s) lidas", "Emprises des {} scène(s) lues"}},
    {"cover.locator",
     {"Locator: the AOI within the run's extent", "Ubicación: la AOI en la extensión del trabajo",
      "Localização: a AOI na extensão do trabalho",
      "Localisation : l'AOI dans l'emprise de la tâche"}},
    {"cover.low_ha",
     {"Low confidence: {} ha ({} alert(s))", "Confianza baja: {} ha ({} alerta(s))",
      "Confiança baixa: {} ha ({} alerta(s))", "Confiance faible : {} ha ({} alerte(s))"}},
    {"cover.monitoring",
     {"Monitoring: {} to {}", "Monitoreo: {} a {}", "Monitoramento: {} a {}",
      "Surveillance : du {} au {}"}},
    {"cover.no_alerts",
     {"No change found in this AOI for the monitoring period.",
      "No se encontró ningún cambio en esta AOI durante el período de monitoreo.",
      "Nenhuma mudança encontrada nesta AOI no período de monitoramento.",
      "Aucun changement détecté dans cette AOI pendant la période de surveillance."}},
    {"cover.no_footprints",
     {"No scene footprints: {}", "Sin huellas de escenas: {}", "Sem contornos de cenas: {}",
      "Pas d'emprises de scènes : {}"}},
    {"cover.projection",
     {"Plate carrée on WGS84, longitude scaled by the cosine of latitude {}° (true to scale "
      "there), north up. No coastlines or borders.",
      "Placa cuadrada (plate carrée) en WGS84, longitud escalada por el coseno de la latitud "
      "{}° (escala verdadera allí), norte arriba. Sin costas ni fronteras.",
      "Placa quadrada (plate carrée) em WGS84, longitude escalada pelo cosseno da latitude "
      "{}° (escala verdadeira ali), norte para cima. Sem litorais nem fronteiras.",
      "Plate carrée en WGS84, longitude multipliée par le cosinus de la latitude {}° (échelle "
      "exacte à cette latitude), nord en haut. Ni côtes ni frontières."}},
    {"cover.provenance",
     {"change.nc written by geosweep {} (backend {}); report drawn by geosweep {}",
      "change.nc escrito por geosweep {} (backend {}); informe generado por geosweep {}",
      "change.nc gravado pelo geosweep {} (backend {}); relatório gerado pelo geosweep {}",
      "change.nc écrit par geosweep {} (backend {}) ; rapport produit par geosweep {}"}},
    {"cover.scenes",
     {"{}, {} scene(s) read by the run", "{}, {} escena(s) leídas en la ejecución",
      "{}, {} cena(s) lidas na execução", "{}, {} scène(s) lues par le traitement"}},
    {"cover.subtitle", {"Job {}", "Trabajo {}", "Trabalho {}", "Tâche {}"}},
    {"cover.title",
     {"{}: forest-loss report", "{}: informe de pérdida de bosque",
      "{}: relatório de perda florestal", "{} : rapport de perte forestière"}},
    {"cover.value",
     {"Estimated value: {} ({} per ha)", "Valor estimado: {} ({} por ha)",
      "Valor estimado: {} ({} por ha)", "Valeur estimée : {} ({} par ha)"}},
    // ---- alert pages (report_alert_pages.cpp)
    {"alert_page.after", {"After", "Después", "Depois", "Après"}},
    {"alert_page.aoi_mean", {"AOI mean", "media del AOI", "média da AOI", "moyenne de l'AOI"}},
    {"alert_page.area", {"Area", "Superficie", "Área", "Surface"}},
    {"alert_page.area_value",
     {"{} ha ({} pixels)", "{} ha ({} píxeles)", "{} ha ({} pixels)", "{} ha ({} pixels)"}},
    {"alert_page.before", {"Before", "Antes", "Antes", "Avant"}},
    {"alert_page.centroid",
     {"Centroid (WGS84 latitude, longitude)", "Centroide (latitud, longitud WGS84)",
      "Centroide (latitude, longitude WGS84)", "Centroïde (latitude, longitude WGS84)"}},
    {"alert_page.confidence", {"Confidence", "Confianza", "Confiança", "Confiance"}},
    {"alert_page.confidence_high",
     {"high (confirmed)", "alta (confirmada)", "alta (confirmada)", "élevée (confirmée)"}},
    {"alert_page.confidence_low", {"low", "baja", "baixa", "faible"}},
    {"alert_page.confirmed", {"Confirmed", "Confirmada", "Confirmada", "Confirmée"}},
    {"alert_page.false_colour", {"false colour", "falso color", "falsa cor", "fausses couleurs"}},
    {"alert_page.first_seen",
     {"First seen", "Detectada por primera vez", "Detectada pela primeira vez",
      "Vue pour la première fois"}},
    {"alert_page.id",
     {"Alert id", "Identificador de la alerta", "Identificador do alerta",
      "Identifiant de l'alerte"}},
    {"alert_page.legend",
     {"Outlines follow the alert's pixels: magenta high, yellow low confidence; neighbouring "
      "alerts in white. Numbers as in the alert table. Every raster pixel is one block, never "
      "smoothed.",
      "Los contornos siguen los píxeles de la alerta: magenta confianza alta, amarillo baja; "
      "alertas vecinas en blanco. Números como en la tabla de alertas. Cada píxel del ráster es un "
      "bloque, nunca suavizado.",
      "Os contornos seguem os pixels do alerta: magenta confiança alta, amarelo baixa; alertas "
      "vizinhos em branco. Números como na tabela de alertas. Cada pixel do raster é um bloco, "
      "nunca suavizado.",
      "Les contours suivent les pixels de l'alerte : magenta confiance élevée, jaune faible ; "
      "alertes voisines en blanc. Numéros comme dans le tableau des alertes. Chaque pixel du "
      "raster "
      "est un bloc, jamais lissé."}},
    {"alert_page.magnitude",
     {"Mean magnitude (index drop)", "Magnitud media (caída del índice)",
      "Magnitude média (queda do índice)", "Magnitude moyenne (baisse de l'indice)"}},
    {"alert_page.not_confirmed",
     {"not confirmed", "no confirmada", "não confirmada", "non confirmée"}},
    {"alert_page.series_title",
     {"{} over time", "{} en el tiempo", "{} ao longo do tempo", "{} au fil du temps"}},
    {"alert_page.subtitle",
     {"{} alert(s) in this AOI, {} with a page of their own (the largest by area); before and "
      "after at native resolution around the alert",
      "{} alerta(s) en este AOI, {} con página propia (las de mayor superficie); antes y después a "
      "resolución nativa alrededor de la alerta",
      "{} alerta(s) nesta AOI, {} com página própria (os de maior área); antes e depois em "
      "resolução nativa ao redor do alerta",
      "{} alerte(s) dans cette AOI, {} avec leur propre page (les plus étendues) ; avant et après "
      "en résolution native autour de l'alerte"}},
    {"alert_page.this_alert", {"this alert", "esta alerta", "este alerta", "cette alerte"}},
    {"alert_page.title", {"{}: alert {}", "{}: alerta {}", "{}: alerta {}", "{} : alerte {}"}},
    {"alert_page.true_colour",
     {"true colour", "color verdadero", "cor verdadeira", "couleurs naturelles"}},
    {"alert_page.true_north",
     {"True north at the alert", "Norte verdadero en la alerta", "Norte verdadeiro no alerta",
      "Nord géographique à l'alerte"}},
    {"alert_page.value", {"Estimated value", "Valor estimado", "Valor estimado", "Valeur estimée"}},
    // ---- map pages (report_map.cpp, report_pages.cpp)
    // ---- alert table (report_pages.cpp)
    // ---- time-series page (report_series_page.cpp)
    // ---- custody page (report_custody_page.cpp)
    // ---- index.html (report_files.cpp)
};

}  // namespace

std::string_view tr(report_language language, std::string_view key) {
  auto const* it = std::find_if(std::begin(table), std::end(table),
                                [&](phrase const& p) { return p.key == key; });
  if (it == std::end(table)) throw logic_error("no report text for key '" + std::string(key) + "'");
  return it->text[static_cast<std::size_t>(language)];
}

std::vector<std::string_view> translation_keys() {
  std::vector<std::string_view> keys;
  for (auto const& p : table) keys.push_back(p.key);
  return keys;
}

std::string format_number(report_language language, double value, int decimals) {
  if (std::isnan(value)) return "\u2013";
  std::string const plain = fmt::format("{:.{}f}", std::abs(value), std::max(decimals, 0));
  auto const point = plain.find('.');
  std::string_view const whole = std::string_view(plain).substr(0, point);
  bool const english = language == report_language::en;
  std::string_view const group = english ? "," : language == report_language::fr ? "\u202F" : ".";
  // A minus only where something non-zero is printed.
  bool const negative = std::signbit(value) && plain.find_first_not_of("0.") != std::string::npos;
  std::string out = negative ? "-" : "";
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) out.append(group);
    out.push_back(whole[i]);
  }
  if (point != std::string::npos) {
    out.push_back(english ? '.' : ',');
    out.append(plain, point + 1);
  }
  return out;
}

std::string format_date(report_language language, civil_date date) {
  if (language == report_language::en) return to_iso(date);
  return fmt::format("{:02d}/{:02d}/{:04d}", static_cast<unsigned>(date.day()),
                     static_cast<unsigned>(date.month()), static_cast<int>(date.year()));
}

}  // namespace geosweep::pipeline
