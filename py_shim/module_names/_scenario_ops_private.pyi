# The shim module py_shim/ops_private.py under the name the runtime registers it as.
from ops_private import *  # noqa: F403
