# The shim module py_shim/pebble.py under the name the runtime registers it as.
from pebble import *  # noqa: F403
