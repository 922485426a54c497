#pragma once

// Day counts of the proleptic Gregorian calendar, for HL7 and FHIR dates and time zone rules.

#include <cstdint>

namespace ferry::engine::time {

// Days from 1970-01-01 to `year`-`month`-`day` (negative before it), for any year. The count
// runs in 400-year cycles of 146097 days, with each year taken to start on March 1 so that the
// leap day falls at the end of it and every month before it has a fixed length.
inline std::int64_t daysFromCivil(std::int64_t year, int month, int day) {
  year -= month <= 2 ? 1 : 0;
  std::int64_t cycle = (year >= 0 ? year : year - 399) / 400;
  std::int64_t year_of_cycle = year - cycle * 400;
  int month_from_march = month > 2 ? month - 3 : month + 9;
  std::int64_t day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
  std::int64_t day_of_cycle =
      year_of_cycle * 365 + year_of_cycle / 4 - year_of_cycle / 100 + day_of_year;
  return cycle * 146097 + day_of_cycle - 719468;
}

}  // namespace ferry::engine::time
