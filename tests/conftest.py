"""Every test sees a user data folder of its session's own, never the home folder's."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session", autouse=True)
def _scratch_user_data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    # Imported user lists then go to a scratch folder, and the user's own lists in the home
    # folder do not change the counts the tests check.
    saved = os.environ.get("BULKSCREEN_DATA_DIR")
    os.environ["BULKSCREEN_DATA_DIR"] = str(tmp_path_factory.mktemp("user-data"))
    yield
    if saved is None:
        os.environ.pop("BULKSCREEN_DATA_DIR", None)
    else:
        os.environ["BULKSCREEN_DATA_DIR"] = saved
