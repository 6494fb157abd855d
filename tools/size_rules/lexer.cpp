#include "tools/size_rules/lexer.h"

#include <array>
#include <cctype>

namespace size_rules {
namespace {

// Longest first, so that "<<=" is read before "<<" and "<".
constexpr std::array<std::string_view, 22> kOperators = {
    "<<=", ">>=", "<=>", "...", "->", "::", "==", "!=", "<=", ">=", "&&",
    "||",  "++",  "--",  "+=",  "-=", "*=", "/=", "%=", "&=", "|=", "^="};

bool IsIdentifierStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentifierPart(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

class Lexer {
 public:
  explicit Lexer(const std::string& text) : text_(text) {}

  LexedFile Run() {
    while (pos_ < text_.size()) Step();
    result_.line_count = CountLines();
    return std::move(result_);
  }

 private:
  char At(size_t offset) const {
    return pos_ + offset < text_.size() ? text_[pos_ + offset] : '\0';
  }

  // Moves n characters on, counting the newlines passed.
  void Advance(size_t n) {
    for (size_t end = std::min(pos_ + n, text_.size()); pos_ < end; ++pos_) {
      if (text_[pos_] == '\n') {
        ++line_;
        at_line_start_ = true;
      }
    }
  }

  void Emit(TokenKind kind, std::string text, int line) {
    result_.tokens.push_back(Token{kind, std::move(text), line});
    at_line_start_ = false;
  }

  void Step() {
    char c = At(0);
    if (c == '\n' || std::isspace(static_cast<unsigned char>(c))) return Advance(1);
    if (c == '#' && at_line_start_) return SkipPreprocessorLine();
    if (c == '/' && At(1) == '/') return SkipComment(text_.find('\n', pos_));
    if (c == '/' && At(1) == '*') return SkipBlockComment();
    if (c == '"' || c == '\'') return SkipQuoted(c);
    if (IsIdentifierStart(c)) return ReadIdentifier();
    if (IsDigit(c) || (c == '.' && IsDigit(At(1)))) return ReadNumber();
    ReadPunctuation();
  }

  // A directive (with its backslash continuations) holds no code braces
  // that the checker should see: #define bodies are not functions.
  void SkipPreprocessorLine() {
    while (pos_ < text_.size() && At(0) != '\n') {
      if (At(0) == '\\' && At(1) == '\n') Advance(1);
      if (At(0) == '/' && At(1) == '*') {
        SkipBlockComment();
        continue;
      }
      Advance(1);
    }
  }

  // A comment from pos_ to end (exclusive; npos: the end of the text).
  void SkipComment(size_t end) {
    if (end == std::string::npos) end = text_.size();
    if (std::string_view(text_).substr(pos_, end - pos_).find(kTableMarker) != std::string_view::npos) {
      result_.marker_lines.push_back(line_);
    }
    Advance(end - pos_);
  }

  void SkipBlockComment() {
    size_t close = text_.find("*/", pos_ + 2);
    SkipComment(close == std::string::npos ? close : close + 2);
  }

  // A string or character literal, escapes included; it ends at its
  // closing quote or, if unterminated, at the end of the line.
  void SkipQuoted(char quote) {
    int line = line_;
    Advance(1);
    while (pos_ < text_.size() && At(0) != quote && At(0) != '\n') Advance(At(0) == '\\' ? 2 : 1);
    if (At(0) == quote) Advance(1);
    Emit(TokenKind::kLiteral, std::string(2, quote), line);
  }

  // R"delimiter( ... )delimiter": nothing inside is escaped.
  void SkipRawString() {
    int line = line_;
    size_t open = text_.find('(', pos_);
    if (open == std::string::npos) return Advance(text_.size() - pos_);
    std::string closing = ")" + text_.substr(pos_ + 1, open - pos_ - 1) + "\"";
    size_t close = text_.find(closing, open);
    Advance(close == std::string::npos ? text_.size() - pos_ : close + closing.size() - pos_);
    Emit(TokenKind::kLiteral, "\"\"", line);
  }

  // An identifier, or the prefix of a literal (u8"", L'', R"(...)").
  void ReadIdentifier() {
    size_t length = 1;
    while (IsIdentifierPart(At(length))) ++length;
    std::string word = text_.substr(pos_, length);
    char next = At(length);
    bool raw = next == '"' && (word == "R" || word == "LR" || word == "uR" || word == "UR" || word == "u8R");
    bool prefix = (next == '"' || next == '\'') && (word == "L" || word == "u" || word == "U" || word == "u8");
    if (raw || prefix) {
      Advance(length);
      return raw ? SkipRawString() : SkipQuoted(next);
    }
    Emit(TokenKind::kIdentifier, word, line_);
    Advance(length);
  }

  // A number may hold digit separators (1'000'000), which are not
  // character literals, and exponents with a sign (1e-3, 0x1p+4).
  void ReadNumber() {
    size_t length = 1;
    while (true) {
      char c = At(length);
      bool sign = (c == '+' || c == '-') && std::string_view("eEpP").find(At(length - 1)) != std::string_view::npos;
      if (!IsIdentifierPart(c) && c != '.' && c != '\'' && !sign) break;
      ++length;
    }
    Emit(TokenKind::kNumber, text_.substr(pos_, length), line_);
    Advance(length);
  }

  void ReadPunctuation() {
    std::string_view rest = std::string_view(text_).substr(pos_);
    size_t length = 1;
    for (std::string_view op : kOperators) {
      if (rest.substr(0, op.size()) == op) {
        length = op.size();
        break;
      }
    }
    Emit(TokenKind::kPunctuation, text_.substr(pos_, length), line_);
    Advance(length);
  }

  int CountLines() const {
    int lines = 0;
    for (char c : text_) lines += c == '\n' ? 1 : 0;
    if (!text_.empty() && text_.back() != '\n') ++lines;
    return lines;
  }

  const std::string& text_;
  size_t pos_ = 0;
  int line_ = 1;
  bool at_line_start_ = true;
  LexedFile result_;
};

}  // namespace

LexedFile Lex(const std::string& text) { return Lexer(text).Run(); }

}  // namespace size_rules
