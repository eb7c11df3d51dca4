"""Every test sees a user data folder of its session's own, never the home folder's."""

from __future__ import annotations

import os
import tempfile

# Set before any test imports bulkscreen: imported user lists then go to a scratch folder and
# the user's own lists in the home folder do not change the counts the tests check.
os.environ.setdefault("BULKSCREEN_DATA_DIR", tempfile.mkdtemp(prefix="bulkscreen-test-data-"))
