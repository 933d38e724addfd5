#pragma once
/// \file
/// Real receivers on loopback for notification tests: a webhook server (Python's http.server)
/// and an SMTP server (aiosmtpd), each a child process (tests/tools/webhook_server.py and
/// smtp_server.py run by /usr/bin/python3) on a free port, recording what it receives as JSON
/// files in a folder, and stopped when the object goes. They can fail or hang at first, like
/// a receiver that is down. Header-only, POSIX; reading the records needs nlohmann_json.
///
///   test_tools::webhook_server hook(dir / "hook", webhook_server_options::failing_first(2));
///   deliver(channel_with_url(hook.url()), n);
///   hook.requests();  // 3 recorded_request: status 500, 500, 200
///
///   if (!test_tools::smtp_server::available()) GTEST_SKIP() << "aiosmtpd is not installed";
///   test_tools::smtp_server smtp(dir / "smtp", smtp_server_options::failing_first(0, 1));
///   smtp.url();       // "smtp://127.0.0.1:PORT"
///   smtp.messages();  // recorded_message: accepted, mail_from, rcpt_tos, data
///
/// With a certificate (tls_cert and tls_key, PEM files; the tests make a self-signed one) the
/// webhook server speaks HTTPS and the SMTP server STARTTLS or implicit TLS (smtps), and url()
/// says so: "https://...", "smtps://...".

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace geosweep::test_tools {

/// Debian's Python, which has python3-aiosmtpd (the `python3` on PATH may be another one).
inline std::filesystem::path const kSystemPython = "/usr/bin/python3";

/// tests/tools of this source tree.
inline std::filesystem::path tools_dir() {
#ifdef GEOSWEEP_SOURCE_DIR
  return std::filesystem::path(GEOSWEEP_SOURCE_DIR) / "tests" / "tools";
#else
  return std::filesystem::path(__FILE__).parent_path();
#endif
}

/// Runs `argv` to its end; true when it exits 0. Its output goes to /dev/null.
inline bool runs_ok(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  int const rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return false;
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/// A Python test server that prints "PORT <n>" on its first stdout line when it listens; it
/// runs while the object lives (SIGTERM, then SIGKILL after 5 s).
class python_server {
 public:
  /// Starts `/usr/bin/python3 script args...`. Throws std::runtime_error when the script
  /// does not print its port within 10 s (its stderr is the test's).
  python_server(std::filesystem::path const& script, std::vector<std::string> const& args) {
    std::vector<std::string> all{kSystemPython.string(), script.string()};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) throw std::runtime_error("pipe() failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
    int const rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe_fds[1]);
    stdout_ = pipe_fds[0];
    if (rc != 0) {
      pid_ = -1;
      throw std::runtime_error("cannot start " + kSystemPython.string() + " " + script.string());
    }
    port_ = read_port(script);
  }

  python_server(python_server const&) = delete;
  python_server& operator=(python_server const&) = delete;
  ~python_server() { stop(); }

  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] pid_t pid() const { return pid_; }

  /// Stops the server now (the destructor does it otherwise); a stopped server refuses
  /// connections, like a receiver that is down.
  void stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      bool exited = false;
      for (int i = 0; i < 250 && !exited; ++i) {
        exited = ::waitpid(pid_, nullptr, WNOHANG) == pid_;
        if (!exited) std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      if (!exited) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
      }
      pid_ = -1;
    }
    if (stdout_ >= 0) ::close(stdout_);
    stdout_ = -1;
  }

 private:
  int read_port(std::filesystem::path const& script) {
    std::string line;
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{stdout_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char c = 0;
      if (::read(stdout_, &c, 1) != 1) break;  // exited
      if (c != '\n') {
        line += c;
        continue;
      }
      if (line.rfind("PORT ", 0) == 0) return std::stoi(line.substr(5));
      line.clear();
    }
    stop();
    throw std::runtime_error(script.filename().string() + " did not report its port");
  }

  pid_t pid_ = -1;
  int stdout_ = -1;
  int port_ = 0;
};

/// Reads every RECORD/NNNN.json of a server, in order.
inline std::vector<nlohmann::json> read_records(std::filesystem::path const& folder) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (auto const& entry : std::filesystem::directory_iterator(folder, ec)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<nlohmann::json> records;
  for (auto const& f : files) {
    std::ifstream in(f);
    records.push_back(nlohmann::json::parse(in));
  }
  return records;
}

/// One HTTP request as the webhook server received it.
struct recorded_request {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  ///< lower-case names
  std::string body;
  int status = 0;  ///< what the server answered

  [[nodiscard]] std::string header(std::string const& lower_case_name) const {
    auto const it = headers.find(lower_case_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

/// How the webhook server behaves: request i (from 0) hangs when i < hang_first, then fails
/// when i < hang_first + fail_first, else gets 200; every answer comes delay_seconds late.
struct webhook_server_options {
  int fail_first = 0;                ///< requests answered with fail_status
  int fail_status = 500;             ///< e.g. 503, 429, 400
  std::optional<int> retry_after_s;  ///< Retry-After header on failures
  int hang_first = 0;                ///< requests that get no answer for hang_seconds
  double hang_seconds = 0;
  double delay_seconds = 0;  ///< every answer waits this long: a slow but healthy receiver
  /// Body of failures; {authorization}, {header:NAME}, {path} and {headers} become the
  /// request's Authorization header, header NAME, path and headers (JSON): a gateway that
  /// echoes the request.
  std::optional<std::string> fail_body;
  std::optional<std::string> location;  ///< Location header of failures (redirects)
  std::filesystem::path tls_cert;       ///< PEM certificate; non-empty: HTTPS (needs tls_key)
  std::filesystem::path tls_key;        ///< PEM private key of tls_cert

  /// The first `n` requests answered with `status`.
  static webhook_server_options failing_first(int n, int status = 500) {
    webhook_server_options o;
    o.fail_first = n;
    o.fail_status = status;
    return o;
  }
  /// The first `n` requests left unanswered for `seconds`.
  static webhook_server_options hanging_first(int n, double seconds) {
    webhook_server_options o;
    o.hang_first = n;
    o.hang_seconds = seconds;
    return o;
  }
  /// Every request answered 200 after `seconds`.
  static webhook_server_options answering_after(double seconds) {
    webhook_server_options o;
    o.delay_seconds = seconds;
    return o;
  }
  /// Every request refused with `status` and `body` (placeholders as fail_body).
  static webhook_server_options echoing(int status, std::string body) {
    webhook_server_options o;
    o.fail_first = 1 << 30;
    o.fail_status = status;
    o.fail_body = std::move(body);
    return o;
  }
};

/// tests/tools/webhook_server.py on 127.0.0.1, recording into `record_dir`.
class webhook_server {
 public:
  explicit webhook_server(std::filesystem::path record_dir, webhook_server_options const& o = {})
      : record_dir_(std::move(record_dir)),
        https_(!o.tls_cert.empty()),
        server_(tools_dir() / "webhook_server.py", args(o)) {}

  /// "http://127.0.0.1:PORT" + path, "https://..." with a certificate.
  [[nodiscard]] std::string url(std::string const& path = "/hook") const {
    return std::string(https_ ? "https" : "http") +
           "://127.0.0.1:" + std::to_string(server_.port()) + path;
  }
  [[nodiscard]] int port() const { return server_.port(); }
  [[nodiscard]] std::filesystem::path const& record_dir() const { return record_dir_; }

  /// The requests received so far, in arrival order.
  [[nodiscard]] std::vector<recorded_request> requests() const {
    std::vector<recorded_request> out;
    for (auto const& r : read_records(record_dir_)) {
      recorded_request q;
      q.method = r.at("method");
      q.path = r.at("path");
      q.body = r.at("body");
      q.status = r.at("status");
      for (auto const& [k, v] : r.at("headers").items()) q.headers[k] = v.get<std::string>();
      out.push_back(std::move(q));
    }
    return out;
  }

  /// Stops the server early (the port then refuses connections).
  void stop() { server_.stop(); }

 private:
  std::vector<std::string> args(webhook_server_options const& o) const {
    std::vector<std::string> a{"--record",        record_dir_.string(),
                               "--fail-first",    std::to_string(o.fail_first),
                               "--fail-status",   std::to_string(o.fail_status),
                               "--hang-first",    std::to_string(o.hang_first),
                               "--hang-seconds",  std::to_string(o.hang_seconds),
                               "--delay-seconds", std::to_string(o.delay_seconds)};
    if (o.fail_body) a.insert(a.end(), {"--fail-body", *o.fail_body});
    if (o.location) a.insert(a.end(), {"--location", *o.location});
    if (o.retry_after_s) {
      a.emplace_back("--retry-after");
      a.push_back(std::to_string(*o.retry_after_s));
    }
    if (!o.tls_cert.empty()) {
      a.insert(a.end(), {"--tls-cert", o.tls_cert.string(), "--tls-key", o.tls_key.string()});
    }
    return a;
  }

  std::filesystem::path record_dir_;
  bool https_ = false;
  python_server server_;
};

/// One message that reached DATA at the SMTP server.
struct recorded_message {
  bool accepted = false;  ///< false: refused with fail_code
  std::string response;   ///< the server's answer to DATA
  std::string mail_from;
  std::vector<std::string> rcpt_tos;
  std::string auth_login;  ///< the AUTH user, "" without AUTH
  std::string data;        ///< the message as received (CRLF line ends)
  bool tls = false;        ///< it came over TLS (STARTTLS or implicit)
};

/// How the SMTP server speaks TLS (smtp_server_options::tls_cert and tls_key needed).
enum class smtp_tls {
  none,      ///< plain SMTP, no STARTTLS offered
  starttls,  ///< STARTTLS offered and required before MAIL (smtp://)
  implicit,  ///< TLS from the first byte (smtps://)
};

/// How the SMTP server behaves.
struct smtp_server_options {
  int refuse_connections = 0;  ///< first connections answered 421 and closed
  int fail_messages = 0;       ///< first messages refused at DATA with fail_code
  int fail_code = 451;
  double delay_seconds = 0;  ///< every answer to DATA waits this long
  std::string username;      ///< non-empty: AUTH PLAIN/LOGIN required (without TLS)
  std::string password;
  bool echo_auth = false;  ///< the 535 answer repeats the login and password tried
  smtp_tls tls = smtp_tls::none;
  std::filesystem::path tls_cert;  ///< PEM certificate, for tls other than none
  std::filesystem::path tls_key;   ///< PEM private key of tls_cert

  /// The first `connections` refused with 421, then the first `messages` refused with `code`.
  static smtp_server_options failing_first(int connections, int messages, int code = 451) {
    smtp_server_options o;
    o.refuse_connections = connections;
    o.fail_messages = messages;
    o.fail_code = code;
    return o;
  }
  /// AUTH required with these credentials.
  static smtp_server_options with_login(std::string username, std::string password) {
    smtp_server_options o;
    o.username = std::move(username);
    o.password = std::move(password);
    return o;
  }
  /// TLS in `mode` with this certificate and key.
  static smtp_server_options with_tls(smtp_tls mode, std::filesystem::path cert,
                                      std::filesystem::path key) {
    smtp_server_options o;
    o.tls = mode;
    o.tls_cert = std::move(cert);
    o.tls_key = std::move(key);
    return o;
  }
};

/// tests/tools/smtp_server.py (aiosmtpd) on 127.0.0.1, recording into `record_dir`.
class smtp_server {
 public:
  /// Whether /usr/bin/python3 can import aiosmtpd (Debian python3-aiosmtpd).
  static bool available() { return runs_ok({kSystemPython.string(), "-c", "import aiosmtpd"}); }

  explicit smtp_server(std::filesystem::path record_dir, smtp_server_options const& o = {})
      : record_dir_(std::move(record_dir)),
        implicit_tls_(o.tls == smtp_tls::implicit),
        server_(tools_dir() / "smtp_server.py", args(o)) {}

  /// "smtp://127.0.0.1:PORT", "smtps://..." with implicit TLS.
  [[nodiscard]] std::string url() const {
    return std::string(implicit_tls_ ? "smtps" : "smtp") +
           "://127.0.0.1:" + std::to_string(server_.port());
  }
  [[nodiscard]] int port() const { return server_.port(); }
  [[nodiscard]] std::filesystem::path const& record_dir() const { return record_dir_; }

  /// Every message that reached DATA, accepted or refused, in order.
  [[nodiscard]] std::vector<recorded_message> messages() const {
    std::vector<recorded_message> out;
    for (auto const& r : read_records(record_dir_)) {
      recorded_message m;
      m.accepted = r.at("accepted");
      m.response = r.at("response");
      m.mail_from = r.at("mail_from");
      m.rcpt_tos = r.at("rcpt_tos").get<std::vector<std::string>>();
      if (r.at("auth_login").is_string()) m.auth_login = r.at("auth_login");
      m.tls = r.value("tls", false);
      m.data = r.at("data");
      out.push_back(std::move(m));
    }
    return out;
  }

  /// The messages it accepted.
  [[nodiscard]] std::vector<recorded_message> accepted() const {
    auto all = messages();
    std::erase_if(all, [](recorded_message const& m) { return !m.accepted; });
    return all;
  }

  /// Connections it answered with 421.
  [[nodiscard]] int refused_connections() const {
    std::ifstream in(record_dir_ / "refused_connections");
    int n = 0;
    in >> n;
    return n;
  }

  void stop() { server_.stop(); }

 private:
  std::vector<std::string> args(smtp_server_options const& o) const {
    std::vector<std::string> a{"--record",
                               record_dir_.string(),
                               "--refuse-connections",
                               std::to_string(o.refuse_connections),
                               "--fail-messages",
                               std::to_string(o.fail_messages),
                               "--fail-code",
                               std::to_string(o.fail_code),
                               "--delay-seconds",
                               std::to_string(o.delay_seconds)};
    if (!o.username.empty()) {
      a.emplace_back("--auth");
      a.push_back(o.username + ":" + o.password);
    }
    if (o.echo_auth) a.emplace_back("--echo-auth");
    if (o.tls != smtp_tls::none) {
      a.insert(a.end(), {"--tls-cert", o.tls_cert.string(), "--tls-key", o.tls_key.string(),
                         o.tls == smtp_tls::starttls ? "--starttls" : "--implicit-tls"});
    }
    return a;
  }

  std::filesystem::path record_dir_;
  bool implicit_tls_ = false;
  python_server server_;
};

}  // namespace geosweep::test_tools
