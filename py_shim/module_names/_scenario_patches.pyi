# The shim module py_shim/patches.py under the name the runtime registers it as.
from patches import *  # noqa: F403
