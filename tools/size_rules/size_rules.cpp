// size_rules: the limits of size of docs/architecture.md ("Limits of size"):
// no file over 600 lines, no function body over 70 (data tables aside).
//
//   size_rules [--allow FILE] [--list] PATH...
//
// Each PATH is a file, or a folder whose .h and .cpp files are read
// (recursively, in sorted order, so the output is the same on every
// machine). Prints one line per violation,
//   path:line: function NAME is N lines (at most 70)
//   path: N lines (at most 600)
// then a summary line, and exits 1 when there is any (0 when none, 2 on bad
// input). The allow-list FILE names violations still to be fixed, one
// `path` or `path:function` a line, each with a `#` comment saying why: they
// are printed as `allowed: ...` and do not fail the run, but an entry that no
// longer matches a violation does, so the list can only shrink. --list
// prints every function found instead (path:line: NAME N), to see what the
// heuristic takes for a function.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tools/size_rules/functions.h"
#include "tools/size_rules/lexer.h"

namespace {

constexpr int kFileLinesMax = 600;
constexpr int kFunctionLinesMax = 70;

struct Violation {
  std::string key;   // what an allow-list line names: path, or path:function
  std::string text;  // the line printed
};

struct AllowEntry {
  std::string key;
  int line;  // in the allow-list file
};

struct Input {
  std::string allow_file;
  bool list = false;  // --list: print every function found, with its length
  std::vector<std::string> files;
};

bool IsSource(const std::filesystem::path& path) {
  return path.extension() == ".h" || path.extension() == ".cpp";
}

// The files named by the command line, folders expanded, sorted.
bool CollectFiles(const std::vector<std::string>& paths, std::vector<std::string>& files) {
  for (const std::string& path : paths) {
    std::error_code error;
    if (std::filesystem::is_regular_file(path, error)) {
      files.push_back(std::filesystem::path(path).generic_string());
      continue;
    }
    if (!std::filesystem::is_directory(path, error)) {
      std::cerr << "size_rules: " << path << ": no such file or folder\n";
      return false;
    }
    for (const auto& entry : std::filesystem::recursive_directory_iterator(path)) {
      if (entry.is_regular_file() && IsSource(entry.path())) files.push_back(entry.path().generic_string());
    }
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return true;
}

bool ReadText(const std::string& path, std::string& text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  text = buffer.str();
  return true;
}

void ListFunctions(const std::string& path, const std::string& text) {
  for (const size_rules::Function& function : size_rules::FindFunctions(size_rules::Lex(text)).functions) {
    std::cout << path << ":" << function.line << ": " << function.name << " " << function.lines
              << (function.table_marked ? " (table)" : "") << "\n";
  }
}

// The violations of one file, in line order.
std::vector<Violation> CheckFile(const std::string& path, const std::string& text) {
  std::vector<Violation> violations;
  size_rules::LexedFile lexed = size_rules::Lex(text);
  if (lexed.line_count > kFileLinesMax) {
    violations.push_back({path, path + ": " + std::to_string(lexed.line_count) + " lines (at most " +
                                    std::to_string(kFileLinesMax) + ")"});
  }
  size_rules::FunctionScan scan = size_rules::FindFunctions(lexed);
  for (const size_rules::Function& function : scan.functions) {
    std::string where = path + ":" + std::to_string(function.line) + ": function " + function.name;
    if (function.table_marked && !function.one_table_return) {
      violations.push_back({path + ":" + function.name,
                            where + " is marked as a table but is not one return of a braced table"});
    } else if (function.lines > kFunctionLinesMax && !function.table_marked) {
      violations.push_back({path + ":" + function.name, where + " is " + std::to_string(function.lines) +
                                                            " lines (at most " +
                                                            std::to_string(kFunctionLinesMax) + ")"});
    }
  }
  for (int line : scan.unused_marker_lines) {
    violations.push_back({path + ":" + std::to_string(line),
                          path + ":" + std::to_string(line) + ": table marker before no function"});
  }
  return violations;
}

// Reads the allow-list: `entry  # why` lines; blank and `#` lines skipped.
bool ReadAllowList(const std::string& path, std::vector<AllowEntry>& entries) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "size_rules: cannot read allow-list " << path << "\n";
    return false;
  }
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    size_t hash = line.find('#');
    if (hash == std::string::npos || line.find_first_not_of(" \t", hash + 1) == std::string::npos) {
      std::cerr << path << ":" << number << ": an allowed entry needs a `# why` comment\n";
      return false;
    }
    std::string key = line.substr(start, hash - start);
    key.erase(key.find_last_not_of(" \t") + 1);
    entries.push_back({key, number});
  }
  return true;
}

bool ParseArguments(int argc, char** argv, Input& input, std::vector<std::string>& paths) {
  for (int i = 1; i < argc; ++i) {
    std::string argument = argv[i];
    if (argument == "--allow" && i + 1 < argc) {
      input.allow_file = argv[++i];
    } else if (argument == "--list") {
      input.list = true;
    } else if (!argument.empty() && argument[0] == '-') {
      std::cerr << "size_rules: unknown flag " << argument << "\n";
      return false;
    } else {
      paths.push_back(argument);
    }
  }
  if (paths.empty()) std::cerr << "usage: size_rules [--allow FILE] [--list] PATH...\n";
  return !paths.empty();
}

// Prints the violations, allowed ones marked, and the allow-list's stale
// entries; returns how many fail the run.
int Report(const std::vector<Violation>& violations, const std::vector<AllowEntry>& allowed,
           const std::string& allow_file) {
  std::set<std::string> allowed_keys;
  for (const AllowEntry& entry : allowed) allowed_keys.insert(entry.key);
  std::set<std::string> violated_keys;
  int failures = 0;
  for (const Violation& violation : violations) {
    violated_keys.insert(violation.key);
    bool allow = allowed_keys.count(violation.key) > 0;
    std::cout << (allow ? "allowed: " : "") << violation.text << "\n";
    failures += allow ? 0 : 1;
  }
  for (const AllowEntry& entry : allowed) {
    if (violated_keys.count(entry.key) > 0) continue;
    std::cout << allow_file << ":" << entry.line << ": " << entry.key
              << " is allowed but no longer over the limit: remove it from the list\n";
    ++failures;
  }
  return failures;
}

}  // namespace

int main(int argc, char** argv) {
  Input input;
  std::vector<std::string> paths;
  if (!ParseArguments(argc, argv, input, paths) || !CollectFiles(paths, input.files)) return 2;
  if (input.files.empty()) {
    std::cerr << "size_rules: no .h or .cpp file found\n";
    return 2;
  }
  std::vector<AllowEntry> allowed;
  if (!input.allow_file.empty() && !ReadAllowList(input.allow_file, allowed)) return 2;
  std::vector<Violation> violations;
  for (const std::string& file : input.files) {
    std::string text;
    if (!ReadText(file, text)) {
      std::cerr << "size_rules: cannot read " << file << "\n";
      return 2;
    }
    if (input.list) {
      ListFunctions(file, text);
      continue;
    }
    for (Violation& violation : CheckFile(file, text)) violations.push_back(std::move(violation));
  }
  if (input.list) return 0;
  int failures = Report(violations, allowed, input.allow_file);
  std::cout << "size_rules: " << input.files.size() << " file(s), " << failures << " violation(s)\n";
  return failures == 0 ? 0 : 1;
}
