#include "tools/syncsim/junit_xml.h"

#include <sstream>

#include <fmt/format.h>

#include "sim/base/text_format.h"

namespace syncsim::tools {

std::string JunitXml(const std::string& scenario_name, const std::vector<JunitCase>& cases) {
  size_t failures = 0;
  for (const JunitCase& junit_case : cases) failures += junit_case.passed ? 0 : 1;
  const std::string name = sim::EscapeHtml(scenario_name);
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << fmt::format("<testsuite name=\"sweep {}\" tests=\"{}\" failures=\"{}\">\n", name, cases.size(), failures);
  for (const JunitCase& junit_case : cases) {
    out << fmt::format("  <testcase classname=\"{}\" name=\"seed-{}\"", name, junit_case.seed);
    if (junit_case.wall_s.has_value()) out << fmt::format(" time=\"{:.3f}\"", *junit_case.wall_s);
    if (junit_case.passed) {
      out << "/>\n";
      continue;
    }
    out << fmt::format(">\n    <failure message=\"{}\">replay with: {}</failure>\n  </testcase>\n",
                       sim::EscapeHtml(junit_case.failure), sim::EscapeHtml(junit_case.replay));
  }
  out << "</testsuite>\n";
  return out.str();
}

}  // namespace syncsim::tools
