#include "core/output_set.hpp"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>  // renameat2
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>
#include <vector>

#include "core/atomic_file.hpp"
#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view staging_mark = ".staging-";
constexpr std::string_view journal_suffix = ".carried";

/// `live` as an absolute path with a file name ("out/" and "out" alike).
fs::path normalised(fs::path const& live) {
  fs::path p = fs::absolute(live).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  return p;
}

/// ".<name>.staging-": how the staging folders beside `live` begin.
std::string beside_prefix(fs::path const& live) {
  std::string prefix(1, '.');
  prefix.append(live.filename().string()).append(staging_mark);
  return prefix;
}

/// The beside-the-folder staging name of process `pid`: <parent>/.<name>.staging-<pid>.
fs::path beside(fs::path const& live, long pid) {
  return live.parent_path() / beside_prefix(live).append(std::to_string(pid));
}

/// The journal of the entries a commit carried from the live folder into `staging`.
fs::path journal_of(fs::path const& staging) {
  return fs::path(staging.string().append(journal_suffix));
}

/// The pid at the end of `name` after `prefix` ("" when it is not such a name).
long pid_after(std::string const& name, std::string const& prefix) {
  if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return 0;
  long pid = 0;
  char const* first = name.data() + prefix.size();
  char const* last = name.data() + name.size();
  auto const [end, error] = std::from_chars(first, last, pid);
  return error == std::errc() && end == last && pid > 0 ? pid : 0;
}

bool running(long pid) {
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH;
}

void rename_or_throw(fs::path const& from, fs::path const& to, fs::path const& folder) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec) {
    throw io_error(folder.string() + ": cannot move " + from.filename().string() + " into " +
                   to.parent_path().string() + ": " + ec.message());
  }
}

std::vector<std::string> read_lines(fs::path const& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

/// Moves back into `live` the journal's entries still in `staging`, then removes both.
void undo_staging(fs::path const& live, fs::path const& staging) {
  std::error_code ec;
  for (auto const& name : read_lines(journal_of(staging))) {
    if (fs::exists(staging / name, ec) && !fs::exists(live / name, ec))
      fs::rename(staging / name, live / name, ec);
  }
  fs::remove_all(staging, ec);
  fs::remove(journal_of(staging), ec);
}

}  // namespace

std::size_t recover_output_sets(fs::path const& live_path) {
  fs::path const live = normalised(live_path);
  std::size_t removed = 0;
  std::error_code ec;
  // Beside the folder: staging folders and journals of dead processes.
  std::string const prefix = beside_prefix(live);
  std::vector<fs::path> dead;
  for (auto const& entry : fs::directory_iterator(live.parent_path(), ec)) {
    std::string name = entry.path().filename().string();
    if (name.size() > journal_suffix.size() &&
        name.compare(name.size() - journal_suffix.size(), journal_suffix.size(), journal_suffix) ==
            0)
      name.resize(name.size() - journal_suffix.size());
    long const pid = pid_after(name, prefix);
    if (pid != 0 && !running(pid)) dead.push_back(live.parent_path() / name);
  }
  for (auto const& staging : dead) {
    if (!fs::exists(staging, ec) && !fs::exists(journal_of(staging), ec)) continue;  // done
    undo_staging(live, staging);
    ++removed;
  }
  // Inside the folder (where it could not be beside).
  for (auto const& entry : fs::directory_iterator(live, ec)) {
    long const pid = pid_after(entry.path().filename().string(), std::string(staging_mark));
    if (pid != 0 && !running(pid)) {
      fs::remove_all(entry.path(), ec);
      ++removed;
    }
  }
  return removed;
}

output_set::output_set(fs::path live, is_product products)
    : live_(normalised(live)), products_(std::move(products)) {
  recover_output_sets(live_);
  std::error_code ec;
  fs::create_directories(live_.parent_path(), ec);
  if (ec) {
    throw io_error(live_.string() + ": cannot create the outputs folder's parent: " + ec.message());
  }
  // Beside the live folder when both are on one filesystem and the parent takes a folder.
  struct stat parent_stat {};
  struct stat live_stat {};
  bool const live_exists = ::stat(live_.c_str(), &live_stat) == 0;
  bool const same_device =
      !live_exists || (::stat(live_.parent_path().c_str(), &parent_stat) == 0 &&
                       parent_stat.st_dev == live_stat.st_dev);
  if (live_exists && !S_ISDIR(live_stat.st_mode))
    throw io_error(live_.string() + ": cannot write outputs there: it is not a folder");
  staging_ = beside(live_, ::getpid());
  if (same_device) {
    fs::remove_all(staging_, ec);
    if (fs::create_directory(staging_, ec) && !ec) return;
  }
  // Inside it.
  inside_ = true;
  fs::create_directories(live_, ec);
  if (ec) throw io_error(live_.string() + ": cannot create the outputs folder: " + ec.message());
  staging_ = live_ / std::string(staging_mark).append(std::to_string(::getpid()));
  fs::remove_all(staging_, ec);
  fs::create_directory(staging_, ec);
  if (ec) throw io_error(live_.string() + ": cannot write in the outputs folder: " + ec.message());
}

output_set::~output_set() {
  if (committed_) return;
  std::error_code ec;
  fs::remove_all(staging_, ec);
  fs::remove(journal_of(staging_), ec);
}

std::string output_set::as_live(std::string text) const {
  std::string const from = staging_.string(), to = live_.string();
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

void output_set::commit() {
  std::error_code ec;
  if (inside_) {
    // One rename per entry: each new one replaces the old one of its name (a folder, such as
    // cog/, by way of the staging folder), then old products the new set lacks go.
    fs::path const old = staging_ / ".old";
    fs::create_directory(old, ec);
    std::vector<std::string> fresh;
    for (auto const& entry : fs::directory_iterator(staging_)) {
      std::string const name = entry.path().filename().string();
      if (name == ".old") continue;
      fresh.push_back(name);
      if (fs::exists(live_ / name, ec)) rename_or_throw(live_ / name, old / name, live_);
      rename_or_throw(entry.path(), live_ / name, live_);
    }
    for (auto const& entry : fs::directory_iterator(live_)) {
      std::string const name = entry.path().filename().string();
      if (entry.path() == staging_ || !products_(name)) continue;
      if (std::find(fresh.begin(), fresh.end(), name) == fresh.end())
        rename_or_throw(entry.path(), old / name, live_);
    }
    committed_ = true;
    fs::remove_all(staging_, ec);
    return;
  }
  if (!fs::exists(live_, ec)) {
    rename_or_throw(staging_, live_, live_);
    committed_ = true;
    return;
  }
  // What the live folder keeps across runs goes over first, listed in a journal beside, so
  // that a crash before the swap can be undone (recover_output_sets).
  std::vector<std::string> carried;
  for (auto const& entry : fs::directory_iterator(live_)) {
    std::string const name = entry.path().filename().string();
    if (!products_(name) && pid_after(name, std::string(staging_mark)) == 0)
      carried.push_back(name);
  }
  std::string journal;
  for (auto const& name : carried) journal += name + "\n";
  write_whole_file(journal_of(staging_), journal);
  try {
    for (auto const& name : carried) rename_or_throw(live_ / name, staging_ / name, live_);
    if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, live_.c_str(), RENAME_EXCHANGE) != 0) {
      throw io_error(live_.string() + ": cannot swap in the new outputs from " +
                     staging_.filename().string() + ": " + std::strerror(errno));
    }
  } catch (...) {
    undo_staging(live_, staging_);
    committed_ = true;  // undone
    throw;
  }
  committed_ = true;
  // The old set is now at the staging path.
  fs::remove_all(staging_, ec);
  fs::remove(journal_of(staging_), ec);
}

}  // namespace geosweep::pipeline
