// Finds the function bodies of a lexed C++ file: a `{` at namespace or class
// scope that follows a parameter list `(...)` (then perhaps const, noexcept,
// override, `-> type`, a member initialiser list), or a lambda bound to a
// name at that scope (`auto kF = [](...) {`). Everything inside a body,
// lambdas and local classes included, counts toward that body. A brace block
// introduced by `=` (a table's initialiser), an enum's and any other brace
// block at that scope are not functions.
#pragma once

#include <string>
#include <vector>

#include "tools/size_rules/lexer.h"

namespace size_rules {

struct Function {
  std::string name;  // as written, qualified: RecordApplier::ApplyOne, operator()
  int line;          // of its name
  int lines;         // from the line of its opening brace to that of its closing one
  bool table_marked; // a kTableMarker comment stands between the previous statement and the body
  bool one_table_return;  // the body is `{ return {...}; }`
};

struct FunctionScan {
  std::vector<Function> functions;
  std::vector<int> unused_marker_lines;  // markers before no function
};

FunctionScan FindFunctions(const LexedFile& file);

}  // namespace size_rules
