// A planted fixture of the size-rules checker (tests/size_rules/CMakeLists.txt).
// The table marker exempts only a function that is one return of a braced
// table, and must stand before a function.
#include <vector>

// size-rules: table
std::vector<int> NotATable() {
  std::vector<int> values = {1, 2, 3};
  return values;
}

// size-rules: table
