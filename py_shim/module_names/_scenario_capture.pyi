# The shim module py_shim/capture.py under the name the runtime registers it as.
from capture import *  # noqa: F403
