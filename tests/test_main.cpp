// Entry point shared by every Boost.Test executable.
#define BOOST_TEST_MODULE ferry
#include <boost/test/included/unit_test.hpp>
