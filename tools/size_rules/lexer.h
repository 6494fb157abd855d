// The lexer of the size-rules checker: C++ source as a list of tokens, with
// comments, string and character literals (raw strings too) and
// preprocessor lines taken out, so that no brace inside them is ever
// counted as one of the code's.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace size_rules {

enum class TokenKind { kIdentifier, kNumber, kLiteral, kPunctuation };

struct Token {
  TokenKind kind;
  std::string text;  // a literal keeps only its kind ("\"\"" or "''"), not its text
  int line;          // 1-based
};

struct LexedFile {
  std::vector<Token> tokens;
  std::vector<int> marker_lines;  // lines of comments holding kTableMarker
  int line_count = 0;
};

// The comment that exempts a function whose body is one return of a braced
// table (see docs/architecture.md, "Limits of size").
inline constexpr std::string_view kTableMarker = "size-rules: table";

LexedFile Lex(const std::string& text);

}  // namespace size_rules
