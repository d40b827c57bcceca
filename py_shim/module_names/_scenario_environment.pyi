# The shim module py_shim/environment.py under the name the runtime registers it as.
from environment import *  # noqa: F403
