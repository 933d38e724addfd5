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
    {"cause.burn", {"burn", "quema", "queimada", "brûlis"}},
    {"cause.clearing", {"clearing", "tala", "desmatamento", "défrichement"}},
    {"cause.flooding", {"flooding", "inundación", "inundação", "inondation"}},
    {"cause.mining", {"mining", "minería", "mineração", "exploitation minière"}},
    {"cause.other", {"other", "otra", "outra", "autre"}},
    {"cause.unknown", {"unknown", "desconocida", "desconhecida", "inconnue"}},
    {"cause.with_severity",
     {"{} ({} severity)", "{} (severidad {})", "{} (severidade {})", "{} (sévérité {})"}},
    {"common.alert_summary",
     {"{} alert(s), {} ha, {} high confidence", "{} alerta(s), {} ha, {} con confianza alta",
      "{} alerta(s), {} ha, {} com confiança alta",
      "{} alerte(s), {} ha, dont {} de confiance élevée"}},
    {"common.footer",
     {"job '{}', AOI '{}': {} scenes, {} dates from {} to {}; change.nc by geosweep {}, report by "
      "geosweep {}",
      "trabajo '{}', AOI '{}': {} escenas, {} fechas del {} al {}; change.nc de geosweep {}, "
      "informe de geosweep {}",
      "trabalho '{}', AOI '{}': {} cenas, {} datas de {} a {}; change.nc do geosweep {}, relatório "
      "do geosweep {}",
      "tâche '{}', AOI '{}'\u00a0: {} scènes, {} dates du {} au {}\u00a0; change.nc par geosweep "
      "{}, rapport par geosweep {}"}},
    {"common.page_of", {"page {} of {}", "página {} de {}", "página {} de {}", "page {} sur {}"}},
    {"common.pdf_keywords",
     {"geosweep, land-cover change, {}, {}, {}",
      "geosweep, cambio de cobertura del suelo, {}, {}, {}",
      "geosweep, mudança de cobertura da terra, {}, {}, {}",
      "geosweep, changement d'occupation du sol, {}, {}, {}"}},
    {"common.pdf_subject",
     {"Land-cover change in AOI '{}', job '{}': baseline {} to {}, monitoring {} to {}",
      "Cambio de cobertura del suelo en la AOI '{}', trabajo '{}': referencia del {} al {}, "
      "monitoreo del {} al {}",
      "Mudança de cobertura da terra na AOI '{}', trabalho '{}': referência de {} a {}, "
      "monitoramento de {} a {}",
      "Changement d'occupation du sol dans l'AOI '{}', tâche '{}'\u00a0: référence du {} au {}, "
      "surveillance du {} au {}"}},
    {"common.pdf_title",
     {"geosweep report: {}", "informe de geosweep: {}", "relatório do geosweep: {}",
      "rapport geosweep\u00a0: {}"}},
    {"common.period", {"{} to {}", "del {} al {}", "de {} a {}", "du {} au {}"}},
    {"severity.high", {"high", "alta", "alta", "élevée"}},
    {"severity.moderate_high",
     {"moderate-high", "moderada-alta", "moderada-alta", "modérée-forte"}},
    {"severity.moderate_low",
     {"moderate-low", "moderada-baja", "moderada-baixa", "modérée-faible"}},
    // ---- cover page (report_cover_page.cpp)
    {"cover.alerts",
     {"Alerts: {}, {} ha", "Alertas: {}, {} ha", "Alertas: {}, {} ha", "Alertes : {}, {} ha"}},
    {"cover.baseline",
     {"Baseline: {} to {}", "Línea de base: {} a {}", "Linha de base: {} a {}",
      "Référence : du {} au {}"}},
    {"cover.class_ha", {"{} ha of {}", "{} ha de {}", "{} ha de {}", "{} ha de {}"}},
    {"cover.class_ha_value",
     {"{} ha of {}, estimated {}", "{} ha de {}, valor estimado {}",
      "{} ha de {}, valor estimado {}", "{} ha de {}, valeur estimée {}"}},
    {"cover.class_more",
     {"and {} more class(es), {} ha (landcover.csv)", "y {} clase(s) más, {} ha (landcover.csv)",
      "e mais {} classe(s), {} ha (landcover.csv)",
      "et {} autre(s) classe(s), {} ha (landcover.csv)"}},
    {"cover.heading_imagery", {"Imagery", "Imágenes", "Imagens", "Images"}},
    {"cover.heading_landcover",
     {"Land cover of the change", "Cobertura del suelo del cambio", "Cobertura do solo da mudança",
      "Occupation du sol du changement"}},
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
    {"cover.value_by_class",
     {"Estimated value: {} (by land-cover class)", "Valor estimado: {} (por clase de cobertura)",
      "Valor estimado: {} (por classe de cobertura)",
      "Valeur estimée : {} (par classe d'occupation du sol)"}},
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
    {"map.after", {"after", "después", "depois", "après"}},
    {"map.alerts", {"Alerts", "Alertas", "Alertas", "Alertes"}},
    {"map.at_centre",
     {"(at the map centre)", "(en el centro del mapa)", "(no centro do mapa)",
      "(au centre de la carte)"}},
    {"map.band_blue", {"blue", "azul", "azul", "bleu"}},
    {"map.band_green", {"green", "verde", "verde", "vert"}},
    {"map.band_nir", {"NIR", "IRC", "IVP", "PIR"}},
    {"map.band_red", {"red", "rojo", "vermelho", "rouge"}},
    {"map.bands_false",
     {"near infrared, red, green as red, green, blue",
      "infrarrojo cercano, rojo y verde como rojo, verde y azul",
      "infravermelho próximo, vermelho e verde como vermelho, verde e azul",
      "proche infrarouge, rouge et vert en rouge, vert et bleu"}},
    {"map.bands_true",
     {"red, green, blue surface reflectance", "reflectancia de superficie en rojo, verde y azul",
      "reflectância de superfície em vermelho, verde e azul",
      "réflectance de surface en rouge, vert et bleu"}},
    {"map.before", {"before", "antes", "antes", "avant"}},
    {"map.crs", {"CRS: {}", "SRC: {}", "SRC: {}", "SCR\u00a0: {}"}},
    {"map.crs_unnamed", {"unnamed", "sin nombre", "sem nome", "sans nom"}},
    {"map.date", {"Date: {}", "Fecha: {}", "Data: {}", "Date\u00a0: {}"}},
    {"map.date_label", {"{} ({} %)", "{} ({} %)", "{} ({} %)", "{} ({}\u00a0%)"}},
    {"map.date_map",
     {"Date of each pixel", "Fecha de cada píxel", "Data de cada pixel", "Date de chaque pixel"}},
    {"map.date_none",
     {"no clear look ({} %)", "sin observación libre de nubes ({} %)",
      "sem observação livre de nuvens ({} %)", "sans observation sans nuages ({}\u00a0%)"}},
    {"map.date_other",
     {"  other dates ({} %)", "  otras fechas ({} %)", "  outras datas ({} %)",
      "  autres dates ({}\u00a0%)"}},
    {"map.date_others", {"other dates", "otras fechas", "outras datas", "autres dates"}},
    {"map.dates",
     {"Dates of its pixels (share of the AOI):", "Fechas de sus píxeles (parte de la AOI):",
      "Datas dos seus pixels (parte da AOI):", "Dates de ses pixels (part de l'AOI)\u00a0:"}},
    {"map.dates_unknown",
     {"(the latest look; the run did not record the date of each pixel)",
      "(la observación más reciente; la ejecución no registró la fecha de cada píxel)",
      "(a observação mais recente; a execução não registrou a data de cada pixel)",
      "(la dernière observation\u00a0; l'exécution n'a pas enregistré la date de chaque pixel)"}},
    {"map.false_colour", {"false colour", "falso color", "falsa cor", "fausses couleurs"}},
    {"map.grid", {"Grid", "Malla", "Grade", "Grille"}},
    {"map.image", {"Image", "Imagen", "Imagem", "Image"}},
    {"map.index_subtitle",
     {"{} from brown ({}) to green ({}), 2nd to 98th percentile (no colour COGs)",
      "{} de marrón ({}) a verde ({}), percentiles 2 a 98 (sin COG en color)",
      "{} de marrom ({}) a verde ({}), percentis 2 a 98 (sem COGs coloridos)",
      "{} du brun ({}) au vert ({}), 2e au 98e centile (pas de COG en couleurs)"}},
    {"map.latest_baseline",
     {"Latest clear look of the baseline period {}",
      "Última observación sin nubes del período de referencia {}",
      "Última observação sem nuvens do período de referência {}",
      "Dernière observation sans nuages de la période de référence {}"}},
    {"map.latest_monitor",
     {"Latest clear look of the monitoring period {}",
      "Última observación sin nubes del período de monitoreo {}",
      "Última observação sem nuvens do período de monitoramento {}",
      "Dernière observation sans nuages de la période de surveillance {}"}},
    {"map.legend", {"Legend", "Leyenda", "Legenda", "Légende"}},
    {"map.legend_aoi", {"AOI boundary", "Límite de la AOI", "Limite da AOI", "Limite de l'AOI"}},
    {"map.legend_bitemporal",
     {"Change (bitemporal: high confidence)", "Cambio (bitemporal: confianza alta)",
      "Mudança (bitemporal: confiança alta)", "Changement (bitemporel\u00a0: confiance élevée)"}},
    {"map.legend_high",
     {"Change, high confidence (confirmed)", "Cambio, confianza alta (confirmado)",
      "Mudança, confiança alta (confirmada)", "Changement, confiance élevée (confirmé)"}},
    {"map.legend_low",
     {"Change, low confidence", "Cambio, confianza baja", "Mudança, confiança baixa",
      "Changement, confiance faible"}},
    {"map.legend_no_look",
     {"No clear look in the period", "Sin observación libre de nubes",
      "Sem observação livre de nuvens", "Aucune observation sans nuages"}},
    {"map.legend_number",
     {"Alert number (table)", "Número de alerta (tabla)", "Número do alerta (tabela)",
      "Numéro d'alerte (tableau)"}},
    {"map.legend_outside", {"Outside the AOI", "Fuera de la AOI", "Fora da AOI", "Hors de l'AOI"}},
    {"map.no_look", {"no clear look", "sin observación", "sem observação", "sans observation"}},
    {"map.north_anticlockwise",
     {"{}\u00b0 anticlockwise of up", "{}\u00b0 en sentido antihorario desde arriba",
      "{}\u00b0 no sentido anti-horário a partir do topo",
      "{}\u00b0 dans le sens antihoraire depuis le haut"}},
    {"map.north_clockwise",
     {"{}\u00b0 clockwise of up", "{}\u00b0 en sentido horario desde arriba",
      "{}\u00b0 no sentido horário a partir do topo",
      "{}\u00b0 dans le sens horaire depuis le haut"}},
    {"map.north_letter", {"N", "N", "N", "N"}},
    {"map.pixel",
     {"Pixel: {} x {} m on the ground", "Píxel: {} x {} m sobre el terreno",
      "Pixel: {} x {} m no terreno", "Pixel\u00a0: {} x {} m au sol"}},
    {"map.stretch",
     {"Stretch, 2nd to 98th percentile (reflectance):",
      "Realce, percentiles 2 a 98 (reflectancia):", "Realce, percentis 2 a 98 (reflectância):",
      "Étirement, 2e au 98e centile (réflectance)\u00a0:"}},
    {"map.stretch_note",
     {"stretched per band between the 2nd and 98th percentiles of both dates",
      "realce por banda entre los percentiles 2 y 98 de ambas fechas",
      "realce por banda entre os percentis 2 e 98 das duas datas",
      "étirement par bande entre les 2e et 98e centiles des deux dates"}},
    {"map.title", {"{}: {}, {}", "{}: {}, {}", "{}: {}, {}", "{}\u00a0: {}, {}"}},
    {"map.true_colour",
     {"true colour", "color verdadero", "cor verdadeira", "couleurs naturelles"}},
    {"map.true_north", {"True north", "Norte verdadero", "Norte verdadeiro", "Nord géographique"}},
    {"map.warning", {"Warning", "Aviso", "Aviso", "Avertissement"}},
    {"map.warning_flagged_share",
     {"{} % of the forest flagged: likely season, haze or radiometry, not clearing. Check the "
      "looks' dates and the cloud mask.",
      "{} % del bosque marcado: probablemente estación, bruma o radiometría, no tala. Revise las "
      "fechas de las observaciones y la máscara de nubes.",
      "{} % da floresta marcada: provavelmente estação, névoa ou radiometria, não desmatamento. "
      "Verifique as datas das observações e a máscara de nuvens.",
      "{} % de la forêt signalée\u00a0: probablement la saison, la brume ou la radiométrie, pas un "
      "défrichement. Vérifiez les dates des observations et le masque de nuages."}},
    {"map.warning_season_gap",
     {"Latest looks {} days apart in the season: seasonal change may show as loss. Compare looks "
      "of the same season.",
      "Últimas observaciones separadas {} días en la estación: el cambio estacional puede aparecer "
      "como pérdida. Compare observaciones de la misma estación.",
      "Últimas observações separadas por {} dias na estação: a mudança sazonal pode aparecer como "
      "perda. Compare observações da mesma estação.",
      "Dernières observations espacées de {} jours dans la saison\u00a0: le changement saisonnier "
      "peut apparaître comme une perte. Comparez des observations de la même saison."}},
    {"map.warnings", {"Warnings", "Avisos", "Avisos", "Avertissements"}},
    {"map.west_letter", {"W", "O", "O", "O"}},
    // ---- alert table (report_pages.cpp)
    {"table.alert_id", {"Alert id", "Id. de alerta", "ID do alerta", "Id. d'alerte"}},
    {"table.area", {"Area (ha)", "Área (ha)", "Área (ha)", "Surf. (ha)"}},
    {"table.cause", {"Cause", "Causa", "Causa", "Cause"}},
    {"table.confidence", {"Confidence", "Confianza", "Confiança", "Confiance"}},
    {"table.confidence_high", {"high", "alta", "alta", "élevée"}},
    {"table.confidence_low", {"low", "baja", "baixa", "faible"}},
    {"table.confirmed", {"Confirmed", "Confirmación", "Confirmação", "Confirmation"}},
    {"table.first_seen", {"First seen", "Detección", "Detecção", "Détection"}},
    {"table.latitude", {"Latitude", "Latitud", "Latitude", "Latitude"}},
    {"table.longitude", {"Longitude", "Longitud", "Longitude", "Longitude"}},
    {"table.look_after", {"After", "Después", "Depois", "Après"}},
    {"table.look_before", {"Before", "Antes", "Antes", "Avant"}},
    {"table.looks_note",
     {"Before / after: the date of the alert's own pixels in each period's image; * some "
      "of them come from earlier looks where the latest was cloudy (its alert page gives the "
      "range).",
      "Antes / después: la fecha de los píxeles de la alerta en la imagen de cada período; "
      "* algunos provienen de observaciones anteriores donde la última tenía nubes (la página de "
      "la alerta da el intervalo).",
      "Antes / depois: a data dos pixels do alerta na imagem de cada período; * alguns vêm "
      "de observações anteriores onde a última tinha nuvens (a página do alerta dá o intervalo).",
      "Avant / après\u00a0: la date des pixels de l'alerte dans l'image de chaque "
      "période\u00a0; "
      "* certains viennent d'observations antérieures là où la dernière était nuageuse (la page "
      "de l'alerte donne l'intervalle)."}},
    {"table.magnitude", {"Magnitude", "Magnitud", "Magnitude", "Magnitude"}},
    {"table.no_change",
     {"No change found in this AOI for the monitoring period.",
      "No se encontró ningún cambio en esta AOI en el período de monitoreo.",
      "Nenhuma mudança encontrada nesta AOI no período de monitoramento.",
      "Aucun changement trouvé dans cette AOI sur la période de surveillance."}},
    {"table.pixels", {"Pixels", "Píxeles", "Pixels", "Pixels"}},
    {"table.subtitle",
     {"{}; monitoring {}; the numbers (#) are those on the maps; rows as in alerts.csv",
      "{}; monitoreo {}; los números (#) son los de los mapas; filas como en alerts.csv",
      "{}; monitoramento {}; os números (#) são os dos mapas; linhas como em alerts.csv",
      "{}\u00a0; surveillance {}\u00a0; les numéros (#) sont ceux des cartes\u00a0; lignes comme "
      "dans alerts.csv"}},
    {"table.title", {"{}: alerts", "{}: alertas", "{}: alertas", "{}\u00a0: alertes"}},
    {"table.title_part",
     {"{}: alerts ({} of {})", "{}: alertas ({} de {})", "{}: alertas ({} de {})",
      "{}\u00a0: alertes ({} sur {})"}},
    {"table.value", {"Est. value", "Valor est.", "Valor est.", "Valeur est."}},
    // ---- time-series page (report_series_page.cpp)
    {"series.acquisition_date",
     {"acquisition date (to scale; a tick per date, every label that fits) and the share of the "
      "AOI with a clear look",
      "fecha de adquisición (a escala; una marca por fecha, las etiquetas que caben) y parte de la "
      "AOI sin nubes",
      "data de aquisição (em escala; uma marca por data, os rótulos que cabem) e parcela da AOI "
      "sem nuvens",
      "date d'acquisition (à l'échelle\u00a0; un repère par date, les étiquettes qui tiennent) et "
      "part de l'AOI sans nuages"}},
    {"series.acquisition_date_one",
     {"acquisition date (to scale; a tick per date, every date) and the share of the AOI with a "
      "clear look",
      "fecha de adquisición (a escala; una marca por fecha, cada fecha) y parte de la AOI sin "
      "nubes",
      "data de aquisição (em escala; uma marca por data, cada data) e parcela da AOI sem nuvens",
      "date d'acquisition (à l'échelle\u00a0; un repère par date, chaque date) et part de l'AOI "
      "sans nuages"}},
    {"series.alert_line",
     {"alert #{} ({} ha)", "alerta n.º {} ({} ha)", "alerta n.º {} ({} ha)",
      "alerte n° {} ({} ha)"}},
    {"series.baseline", {"baseline", "referencia", "referência", "référence"}},
    {"series.baseline_mean",
     {"baseline mean", "media de referencia", "média de referência", "moyenne de référence"}},
    {"series.baseline_period",
     {"baseline period", "período de referencia", "período de referência", "période de référence"}},
    {"series.breaks",
     {"a date without a clear look breaks the lines",
      "una fecha sin observación libre de nubes interrumpe las líneas",
      "uma data sem observação livre de nuvens interrompe as linhas",
      "une date sans observation exempte de nuages interrompt les lignes"}},
    {"series.clear_all",
     {"100 % clear", "100 % sin nubes", "100 % sem nuvens", "100 % sans nuages"}},
    {"series.clear_none", {"0 %", "0 %", "0 %", "0 %"}},
    {"series.confirmation", {"confirmation", "confirmación", "confirmação", "confirmation"}},
    {"series.dotted",
     {"dotted between the periods: no look in between",
      "punteado entre los períodos: ninguna observación intermedia",
      "pontilhado entre os períodos: nenhuma observação no intervalo",
      "pointillé entre les périodes\u00a0: aucune observation entre elles"}},
    {"series.first_anomaly",
     {"first anomaly (first seen)", "primera anomalía (detección)", "primeira anomalia (detecção)",
      "première anomalie (détection)"}},
    {"series.latest_baseline_look",
     {"latest clear baseline look", "última observación sin nubes de referencia",
      "última observação sem nuvens de referência",
      "dernière observation sans nuages de référence"}},
    {"series.latest_monitor_look",
     {"latest clear monitoring look of an alert (its date)",
      "última observación sin nubes de monitoreo de una alerta (su fecha)",
      "última observação sem nuvens de monitoramento de um alerta (sua data)",
      "dernière observation sans nuages de surveillance d'une alerte (sa date)"}},
    {"series.method_baseline",
     {"Change: baseline on {}, the ladder: each pixel's clear baseline looks give its mean and "
      "standard deviation; a forest pixel (baseline mean \u2265 forest_min {}) whose clear "
      "monitoring look lies at least drop {} and k_sigma {} standard deviations below its mean is "
      "anomalous; the first anomaly is a low-confidence candidate (first seen), {} anomalous clear "
      "looks within {} days of it confirm it (high confidence, confirmed on), a normal clear look "
      "before that clears it. {}",
      "Cambio: baseline sobre {}, por escalones: las observaciones sin nubes de referencia de cada "
      "píxel dan su media y su desviación estándar; un píxel de bosque (media de referencia \u2265 "
      "forest_min {}) cuya observación sin nubes de monitoreo queda al menos drop {} y k_sigma {} "
      "desviaciones estándar por debajo de su media es anómalo; la primera anomalía es una "
      "candidata de confianza baja (detección), {} observaciones anómalas sin nubes dentro de {} "
      "días la confirman (confianza alta, fecha de confirmación), una observación sin nubes normal "
      "antes de eso la descarta. {}",
      "Mudança: baseline sobre {}, por degraus: as observações sem nuvens de referência de cada "
      "pixel dão sua média e seu desvio padrão; um pixel de floresta (média de referência \u2265 "
      "forest_min {}) cuja observação sem nuvens de monitoramento fica pelo menos drop {} e "
      "k_sigma {} desvios padrão abaixo de sua média é anômalo; a primeira anomalia é uma "
      "candidata de confiança baixa (detecção), {} observações anômalas sem nuvens em até {} dias "
      "a confirmam (confiança alta, data de confirmação), uma observação sem nuvens normal antes "
      "disso a descarta. {}",
      "Changement\u00a0: baseline sur {}, par paliers\u00a0: les observations sans nuages de "
      "référence de chaque pixel donnent sa moyenne et son écart-type\u00a0; un pixel forestier "
      "(moyenne de référence \u2265 forest_min {}) dont l'observation sans nuages de surveillance "
      "se situe au moins à drop {} et à k_sigma {} écarts-types sous sa moyenne est anormal\u00a0; "
      "la première anomalie est une candidate de confiance faible (détection), {} observations "
      "anormales sans nuages dans les {} jours la confirment (confiance élevée, date de "
      "confirmation), une observation sans nuages normale avant cela l'écarte. {}"}},
    {"series.method_bitemporal",
     {"Change: bitemporal on {}, one look per period: each pixel's latest clear look of the "
      "baseline period against its latest clear look of the monitoring period. A forest pixel "
      "(before \u2265 forest_min {}) whose index fell by at least drop {} is a seed, loss with "
      "high confidence dated by its latest clear monitoring look. {}",
      "Cambio: bitemporal sobre {}, una observación por período: la última observación sin nubes "
      "de cada píxel en el período de referencia frente a su última observación sin nubes en el "
      "período de monitoreo. Un píxel de bosque (antes \u2265 forest_min {}) cuyo índice cayó al "
      "menos drop {} es una semilla, pérdida con confianza alta fechada por su última observación "
      "sin nubes de monitoreo. {}",
      "Mudança: bitemporal sobre {}, uma observação por período: a última observação sem nuvens de "
      "cada pixel no período de referência contra sua última observação sem nuvens no período de "
      "monitoramento. Um pixel de floresta (antes \u2265 forest_min {}) cujo índice caiu pelo "
      "menos drop {} é uma semente, perda com confiança alta datada por sua última observação sem "
      "nuvens de monitoramento. {}",
      "Changement\u00a0: bitemporel sur {}, une observation par période\u00a0: la dernière "
      "observation sans nuages de chaque pixel sur la période de référence face à sa dernière "
      "observation sans nuages sur la période de surveillance. Un pixel forestier (avant \u2265 "
      "forest_min {}) dont l'indice a baissé d'au moins drop {} est un germe, une perte de "
      "confiance élevée datée par sa dernière observation sans nuages de surveillance. {}"}},
    {"series.method_bfast",
     {"Change: bfast on {} (BFAST-Monitor): each pixel's clear baseline looks fit a season-trend "
      "model ({} harmonics{}); in the monitoring period the moving sum of the last h {} \u00d7 n "
      "residuals (OLS-MOSUM) is tested against the boundary of level {}; a forest pixel (history "
      "mean \u2265 forest_min {}) whose process falls below it is a low-confidence candidate "
      "(first seen), {} such looks within {} days confirm it (high confidence), a look back inside "
      "the boundary before that clears it; fewer than {} clear history looks: no model. {}",
      "Cambio: bfast sobre {} (BFAST-Monitor): las observaciones sin nubes de referencia de cada "
      "píxel ajustan un modelo de estación y tendencia ({} armónicos{}); en el período de "
      "monitoreo la suma móvil de los últimos h {} \u00d7 n residuos (OLS-MOSUM) se compara con "
      "el límite de nivel {}; un píxel de bosque (media histórica \u2265 forest_min {}) cuyo "
      "proceso cae por debajo es una candidata de confianza baja (detección), {} observaciones así "
      "en {} días la confirman (confianza alta), una observación de vuelta dentro del límite antes "
      "la descarta; menos de {} observaciones históricas sin nubes: sin modelo. {}",
      "Mudança: bfast sobre {} (BFAST-Monitor): as observações sem nuvens de referência de cada "
      "pixel ajustam um modelo de estação e tendência ({} harmônicos{}); no período de "
      "monitoramento a soma móvel dos últimos h {} \u00d7 n resíduos (OLS-MOSUM) é comparada com o "
      "limite de nível {}; um pixel de floresta (média histórica \u2265 forest_min {}) cujo "
      "processo cai abaixo dele é uma candidata de confiança baixa (detecção), {} observações "
      "assim em até {} dias a confirmam (confiança alta), uma observação de volta dentro do limite "
      "antes disso a descarta; menos de {} observações históricas sem nuvens: sem modelo. {}",
      "Changement\u00a0: bfast sur {} (BFAST-Monitor)\u00a0: les observations sans nuages de "
      "référence de chaque pixel ajustent un modèle saisonnier avec tendance ({} harmoniques{})"
      "\u00a0; sur la période de surveillance, la somme mobile des h {} \u00d7 n derniers résidus "
      "(OLS-MOSUM) est comparée à la frontière de niveau {}\u00a0; un pixel forestier (moyenne "
      "historique \u2265 forest_min {}) dont le processus passe sous elle est une candidate de "
      "confiance faible (détection), {} observations de ce type en {} jours la confirment "
      "(confiance élevée), une observation revenue dans la frontière avant cela l'écarte\u00a0; "
      "moins de {} observations historiques sans nuages\u00a0: pas de modèle. {}"}},
    {"series.trend", {", trend", ", tendencia", ", tendência", ", tendance"}},
    {"series.monitor_period",
     {"monitoring period", "período de monitoreo", "período de monitoramento",
      "période de surveillance"}},
    {"series.monitoring", {"monitoring", "monitoreo", "monitoramento", "surveillance"}},
    {"series.no_alerts",
     {"no alerts in this AOI", "ninguna alerta en esta AOI", "nenhum alerta nesta AOI",
      "aucune alerte dans cette AOI"}},
    {"series.no_series",
     {"No time series in the outputs (series.csv, written with outputs.csv: true)",
      "No hay serie temporal en las salidas (series.csv, escrita con outputs.csv: true)",
      "Nenhuma série temporal nas saídas (series.csv, escrita com outputs.csv: true)",
      "Pas de série temporelle dans les sorties (series.csv, écrite avec outputs.csv: true)"}},
    {"series.others",
     {"the other {} alerts: their lowest to highest mean",
      "las otras {} alertas: de su media más baja a la más alta",
      "os outros {} alertas: da menor à maior média",
      "les {} autres alertes\u00a0: de leur moyenne la plus basse à la plus haute"}},
    {"series.patch_edge",
     {"no seed starts within {} m of the AOI's boundary (edge buffer)",
      "ninguna semilla comienza a menos de {} m del límite de la AOI (zona de borde)",
      "nenhuma semente começa a menos de {} m do limite da AOI (faixa de borda)",
      "aucun germe ne naît à moins de {} m de la limite de l'AOI (zone tampon de bord)"}},
    {"series.patch_edge_none",
     {"no edge buffer", "sin zona de borde", "sem faixa de borda", "pas de zone tampon de bord"}},
    {"series.patch_edge_pixel",
     {"no seed starts within one grid pixel of the AOI's boundary (edge buffer)",
      "ninguna semilla comienza a menos de un píxel de la malla del límite de la AOI (zona de "
      "borde)",
      "nenhuma semente começa a menos de um pixel da grade do limite da AOI (faixa de borda)",
      "aucun germe ne naît à moins d'un pixel de la grille de la limite de l'AOI (zone tampon de "
      "bord)"}},
    {"series.patch_fall",
     {"grow {} \u00d7 drop = {}", "grow {} \u00d7 drop = {}", "grow {} \u00d7 drop = {}",
      "grow {} \u00d7 drop = {}"}},
    {"series.patch_grow_baseline",
     {"Patches grow from the seeds into 8-connected forest pixels whose latest clear monitoring "
      "look lies at least {} and {} standard deviations below the baseline mean; ",
      "Los parches crecen desde las semillas hacia píxeles de bosque 8-conectados cuya última "
      "observación sin nubes de monitoreo queda al menos {} y {} desviaciones estándar por debajo "
      "de la media de referencia; ",
      "As manchas crescem a partir das sementes para pixels de floresta 8-conectados cuja última "
      "observação sem nuvens de monitoramento fica pelo menos {} e {} desvios padrão abaixo da "
      "média de referência; ",
      "Les taches croissent à partir des germes vers les pixels forestiers 8-connexes dont la "
      "dernière observation sans nuages de surveillance se situe au moins à {} et à {} "
      "écarts-types sous la moyenne de référence\u00a0; "}},
    {"series.patch_grow_bitemporal",
     {"Patches grow from the seeds into 8-connected forest pixels whose index fell (before \u2212 "
      "after) by at least {}; ",
      "Los parches crecen desde las semillas hacia píxeles de bosque 8-conectados cuyo índice cayó "
      "(antes \u2212 después) al menos {}; ",
      "As manchas crescem a partir das sementes para pixels de floresta 8-conectados cujo índice "
      "caiu (antes \u2212 depois) pelo menos {}; ",
      "Les taches croissent à partir des germes vers les pixels forestiers 8-connexes dont "
      "l'indice a baissé (avant \u2212 après) d'au moins {}\u00a0; "}},
    {"map.no_model",
     {"{} % of the AOI has no model (bfast: too few clear history looks) and is not monitored",
      "El {} % del AOI no tiene modelo (bfast: pocas observaciones históricas sin nubes) y no se "
      "monitorea",
      "{} % do AOI não tem modelo (bfast: poucas observações históricas sem nuvens) e não é "
      "monitorado",
      "{}\u00a0% de l'AOI n'a pas de modèle (bfast\u00a0: trop peu d'observations historiques "
      "sans nuages) et n'est pas surveillé"}},
    {"series.patch_grow_bfast",
     {"Patches grow from the seeds into 8-connected forest pixels whose latest MOSUM lies below "
      "grow {} \u00d7 the boundary; ",
      "Los parches crecen desde las semillas hacia píxeles de bosque 8-conectados cuyo último "
      "MOSUM "
      "queda por debajo de grow {} \u00d7 el límite; ",
      "As manchas crescem a partir das sementes para pixels de floresta 8-conectados cujo último "
      "MOSUM fica abaixo de grow {} \u00d7 o limite; ",
      "Les taches croissent à partir des germes vers les pixels forestiers 8-connexes dont le "
      "dernier MOSUM passe sous grow {} \u00d7 la frontière\u00a0; "}},
    {"series.patch_mmu",
     {"{}{}; patches under {} ha (the minimum mapping unit) are dropped.",
      "{}{}; se descartan los parches de menos de {} ha (la unidad mínima de mapeo).",
      "{}{}; manchas com menos de {} ha (a unidade mínima de mapeamento) são descartadas.",
      "{}{}\u00a0; les taches de moins de {} ha (l'unité minimale de cartographie) sont "
      "écartées."}},
    {"series.patch_no_grow",
     {"No growth (grow 0): only seeds form patches; ",
      "Sin crecimiento (grow 0): solo las semillas forman parches; ",
      "Sem crescimento (grow 0): apenas as sementes formam manchas; ",
      "Pas de croissance (grow 0)\u00a0: seuls les germes forment des taches\u00a0; "}},
    {"series.prov_and", {"{} and {}", "{} y {}", "{} e {}", "{} et {}"}},
    {"series.prov_job",
     {"Job: {} ({})", "Trabajo: {} ({})", "Trabalho: {} ({})", "Tâche\u00a0: {} ({})"}},
    {"series.prov_periods",
     {"Periods: baseline {}, monitoring {}", "Períodos: referencia {}, monitoreo {}",
      "Períodos: referência {}, monitoramento {}",
      "Périodes\u00a0: référence {}, surveillance {}"}},
    {"series.prov_scenes",
     {"Scenes ({}): {}", "Escenas ({}): {}", "Cenas ({}): {}", "Scènes ({})\u00a0: {}"}},
    {"series.prov_software",
     {"Software: change.nc written by geosweep {} (backend {}); report drawn by geosweep {} from "
      "{}",
      "Software: change.nc escrito por geosweep {} (backend {}); informe generado por geosweep {} "
      "a partir de {}",
      "Software: change.nc gravado pelo geosweep {} (backend {}); relatório gerado pelo geosweep "
      "{} a partir de {}",
      "Logiciel\u00a0: change.nc écrit par geosweep {} (backend {})\u00a0; rapport produit par "
      "geosweep {} à partir de {}"}},
    {"series.provenance", {"Provenance", "Procedencia", "Procedência", "Provenance"}},
    {"series.reference_alerts",
     {"{}, alert pixels", "{}, píxeles de alerta", "{}, pixels de alerta", "{}, pixels d'alerte"}},
    {"series.reference_aoi",
     {"{}, whole AOI", "{}, toda la AOI", "{}, toda a AOI", "{}, toute l'AOI"}},
    {"series.subtitle",
     {"Mean {} of each acquisition date over the clear pixels of each of the {} largest alerts and "
      "of the whole AOI, on a time axis to scale",
      "{} medio de cada fecha de adquisición sobre los píxeles sin nubes de cada una de las {} "
      "alertas más grandes y de toda la AOI, en un eje temporal a escala",
      "{} médio de cada data de aquisição sobre os pixels sem nuvens de cada um dos {} maiores "
      "alertas e de toda a AOI, em um eixo temporal em escala",
      "{} moyen de chaque date d'acquisition sur les pixels sans nuages de chacune des {} plus "
      "grandes alertes et de toute l'AOI, sur un axe du temps à l'échelle"}},
    {"series.threshold",
     {"alert pixels' {} \u2212 drop ({})", "{} de los píxeles de alerta \u2212 drop ({})",
      "{} dos pixels de alerta \u2212 drop ({})", "{} des pixels d'alerte \u2212 drop ({})"}},
    {"series.title",
     {"{}: {} time series", "{}: serie temporal de {}", "{}: série temporal de {}",
      "{}\u00a0: série temporelle {}"}},
    {"series.whole_aoi",
     {"whole AOI, all its clear pixels (the outputs hold no series of its undisturbed forest "
      "alone)",
      "toda la AOI, todos sus píxeles sin nubes (las salidas no contienen una serie solo de su "
      "bosque no perturbado)",
      "toda a AOI, todos os seus pixels sem nuvens (as saídas não contêm uma série apenas da sua "
      "floresta não perturbada)",
      "toute l'AOI, tous ses pixels sans nuages (les sorties ne contiennent pas de série de sa "
      "seule forêt non perturbée)"}},
    {"series.y_title",
     {"{} (mean of clear pixels)", "{} (media de los píxeles sin nubes)",
      "{} (média dos pixels sem nuvens)", "{} (moyenne des pixels sans nuages)"}},
    // ---- network page (report_network_page.cpp)
    {"network.aois",
     {"AOIs: {} ({} with change)", "AOI: {} ({} con cambios)", "AOIs: {} ({} com mudança)",
      "AOI : {} (dont {} avec changement)"}},
    {"network.col_alerts", {"Alerts", "Alertas", "Alertas", "Alertes"}},
    {"network.col_aoi", {"AOI", "AOI", "AOI", "AOI"}},
    {"network.col_ha", {"ha", "ha", "ha", "ha"}},
    {"network.col_high_ha", {"ha high", "ha alta", "ha alta", "ha élevée"}},
    {"network.col_value", {"Value", "Valor", "Valor", "Valeur"}},
    {"network.by_cause",
     {"{}: {} alert(s), {} ha, first seen {} to {}",
      "{}: {} alerta(s), {} ha, detección del {} al {}",
      "{}: {} alerta(s), {} ha, detecção de {} a {}",
      "{}\u00a0: {} alerte(s), {} ha, détection du {} au {}"}},
    {"network.cross_over",
     {"Cross-over: {} in the same network", "Delitos cruzados: {} en la misma red",
      "Crimes cruzados: {} na mesma rede", "Infractions croisées\u00a0: {} dans le même réseau"}},
    {"network.dates",
     {"First seen {}, latest first seen {}", "Primera detección {}, última primera detección {}",
      "Primeira detecção {}, última primeira detecção {}",
      "Première détection le {}, dernière première détection le {}"}},
    {"network.footer",
     {"job '{}', network '{}': {} scenes; change.nc by geosweep {}, report by geosweep {}",
      "trabajo '{}', red '{}': {} escenas; change.nc de geosweep {}, informe de geosweep {}",
      "trabalho '{}', rede '{}': {} cenas; change.nc do geosweep {}, relatório do geosweep {}",
      "tâche '{}', réseau '{}'\u00a0: {} scènes\u00a0; change.nc par geosweep {}, rapport par "
      "geosweep {}"}},
    {"network.heading_causes", {"By cause", "Por causa", "Por causa", "Par cause"}},
    {"network.heading_ranked",
     {"AOIs ranked by changed area", "AOI ordenadas por superficie cambiada",
      "AOIs ordenadas por área alterada", "AOI classées par surface changée"}},
    {"network.legend",
     {"AOIs of network {}", "AOI de la red {}", "AOIs da rede {}", "AOI du réseau {}"}},
    {"network.locator",
     {"Locator: the network's AOIs within the run's extent",
      "Ubicación: las AOI de la red en la extensión del trabajo",
      "Localização: as AOIs da rede na extensão do trabalho",
      "Localisation : les AOI du réseau dans l'emprise de la tâche"}},
    {"network.more",
     {"... and {} more AOI(s) (areas.csv)", "... y {} AOI más (areas.csv)",
      "... e mais {} AOI(s) (areas.csv)", "... et {} autre(s) AOI (areas.csv)"}},
    {"network.no_alerts",
     {"No change found in the network's AOIs for the monitoring period.",
      "No se encontró ningún cambio en las AOI de la red durante el período de monitoreo.",
      "Nenhuma mudança encontrada nas AOIs da rede no período de monitoramento.",
      "Aucun changement détecté dans les AOI du réseau pendant la période de surveillance."}},
    {"network.title",
     {"Network {}: forest-loss summary", "Red {}: resumen de pérdida de bosque",
      "Rede {}: resumo de perda florestal", "Réseau {} : synthèse de perte forestière"}},
    {"network.value",
     {"Estimated value: {} (the AOIs' values per ha)",
      "Valor estimado: {} (valores por ha de las AOI)",
      "Valor estimado: {} (valores por ha das AOIs)",
      "Valeur estimée : {} (valeurs par ha des AOI)"}},
    // ---- custody page (report_custody_page.cpp)
    {"custody.aoi", {"AOI {}", "AOI {}", "AOI {}", "AOI {}"}},
    {"custody.bytes", {"Bytes", "Bytes", "Bytes", "Octets"}},
    {"custody.date", {"Date", "Fecha", "Data", "Date"}},
    {"custody.file", {"File", "Archivo", "Arquivo", "Fichier"}},
    {"custody.job_file",
     {"Job file", "Archivo de trabajo", "Arquivo do trabalho", "Fichier de tâche"}},
    {"custody.job_not_found",
     {"(not found when the run ran)", "(no encontrado durante la ejecución)",
      "(não encontrado durante a execução)", "(introuvable lors de l'exécution)"}},
    {"custody.job_sha256",
     {"Job file SHA-256", "SHA-256 del trabajo", "SHA-256 do trabalho", "SHA-256 de la tâche"}},
    {"custody.manifest", {"Manifest", "Manifiesto", "Manifesto", "Manifeste"}},
    {"custody.manifest_sha256",
     {"Manifest SHA-256", "SHA-256 del manifiesto", "SHA-256 do manifesto",
      "SHA-256 du manifeste"}},
    {"custody.more_inputs",
     {"... and {} more input file(s): {} lists all {} with their paths.",
      "... y {} archivo(s) de entrada más: {} enumera los {} con sus rutas.",
      "... e mais {} arquivo(s) de entrada: {} lista todos os {} com seus caminhos.",
      "... et {} autre(s) fichier(s) d'entrée\u00a0: {} les énumère tous les {} avec leurs "
      "chemins."}},
    {"custody.no_inputs",
     {"No input files listed.", "Ningún archivo de entrada listado.",
      "Nenhum arquivo de entrada listado.", "Aucun fichier d'entrée listé."}},
    {"custody.no_manifest",
     {"No manifest.json in the outputs: they were written by an older geosweep, or it was removed. "
      "Nothing ties this report to its inputs.",
      "No hay manifest.json en las salidas: las escribió una versión anterior de geosweep o se "
      "eliminó. Nada vincula este informe con sus entradas.",
      "Não há manifest.json nas saídas: foram gravadas por uma versão anterior do geosweep ou ele "
      "foi removido. Nada vincula este relatório às suas entradas.",
      "Pas de manifest.json dans les sorties\u00a0: elles ont été écrites par une version "
      "antérieure de geosweep, ou il a été supprimé. Rien ne relie ce rapport à ses entrées."}},
    {"custody.not_hashed",
     {"not hashed: {}", "sin hash: {}", "sem hash: {}", "non haché\u00a0: {}"}},
    {"custody.role", {"Role", "Función", "Papel", "Rôle"}},
    {"custody.run", {"Run", "Ejecución", "Execução", "Exécution"}},
    {"custody.run_text",
     {"job '{}', started {}, geosweep {}; {} output file(s) listed",
      "trabajo '{}', iniciado {}, geosweep {}; {} archivo(s) de salida listados",
      "trabalho '{}', iniciado em {}, geosweep {}; {} arquivo(s) de saída listados",
      "tâche '{}', démarrée le {}, geosweep {}\u00a0; {} fichier(s) de sortie listé(s)"}},
    {"custody.scene", {"Scene", "Escena", "Cena", "Scène"}},
    {"custody.subtitle",
     {"SHA-256 of the files this report and its outputs come from; `geosweep verify OUTPUTS_DIR` "
      "hashes them again",
      "SHA-256 de los archivos de los que proceden este informe y sus salidas; `geosweep verify "
      "OUTPUTS_DIR` los vuelve a calcular",
      "SHA-256 dos arquivos de que vêm este relatório e suas saídas; `geosweep verify OUTPUTS_DIR` "
      "os calcula novamente",
      "SHA-256 des fichiers dont proviennent ce rapport et ses sorties\u00a0; `geosweep verify "
      "OUTPUTS_DIR` les recalcule"}},
    {"custody.title",
     {"{}: chain of custody", "{}: cadena de custodia", "{}: cadeia de custódia",
      "{}\u00a0: chaîne de traçabilité"}},
    // ---- index.html (report_files.cpp)
    {"index.made_by",
     {"Made by geosweep {} from the outputs in this folder's parent.",
      "Generado por geosweep {} a partir de las salidas de la carpeta superior.",
      "Gerado pelo geosweep {} a partir das saídas da pasta superior.",
      "Produit par geosweep {} à partir des sorties du dossier parent."}},
    {"index.method_baseline",
     {"baseline on {}: an anomaly at least {} and {} standard deviations below the pixel's "
      "baseline mean (forest \u2265 {}), confirmed by {} anomalous clear looks within {} days, "
      "patches of at least {} ha",
      "baseline sobre {}: una anomalía al menos {} y {} desviaciones estándar por debajo de la "
      "media de referencia del píxel (bosque \u2265 {}), confirmada por {} observaciones anómalas "
      "sin nubes en {} días, parches de al menos {} ha",
      "baseline sobre {}: uma anomalia pelo menos {} e {} desvios padrão abaixo da média de "
      "referência do pixel (floresta \u2265 {}), confirmada por {} observações anômalas sem nuvens "
      "em até {} dias, manchas de pelo menos {} ha",
      "baseline sur {}\u00a0: une anomalie d'au moins {} et {} écarts-types sous la moyenne de "
      "référence du pixel (forêt \u2265 {}), confirmée par {} observations anormales sans nuages "
      "en {} jours, taches d'au moins {} ha"}},
    {"index.method_bitemporal",
     {"bitemporal on {}: one clear look per period, a fall of at least {} from forest (\u2265 {}), "
      "patches of at least {} ha",
      "bitemporal sobre {}: una observación sin nubes por período, una caída de al menos {} desde "
      "bosque (\u2265 {}), parches de al menos {} ha",
      "bitemporal sobre {}: uma observação sem nuvens por período, uma queda de pelo menos {} a "
      "partir de floresta (\u2265 {}), manchas de pelo menos {} ha",
      "bitemporel sur {}\u00a0: une observation sans nuages par période, une baisse d'au moins {} "
      "depuis la forêt (\u2265 {}), taches d'au moins {} ha"}},
    {"index.method_bfast",
     {"bfast on {}: a season-trend model ({} harmonics) per pixel, the OLS-MOSUM of h {} \u00d7 n "
      "residuals below its level-{} boundary (forest \u2265 {}), confirmed by {} such looks within "
      "{} days, patches of at least {} ha",
      "bfast sobre {}: un modelo de estación y tendencia ({} armónicos) por píxel, el OLS-MOSUM de "
      "h {} \u00d7 n residuos por debajo de su límite de nivel {} (bosque \u2265 {}), confirmado "
      "por {} observaciones así en {} días, parches de al menos {} ha",
      "bfast sobre {}: um modelo de estação e tendência ({} harmônicos) por pixel, o OLS-MOSUM de "
      "h {} \u00d7 n resíduos abaixo de seu limite de nível {} (floresta \u2265 {}), confirmado "
      "por {} observações assim em até {} dias, manchas de pelo menos {} ha",
      "bfast sur {}\u00a0: un modèle saisonnier avec tendance ({} harmoniques) par pixel, "
      "l'OLS-MOSUM de h {} \u00d7 n résidus sous sa frontière de niveau {} (forêt \u2265 {}), "
      "confirmé par {} observations de ce type en {} jours, taches d'au moins {} ha"}},
    {"index.networks", {"Networks", "Redes", "Redes", "Réseaux"}},
    {"index.no_change",
     {"No change found.", "No se encontró ningún cambio.", "Nenhuma mudança encontrada.",
      "Aucun changement trouvé."}},
    {"index.provenance",
     {"Job '{}', {} scenes; change by {}; outputs of geosweep {}.",
      "Trabajo '{}', {} escenas; cambio por {}; salidas de geosweep {}.",
      "Trabalho '{}', {} cenas; mudança por {}; saídas do geosweep {}.",
      "Tâche '{}', {} scènes\u00a0; changement par {}\u00a0; sorties de geosweep {}."}},
    {"index.report_pdf", {"Report (PDF)", "Informe (PDF)", "Relatório (PDF)", "Rapport (PDF)"}},
    {"index.map_alerts", {"Alerts", "Alertas", "Alertas", "Alertes"}},
    {"index.map_aois",
     {"Areas of interest", "Áreas de interés", "Áreas de interesse", "Zones d'intérêt"}},
    {"index.map_no_image", {"No image", "Sin imagen", "Sem imagem", "Sans image"}},
    {"index.title",
     {"geosweep reports: {}", "informes de geosweep: {}", "relatórios do geosweep: {}",
      "rapports geosweep\u00a0: {}"}},
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

std::string date_text(report_language language, std::string const& iso) {
  auto const date = parse_iso_date(iso);
  return date ? format_date(language, *date) : iso;
}

std::string format_date(report_language language, civil_date date) {
  if (language == report_language::en) return to_iso(date);
  return fmt::format("{:02d}/{:02d}/{:04d}", static_cast<unsigned>(date.day()),
                     static_cast<unsigned>(date.month()), static_cast<int>(date.year()));
}

}  // namespace geosweep::pipeline
