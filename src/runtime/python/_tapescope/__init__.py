"""Tapescope's own Python support code (not user-facing).

`runner` executes user scripts and notebook cells with a fresh `__main__` per run; `locations`
finds the user's frame for source locations; `display` renders a cell's final value as IPython
would. The `tensorflow` and `numpy` stand-ins may import `_tapescope.locations`.
"""
