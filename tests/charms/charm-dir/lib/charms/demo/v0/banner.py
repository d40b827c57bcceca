"""Banner: a one-constant demo charm library."""

LIBID = "fedcba9876543210fedcba9876543210"  # placeholder, not a registered lib
LIBAPI = 0
LIBPATCH = 1

BANNER = "demo-banner"
