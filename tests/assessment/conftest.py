"""The licensing world serves the assessment tests too."""

from tests.licensing.conftest import _english, _isolated_files, bare_world, world  # noqa: F401  (fixtures re-exported)
