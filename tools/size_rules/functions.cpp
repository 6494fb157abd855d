#include "tools/size_rules/functions.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace size_rules {
namespace {

constexpr size_t kNone = static_cast<size_t>(-1);

// What a `{` at namespace or class scope opens, told by the statement
// before it.
enum class Block { kNamespace, kClass, kFunction, kLambda, kInitItem, kOther };

struct Shape {
  Block block;
  size_t name_at = kNone;  // the parameter list's `(`, or a lambda's `=`
};

// Words that take a parenthesised operand without being a function's name.
bool TakesOperand(std::string_view word) {
  static constexpr std::array<std::string_view, 10> kWords = {
      "decltype", "alignas", "alignof", "sizeof", "noexcept", "throw", "requires",
      "static_assert", "__attribute__", "__declspec"};
  return std::find(kWords.begin(), kWords.end(), word) != kWords.end();
}

bool IsOpener(std::string_view s) { return s == "(" || s == "[" || s == "{"; }
bool IsCloser(std::string_view s) { return s == ")" || s == "]" || s == "}"; }

class Finder {
 public:
  explicit Finder(const LexedFile& file) : tokens_(file.tokens), markers_(file.marker_lines) {
    markers_used_.assign(markers_.size(), false);
  }

  FunctionScan Run() {
    ScanScope(0, tokens_.size());
    for (size_t m = 0; m < markers_.size(); ++m) {
      if (!markers_used_[m]) scan_.unused_marker_lines.push_back(markers_[m]);
    }
    return std::move(scan_);
  }

 private:
  const std::string& Text(size_t i) const {
    static const std::string kEmpty;
    return i < tokens_.size() ? tokens_[i].text : kEmpty;
  }

  // The index of the bracket that closes the one at `open` (the last token
  // if it is never closed).
  size_t Match(size_t open) const {
    const std::string opener = Text(open);
    const std::string closer = opener == "(" ? ")" : opener == "[" ? "]" : "}";
    int depth = 0;
    for (size_t i = open; i < tokens_.size(); ++i) {
      if (Text(i) == opener) ++depth;
      if (Text(i) == closer && --depth == 0) return i;
    }
    return tokens_.size() - 1;
  }

  bool IsAccessLabel(size_t i) const {
    const std::string& s = Text(i);
    return (s == "public" || s == "private" || s == "protected") && Text(i + 1) == ":";
  }

  // Tokens [begin, end) are the inside of a namespace or class (or the whole
  // file): statements, and the brace blocks they open.
  void ScanScope(size_t begin, size_t end) {
    size_t statement = begin;
    size_t i = begin;
    while (i < end) {
      const std::string& s = Text(i);
      if (s == ";" || s == "}") {
        statement = ++i;
      } else if (IsAccessLabel(i)) {
        statement = i += 2;
      } else if (s == "(" || s == "[") {
        i = std::min(Match(i), end - 1) + 1;  // their braces belong to the statement
      } else if (s != "{") {
        ++i;
      } else {
        i = OpenBlock(statement, i, std::min(Match(i), end - 1));
      }
    }
  }

  // The `{` at `brace` closes at `close`: scans or records what it opens and
  // returns where scanning goes on (moving `statement` on when the block
  // ends its statement, as a function's body or a class's does).
  size_t OpenBlock(size_t& statement, size_t brace, size_t close) {
    Shape shape = Classify(statement, brace);
    switch (shape.block) {
      case Block::kNamespace:
      case Block::kClass:
        ScanScope(brace + 1, close);
        statement = close + 1;
        return close + 1;
      case Block::kFunction:
        Record(shape, statement, brace, close);
        statement = close + 1;
        return close + 1;
      case Block::kLambda:
        Record(shape, statement, brace, close);
        return close + 1;  // the statement goes on to its `;`
      case Block::kInitItem:
      case Block::kOther:
        return close + 1;
    }
    return close + 1;
  }

  // The `(` at j opens a parameter list when a name stands before it.
  bool OpensParameters(size_t begin, size_t j) const {
    if (j == begin) return false;
    const Token& before = tokens_[j - 1];
    return before.kind == TokenKind::kIdentifier && !TakesOperand(before.text);
  }

  // From `operator` at j: the index of its parameter list's `(`.
  size_t OperatorParameters(size_t j, size_t brace) const {
    if (Text(j + 1) == "(" && Text(j + 2) == ")") return j + 3;  // operator()
    size_t k = j + 1;
    while (k < brace && Text(k) != "(") ++k;
    return k;
  }

  // What the statement [begin, brace) makes of the `{` at brace. Angle
  // brackets are template brackets here: before a `{` at this scope a `<`
  // compares only inside parentheses or after a top-level `=`.
  Shape Classify(size_t begin, size_t brace) const {
    int depth = 0;
    int angles = 0;
    size_t parameters = kNone;
    size_t parameters_close = kNone;
    bool class_key = false;
    bool initialisers = false;
    for (size_t j = begin; j < brace; ++j) {
      const std::string& s = Text(j);
      if (s == "operator" && depth == 0 && parameters == kNone) {
        parameters = OperatorParameters(j, brace);
        j = parameters - 1;
        continue;
      }
      if (IsOpener(s)) {
        if (s == "(" && depth == 0 && angles == 0 && parameters == kNone && OpensParameters(begin, j)) {
          parameters = j;
        }
        if (j == parameters) parameters_close = Match(j);
        ++depth;
        continue;
      }
      if (IsCloser(s)) {
        --depth;
        continue;
      }
      if (depth > 0) continue;
      if (s == "<") ++angles;
      if (s == ">" && angles > 0) --angles;
      if (angles > 0 || s == ">") continue;
      if (s == "=") return Shape{Text(j + 1) == "[" ? Block::kLambda : Block::kOther, j};
      if (s == "namespace") return Shape{Block::kNamespace};
      if (s == "extern" && j + 2 == brace && tokens_[j + 1].kind == TokenKind::kLiteral) {
        return Shape{Block::kNamespace};
      }
      if (s == "enum") return Shape{Block::kOther};
      if ((s == "class" || s == "struct" || s == "union") && parameters == kNone) class_key = true;
      if (s == ":" && parameters_close != kNone && j > parameters_close) initialisers = true;
    }
    if (class_key) return Shape{Block::kClass};
    if (parameters == kNone || parameters >= brace) return Shape{Block::kOther};
    // In a member initialiser list, `name{` or `Base<T>{` initialises a
    // member; the body's `{` follows a `)` or a `}`.
    if (initialisers && Text(brace - 1) != ")" && Text(brace - 1) != "}") return Shape{Block::kInitItem};
    return Shape{Block::kFunction, parameters};
  }

  // The first token of the name before the parameter list at `at` (or
  // before a lambda's `=`), qualifiers included.
  size_t NameStart(size_t begin, size_t at, Block block) const {
    size_t first = at - 1;
    if (block == Block::kFunction) {
      size_t k = at;  // an operator's symbol: operator(), operator==, operator<<
      while (k > begin && tokens_[k - 1].kind == TokenKind::kPunctuation) --k;
      if (k > begin && Text(k - 1) == "operator") first = k - 1;
      if (first > begin && Text(first - 1) == "operator") --first;  // operator bool
      if (first > begin && Text(first - 1) == "~") --first;
    }
    while (first >= begin + 2 && Text(first - 1) == "::" && tokens_[first - 2].kind == TokenKind::kIdentifier) {
      first -= 2;
    }
    return first;
  }

  // The name as written: RecordApplier::ApplyOne, operator(), operator bool.
  std::string NameText(size_t first, size_t at) const {
    std::string name;
    for (size_t k = first; k < at; ++k) {
      bool words = k > first && tokens_[k].kind == TokenKind::kIdentifier &&
                   tokens_[k - 1].kind == TokenKind::kIdentifier;
      name += (words ? " " : "") + Text(k);
    }
    return name;
  }

  void Record(const Shape& shape, size_t statement, size_t brace, size_t close) {
    size_t first = NameStart(statement, shape.name_at, shape.block);
    Function function;
    function.name = NameText(first, shape.name_at);
    function.line = tokens_[first].line;
    function.lines = tokens_[close].line - tokens_[brace].line + 1;
    function.table_marked = TakeMarker(statement == 0 ? 0 : tokens_[statement - 1].line, tokens_[brace].line);
    function.one_table_return = false;
    if (Text(brace + 1) == "return" && Text(brace + 2) == "{") {
      size_t table_close = Match(brace + 2);
      function.one_table_return = Text(table_close + 1) == ";" && table_close + 2 == close;
    }
    scan_.functions.push_back(function);
  }

  // Whether a marker comment stands on a line in (after, upto]; it is used.
  bool TakeMarker(int after, int upto) {
    bool found = false;
    for (size_t m = 0; m < markers_.size(); ++m) {
      if (markers_[m] > after && markers_[m] <= upto) found = markers_used_[m] = true;
    }
    return found;
  }

  const std::vector<Token>& tokens_;
  std::vector<int> markers_;
  std::vector<bool> markers_used_;
  FunctionScan scan_;
};

}  // namespace

FunctionScan FindFunctions(const LexedFile& file) { return Finder(file).Run(); }

}  // namespace size_rules
