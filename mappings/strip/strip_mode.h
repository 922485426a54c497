#pragma once

namespace ferry::mappings::strip {

// Allow: keep only what a profile lists (plus what must stay for the message to remain
// parseable, routable and valid). Deny: remove what it lists, keep everything else.
enum class StripMode { Allow, Deny };

}  // namespace ferry::mappings::strip
