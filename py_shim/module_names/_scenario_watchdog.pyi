# The shim module py_shim/watchdog.py under the name the runtime registers it as.
from watchdog import *  # noqa: F403
