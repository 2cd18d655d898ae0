"""Which files are the user's, and where in them the running code is.

The runner registers the files of the current run (a script path, or one encoded name per notebook
cell, e.g. `/abs/nb.ipynb#cell3`). Everything else (our packages, the standard library, Pyodide's
internals) is "not the user's": tracebacks hide those frames, and source locations skip them.
"""

import linecache
import sys

_user_files = frozenset()
# code object -> list of (line, end_line, col, end_col) per instruction, cached because
# co_positions() is a generator and op locations are asked for on every recorded op.
_positions_cache = {}


def set_user_files(files):
    global _user_files, _user_dir
    _user_files = frozenset(files)
    _user_dir = None
    _user_file_cache.clear()


# Modules in the program's own folder (`import helpers` next to the script) are user code too.
_user_dir = None
_user_file_cache = {}


def set_user_dir(directory):
    global _user_dir
    _user_dir = directory.rstrip('/') + '/'
    _user_file_cache.clear()


def _in_user_dir(filename):
    global _user_files
    known = _user_file_cache.get(filename)
    if known is None:
        known = _user_dir is not None and filename.startswith(_user_dir) and filename.endswith('.py')
        _user_file_cache[filename] = known
        if known:
            # From now on the fast `filename in _user_files` checks see it too.
            _user_files = _user_files | {filename}
    return known
    _positions_cache.clear()


def is_user_file(filename):
    return filename in _user_files or _in_user_dir(filename)


def _char_column(filename, line, byte_offset):
    """co_positions() columns are UTF-8 byte offsets; SourceLocation columns count characters."""
    if byte_offset is None or line is None:
        return byte_offset
    text = linecache.getline(filename, line)
    if text.isascii():
        return byte_offset
    return len(text.encode('utf-8')[:byte_offset].decode('utf-8', errors='ignore'))


def _positions(code):
    positions = _positions_cache.get(code)
    if positions is None:
        filename = code.co_filename
        positions = [
            (line, end_line, _char_column(filename, line, col), _char_column(filename, end_line, end_col))
            for line, end_line, col, end_col in code.co_positions()
        ]
        _positions_cache[code] = positions
    return positions


def frame_location(frame):
    """The SourceLocation dict (trace format: 1-based lines and columns) of a frame's current call."""
    code = frame.f_code
    line = frame.f_lineno
    location = {'file': code.co_filename, 'line': line, 'functionName': code.co_name}
    index = frame.f_lasti // 2
    positions = _positions(code)
    if 0 <= index < len(positions):
        start_line, end_line, start_col, end_col = positions[index]
        if start_line is not None:
            location['line'] = start_line
        if start_col is not None:
            location['column'] = start_col + 1
        if end_line is not None:
            location['endLine'] = end_line
        if end_col is not None:
            location['endColumn'] = end_col + 1
    return location


def user_frame(start=None):
    """The innermost frame (from `start`, default: the caller) that runs in a user file, or None."""
    frame = start if start is not None else sys._getframe(1)
    files = _user_files
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename in files or (_user_dir is not None and _in_user_dir(filename)):
            return frame
        frame = frame.f_back
    return None


def current_user_location():
    """Where the user's code is right now (the call that led here), or None outside user code."""
    frame = user_frame(sys._getframe(1))
    return frame_location(frame) if frame is not None else None
