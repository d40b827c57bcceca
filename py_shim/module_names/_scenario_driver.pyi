# The shim module py_shim/driver.py under the name the runtime registers it as.
from driver import *  # noqa: F403
