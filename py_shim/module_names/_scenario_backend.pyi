# The shim module py_shim/backend.py under the name the runtime registers it as.
from backend import *  # noqa: F403
