"""Test tooling, not part of the installed product: stand-ins for services that cannot run here.

`fake_sheets` is a Sheets API v4 fake served over real HTTP (and the replay of recorded Google
exchanges against it); `fake_spapi` is an Amazon SP-API and LWA stand-in. Tests and `.ci/run`
use them from a clone of the repository; `pip install stockout-kit` does not ship them.
"""
